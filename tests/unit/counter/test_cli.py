"""`roadcam count` argument handling and output format (no model needed)."""
from __future__ import annotations

import json

import pytest

from roadcam.cli.cmd_count import summarize, table
from roadcam.cli.main import build_parser, main
from services.counter.counting import CountedCrossing
from services.counter.offline import FileCount


def test_lines_parse():
    args = build_parser().parse_args(["count", "v.mp4", "--line", "0,300,959,300", "--line", "1.5,2,3,4"])
    assert args.line == [(0, 300, 959, 300), (1.5, 2, 3, 4)] and args.fps is None and not args.json


@pytest.mark.parametrize("bad", ["1,2,3", "a,b,c,d", "5,5,5,5"])
def test_bad_line_is_a_clear_error(bad, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["count", "v.mp4", "--line", bad])
    assert "line" in capsys.readouterr().err


def test_bad_anchor_rejected(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["count", "v.mp4", "--line", "0,0,1,1", "--anchor", "car=feet"])
    assert "--anchor" in capsys.readouterr().err


def test_missing_video_and_model_are_clear_errors(tmp_path, capsys):
    assert main(["count", str(tmp_path / "none.mp4"), "--line", "0,0,1,1"]) == 2
    assert "none.mp4 not found" in capsys.readouterr().err
    video = tmp_path / "v.mp4"
    video.write_bytes(b"x")
    assert main(["count", str(video), "--line", "0,0,1,1", "--model", str(tmp_path / "m.tflite")]) == 2
    assert "m.tflite does not exist" in capsys.readouterr().err


def test_json_format():
    result = FileCount(frames=143, analysed=130, seconds=13.0, crossings=[
        CountedCrossing("0", 1, "person", 1), CountedCrossing("0", 1, "bicycle", 2),
        CountedCrossing("0", -1, "person", 3), CountedCrossing("1", -1, "car", 4),
    ])
    report = summarize(result, [(440, 175, 440, 352), (0, 10.5, 100, 10.5)])
    assert json.loads(json.dumps(report)) == report
    assert report["frames"] == 143 and report["seconds"] == 13.0
    first, second = report["lines"]
    assert first["line"] == [440, 175, 440, 352] and second["line"] == [0, 10.5, 100, 10.5]
    assert set(first["pos"]) == {"person", "bicycle", "motorcycle", "car", "bus", "truck"}
    assert (first["pos"]["person"], first["pos"]["bicycle"], first["neg"]["person"]) == (1, 1, 1)
    assert second["neg"]["car"] == 1 and sum(second["pos"].values()) == 0
    text = table(report)
    assert "line [440, 175, 440, 352]" in text and "bicycle" in text
