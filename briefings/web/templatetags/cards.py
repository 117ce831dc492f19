"""Story cards: `{% card article %}` and the filters of web/_card.html."""

from functools import lru_cache
from zoneinfo import ZoneInfo

from django import template
from django.template.loader import render_to_string
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Rendered cards, keyed by everything web/_card.html shows: a card changes
# only with its article's or paper's text, never with the page it is on, and
# the same cards come back on page after page (each region's article pages
# share "More stories"; the home page shows the same river until an article
# arrives). Cleared when full; ~1 KB a card.
CARDS_KEPT = 5_000
_cards = {}


def _card_key(article):
    paper = article.publication
    return (
        article.pk,
        article.headline,
        article.dek,
        article.excerpt,
        article.image,
        article.image_caption,
        article.published_at,
        paper.name,
        paper.timezone,
        getattr(article, "is_pinned", False),  # "Pinned by the editors"
        get_language(),
    )


@register.simple_tag
def card(article):
    """Return the story card of `article` (web/_card.html), rendered once per
    content and language in this process (issue #16: the cards were half of an
    article page's rendering)."""
    key = _card_key(article)
    html = _cards.get(key)
    if html is None:
        html = render_to_string("web/_card.html", {"article": article})
        if len(_cards) >= CARDS_KEPT:
            _cards.clear()
        _cards[key] = html
    return mark_safe(html)  # noqa: S308 - the template's own escaped output


# ZoneInfo keeps only the 8 zones used last; a page of cards from 13 papers'
# zones kept reading tz files from disk (12 times a page, 2.4 ms of the article
# page's 15). The network's zones are few: keep them all.
zone = lru_cache(maxsize=128)(ZoneInfo)


@register.filter
def paper_date(article):
    """Return `<time>` of the article's publication in its paper's timezone, as
    "November 28, 2026". Built here rather than with the {% timezone %} tag and
    two date filters, which took twice as long per card (docs/benchmarks.md)."""
    local = article.published_at.astimezone(zone(article.publication.timezone))
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(),
        dateformat.format(local, "F j, Y"),
    )
