"""Template filters for story cards."""

from zoneinfo import ZoneInfo

from django import template
from django.utils import dateformat
from django.utils.html import format_html

register = template.Library()


@register.filter
def paper_date(article):
    """Return `<time>` of the article's publication in its paper's timezone, as
    "November 28, 2026". Built here rather than with the {% timezone %} tag and
    two date filters, which took twice as long per card (docs/benchmarks.md)."""
    local = article.published_at.astimezone(ZoneInfo(article.publication.timezone))
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(),
        dateformat.format(local, "F j, Y"),
    )
