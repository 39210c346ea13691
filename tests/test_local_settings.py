"""A checkout's `.env` lets local commands run as printed; without it (production), a missing
SECRET_KEY with DEBUG off still stops the service at start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECK = "import django; django.setup(); from django.conf import settings; print(len(settings.SECRET_KEY))"


def _run(tmp_path, env_file_text=None):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "AFTERSERVICE_DEV_KEY_OK", "DEBUG")}
    env_file = tmp_path / ".env"
    if env_file_text is not None:
        env_file.write_text(env_file_text)
    env.update(
        AFTERSERVICE_ENV_FILE=str(env_file),
        DJANGO_SETTINGS_MODULE="afterservice_site.settings",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_secret_key_from_the_local_env_file(tmp_path):
    result = _run(tmp_path, "# written by make\nSECRET_KEY=" + "k" * 60 + "\n")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "60"


def test_missing_secret_key_without_env_file_refuses_to_start(tmp_path):
    result = _run(tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
