import os
import subprocess
import sys

from roadcam.common.devhooks import StackInfo
from roadcam.devstack.stack import service_env


def test_devstack_hook_makes_a_master_key_the_settings_read(tmp_path):
    stack = StackInfo(str(tmp_path), "cameras.yaml", "127.0.0.1:1", "redis://127.0.0.1:2/0", "127.0.0.1:3", "")
    service_env("recorder", stack, health_port=0)
    secret = tmp_path / "secrets" / "roadcam_recorder_master_key"
    assert secret.stat().st_mode & 0o777 == 0o600
    first = secret.read_text()
    service_env("recorder", stack, health_port=0)
    assert secret.read_text() == first  # generated once, kept across `roadcam up` runs
    code = ("from services.recorder.settings import Settings; "
            "from services.recorder.crypto import LocalKeyProvider; "
            "s = Settings(); LocalKeyProvider(s.master_key.get_secret_value()); print(s.s3.endpoint)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ROADCAM_")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**clean, "ROADCAM_SECRETS_DIR": str(tmp_path / "secrets"),
                              "ROADCAM_RECORDER_S3__ENDPOINT": "127.0.0.1:1234"})
    assert out.stdout.strip() == "127.0.0.1:1234"
