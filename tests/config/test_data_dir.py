"""The data directory and the SQLite database are the owner's alone (issue #11,
item 9): another local user who could read the database could read session keys
from it and open the admin."""

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from briefings.config.checks import check_private_files
from briefings.demo.management.commands.demo import Command as DemoCommand
from briefings.ingest.management.commands.run import Command as RunCommand


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def briefings(data_dir, *args):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SECRET_KEY"}
    }
    env["BRIEFINGS_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "briefings", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_fresh_data_dir_and_database_are_private(tmp_path):
    data_dir = tmp_path / "new" / "var"
    result = briefings(data_dir, "migrate", "--no-input", "-v0")
    assert result.returncode == 0, result.stderr
    assert mode(data_dir) == 0o700
    database = data_dir / "briefings.sqlite3"
    assert mode(database) == 0o600
    assert mode(data_dir / "secret_key") == 0o600
    # SQLite gives its -wal and -shm files the database file's mode.
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        for suffix in ("-wal", "-shm"):
            assert mode(Path(f"{database}{suffix}")) == 0o600
    assert "open to other users" not in result.stderr


@pytest.mark.parametrize("command", [["migrate", "--no-input", "-v0"], ["check"]])
def test_a_readable_data_dir_is_made_private_at_start_loudly(tmp_path, command):
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    database = data_dir / "briefings.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
        (data_dir / "secret_key").write_text("k" * 50)
        for path in (database, wal, shm, data_dir / "secret_key"):
            path.chmod(0o644)
        # While this connection is open the -wal and -shm files stay.
        result = briefings(data_dir, *command)
        assert mode(wal) == mode(shm) == 0o600
    assert result.returncode == 0, result.stderr
    assert mode(data_dir) == 0o700
    assert mode(database) == mode(data_dir / "secret_key") == 0o600
    assert f"{data_dir} was open to other users" in result.stderr
    assert f"{database} was open to other users" in result.stderr
    again = briefings(data_dir, "check")
    assert "open to other users" not in again.stderr


def test_what_cannot_be_made_private_stops_the_start(tmp_path):
    proc = Path(f"/proc/{os.getpid()}")
    if not proc.is_dir():
        pytest.skip("needs Linux's /proc, whose modes even root cannot change")
    problems = check_private_files(proc, [tmp_path / "absent.sqlite3"])
    assert [problem.id for problem in problems] == ["briefings.E001"]
    assert str(proc) in problems[0].msg and "chmod 700" in problems[0].hint


@pytest.mark.parametrize("command", [RunCommand, DemoCommand])
def test_run_and_demo_run_the_checks_before_they_start(command):
    assert command.requires_system_checks == "__all__"
