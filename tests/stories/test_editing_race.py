"""An editor's merge committing while the live assignment joins an article to
one of the merged stories (PostgreSQL, where both run at once; SQLite's
IMMEDIATE transactions queue the assignment behind the merge). The article
must follow the merged-away story's redirect, not fail its ingest."""

import threading
import time
from datetime import timedelta

import pytest

from django.db import connection, connections, transaction

from briefings.stories import editing
from briefings.stories.assign import assign_article
from briefings.stories.models import Story
from tests.stories.test_assign import BODY, NOW, article, story_ids

pytestmark = pytest.mark.django_db(transaction=True)


def _another_backend_waits_on_a_lock(deadline=30.0):
    end = time.monotonic() + deadline
    with connection.cursor() as cursor:
        while time.monotonic() < end:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def test_an_article_joining_a_story_merged_meanwhile_follows_the_redirect(
    network, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: no such race")
    # Two reports of one event the assignment kept apart (the editor merges
    # them): the late third report must match the merged story as a whole.
    thai = article("the-nation-thailand", "North Korea nuclear test", BODY)
    test = article(
        "the-japan-news",
        "North Korea conducts nuclear test",
        BODY,
        NOW + timedelta(hours=1),
    )
    default = settings.BRIEFINGS_STORY_THRESHOLD
    settings.BRIEFINGS_STORY_THRESHOLD = 1.01  # assignment keeps them apart
    assign_article(thai), assign_article(test)
    settings.BRIEFINGS_STORY_THRESHOLD = default
    kept, merged = story_ids(thai, test)
    assert kept != merged
    late = article(
        "china-daily",
        "North Korea conducts nuclear test",
        BODY,
        NOW + timedelta(hours=2),
    )
    merged_uncommitted, outcome = threading.Event(), {}

    def merge_then_commit_once_the_assignment_waits():
        try:
            with transaction.atomic():
                stories = list(Story.objects.filter(pk__in=[kept, merged]))
                editing.merge(stories, into=next(s for s in stories if s.pk == kept))
                merged_uncommitted.set()
                outcome["waited"] = _another_backend_waits_on_a_lock()
        finally:
            merged_uncommitted.set()
            connections.close_all()

    merging = threading.Thread(target=merge_then_commit_once_the_assignment_waits)
    merging.start()
    assert merged_uncommitted.wait(30)
    # Its candidates are read from what is committed: the story about to go.
    membership = assign_article(late)
    merging.join()
    # Since issue #17's assignment lock, the assignment waits for the merge
    # to commit (the lock), then reads the merged state: no race is left, and
    # whichever way it runs the article must land in the kept story.
    assert membership.story_id == kept
    assert story_ids(thai, test, late) == [kept, kept, kept]
    assert Story.objects.get(pk=kept).article_count == 3
