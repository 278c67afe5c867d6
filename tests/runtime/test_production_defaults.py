"""Settings are safe by default: DEBUG is off unless asked for, a deployment (CHAIN_RPC_URL set)
refuses to start without its own SECRET_KEY and is served over HTTPS only, and the embedded stack
signs with a random key of its own instead of a constant from the source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ('DEBUG', 'SECRET_KEY', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS')}))"
)


def settings_under(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "CHAIN_RPC_URL", "HTTPS"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "crowdal_site.settings", "CROWDAL_VAR_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_a_deployment_without_secret_key_refuses_to_start(tmp_path):
    probe = settings_under({"CHAIN_RPC_URL": "http://127.0.0.1:1"}, tmp_path)
    assert probe.returncode != 0
    assert "SECRET_KEY must be set" in probe.stderr


def test_a_deployment_is_https_only_with_debug_off(tmp_path):
    probe = settings_under({"CHAIN_RPC_URL": "http://127.0.0.1:1", "SECRET_KEY": "k" * 50}, tmp_path)
    assert probe.returncode == 0, probe.stderr
    values = json.loads(probe.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000


def test_the_embedded_stack_makes_its_own_random_key_once(tmp_path):
    first = settings_under({}, tmp_path)
    second = settings_under({}, tmp_path)
    other = settings_under({}, tmp_path / "elsewhere")
    keys = [json.loads(p.stdout)["SECRET_KEY"] for p in (first, second, other)]
    assert keys[0] == keys[1] != keys[2]
    assert len(keys[0]) >= 50 and "insecure" not in keys[0]
    assert json.loads(first.stdout)["DEBUG"] is False
    assert (tmp_path / "secret-key").stat().st_mode & 0o077 == 0
