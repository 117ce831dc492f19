"""Render an edition: HTML email (tables, inlined CSS), plain text, web page.

An edition is rendered once per region variant; each subscriber's copy differs
only by the token in its preferences and unsubscribe links, swapped in last."""

from dataclasses import dataclass
from functools import cache

import css_inline

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from briefings.network.models import Region
from briefings.network.networkfile import load_network

TOKEN_PLACEHOLDER = "BRIEFINGS-SUBSCRIBER-TOKEN"
GMAIL_CLIP_BYTES = 102 * 1024


@dataclass(frozen=True)
class Rendered:
    """One variant of an edition, with TOKEN_PLACEHOLDER where links differ."""

    subject: str
    html: str
    text: str
    items: int

    def for_token(self, token):
        """Return (html, text) for the subscriber whose management token is given."""
        return (
            self.html.replace(TOKEN_PLACEHOLDER, token),
            self.text.replace(TOKEN_PLACEHOLDER, token),
        )


@cache
def _inliner():
    # @media rules (dark mode, narrow screens) cannot be inlined; keep them.
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def absolute(path):
    return settings.BRIEFINGS_SITE_URL + path


def variant_items(edition, regions=()):
    """Return the edition's items for a subscriber who chose `regions` (slugs;
    empty means all)."""
    items = edition.items.select_related(
        "article", "article__publication", "article__publication__region"
    ).order_by("position", "id")
    if regions:
        items = items.filter(article__publication__region__slug__in=list(regions))
    return list(items)


def edition_context(edition, items):
    network = load_network()
    regions = {r.pk: r.name for r in Region.objects.all()}
    return {
        "network": network,
        "edition": edition,
        "entries": [
            {
                "item": item,
                "article": item.article,
                "url": absolute(item.article.get_absolute_url()),
                "region": regions.get(item.article.publication.region_id, ""),
            }
            for item in items
        ],
        "web_url": absolute(edition.get_absolute_url()),
        "site_url": settings.BRIEFINGS_SITE_URL,
        "preferences_url": absolute(
            reverse("newsletter:preferences", args=[TOKEN_PLACEHOLDER])
        ),
        "unsubscribe_url": absolute(
            reverse("newsletter:unsubscribe", args=[TOKEN_PLACEHOLDER])
        ),
    }


def subject(edition):
    name = load_network().newsletter_name
    return f"{name}: {edition.date:%A, %-d %B %Y}"


def render_edition(edition, regions=()):
    """Render the email of `edition` for subscribers of `regions` (all if empty)."""
    items = variant_items(edition, regions)
    context = edition_context(edition, items)
    html = render_to_string("newsletter/email/edition.html", context)
    return Rendered(
        subject=subject(edition),
        html=_inliner().inline(html),
        text=render_to_string("newsletter/email/edition.txt", context),
        items=len(items),
    )
