"""Structured logs (issue #18): LOG_FORMAT=json writes one JSON object per line,
so a log pipeline can read the fields, and text from a paper (a headline with a
newline, say) cannot forge a second log line."""

import json
import os
import subprocess
import sys

CODE = """
import logging
log = logging.getLogger("briefings.ingest.pipeline")
log.warning("stored %s", "Fake\\n2026-01-01 ERROR forged line", extra={"feed": "https://x.invalid/rss"})
try:
    1 / 0
except ZeroDivisionError:
    log.exception("extraction failed")
"""


def run(log_format):
    env = {k: v for k, v in os.environ.items() if k != "LOG_FORMAT"}
    env.update(LOG_FORMAT=log_format, LOG_LEVEL="INFO")
    done = subprocess.run(
        [sys.executable, "-m", "briefings", "shell", "-c", CODE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [line for line in done.stderr.splitlines() if line.strip()]


def test_json_logs_are_one_object_per_line_with_the_fields():
    lines = run("json")
    records = [json.loads(line) for line in lines]  # every line is JSON
    assert len(records) == 2
    first, second = records
    assert first["level"] == "WARNING"
    assert first["logger"] == "briefings.ingest.pipeline"
    assert first["message"] == "stored Fake\n2026-01-01 ERROR forged line"
    assert first["feed"] == "https://x.invalid/rss"
    assert first["time"].endswith("Z") or "+00:00" in first["time"]
    assert second["level"] == "ERROR"
    assert "ZeroDivisionError" in second["exc_info"]


def test_plain_logs_stay_the_default_text():
    lines = run("plain")
    assert "WARNING briefings.ingest.pipeline stored Fake" in lines[0]
