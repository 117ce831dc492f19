import json
import os
import subprocess
import sys

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError

from tests.stories.test_assign import BODY, OTHER


def test_judge_prints_one_decision_per_pair(db, tmp_path, capsys):
    pairs = tmp_path / "pairs.jsonl"
    same = {
        "title": "North Korea conducts nuclear test",
        "date": "2006-10-09",
        "body": BODY,
    }
    other = {"title": "Thai election results", "date": "2006-10-09", "body": OTHER}
    lines = [{"a": same, "b": same}, {"a": same, "b": other}, "not json"]
    pairs.write_text(
        "\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines)
    )
    call_command("stories", "judge", str(pairs))
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[0] == {"score": 1.0, "same_story": True, "same_thread": True}
    assert out[1]["same_story"] is False
    assert out[1]["same_thread"] is False
    assert out[2] == {"error": "invalid pair"}


def on_a_fresh_data_directory(tmp_path, *args):
    """Run `briefings stories ARGS` as a new user would: SQLite in an empty data
    directory, nothing migrated."""
    env = {**os.environ, "BRIEFINGS_DATA_DIR": str(tmp_path / "fresh")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "briefings", "stories", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_judge_works_before_any_database_is_set_up(tmp_path):
    """A new user can judge pairs straight after installing, without migrating."""
    pairs = tmp_path / "pairs.jsonl"
    side = {"title": "North Korea conducts nuclear test", "date": "2006-10-09"}
    pairs.write_text(
        json.dumps({"a": {**side, "body": BODY}, "b": {**side, "body": BODY}})
    )
    done = on_a_fresh_data_directory(tmp_path, "judge", str(pairs))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "score": 1.0,
        "same_story": True,
        "same_thread": True,
    }
    assert "run `briefings migrate`" in done.stderr


def test_rebuild_before_any_database_is_set_up_says_what_to_do(tmp_path):
    done = on_a_fresh_data_directory(tmp_path, "rebuild")
    assert done.returncode == 1
    assert "run `briefings migrate` first" in done.stderr
    assert "Traceback" not in done.stderr


def test_judge_says_when_it_cannot_read_the_file(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("stories", "judge", str(tmp_path / "missing.jsonl"))


def test_cluster_groups_a_stream_on_a_scratch_database(tmp_path):
    """`stories cluster` needs no database: it prints one {id, story} per line,
    the live path's grouping (one wire copy in two papers is one story)."""
    from tests.stories.test_assign import OTHER

    lines = [
        {"id": "a", "title": "North Korea conducts nuclear test", "body": BODY},
        {"id": "b", "title": "North Korea conducts nuclear test", "body": BODY},
        {"id": "c", "title": "Thai election results", "body": OTHER},
    ]
    stream = tmp_path / "stream.jsonl"
    stream.write_text(
        "\n".join(
            json.dumps(dict(line, date=f"2006-10-09T0{n}:30:00", publication=f"p{n}"))
            for n, line in enumerate(lines)
        )
        + "\nnot json\n"
    )
    done = on_a_fresh_data_directory(tmp_path, "cluster", str(stream))
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["id"] for row in out] == ["a", "b", "c", None]
    assert out[0]["story"] == out[1]["story"] != out[2]["story"]
    assert "line 4" in out[3]["error"]
    # Nothing written to the real database.
    assert (tmp_path / "fresh" / "briefings.sqlite3").stat().st_size == 0
