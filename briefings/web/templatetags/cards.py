"""Template filters for story cards."""

from functools import lru_cache
from zoneinfo import ZoneInfo

from django import template
from django.utils import dateformat
from django.utils.html import format_html

register = template.Library()

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
