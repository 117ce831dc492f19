"""Sitemaps of the demo papers and the network's robots.txt."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from briefings.demo import paths
from briefings.demo.layouts.context import PageContext
from briefings.demo.network import DemoNetwork

NEWS_WINDOW = timedelta(days=2)
_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def render_news_sitemap(ctx: PageContext) -> str:
    """Render a Google News sitemap of the paper's stories of the last two days."""
    paper = ctx.paper
    since = ctx.network.now - NEWS_WINDOW
    urls = "".join(
        f"<url><loc>{escape(ctx.article_url(item))}</loc><news:news>"
        f"<news:publication><news:name>{escape(paper.name)}</news:name>"
        f"<news:language>{escape(paper.language)}</news:language>"
        "</news:publication><news:publication_date>"
        f"{paper.local(item.published).isoformat()}</news:publication_date>"
        f"<news:title>{escape(item.title)}</news:title></news:news></url>\n"
        for item in paper.items
        if item.published >= since
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'{_URLSET} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{urls}</urlset>\n"
    )


def render_sitemap(ctx: PageContext) -> str:
    """Render a sitemap of all the paper's stories and its homepage."""
    paper = ctx.paper
    urls = "".join(
        f"<url><loc>{escape(ctx.article_url(item))}</loc>"
        f"<lastmod>{paper.local(item.modified).isoformat()}</lastmod></url>\n"
        for item in paper.items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{_URLSET}>\n'
        f"<url><loc>{escape(ctx.homepage_url)}</loc><changefreq>hourly</changefreq>"
        f"</url>\n{urls}</urlset>\n"
    )


def render_robots(network: DemoNetwork, base_url: str) -> str:
    """Render a robots.txt that allows everything and names every sitemap."""
    base = base_url.rstrip("/")
    lines = ["User-agent: *", "Allow: /", ""]
    for paper in network.papers:
        lines.append(f"Sitemap: {base}{paths.news_sitemap_path(paper)}")
        lines.append(f"Sitemap: {base}{paths.sitemap_path(paper)}")
    return "\n".join(lines) + "\n"
