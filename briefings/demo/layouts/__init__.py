"""HTML pages of the demo papers, in four CMS-like layouts."""

from __future__ import annotations

from types import ModuleType

from briefings.demo.layouts import arc, modern, table, wordpress
from briefings.demo.layouts.context import PageContext
from briefings.demo.layouts.index import render_index, render_not_found
from briefings.demo.network import DemoItem

RENDERERS: dict[str, ModuleType] = {
    "wordpress": wordpress,
    "arc": arc,
    "table": table,
    "modern": modern,
}

__all__ = [
    "PageContext",
    "render_article",
    "render_homepage",
    "render_index",
    "render_not_found",
]


def render_article(ctx: PageContext, item: DemoItem) -> str:
    """Render a story page in the paper's layout."""
    return RENDERERS[ctx.paper.layout].render_article(ctx, item)


def render_homepage(ctx: PageContext) -> str:
    """Render the paper's homepage in its layout."""
    return RENDERERS[ctx.paper.layout].render_homepage(ctx)
