"""Editors' pins on the front page (issue #18 item 3): a pinned article, or a
pinned story's lead, tops the front page or its region's section until the pin
expires or is removed; the cached front page follows at once."""

from datetime import timedelta

import pytest

from django.utils import timezone

from briefings.articles.models import Article
from briefings.stories import editing
from briefings.stories.models import Pin

from .test_front_page import (
    _headlines,
    _home,
    front,  # noqa: F401 - the fixture
)

pytestmark = pytest.mark.django_db


def _korean():
    """An older story of the Northeast: on the front neither as lead nor at
    the top of its region's section."""
    return (
        Article.objects.filter(publication__slug="the-korea-herald")
        .order_by("-published_at")[5:6]
        .get()
    )


def test_a_pinned_article_tops_the_front_page_until_unpinned(client, front):  # noqa: F811
    old = _korean()
    assert old.headline not in _headlines(_home(client), ".lead-story .card-headline")
    pin = editing.pin(article=old, place=Pin.Place.FRONT)
    tree = _home(client)  # the cached page is drawn again: a pin is a change
    assert _headlines(tree, ".lead-story .card-headline") == [
        old.headline,
        "Floods in Sindh",
    ]
    assert (
        "Pinned by the editors" in tree.cssselect(".lead-story .card")[0].text_content()
    )
    # Not told twice: the river and the sections leave it out.
    below = _headlines(
        tree, ".region-section .card-headline, .river-section .card-headline"
    )
    assert old.headline not in below
    editing.unpin(Pin.objects.filter(pk=pin.pk))
    tree = _home(client)
    assert _headlines(tree, ".lead-story .card-headline") == ["Floods in Sindh"]


def test_an_expired_pin_leaves_the_front_page(client, front):  # noqa: F811
    old = _korean()
    pin = editing.pin(article=old, place=Pin.Place.FRONT)
    assert _headlines(_home(client), ".lead-story .card-headline")[0] == old.headline
    # Past its expiry, the pin no longer shows, even before the scheduler's
    # job deletes it; the job's deletion then draws the cached page again.
    Pin.objects.filter(pk=pin.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert editing.expire_pins() == 1
    assert _headlines(_home(client), ".lead-story .card-headline") == [
        "Floods in Sindh"
    ]
    assert not Pin.objects.exists()


def test_a_region_pin_tops_its_region_s_section(client, front):  # noqa: F811
    old = _korean()
    editing.pin(article=old, place=Pin.Place.REGION)
    tree = _home(client)
    sections = {
        " ".join(s.cssselect(".section-title")[0].text_content().split()): s
        for s in tree.cssselect(".region-section")
    }
    northeast = sections["Northeast Asia"]
    assert _headlines(northeast, ".card-headline")[0] == old.headline
    assert "Pinned by the editors" in northeast.cssselect(".card")[0].text_content()
    assert _headlines(tree, ".lead-story .card-headline") == ["Floods in Sindh"]


def test_a_pinned_story_shows_its_lead_as_it_is_now(
    client,
    front,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    flood, summit, _ = front
    story = summit[0].story_membership.story
    editing.pin(story=story, place=Pin.Place.FRONT)
    assert (
        _headlines(_home(client), ".lead-story .card-headline")[0] == summit[0].headline
    )
    # The editor's choice is sent once committed; the cached front follows.
    with django_capture_on_commit_callbacks(execute=True):
        editing.set_lead(story, summit[1])
    assert (
        _headlines(_home(client), ".lead-story .card-headline")[0] == summit[1].headline
    )


def test_a_hidden_pinned_article_is_not_shown(client, front):  # noqa: F811
    old = _korean()
    editing.pin(article=old, place=Pin.Place.FRONT)
    old.status = old.Status.HIDDEN
    old.save()
    assert old.headline not in _headlines(_home(client), ".card-headline")


def test_a_pin_in_the_past_is_refused(front):  # noqa: F811
    with pytest.raises(editing.EditError):
        editing.pin(article=front[2], until=timezone.now() - timedelta(minutes=1))
