"""Page furniture shared by the layouts: banner, credits, menus and other noise."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from briefings.demo.layouts.context import PageContext
from briefings.demo.network import CC_BY_25_URL, DemoItem

DEMO_NOTICE = (
    "Demo network: stories from English Wikinews (CC BY 2.5), "
    "dates shifted to the last 30 days"
)
CORPUS_CREDIT = (
    "News articles from English Wikinews (CC BY 2.5; articles before 2005-09-26 "
    "are in the public domain), via the toscaData dataset by Koppers, Rieger, "
    "Boczek & von Nordheim (CC BY 4.0) and W. van Atteveldt's wikinews samples "
    "(CC BY 2.5). Filtered and cleaned."
)
SECTIONS: tuple[str, ...] = (
    "News",
    "Nation",
    "Asia",
    "World",
    "Business",
    "Opinion",
    "Sport",
    "Lifestyle",
    "Tech",
)


def demo_notice(days: int) -> str:
    """Return the demo notice text for a replay window of ``days`` days."""
    return DEMO_NOTICE.replace("30 days", f"{days} days")


def demo_banner(ctx: PageContext) -> str:
    """Return the visible banner saying this is a demo network."""
    return (
        '<div class="demo-banner" role="note" style="background:#ffd;'
        'padding:4px 8px;font:13px sans-serif">'
        f"{escape(demo_notice(ctx.network.days))}. "
        f'<small class="corpus-credit">{escape(CORPUS_CREDIT)}</small></div>'
    )


def attribution(item: DemoItem, tag: str = "p", css: str = "attribution") -> str:
    """Return the per-story credit line with links to the original and licence."""
    return (
        f'<{tag} class="{escape(css)}">Source: \u201c{escape(item.title)}\u201d, '
        f"Wikinews, {escape(item.original_date.isoformat())}, "
        f'<a href="{escape(item.source_url)}">{escape(item.source_url)}</a>. '
        f'Licensed under <a rel="license" href="{escape(CC_BY_25_URL)}">'
        f"CC BY 2.5</a>. Text modified.</{tag}>"
    )


def nav_menu(ctx: PageContext, css: str = "main-nav") -> str:
    """Return a section menu; the links all lead to the paper's homepage."""
    links = "".join(
        f'<li class="menu-item"><a href="{escape(ctx.homepage_url)}'
        f'#{escape(s.lower())}">{escape(s)}</a></li>'
        for s in SECTIONS
    )
    return f'<nav class="{escape(css)}" aria-label="Sections"><ul>{links}</ul></nav>'


def related(ctx: PageContext, item: DemoItem | None, count: int = 5) -> list[DemoItem]:
    """Return other stories of the paper near ``item`` (or the latest ones)."""
    items = ctx.paper.items
    if item is None or item not in items:
        return items[:count]
    index = items.index(item)
    window = items[max(0, index - count) : index] + items[index + 1 : index + 1 + count]
    return window[:count]


def related_list(ctx: PageContext, item: DemoItem | None, title: str) -> str:
    """Return a "related stories" list of links."""
    links = "".join(
        f'<li><a href="{escape(ctx.article_url(other))}">{escape(other.title)}</a></li>'
        for other in related(ctx, item)
    )
    return f'<h3 class="widget-title">{escape(title)}</h3><ul>{links}</ul>'


def share_buttons(url: str, title: str) -> str:
    """Return social share links for a page."""
    target, text = quote(url, safe=""), quote(title, safe="")
    services = (
        ("facebook", f"https://www.facebook.com/sharer/sharer.php?u={target}"),
        ("x", f"https://x.com/intent/tweet?url={target}&text={text}"),
        ("whatsapp", f"https://wa.me/?text={text}%20{target}"),
        ("email", f"mailto:?subject={text}&body={target}"),
    )
    links = "".join(
        f'<a class="share share-{name}" href="{escape(href)}" rel="nofollow">'
        f"Share on {escape(name.title())}</a> "
        for name, href in services
    )
    return f'<div class="share-buttons">{links}</div>'


def cookie_notice() -> str:
    """Return a cookie consent notice."""
    return (
        '<div class="cookie-notice" id="cookie-notice"><p>We use cookies to improve '
        "your experience and to show you relevant advertising. By continuing to "
        'browse you agree to our use of cookies.</p><button type="button">Accept'
        '</button> <a href="#privacy">Privacy policy</a></div>'
    )


def newsletter_box(ctx: PageContext) -> str:
    """Return a newsletter sign-up box."""
    return (
        '<div class="newsletter-signup"><h3>Get our morning briefing</h3>'
        f"<p>The day's top stories from {escape(ctx.paper.name)}, in your inbox.</p>"
        '<form action="#subscribe"><input type="email" name="email" '
        'placeholder="Your email"><button>Subscribe</button></form></div>'
    )


def advert(slot: str) -> str:
    """Return an empty advertising slot."""
    return (
        f'<div class="ad-slot ad-{escape(slot)}" data-ad-unit="{escape(slot)}">'
        "<span>Advertisement</span></div>"
    )


def footer_links(ctx: PageContext) -> str:
    """Return the corporate links and copyright notice of a footer."""
    names = ("About us", "Contact", "Advertise", "Terms of use", "Privacy policy")
    links = " | ".join(
        f'<a href="{escape(ctx.homepage_url)}#{escape(n.lower().replace(" ", "-"))}">'
        f"{escape(n)}</a>"
        for n in names
    )
    year = ctx.network.now.year
    return (
        f'<p class="footer-links">{links}</p><p class="copyright">&copy; {year} '
        f"{escape(ctx.paper.name)} (demo). Member of {escape(ctx.network.name)}. "
        f"{escape(CORPUS_CREDIT)}</p>"
    )


def feed_link(ctx: PageContext) -> str:
    """Return the <link rel="alternate"> advertising the paper's feed."""
    return (
        f'<link rel="alternate" type="{escape(ctx.feed_type)}" '
        f'title="{escape(ctx.paper.name)}" href="{escape(ctx.feed_url)}">'
    )


def open_graph(ctx: PageContext, item: DemoItem, url: str) -> str:
    """Return OpenGraph and article meta tags for a story."""
    tags = (
        ("og:site_name", ctx.paper.name),
        ("og:type", "article"),
        ("og:title", item.title),
        ("og:description", item.dek),
        ("og:url", url),
        ("article:published_time", ctx.paper.local(item.published).isoformat()),
        ("article:modified_time", ctx.paper.local(item.modified).isoformat()),
        ("article:author", item.author),
    )
    return "".join(
        f'<meta property="{escape(k)}" content="{escape(v)}">' for k, v in tags
    )


def head_common(ctx: PageContext, title: str, canonical: str) -> str:
    """Return the <head> lines every page has: charset, title, canonical, feed."""
    return (
        '<meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="canonical" href="{escape(canonical)}">{feed_link(ctx)}'
    )
