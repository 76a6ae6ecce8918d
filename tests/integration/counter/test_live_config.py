"""The counter applies camera configuration from the config topic live (issue 10), against a
real broker and Redis, with the real model and a real clip."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter

import pytest
import yaml

from roadcam.common import topics
from services.counter.bootstrap import bootstrap
from roadcam.v1 import counting_pb2
from tests.integration.counter.harness import CROSSWALK_LINE, publish_clip, read_all, wait_until
from tests.integration.counter.test_service import settings_for
from tests.support.config_topic import config_message, publish_config

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)
# a line where nothing in the clip crosses: the configuration the counter starts with
IDLE_LINE = {"id": "corner", "start": [5, 5], "end": [40, 5], "pos_name": "a", "neg_name": "b"}
MOVED_LINE = {**CROSSWALK_LINE, "id": "moved", "pos_name": "西へ", "neg_name": "東へ"}


def logged(caplog, text: str) -> bool:
    return any(text in r.getMessage() for r in caplog.records)


async def test_a_new_line_counts_and_a_malformed_document_changes_nothing(
        tmp_path, kafka_settings, redis_server, videos, shared_data, caplog):
    caplog.set_level(logging.INFO)
    settings = settings_for(tmp_path, kafka_settings, redis_server.url, shared_data / "models/yolov8n_int8.tflite")
    camera = yaml.safe_load(settings.config_file.read_text())["cameras"][0]
    camera["counting_lines"] = [IDLE_LINE]
    settings.config_file.write_text(yaml.safe_dump({"version": 1, "cameras": [camera]}, allow_unicode=True))
    stop = asyncio.Event()
    async with bootstrap(settings) as service:
        task = asyncio.create_task(service.run(stop))
        await wait_until(lambda: service.ready()[1].get("partitions", 0) > 0, 120, "partition assignment")
        sent = time.monotonic()
        await publish_config(kafka_settings, camera["id"], config_message({**camera, "counting_lines": [MOVED_LINE]}, 2))
        await wait_until(lambda: logged(caplog, "counting lines now moved"), 120, "the new line")
        log.info("new line in force %.2f s after the document was sent", time.monotonic() - sent)
        bad_line = {**MOVED_LINE, "id": "bad", "start": [9000, 9000]}  # outside the frame: invalid
        await publish_config(kafka_settings, camera["id"],
                             config_message({**camera, "counting_lines": [bad_line]}, 3),
                             config_message(camera, 4, config_json="{not json"),
                             config_message({**camera, "counting_lines": [MOVED_LINE]}, 2))  # a stale resend
        await wait_until(lambda: sum(logged_n(caplog, "configuration document rejected")) >= 2, 120, "rejections")
        await publish_clip(kafka_settings, videos / "crosswalk_peds_bikes_13s.mp4", camera["id"])
        await wait_until(lambda: service.ready()[1]["crossings"] >= 6, 120, lambda: f"crossings: {service.ready()}")
        stop.set()
        await task

    crossings = Counter()
    for r in await read_all(kafka_settings, [topics.CROSSINGS]):
        msg = counting_pb2.CrossingEvent.FromString(r.value)
        crossings[(msg.line_id, msg.direction_name, msg.object_class)] += 1
    # the clip's ground truth, all on the line the console drew, named as it named the directions
    assert crossings == {("moved", "西へ", "person"): 1, ("moved", "西へ", "bicycle"): 1, ("moved", "東へ", "person"): 4}
    assert not logged(caplog, "counting lines now bad") and not logged(caplog, "counting lines now corner")


def logged_n(caplog, text: str) -> list[bool]:
    return [text in r.getMessage() for r in caplog.records]
