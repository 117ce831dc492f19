"""Layout (a): a WordPress-like theme with entry-content, vcard byline and RSS."""

from __future__ import annotations

from html import escape

from briefings.demo.layouts import chrome
from briefings.demo.layouts.context import PageContext
from briefings.demo.network import DemoItem


def _long_date(ctx: PageContext, item: DemoItem) -> str:
    """Return a date like "November 22, 2019" in the paper's time zone."""
    local = ctx.paper.local(item.published)
    return f"{local:%B} {local.day}, {local.year}"


def _page(ctx: PageContext, head: str, body_class: str, main: str) -> str:
    """Wrap the main column in the theme's header, sidebar and footer."""
    paper = ctx.paper
    return (
        f'<!DOCTYPE html><html lang="{escape(paper.language)}"><head>{head}'
        '<link rel="stylesheet" href="/static/wp-content/themes/newsup/style.css">'
        '<meta name="generator" content="WordPress 6.4.3"></head>'
        f'<body class="{escape(body_class)}">{chrome.demo_banner(ctx)}'
        '<div id="page" class="site"><a class="skip-link screen-reader-text" '
        'href="#content">Skip to content</a><header id="masthead" class="site-header">'
        f'<p class="site-title"><a href="{escape(ctx.homepage_url)}" rel="home">'
        f"{escape(paper.name)}</a></p>"
        f'<p class="site-description">{escape(paper.description)}</p>'
        f"{chrome.nav_menu(ctx, 'main-navigation')}</header>"
        f'<div id="content" class="site-content">{chrome.advert("leaderboard")}'
        f'<div id="primary" class="content-area"><main id="main" class="site-main">'
        f'{main}</main></div><aside id="secondary" class="widget-area">'
        f'<section class="widget widget_recent_entries">'
        f"{chrome.related_list(ctx, None, 'Recent Posts')}</section>"
        f"{chrome.newsletter_box(ctx)}{chrome.advert('sidebar')}</aside></div>"
        f'<footer id="colophon" class="site-footer">{chrome.footer_links(ctx)}'
        f"</footer></div>{chrome.cookie_notice()}</body></html>"
    )


def render_article(ctx: PageContext, item: DemoItem) -> str:
    """Render a single post."""
    url = ctx.article_url(item)
    head = chrome.head_common(ctx, f"{item.title} \u2013 {ctx.paper.name}", url)
    head += chrome.open_graph(ctx, item, url)
    head += f'<meta name="description" content="{escape(item.dek)}">'
    published = ctx.paper.local(item.published).isoformat()
    modified = ctx.paper.local(item.modified).isoformat()
    categories = ", ".join(
        f'<a href="{escape(ctx.homepage_url)}#category" rel="category tag">'
        f"{escape(c)}</a>"
        for c in item.categories or ("News",)
    )
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in item.paragraphs)
    main = (
        f'<article id="post-{escape(item.short_id)}" class="post type-post '
        f'status-publish format-standard hentry"><header class="entry-header">'
        f'<span class="cat-links">{categories}</span>'
        f'<h1 class="entry-title">{escape(item.title)}</h1><div class="entry-meta">'
        f'<span class="posted-on"><a href="{escape(url)}" rel="bookmark">'
        f'<time class="entry-date published" datetime="{escape(published)}">'
        f"{escape(_long_date(ctx, item))}</time>"
        f'<time class="updated" datetime="{escape(modified)}"></time></a></span> '
        f'<span class="byline">by <span class="author vcard"><a class="url fn n" '
        f'href="{escape(ctx.homepage_url)}#author">{escape(item.author)}</a>'
        f"</span></span></div></header>"
        f"{chrome.share_buttons(url, item.title)}"
        f'<p class="excerpt">{escape(item.dek)}</p>'
        f'<div class="entry-content">{paragraphs}'
        f"{chrome.attribution(item)}</div>"
        f'<footer class="entry-footer"><span class="tags-links">Tags: '
        f"{escape(', '.join(item.categories))}</span></footer></article>"
        f'<section class="related-posts">'
        f"{chrome.related_list(ctx, item, 'Related Stories')}</section>"
        '<div id="comments" class="comments-area"><h3 id="reply-title">Leave a Reply'
        '</h3><form id="commentform" action="#comment"><textarea name="comment">'
        "</textarea><button>Post Comment</button></form></div>"
    )
    return _page(ctx, head, "post-template-default single single-post", main)


def render_homepage(ctx: PageContext) -> str:
    """Render the blog index of the latest posts."""
    title = f"{ctx.paper.name} \u2013 Latest news"
    head = chrome.head_common(ctx, title, ctx.homepage_url)
    posts = "".join(
        f'<article class="post hentry"><h2 class="entry-title">'
        f'<a href="{escape(ctx.article_url(item))}" rel="bookmark">'
        f'{escape(item.title)}</a></h2><div class="entry-meta">'
        f'<time class="entry-date" datetime="'
        f'{escape(ctx.paper.local(item.published).isoformat())}">'
        f"{escape(_long_date(ctx, item))}</time></div>"
        f'<div class="entry-summary"><p>{escape(item.dek)}</p></div></article>'
        for item in ctx.paper.items[:30]
    )
    return _page(ctx, head, "home blog", posts)
