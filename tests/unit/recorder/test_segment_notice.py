"""A segment notice the bus never acknowledges is read and logged, not left to asyncio's
"Future exception was never retrieved" ERROR (seen after a broker restart, issue 16)."""
import asyncio
import logging

from services.recorder.uploader import _notice_delivered


def test_a_failed_notice_delivery_is_logged_as_a_warning(caplog):
    async def settle() -> tuple[asyncio.Future, asyncio.Future]:
        failed, delivered = asyncio.get_running_loop().create_future(), asyncio.get_running_loop().create_future()
        failed.set_exception(ConnectionError("broker restarted"))
        delivered.set_result(None)
        return failed, delivered

    failed, delivered = asyncio.run(settle())
    with caplog.at_level(logging.WARNING, "services.recorder.uploader"):
        _notice_delivered("cam-1", failed)
        _notice_delivered("cam-1", delivered)
    assert [r.getMessage() for r in caplog.records] == [
        "camera cam-1: segment notice not acknowledged by the bus: broker restarted"]
