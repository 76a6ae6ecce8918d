import cv2
import numpy as np

from roadcam.cli.main import main


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    assert main(["anonymize", str(tmp_path / "nope.jpg"), "--out", str(tmp_path / "out")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_missing_model_is_a_clear_error_and_writes_nothing(tmp_path, capsys):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((40, 40, 3), np.uint8))
    code = main(["anonymize", str(tmp_path / "a.png"), "--out", str(tmp_path / "out"), "--yunet-model", str(tmp_path / "x.onnx")])
    assert code == 2 and "x.onnx" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_camera_not_in_config_is_a_clear_error(tmp_path, capsys):
    config = tmp_path / "c.yaml"
    config.write_text("version: 1\ncameras:\n- {id: a, name: a, source: {url: /x}, purposes: [road_management], "
                      "department: d, notice: {operator: o, purpose: p, contact: c}}\n")
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((40, 40, 3), np.uint8))
    code = main(["anonymize", str(tmp_path / "a.png"), "--out", str(tmp_path / "o"), "--camera-config", str(config), "--camera", "b"])
    assert code == 2 and "'b'" in capsys.readouterr().err
