"""The URL scheme of the demo network: every path the server answers."""

from __future__ import annotations

from briefings.demo.network import DemoItem, DemoPaper

ROBOTS_PATH = "/robots.txt"


def homepage_path(paper: DemoPaper) -> str:
    """Return the path of a paper's homepage."""
    return f"/{paper.slug}/"


def feed_path(paper: DemoPaper) -> str:
    """Return the path of a paper's feed (RSS or Atom, as the paper publishes)."""
    name = "feed.atom" if paper.feed_kind == "atom" else "feed.xml"
    return f"/{paper.slug}/{name}"


def news_sitemap_path(paper: DemoPaper) -> str:
    """Return the path of a paper's Google News sitemap."""
    return f"/{paper.slug}/sitemap-news.xml"


def sitemap_path(paper: DemoPaper) -> str:
    """Return the path of a paper's sitemap of all its stories."""
    return f"/{paper.slug}/sitemap.xml"


def article_path(paper: DemoPaper, item: DemoItem) -> str:
    """Return the path of a story: its local publication date, title slug and id."""
    day = paper.local(item.published).strftime("%Y/%m/%d")
    return f"/{paper.slug}/{day}/{item.url_slug}-{item.short_id}/"
