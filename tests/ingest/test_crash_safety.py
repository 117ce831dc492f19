"""Kill `briefings ingest` with SIGKILL at several moments, run it again: nothing
is lost and nothing is duplicated (one transaction per article)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from django.conf import settings

from briefings.demo.network import DemoNetwork
from briefings.demo.server import DemoServer

from ..conftest import require_demo_corpus

PAPERS = ["china-daily", "the-japan-news", "dawn"]


def briefings(data_dir, *args, wait=True):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(BRIEFINGS_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING")
    command = [sys.executable, "-m", "briefings", *args]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    return subprocess.run(
        command, env=env, check=True, capture_output=True, timeout=300
    )


def count_articles(data_dir):
    with sqlite3.connect(data_dir / "briefings.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM articles_article").fetchone()[0]


def start_then_kill(data_dir, after):
    """Start an ingest; SIGKILL it `after` seconds past its first new article
    (timed by what it has stored, not by the clock: a loaded machine takes
    seconds just to start Python). Return the articles stored then, or None
    when it finished first."""
    before = count_articles(data_dir)
    process = briefings(data_dir, "ingest", "--once", wait=False)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if count_articles(data_dir) > before:
            break
        time.sleep(0.02)
    time.sleep(after)
    if process.poll() is not None:
        return None
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return count_articles(data_dir)


@pytest.mark.parametrize("kill_after", [[0.0, 0.3, 1.0]])
def test_sigkill_mid_ingest_then_rerun_loses_and_duplicates_nothing(
    tmp_path, kill_after
):
    corpus = require_demo_corpus()
    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    with DemoServer(net, port=0) as server:
        briefings(tmp_path, "migrate", "--no-input", "-v0")
        briefings(tmp_path, "sync_network", "--without-feeds")
        for slug in PAPERS:
            url = server.feed_url(slug)
            site = server.homepage_url(slug).split("://")[1]
            briefings(tmp_path, "add_feed", url, "--publication", slug,
                      "--allow-private-network", "--host", site)  # fmt: skip
        expected = {
            server.article_url(slug, item)
            for slug in PAPERS
            for item in net.paper(slug).items[:50]
        }
        killed_mid_way = 0
        for delay in kill_after:
            stored = start_then_kill(tmp_path, delay)
            killed_mid_way += stored is not None and 0 < stored < len(expected)
        briefings(tmp_path, "ingest", "--once")

    assert killed_mid_way >= 1, "no kill landed in the middle of the ingest"
    with sqlite3.connect(tmp_path / "briefings.sqlite3") as db:
        urls = [
            row[0] for row in db.execute("SELECT canonical_url FROM articles_article")
        ]
        empty = db.execute(
            "SELECT COUNT(*) FROM articles_article "
            "WHERE body_text = '' OR headline = ''"
        ).fetchone()[0]
        unassigned = db.execute(
            "SELECT COUNT(*) FROM articles_article a "
            "LEFT JOIN stories_storymembership m ON m.article_id = a.id "
            "WHERE m.id IS NULL"
        ).fetchone()[0]
    assert len(urls) == len(set(urls))  # nothing duplicated
    assert set(urls) == expected  # nothing lost
    assert empty == 0
    assert unassigned == 0  # the story assignment is stored with its article
