"""`briefings check --deploy` warns when a proxy is trusted for HTTPS but not
named for the client address (issue #11: every reader then shares the proxy's
address, for the limits and in the consent records)."""

import os
import subprocess
import sys


def deploy_check(tmp_path, **environ):
    env = {
        **os.environ,
        "BRIEFINGS_DATA_DIR": str(tmp_path),
        "BRIEFINGS_HTTPS": "true",
        "ALLOWED_HOSTS": "briefings.example",
        "DEBUG": "false",
        **environ,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "-m", "briefings", "check", "--deploy"]
    command += ["--fail-level", "WARNING"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_behind_a_proxy_without_trusted_proxies_the_deploy_check_warns(tmp_path):
    result = deploy_check(tmp_path, BRIEFINGS_BEHIND_PROXY="true")
    assert result.returncode != 0
    assert "BRIEFINGS_TRUSTED_PROXIES" in result.stderr + result.stdout


def test_with_the_proxy_named_the_deploy_check_is_clean(tmp_path):
    result = deploy_check(
        tmp_path, BRIEFINGS_BEHIND_PROXY="true", BRIEFINGS_TRUSTED_PROXIES="127.0.0.1"
    )
    assert result.returncode == 0, result.stderr
