import os
import subprocess
import sys
from types import SimpleNamespace

from roadcam.recorder.devstack import environment


def test_devstack_hook_makes_a_master_key_the_settings_read(tmp_path):
    env = environment(SimpleNamespace(run_dir=str(tmp_path)), {})
    secret = tmp_path / "secrets" / "roadcam_recorder_master_key"
    assert env == {} and secret.stat().st_mode & 0o777 == 0o600
    first = secret.read_text()
    environment(SimpleNamespace(run_dir=str(tmp_path)), {})
    assert secret.read_text() == first  # generated once, kept across `roadcam up` runs
    code = ("from roadcam.recorder.settings import Settings; "
            "from roadcam.recorder.crypto import LocalKeyProvider; "
            "s = Settings(); LocalKeyProvider(s.master_key.get_secret_value()); print(s.s3.endpoint)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ROADCAM_")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**clean, "ROADCAM_SECRETS_DIR": str(tmp_path / "secrets"),
                              "ROADCAM_RECORDER_S3__ENDPOINT": "127.0.0.1:1234"})
    assert out.stdout.strip() == "127.0.0.1:1234"
