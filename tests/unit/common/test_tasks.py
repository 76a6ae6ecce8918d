"""cancel_and_wait ends tasks even when a library swallows a cancellation."""
import asyncio

from roadcam.common.tasks import cancel_and_wait


async def _swallows_first_cancel(seen: list[int]) -> None:
    # What Python 3.11's wait_for does when the inner call completes as the cancel arrives.
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            seen.append(1)
            if len(seen) > 1:
                raise


async def test_a_swallowed_cancel_is_repeated_until_the_task_ends():
    seen: list[int] = []
    task = asyncio.create_task(_swallows_first_cancel(seen))
    await asyncio.sleep(0)
    await cancel_and_wait([task], grace_s=5)
    assert task.cancelled()
    assert len(seen) == 2


async def test_a_plain_task_needs_one_cancel_and_crashes_are_not_reraised():
    async def crash():
        raise ValueError("boom")

    crashed = asyncio.create_task(crash())
    sleeper = asyncio.create_task(asyncio.sleep(3600))
    await asyncio.sleep(0)
    await cancel_and_wait((crashed, sleeper))
    assert sleeper.cancelled()
    assert isinstance(crashed.exception(), ValueError)


async def test_a_task_that_ignores_cancellation_is_left_after_the_grace_period():
    release = asyncio.Event()

    async def stubborn():
        while not release.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await cancel_and_wait([task], grace_s=1)
    assert not task.done()
    release.set()
    task.cancel()
    await asyncio.wait([task])
