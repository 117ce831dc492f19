"""Pages that belong to no paper: the network index and the 404 page."""

from __future__ import annotations

from html import escape

from briefings.demo import paths
from briefings.demo.layouts.chrome import CORPUS_CREDIT, demo_notice
from briefings.demo.network import DemoNetwork


def render_index(network: DemoNetwork, base_url: str) -> str:
    """Render the root page listing every paper with its homepage and feed."""
    base = base_url.rstrip("/")
    rows = "".join(
        f'<li><a href="{escape(base + paths.homepage_path(p))}">{escape(p.name)}</a> '
        f"({escape(p.country)}, {escape(p.layout)} layout, {len(p.items)} stories) "
        f'\u2013 <a href="{escape(base + paths.feed_path(p))}">'
        f"{escape(p.feed_kind.upper())} feed</a></li>"
        for p in network.papers
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(network.name)} \u2013 demo network</title></head><body>"
        f'<p class="demo-banner">{escape(demo_notice(network.days))}.</p>'
        f"<h1>{escape(network.name)} (demo)</h1><ul>{rows}</ul>"
        f"<p><small>{escape(CORPUS_CREDIT)}</small></p></body></html>"
    )


def render_not_found(path: str) -> str:
    """Render a small 404 page."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>404 Not Found</title></head><body><h1>Not Found</h1>"
        f"<p>No page at {escape(path)} on this demo network. "
        '<a href="/">All papers</a></p></body></html>'
    )
