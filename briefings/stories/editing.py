"""An editor's hand on the stories: merge, split, pick the lead, pin, release.

The machine groups articles by the same-event rule (assign.py, rebuild.py); an
editor can overrule it, and what an editor decides sticks. Every function here
locks the stories it touches (Story.locked_by_editor: the re-check and the
rebuild leave their members where they are) and pins the memberships it places
(StoryMembership.pinned_by_editor: no later pass, nor a new version of the
article, moves them). A locked story may still gain new articles by the normal
rule of the live assignment.

Addresses keep working: a story merged away leaves a StoryRedirect to the one
that took its articles (and the addresses that pointed at it follow); a split
keeps the story's id for what stays. Each function runs in one transaction and
sends `stories_edited` (the site's page cache starts a new generation). The
audit log is the caller's (the admin's LogEntry, on each object's history).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from briefings.stories.assign import refresh_story, serialize_assignments
from briefings.stories.models import Pin, Story, StoryMembership, StoryRedirect
from briefings.stories.signals import stories_edited

PIN_HOURS = timedelta(hours=24)  # a pin's life unless an editor sets another
PIN_HOURS_TEXT = "24 hours"


class EditError(ValueError):
    """An editor's request that cannot be carried out, with the reason to show."""


def _lock(story):
    Story.objects.filter(pk=story.pk).update(locked_by_editor=True)
    story.locked_by_editor = True


def _changed():
    transaction.on_commit(lambda: stories_edited.send(sender=Story))


def merge(stories, into=None):
    """Merge `stories` (two or more) into one and return it: `into` when given
    (one of them), else the one with most articles (the oldest among equals).
    The others' addresses redirect to it."""
    stories = sorted({s.pk: s for s in stories}.values(), key=lambda s: s.pk)
    if len(stories) < 2:
        raise EditError("Select two or more stories to merge.")
    if into is None:
        into = min(
            stories, key=lambda s: (-s.article_count, s.first_published_at, s.pk)
        )
    elif into.pk not in {s.pk for s in stories}:
        raise EditError("The story to keep must be one of those merged.")
    others = [s.pk for s in stories if s.pk != into.pk]
    with transaction.atomic():
        serialize_assignments()  # one story decision at a time (issue #17)
        StoryMembership.objects.filter(story_id__in=others).update(story=into)
        StoryMembership.objects.filter(story=into).update(pinned_by_editor=True)
        StoryRedirect.objects.filter(story_id__in=others).update(story=into)
        for old in others:
            StoryRedirect.objects.update_or_create(old_id=old, defaults={"story": into})
        Pin.objects.filter(story_id__in=others).update(story=into)
        Story.objects.filter(pk__in=others).delete()
        _lock(into)
        refresh_story(into)
        _changed()
    return into


def split(story, article_ids):
    """Move the articles `article_ids` of `story` into a new story and return
    it; `story` keeps its id (and address) for the articles that stay."""
    wanted = {int(pk) for pk in article_ids}
    members = set(story.members.values_list("article_id", flat=True))
    if not wanted:
        raise EditError("Choose the articles to split out.")
    if not wanted <= members:
        raise EditError("Only articles of this story can be split out of it.")
    if wanted == members:
        raise EditError("At least one article must stay in the story.")
    with transaction.atomic():
        serialize_assignments()  # one story decision at a time (issue #17)
        first = (
            StoryMembership.objects.filter(story=story, article_id__in=wanted)
            .select_related("article")
            .order_by("article__published_at", "article_id")
            .first()
            .article
        )
        new = Story.objects.create(
            first_published_at=first.published_at,
            last_published_at=first.published_at,
            first_report=first,
            headline=first.headline[:500],
            locked_by_editor=True,
        )
        StoryMembership.objects.filter(story=story, article_id__in=wanted).update(
            story=new, pinned_by_editor=True
        )
        StoryMembership.objects.filter(story=story).update(pinned_by_editor=True)
        if story.lead_id in wanted:  # the lead leaves with its article
            Story.objects.filter(pk=new.pk).update(lead_id=story.lead_id)
            Story.objects.filter(pk=story.pk).update(lead=None)
            new.lead_id, story.lead = story.lead_id, None
        _lock(story)
        refresh_story(story)
        refresh_story(new)
        _changed()
    return new


def set_lead(story, article):
    """Make `article` (one of `story`'s) the story's lead: its card on the front
    and in lists, and the coverage page's headline."""
    membership = StoryMembership.objects.filter(story=story, article=article).first()
    if membership is None:
        raise EditError("The lead must be one of the story's own articles.")
    with transaction.atomic():
        serialize_assignments()  # one story decision at a time (issue #17)
        Story.objects.filter(pk=story.pk).update(lead=article)
        story.lead = article
        StoryMembership.objects.filter(pk=membership.pk).update(pinned_by_editor=True)
        _lock(story)
        refresh_story(story)
        _changed()
    return story


def release(story):
    """Hand the story back to the machine: no lock, no pinned member, no chosen
    lead; the next re-check regroups it by the rule."""
    with transaction.atomic():
        serialize_assignments()  # one story decision at a time (issue #17)
        Story.objects.filter(pk=story.pk).update(locked_by_editor=False, lead=None)
        story.locked_by_editor, story.lead = False, None
        StoryMembership.objects.filter(story=story).update(pinned_by_editor=False)
        refresh_story(story)
        _changed()
    return story


def pin(article=None, story=None, place=Pin.Place.FRONT, until=None, by=None):
    """Pin `article`, or `story` (its lead), at `place` until `until` (default
    24 hours from now); return the Pin. An earlier pin of the same thing at
    the same place is replaced."""
    if story is not None:
        article = article or story.lead or story.first_report
    if article is None:
        raise EditError("Nothing to pin: the story has no article.")
    fields = {"expires_at": until} if until else {}
    if until is not None and until <= timezone.now():
        raise EditError("A pin must expire in the future.")
    with transaction.atomic():
        same = Pin.objects.filter(place=place)
        if story is not None:
            same = same.filter(story=story)
        else:
            same = same.filter(article=article, story__isnull=True)
        same.delete()
        made = Pin.objects.create(
            article=article, story=story, place=place, pinned_by=by, **fields
        )
    return made


def unpin(pins):
    """Remove `pins` (a queryset); return how many there were."""
    count, _ = pins.delete()
    return count


def expire_pins(now=None):
    """The scheduler's job: delete the pins that have expired, so the pages
    showing them are drawn again (their deletion starts a page generation)."""
    return unpin(Pin.objects.filter(expires_at__lte=now or timezone.now()))
