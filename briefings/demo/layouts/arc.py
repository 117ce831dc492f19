"""Layout (b): an Arc-like page with JSON-LD metadata and an article-body div."""

from __future__ import annotations

import json
from html import escape

from briefings.demo.layouts import chrome
from briefings.demo.layouts.context import PageContext
from briefings.demo.network import DemoItem


def _script_json(data: object) -> str:
    """Serialise ``data`` as JSON that cannot end or confuse a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text


def _timestamp(ctx: PageContext, item: DemoItem) -> str:
    """Return a date like "Nov 22, 2019 at 2:05 PM (GMT+08:00)"."""
    local = ctx.paper.local(item.published)
    offset = local.strftime("%z")
    return (
        f"{local:%b} {local.day}, {local.year} at {local:%I:%M %p}".replace(" 0", " ")
        + f" (GMT{offset[:3]}:{offset[3:]})"
    )


def _json_ld(ctx: PageContext, item: DemoItem, url: str) -> str:
    """Return the NewsArticle JSON-LD script for a story."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": item.title,
        "description": item.dek,
        "datePublished": ctx.paper.local(item.published).isoformat(),
        "dateModified": ctx.paper.local(item.modified).isoformat(),
        "author": [{"@type": "Person", "name": item.author}],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": ctx.paper.name,
            "url": ctx.homepage_url,
        },
        "articleSection": item.categories[0] if item.categories else "News",
        "isAccessibleForFree": True,
        "license": "https://creativecommons.org/licenses/by/2.5/",
    }
    return f'<script type="application/ld+json">{_script_json(data)}</script>'


def _page(ctx: PageContext, head: str, main: str) -> str:
    """Wrap the content in the site's chrome."""
    paper = ctx.paper
    fusion = _script_json(
        {"arcSite": paper.slug, "deployment": 1742, "contextPath": "/pf"}
    )
    return (
        f'<!DOCTYPE html><html lang="{escape(paper.language)}"><head>{head}'
        f'<script id="fusion-metadata" type="application/javascript">'
        f"window.Fusion=window.Fusion||{{}};Fusion.globals={fusion};</script>"
        f'</head><body>{chrome.demo_banner(ctx)}<div id="fusion-app">'
        '<div class="b-header"><div class="b-header__top">'
        f'<a class="b-header__logo" href="{escape(ctx.homepage_url)}">'
        f'{escape(paper.name)}</a><button class="b-header__menu">Menu</button>'
        '<a class="b-header__subscribe" href="#subscribe">Subscribe</a></div>'
        f"{chrome.nav_menu(ctx, 'b-header__nav')}</div>{chrome.advert('top')}"
        f'<div class="layout-section wrap-bottom">{main}</div>'
        '<div class="b-footer">'
        f"{chrome.newsletter_box(ctx)}{chrome.footer_links(ctx)}</div></div>"
        f"{chrome.cookie_notice()}</body></html>"
    )


def render_article(ctx: PageContext, item: DemoItem) -> str:
    """Render a story page."""
    url = ctx.article_url(item)
    head = chrome.head_common(ctx, f"{item.title} | {ctx.paper.name}", url)
    head += f'<meta name="description" content="{escape(item.dek)}">'
    head += chrome.open_graph(ctx, item, url) + _json_ld(ctx, item, url)
    paragraphs = "".join(
        f'<p class="paragraph">{escape(p)}</p>'
        + (chrome.advert(f"inline-{i}") if i == 2 else "")
        for i, p in enumerate(item.paragraphs)
    )
    section = item.categories[0] if item.categories else "News"
    main = (
        '<div class="ts-grid"><div class="ts-main">'
        f'<div class="a-overline"><a href="{escape(ctx.homepage_url)}#section">'
        f"{escape(section)}</a></div>"
        f'<div class="a-timestamp"><span class="ts-date">'
        f"{escape(_timestamp(ctx, item))}</span></div>"
        f'<h1 class="a-headline">{escape(item.title)}</h1>'
        f'<h2 class="a-subheadline">{escape(item.dek)}</h2>'
        f"{chrome.share_buttons(url, item.title)}"
        f'<div class="article-body">{paragraphs}</div>'
        '<div class="byline-container"><span class="ts-byline__names">By '
        f'<a href="{escape(ctx.homepage_url)}#author">{escape(item.author)}</a>'
        f"</span></div>{chrome.attribution(item, 'div', 'a-credit')}"
        '</div><div class="ts-rail"><div class="c-related">'
        f"{chrome.related_list(ctx, item, 'More from this section')}</div>"
        f"{chrome.advert('rail')}</div></div>"
    )
    return _page(ctx, head, main)


def render_homepage(ctx: PageContext) -> str:
    """Render the front page as a list of story cards."""
    title = f"{ctx.paper.name} | Breaking news"
    head = chrome.head_common(ctx, title, ctx.homepage_url)
    cards = "".join(
        '<div class="c-story-card">'
        f'<h2 class="c-heading"><a href="{escape(ctx.article_url(item))}">'
        f"{escape(item.title)}</a></h2>"
        f'<p class="c-description">{escape(item.dek)}</p>'
        f'<span class="c-date">{escape(_timestamp(ctx, item))}</span></div>'
        for item in ctx.paper.items[:30]
    )
    return _page(ctx, head, f'<div class="c-story-list">{cards}</div>')
