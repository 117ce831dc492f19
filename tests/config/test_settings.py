import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from django.conf import settings

from briefings.config.env import REGISTRY

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_is_documented():
    documented = DOCS.read_text()
    missing = [name for name in REGISTRY if f"`{name}`" not in documented]
    assert REGISTRY, "no settings were declared"
    assert missing == []


def test_every_setting_has_help():
    assert all(setting.help.strip() for setting in REGISTRY.values())


def test_debug_is_off_by_default():
    assert REGISTRY["DEBUG"].default == "false"


def test_sqlite_is_configured_for_concurrency():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite options apply to SQLite only")
    options = database["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


def test_fresh_data_dir_gets_wal_database_and_private_secret_key(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SECRET_KEY"}
    }
    env["BRIEFINGS_DATA_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "briefings", "migrate", "--no-input", "-v0"]
    subprocess.run(command, env=env, check=True, timeout=120)
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with sqlite3.connect(tmp_path / "briefings.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {
            row[0] for row in connection.execute("SELECT name FROM sqlite_master")
        }
    assert {"articles_article", "network_publication", "network_feed"} <= tables
    # The key is kept across runs, not regenerated.
    first = key_file.read_text()
    subprocess.run(command, env=env, check=True, timeout=120)
    assert key_file.read_text() == first
