"""`roadcam count` on the real clips: one JSON object on stdout, counts as hand-counted."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

pytestmark = pytest.mark.slow


def run_count(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["roadcam", "count", *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_crosswalk_json_matches_ground_truth(videos, shared_data):
    gt = json.loads((shared_data / "ground_truth/crosswalk_peds_bikes_13s.gt.json").read_text())
    done = run_count(videos / "crosswalk_peds_bikes_13s.mp4", "--line", "440,175,440,352", "--json",
                     env={"ROADCAM_COUNTER_MODEL": str(shared_data / "models/yolov8n_int8.tflite")})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # exactly one JSON object, nothing else on stdout
    assert done.stdout.count("\n") == 1
    assert abs(report["frames"] - gt["frames_decoded"]) <= 1 and report["seconds"] == pytest.approx(13, abs=0.2)
    [line] = report["lines"]
    # R->L ends on the POS side of this downward vertical line, L->R on the NEG side
    want_pos, want_neg = gt["totals"]["R->L"], gt["totals"]["L->R"]
    assert line["pos"] == {k: want_pos[k] for k in line["pos"]}
    assert line["neg"] == {k: want_neg[k] for k in line["neg"]}


def test_autobahn_table_meets_the_motor_vehicle_bar(videos, shared_data):
    gt = json.loads((shared_data / "ground_truth/autobahn_overpass_10s.gt.json").read_text())
    model = shared_data / "models/yolov8n_int8.tflite"
    done = run_count(videos / "autobahn_overpass_10s.mp4", "--line", "0,300,959,300", "--model", model, "--json")
    assert done.returncode == 0, done.stderr
    [line] = json.loads(done.stdout)["lines"]
    motor = lambda side: sum(line[side][k] for k in ("car", "bus", "truck", "motorcycle"))  # noqa: E731
    down, up = len(gt["events_down"]), len(gt["events_up"])
    assert abs(motor("pos") - down) / down <= 0.03 and abs(motor("neg") - up) / up <= 0.03
    assert line["pos"]["person"] == line["neg"]["person"] == 0
    text = run_count(videos / "autobahn_overpass_10s.mp4", "--line", "0,300,959,300", "--model", model)
    assert "line [0, 300, 959, 300]" in text.stdout and "truck" in text.stdout
