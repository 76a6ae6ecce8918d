"""`roadcam anonymize VIDEO`: an MP4 at the requested width, every frame through the pipeline."""
import av
import pytest

from roadcam.cli.main import main

pytestmark = pytest.mark.slow


def test_video_comes_out_as_mp4(shared_data, videos, tmp_path):
    m = shared_data / "models"
    clip = videos / "crosswalk_peds_bikes_13s.mp4"
    code = main(["anonymize", str(clip), "--out", str(tmp_path), "--width", "320",
                 "--yunet-model", str(m / "face_detection_yunet_2026may.onnx"), "--yolo-model", str(m / "yolov8n_int8.tflite")])
    assert code == 0
    with av.open(str(clip)) as src:
        n_in = sum(1 for _ in src.decode(video=0))
    with av.open(str(tmp_path / "crosswalk_peds_bikes_13s.mp4")) as out:
        assert [s.type for s in out.streams] == ["video"]
        frames = list(out.decode(video=0))
    assert len(frames) == n_in
    assert (frames[0].width, frames[0].height) == (320, 176)
