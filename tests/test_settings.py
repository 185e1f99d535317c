"""Settings come from the environment; production refuses the development secret key."""

from __future__ import annotations

import os
import subprocess
import sys

IMPORT = "import rexian.settings as s; print(s.DEBUG, s.TIME_ZONE, s.LANGUAGE_CODE)"


def _import_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "REXIAN_ENV", "DATABASE_URL"}}
    return subprocess.run([sys.executable, "-c", IMPORT], env={**clean, **env}, capture_output=True, text=True,
                          check=False)


def test_production_refuses_the_development_secret_key():
    result = _import_settings(REXIAN_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_with_a_real_key_starts_without_debug():
    result = _import_settings(REXIAN_ENV="production", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "Asia/Shanghai", "zh-hans"]


def test_development_defaults():
    result = _import_settings()
    assert result.stdout.split() == ["True", "Asia/Shanghai", "zh-hans"]
