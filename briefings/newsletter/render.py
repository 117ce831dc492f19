"""Render an edition: HTML email (tables, inlined CSS), plain text, web page.

An edition is rendered once per region variant. Each subscriber's copy differs
only by the token in its footer's preferences and unsubscribe links, and the
token goes only there: the footer is rendered from its own template, with no
paper content in its context, and cut at the token's slot; the rest of the
email (the papers' headlines, blurbs, ...) is one piece no token ever enters.
Nothing searches or replaces strings in content (issue #11)."""

import re
from dataclasses import dataclass
from functools import cache

import css_inline

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from briefings.network.models import Region
from briefings.network.networkfile import load_network

# Where the token goes in the footer templates, and only there.
TOKEN_SLOT = "BRIEFINGS-SUBSCRIBER-TOKEN"
PREVIEW_TOKEN = "preview"
# A token spliced into a link or a header: no quote, space, angle bracket, CR/LF.
SAFE_TOKEN = re.compile(r"[A-Za-z0-9._:-]+\Z")
DOCUMENT_END = "</body></html>"
GMAIL_CLIP_BYTES = 102 * 1024


class RenderError(Exception):
    """The email could not be put together as the templates say."""


@dataclass(frozen=True)
class Rendered:
    """One variant of an edition: the HTML and the text part, each as the pieces
    a subscriber's token goes between (the footer's link slots)."""

    subject: str
    html_pieces: tuple
    text_pieces: tuple
    items: int

    def for_token(self, token):
        """Return (html, text) for the subscriber whose management token is given."""
        if not SAFE_TOKEN.match(token):
            raise ValueError("unsafe token")
        return token.join(self.html_pieces), token.join(self.text_pieces)

    @property
    def html(self):
        """The HTML with a stand-in token, for previews."""
        return self.for_token(PREVIEW_TOKEN)[0]

    @property
    def text(self):
        return self.for_token(PREVIEW_TOKEN)[1]


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


def _entry(item, regions):
    return {
        "item": item,
        "article": item.article,
        "url": absolute(item.article.get_absolute_url()),
        "region": regions.get(item.article.publication.region_id, ""),
    }


def sections(entries):
    """Return (lead entry or None, [(region name, [entries])]) in the edition's
    order: the lead above, then a section per region as curation ordered them."""
    lead = next((e for e in entries if e["item"].is_lead), None)
    grouped = {}
    for entry in entries:
        if entry is not lead:
            grouped.setdefault(entry["region"], []).append(entry)
    return lead, list(grouped.items())


def preheader(edition, entries):
    """The line inboxes show after the subject: what else is inside."""
    papers = {e["article"].publication_id for e in entries}
    regions = {e["region"] for e in entries}
    rest = [e["article"].headline for e in entries[1:3]]
    count = f"{len(entries)} stories from {len(papers)} papers in {len(regions)} " + (
        "region" if len(regions) == 1 else "regions"
    )
    return " · ".join([*rest, count]) if rest else count


def edition_context(edition, items):
    """The context of the shared part: the papers' content, no subscriber link."""
    network = load_network()
    regions = {r.pk: r.name for r in Region.objects.all()}
    entries = [_entry(item, regions) for item in items]
    lead, grouped = sections(entries)
    return {
        "network": network,
        "edition": edition,
        "entries": entries,
        "lead": lead,
        "sections": grouped,
        "preheader": preheader(edition, entries),
        "web_url": absolute(edition.get_absolute_url()),
        "site_url": settings.BRIEFINGS_SITE_URL,
    }


def footer_context():
    """The footer's context: the network's name and the links, nothing a paper
    wrote, so every TOKEN_SLOT in the rendered footer is the template's own."""
    return {
        "network": load_network(),
        "site_url": settings.BRIEFINGS_SITE_URL,
        "preferences_url": absolute(
            reverse("newsletter:preferences", args=[TOKEN_SLOT])
        ),
        "unsubscribe_url": absolute(
            reverse("newsletter:unsubscribe", args=[TOKEN_SLOT])
        ),
    }


SUBJECT_HEADLINE = 90  # characters of the lead's headline in the subject


def subject(edition, items=()):
    """The newsletter's name, the date and the lead's headline (the first
    item's in a variant without the lead), cut at a word."""
    name = load_network().newsletter_name
    head = f"{name}, {edition.date:%-d %B}"
    first = next((i for i in items if i.is_lead), items[0] if items else None)
    if first is None:
        return f"{name}: {edition.date:%A, %-d %B %Y}"
    # One line of printable text: nothing a paper wrote may break the header.
    headline = "".join(c for c in first.article.headline if c.isprintable())
    headline = " ".join(headline.split())
    if len(headline) > SUBJECT_HEADLINE:
        headline = headline[: SUBJECT_HEADLINE - 1].rsplit(" ", 1)[0] + "…"
    return f"{head}: {headline}"


def html_pieces(context, footer):
    """Return the HTML email cut at the footer's token slots: the shared document
    (CSS inlined) up to its end, then the footer (inlined by itself)."""
    document = _inliner().inline(
        render_to_string("newsletter/email/edition.html", context)
    )
    if not document.endswith(DOCUMENT_END):
        raise RenderError(f"render: the inlined email does not end in {DOCUMENT_END}")
    css = render_to_string("newsletter/email/style.css")
    footer_html = _inliner().inline_fragment(
        render_to_string("newsletter/email/footer.html", footer), css
    )
    pieces = footer_html.split(TOKEN_SLOT)
    pieces[0] = document.removesuffix(DOCUMENT_END) + pieces[0]
    pieces[-1] += DOCUMENT_END
    return tuple(pieces)


def text_pieces(context, footer):
    pieces = render_to_string("newsletter/email/footer.txt", footer).split(TOKEN_SLOT)
    pieces[0] = render_to_string("newsletter/email/edition.txt", context) + pieces[0]
    return tuple(pieces)


def render_edition(edition, regions=()):
    """Render the email of `edition` for subscribers of `regions` (all if empty)."""
    items = variant_items(edition, regions)
    context = edition_context(edition, items)
    footer = footer_context()
    return Rendered(
        subject=subject(edition, items),
        html_pieces=html_pieces(context, footer),
        text_pieces=text_pieces(context, footer),
        items=len(items),
    )
