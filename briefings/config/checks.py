"""Checks at start: the data directory and the database are the owner's alone.

A local user who can read the SQLite database reads the session keys in it and
opens the admin as an editor; the secret key signs everything else. Settings
create the data directory 0700 and the SQLite database 0600 (SQLite gives its
-wal, -shm and -journal files the database's mode). This check, run by every
command that runs Django's system checks (`briefings run`, `demo`, `migrate`,
`check`), finds what an older version, a restore from backup or a hand-made
directory left readable by others, makes it private and says so: the fix is
certain and the directory is Briefings' own, so it does not wait for a person.
Only what it cannot change (another owner's file) stops the start.
"""

import stat
from pathlib import Path

from django.conf import settings
from django.core import checks

SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def sqlite_files(databases):
    """Return the files of the SQLite databases in `databases` (DATABASES)."""
    files = []
    for config in databases.values():
        name = str(config.get("NAME") or "")
        in_memory_or_uri = name.startswith((":memory:", "file:"))
        if config["ENGINE"].endswith("sqlite3") and name and not in_memory_or_uri:
            files += [Path(name + suffix) for suffix in ("", *SQLITE_COMPANIONS)]
    return files


def check_private_files(data_dir, files):
    """Take group and other permissions off `data_dir` and `files` where they
    have any; return a Warning for each fix, an Error for each failure."""
    messages = []
    for path in [Path(data_dir), *files]:
        messages += _make_private(path)
    return messages


def _make_private(path):
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return []
    if not mode & 0o077:
        return []
    private = mode & 0o700
    try:
        path.chmod(private)
    except OSError as exc:
        wanted = "700" if path.is_dir() else "600"
        return [
            checks.Error(
                f"{path} is open to other users (mode {mode:04o}) and could not be "
                f"made private: {exc.strerror}. It holds the database or the "
                f"secret key; other local users could sign in as an editor.",
                hint=f"As the owner of {path}, run: chmod {wanted} {path}",
                id="briefings.E001",
            )
        ]
    return [
        checks.Warning(
            f"{path} was open to other users (mode {mode:04o}); it is now "
            f"{private:04o}.",
            hint="If anyone else could read it meanwhile, see docs/operations.md, "
            "'A data directory other users could read'.",
            id="briefings.W001",
        )
    ]


def check_data_dir(app_configs=None, **kwargs):
    """The system check: the data directory, the secret key and SQLite's files."""
    data_dir = Path(settings.DATA_DIR)
    files = [data_dir / "secret_key", *sqlite_files(settings.DATABASES)]
    return check_private_files(data_dir, files)
