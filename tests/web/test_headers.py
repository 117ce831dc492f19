"""Security headers, and Django's deployment checks under production settings."""

import os
import subprocess
import sys


def test_security_headers(client, network):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_admin_pages_get_a_policy_too(client, db):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "script-src 'self';" in policy


def test_deploy_checks_are_clean_with_https(tmp_path):
    env = {
        **os.environ,
        "BRIEFINGS_DATA_DIR": str(tmp_path),
        "BRIEFINGS_HTTPS": "true",
        "ALLOWED_HOSTS": "briefings.example",
        "DEBUG": "false",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest for Playwright
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "briefings",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
