"""RSS 2.0 and Atom feeds of the demo papers."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from html import escape

from briefings.demo.layouts.chrome import CORPUS_CREDIT, attribution
from briefings.demo.layouts.context import PageContext
from briefings.demo.network import DemoItem

FEED_SIZE = 50
GENERATOR = "Briefings demo network"


def feed_items(ctx: PageContext) -> list[DemoItem]:
    """Return the stories a paper's feed carries: its latest ones."""
    return ctx.paper.items[:FEED_SIZE]


def last_modified(ctx: PageContext) -> datetime:
    """Return when the paper's feed last changed (its newest story's update)."""
    items = feed_items(ctx)
    if not items:
        return ctx.network.now
    return max(item.modified for item in items)


def entry_id(ctx: PageContext, item: DemoItem) -> str:
    """Return a story's permanent id, the same whichever port the server uses."""
    return f"tag:demo.briefings,{item.original_date.isoformat()}:" + (
        f"{ctx.paper.slug}/{item.short_id}"
    )


def body_html(item: DemoItem) -> str:
    """Return the full story as an HTML fragment, credit line included."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in item.paragraphs)
    return paragraphs + attribution(item)


def render_feed(ctx: PageContext) -> str:
    """Render the paper's feed in its own format."""
    if ctx.paper.feed_kind == "atom":
        return render_atom(ctx)
    return render_rss(ctx)


def render_rss(ctx: PageContext) -> str:
    """Render an RSS 2.0 feed with dc:creator and, for full-text papers, bodies."""
    paper = ctx.paper
    entries = []
    for item in feed_items(ctx):
        content = ""
        if paper.full_text_feed:
            content = f"<content:encoded>{escape(body_html(item))}</content:encoded>"
        categories = "".join(
            f"<category>{escape(c)}</category>" for c in item.categories
        )
        entries.append(
            f"<item><title>{escape(item.title)}</title>"
            f"<link>{escape(ctx.article_url(item))}</link>"
            f'<guid isPermaLink="false">{escape(entry_id(ctx, item))}</guid>'
            f"<pubDate>{format_datetime(paper.local(item.published))}</pubDate>"
            f"<dc:creator>{escape(item.author)}</dc:creator>{categories}"
            f"<description>{escape(item.dek)}</description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{escape(paper.name)}</title><link>{escape(ctx.homepage_url)}</link>"
        f"<description>{escape(paper.description or paper.name)}</description>"
        f'<atom:link href="{escape(ctx.feed_url)}" rel="self" '
        'type="application/rss+xml"/>'
        f"<language>{escape(paper.language)}</language>"
        f"<copyright>{escape(CORPUS_CREDIT)}</copyright>"
        f"<lastBuildDate>{format_datetime(paper.local(last_modified(ctx)))}"
        f"</lastBuildDate><generator>{GENERATOR}</generator>"
        + "\n".join(entries)
        + "</channel></rss>\n"
    )


def render_atom(ctx: PageContext) -> str:
    """Render an Atom feed; full-text papers put the body in <content>."""
    paper = ctx.paper
    entries = []
    for item in feed_items(ctx):
        content = ""
        if paper.full_text_feed:
            content = f'<content type="html">{escape(body_html(item))}</content>'
        categories = "".join(f'<category term="{escape(c)}"/>' for c in item.categories)
        entries.append(
            f"<entry><title>{escape(item.title)}</title>"
            f'<link rel="alternate" type="text/html" '
            f'href="{escape(ctx.article_url(item))}"/>'
            f"<id>{escape(entry_id(ctx, item))}</id>"
            f"<published>{paper.local(item.published).isoformat()}</published>"
            f"<updated>{paper.local(item.modified).isoformat()}</updated>"
            f"<author><name>{escape(item.author)}</name></author>{categories}"
            f"<summary>{escape(item.dek)}</summary>{content}</entry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:lang="{escape(paper.language)}">'
        f"<title>{escape(paper.name)}</title>"
        f"<subtitle>{escape(paper.description or paper.name)}</subtitle>"
        f'<link rel="alternate" type="text/html" href="{escape(ctx.homepage_url)}"/>'
        f'<link rel="self" type="application/atom+xml" href="{escape(ctx.feed_url)}"/>'
        f"<id>tag:demo.briefings,2005:{escape(paper.slug)}</id>"
        f"<updated>{paper.local(last_modified(ctx)).isoformat()}</updated>"
        f"<rights>{escape(CORPUS_CREDIT)}</rights><generator>{GENERATOR}</generator>"
        + "\n".join(entries)
        + "</feed>\n"
    )
