"""The querysets behind the rivers, shaped for SQLite's planner at scale.

Joining the publications in the same query lets SQLite start from the
publications and sort their articles (200 ms and more at 100,000 articles);
so ids come first from the articles table alone (`load`). Filtering articles
through a join (publication__region__slug=...) lets SQLite
read a region's articles by publication and sort them all (about 200 ms at
100,000 articles). Resolving the publications first and filtering on
publication_id IN (...) helps, but with a short list SQLite still prefers the
publication index and a sort. A region holds a large share of all articles, so
walking the (published_at, id) index newest first and skipping other regions'
articles stops after one page (a few ms): "publication_id + 0" keeps SQLite off
the publication index. See bench/site_pages.py.
"""

from django.db.models import F

from briefings.articles.models import Article
from briefings.network.models import Publication
from briefings.stories.leading import most_covered, pinned
from briefings.web.context import publication, publications, remembered

SECTION_STORIES = 4  # a region's section: its top story and the newest three
FRONT_PINS = 3  # articles editors pinned above the lead, at most
FRONT_WINDOW = 300  # the newest stories the sections are taken from

# Columns a story card never shows: the bodies are most of a row's bytes.
CARD_SKIPS = ("body_html", "body_text", "credit_html")


def _ids(**lookup):
    return list(Publication.objects.filter(**lookup).values_list("id", flat=True))


def everything():
    """Published articles newest first; no joins, so no join order to get wrong."""
    return Article.objects.published().order_by("-published_at", "-id")


def load(queryset, limit):
    """Return the first `limit` articles of `queryset`, ready for story cards.

    The ids come first from the articles table alone; the cards' publications
    are joined only for those few rows.
    """
    ids = first_ids(queryset, limit)
    found = cards(ids)
    return [found[pk] for pk in ids if pk in found]


def first_ids(queryset, limit):
    """Return the ids of the first `limit` articles of `queryset`."""
    return list(queryset.values_list("id", flat=True)[:limit])


def newest_ids(name, queryset, limit):
    """Return first_ids(queryset(), limit), remembered under `name` until an
    article or a paper changes: the lists every article page of a region or a
    country shares ("More stories", the region's newest) are read once per
    process and generation instead of once per page."""
    return remembered(f"ids:{name}:{limit}", lambda: first_ids(queryset(), limit))


def cards(ids):
    """Return {id: article ready for a story card} for `ids`, in one query (a
    page with several lists of cards reads them all at once). The cards'
    papers come from the process's memo of the 20-odd publications, not from a
    join: building three more objects per card cost more than the query."""
    found = Article.objects.published().defer(*CARD_SKIPS).in_bulk(ids)
    for article in found.values():
        article.publication = publication(article.publication_id)
    return found


def region_publications(region):
    """Return the ids of `region`'s publications (for in_region/outside_region)."""
    return [pk for pk, paper in publications().items() if paper.region_id == region.pk]


def _walking_by_date():
    """The river with its paper hidden from the planner: `publication_id + 0`
    keeps SQLite walking the date index."""
    return everything().alias(walk_by_date=F("publication_id") + 0)


def in_region(region):
    return _walking_by_date().filter(walk_by_date__in=region_publications(region))


def outside_region(region):
    return _walking_by_date().exclude(walk_by_date__in=region_publications(region))


def in_country(country):
    """A country's papers by walking the date index, as a region's: with the
    paper index SQLite read and sorted every article of the country's papers
    (90-170 ms for Sri Lanka's two at 100,000 articles; walking: 2-6 ms).
    Every member country has a paper of the network's 22, so the walk stops
    within a few thousand rows (issue #16)."""
    return _walking_by_date().filter(walk_by_date__in=_ids(country=country))


def from_publication(publication):
    return everything().filter(publication_id=publication.pk)


def front_page(regions):
    """Return the front page's ids: {"pinned": ids, "lead": id or None,
    "sections": [(region, [ids])], "pins": every pinned id shown}: what
    editors pinned to the top of the front (at most FRONT_PINS, newest pin
    first), the most covered recent story, then for each region what editors
    pinned to its section, its own most covered recent story and its newest
    stories (from the network's newest FRONT_WINDOW: one query for all
    regions; a region with none there has no recent story to show).
    Remembered per process and page-cache generation by the home page (a pin
    made, removed or expired starts a new generation)."""
    front_pins, region_pins = pinned()
    front_pins = front_pins[:FRONT_PINS]
    covered = most_covered()
    lead = next((pk for pk, _ in covered if pk not in front_pins), None)
    shown = {lead, *front_pins} - {None}
    newest = list(everything().values_list("id", "publication_id")[:FRONT_WINDOW])
    sections = []
    for region in regions:
        papers = set(region_publications(region))
        top = [pk for pk, paper in covered if paper in papers and pk not in shown]
        ids = region_pins.get(region.pk, []) + top[:1]
        ids += [pk for pk, paper in newest if paper in papers]
        ids = list(dict.fromkeys(pk for pk in ids if pk not in shown))
        ids = ids[:SECTION_STORIES]
        shown.update(ids)
        if ids:
            sections.append((region, ids))
    pins = set(front_pins).union(*region_pins.values())
    return {"pinned": front_pins, "lead": lead, "sections": sections, "pins": pins}
