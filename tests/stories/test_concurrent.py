"""Story assignment across processes (issue #17): two ingest workers storing
reports of one event at the same moment put them in ONE story, never two.

Two real `briefings shell` processes on the test's database each store, at the
same planned instants, one of the two papers' copies of a series of events
(each inside a transaction, as the ingest's upsert does) and assign it: both
new, or one an article the paper updated (the path that reads the story's
members without writing a term's document frequency first)."""

import json
import random
import string
import subprocess
import sys
import time
from datetime import datetime

import pytest

from briefings.articles.models import Article
from briefings.network.models import Publication
from briefings.stories.assign import assign_article
from briefings.stories.models import StoryMembership
from tests.conftest import subprocess_database_url

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = 12
SLOT = 0.25  # seconds between two events: both processes store event i at once

WORKER = """
import json, time
from datetime import datetime, UTC
from pathlib import Path
from django.db import transaction
from briefings.articles.models import Article
from briefings.network.models import Publication
from briefings.stories.assign import assign_article

plan = json.loads(Path({plan!r}).read_text())
paper = Publication.objects.get(slug={slug!r})
Path({ready!r}).touch()
go = Path({go!r})
while not go.exists():
    time.sleep(0.01)
start = float(go.read_text())
for n, event in enumerate(plan):
    time.sleep(max(0.0, start + n * {slot} - time.time()))
    at = datetime.fromisoformat(event["at"])
    url = f"{{paper.homepage.rstrip('/')}}/event-{{n}}"
    with transaction.atomic():
        if {update!r}:
            article = Article.objects.get(canonical_url=url)
            article.headline, article.body_text = event["title"], event["body"]
            article.save()
        else:
            article = Article.objects.create(
                publication=paper,
                canonical_url=url,
                headline=event["title"],
                body_text=event["body"],
                published_at=at,
                updated_at=at,
            )
        assign_article(article)
"""


def made_up_events(count, seed=17):
    """`count` events of invented words, so no two share a term."""
    rng = random.Random(seed)
    used, events = set(), []
    for n in range(count):
        words = []
        while len(words) < 60:
            word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(6, 10)))
            if word not in used:
                used.add(word)
                words.append(word)
        events.append(
            {
                "title": " ".join(words[:8]).capitalize(),
                "body": " ".join(words) + ".",
                "at": f"2026-11-30T{8 + n // 60:02d}:{n % 60:02d}:00+00:00",
            }
        )
    return events


@pytest.mark.parametrize("updated", [False, True], ids=["both-new", "one-updated"])
def test_two_workers_storing_one_event_at_once_make_one_story(
    network, tmp_path, updated
):
    events = made_up_events(EVENTS)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(events))
    if updated:
        # The Korea Herald's articles exist with other (invented) texts, each in
        # its own story; the worker rewrites them as the events happen.
        paper = Publication.objects.get(slug="the-korea-herald")
        for n, other in enumerate(made_up_events(EVENTS, seed=99)):
            at = datetime.fromisoformat(events[n]["at"])
            assign_article(
                Article.objects.create(
                    publication=paper,
                    canonical_url=f"{paper.homepage.rstrip('/')}/event-{n}",
                    headline=other["title"],
                    body_text=other["body"],
                    published_at=at,
                    updated_at=at,
                )
            )
    go = tmp_path / "go"
    env = {"DATABASE_URL": subprocess_database_url(), "LOG_LEVEL": "WARNING"}
    workers = []
    for slug in ("the-korea-herald", "the-japan-news"):
        ready = tmp_path / f"{slug}.ready"
        code = WORKER.format(
            plan=str(plan),
            slug=slug,
            ready=str(ready),
            go=str(go),
            slot=SLOT,
            update=updated and slug == "the-korea-herald",
        )
        workers.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, "-m", "briefings", "shell", "-c", code],
                    env={**_base_env(), **env},
                ),
            )
        )
    deadline = time.monotonic() + 120
    while not all(ready.exists() for ready, _ in workers):
        assert time.monotonic() < deadline, "the workers did not start"
        assert all(p.poll() is None for _, p in workers), "a worker failed"
        time.sleep(0.05)
    go.write_text(str(time.time() + 0.5))
    for _, process in workers:
        assert process.wait(timeout=120) == 0

    stories = {}
    for url, story in StoryMembership.objects.values_list(
        "article__canonical_url", "story_id"
    ):
        stories.setdefault(url.rsplit("/", 1)[1], set()).add(story)
    assert len(stories) == EVENTS
    split = sorted(event for event, ids in stories.items() if len(ids) != 1)
    assert split == [], f"events split into two stories: {split}"
    assert len({ids.pop() for ids in stories.values()}) == EVENTS


def _base_env():
    import os

    return {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
