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


@pytest.mark.parametrize("kill_after", [[0.8, 2.0, 3.5]])
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
            process = briefings(tmp_path, "ingest", "--once", wait=False)
            time.sleep(delay)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                stored = count_articles(tmp_path)
                killed_mid_way += 0 < stored < len(expected)
            process.wait(timeout=30)
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
