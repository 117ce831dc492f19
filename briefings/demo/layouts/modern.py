"""Layout (d): a modern semantic page built around <article> and <time>."""

from __future__ import annotations

from html import escape

from briefings.demo.layouts import chrome
from briefings.demo.layouts.context import PageContext
from briefings.demo.network import DemoItem


def _time(ctx: PageContext, item: DemoItem, css: str = "published") -> str:
    """Return a <time> element like "22 Nov 2019, 14:05" with its datetime."""
    local = ctx.paper.local(item.published)
    return (
        f'<time class="{escape(css)}" datetime="{escape(local.isoformat())}">'
        f"{local.day} {local:%b %Y, %H:%M}</time>"
    )


def _figure(item: DemoItem) -> str:
    """Return a placeholder illustration for stories with a category."""
    if not item.categories:
        return ""
    caption = f"Illustration: {item.categories[0]}. Images are not part of the demo."
    return (
        '<figure class="lead-figure"><svg role="img" aria-label="Placeholder" '
        'width="640" height="240" xmlns="http://www.w3.org/2000/svg">'
        '<rect width="640" height="240" fill="#d9e2ec"/></svg>'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _page(ctx: PageContext, head: str, main: str) -> str:
    """Wrap the main content in the site header, aside and footer."""
    paper = ctx.paper
    return (
        f'<!DOCTYPE html><html lang="{escape(paper.language)}"><head>{head}'
        '<link rel="stylesheet" href="/assets/app.3f9a1c.css"></head><body>'
        f'{chrome.demo_banner(ctx)}<header class="site-header">'
        f'<a class="brand" href="{escape(ctx.homepage_url)}">{escape(paper.name)}</a>'
        f"{chrome.nav_menu(ctx, 'site-nav')}"
        '<form class="search" role="search" action="#search"><input name="q" '
        'type="search" placeholder="Search"></form></header>'
        f'<main id="main">{main}</main>'
        f'<aside class="rail">{chrome.related_list(ctx, None, "Most read")}'
        f"{chrome.newsletter_box(ctx)}{chrome.advert('rail-mpu')}</aside>"
        f'<footer class="site-footer">{chrome.footer_links(ctx)}</footer>'
        f"{chrome.cookie_notice()}</body></html>"
    )


def render_article(ctx: PageContext, item: DemoItem) -> str:
    """Render a story page."""
    url = ctx.article_url(item)
    head = chrome.head_common(ctx, f"{item.title} - {ctx.paper.name}", url)
    head += f'<meta name="description" content="{escape(item.dek)}">'
    head += chrome.open_graph(ctx, item, url)
    head += '<meta name="twitter:card" content="summary">'
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in item.paragraphs)
    modified = ctx.paper.local(item.modified)
    main = (
        '<article class="story"><header class="story-header">'
        f'<h1 class="headline">{escape(item.title)}</h1>'
        f'<p class="dek">{escape(item.dek)}</p>'
        f'<address class="byline">By <a rel="author" href="'
        f'{escape(ctx.homepage_url)}#author">{escape(item.author)}</a></address>'
        f'<p class="dates">{_time(ctx, item)} \u00b7 Updated '
        f'<time class="modified" datetime="{escape(modified.isoformat())}">'
        f"{modified:%H:%M}</time></p></header>"
        f"{_figure(item)}{chrome.share_buttons(url, item.title)}"
        f'<div class="story-body">{paragraphs}</div>'
        f'<footer class="story-footer">{chrome.attribution(item)}</footer></article>'
        f'<section class="related" aria-label="Related stories">'
        f"{chrome.related_list(ctx, item, 'Related stories')}</section>"
    )
    return _page(ctx, head, main)


def render_homepage(ctx: PageContext) -> str:
    """Render the front page as a list of teaser articles."""
    head = chrome.head_common(ctx, f"{ctx.paper.name}: latest news", ctx.homepage_url)
    head += (
        f'<meta property="og:title" content="{escape(ctx.paper.name)}">'
        f'<meta property="og:type" content="website">'
        f'<meta property="og:url" content="{escape(ctx.homepage_url)}">'
    )
    teasers = "".join(
        '<article class="teaser">'
        f'<h2><a href="{escape(ctx.article_url(item))}">{escape(item.title)}</a></h2>'
        f'<p class="dek">{escape(item.dek)}</p>{_time(ctx, item)}</article>'
        for item in ctx.paper.items[:30]
    )
    return _page(ctx, head, f'<section class="latest">{teasers}</section>')
