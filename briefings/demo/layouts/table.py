"""Layout (c): an old table-based site with <font> tags and plain-text dates."""

from __future__ import annotations

from html import escape

from briefings.demo.layouts import chrome
from briefings.demo.layouts.context import PageContext
from briefings.demo.network import DemoItem

FONT = '<font face="Verdana, Arial" size="2">'


def _posted(ctx: PageContext, item: DemoItem) -> str:
    """Return a date like "Posted: 22/11/2019 14:05" in the paper's time zone."""
    return f"Posted: {ctx.paper.local(item.published):%d/%m/%Y %H:%M}"


def _left_column(ctx: PageContext) -> str:
    """Return the menu column of links."""
    rows = "".join(
        f'<tr><td bgcolor="#EEEEEE">{FONT}<a href="{escape(ctx.homepage_url)}'
        f'#{escape(s.lower())}">{escape(s)}</a></font></td></tr>'
        for s in chrome.SECTIONS
    )
    attributes = 'width="100%" border="0" cellpadding="3" cellspacing="1"'
    return f"<table {attributes}>{rows}</table>"


def _page(ctx: PageContext, title: str, canonical: str, content: str) -> str:
    """Wrap the content in the site's frame of nested tables."""
    paper = ctx.paper
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">'
        f"<html><head>{chrome.head_common(ctx, title, canonical)}"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
        '<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0">'
        f"{chrome.demo_banner(ctx)}"
        '<table width="780" border="0" cellpadding="0" cellspacing="0" align="center">'
        f'<tr><td colspan="3" bgcolor="#003366"><font face="Georgia" size="6" '
        f'color="#FFFFFF"><b>{escape(paper.name)}</b></font><br>'
        f'<font size="1" color="#CCCCCC">{escape(paper.description)}</font></td></tr>'
        f'<tr><td width="150" valign="top">{_left_column(ctx)}'
        f"{chrome.advert('left-120x600')}</td>"
        f'<td width="480" valign="top"><table width="100%" cellpadding="6">'
        f'<tr><td>{content}</td></tr></table></td><td width="150" valign="top">'
        f"{FONT}{chrome.related_list(ctx, None, 'Latest News')}</font>"
        f"{chrome.advert('right-120x240')}</td></tr>"
        f'<tr><td colspan="3" align="center">{chrome.share_buttons(canonical, title)}'
        f'<font size="1">{chrome.footer_links(ctx)}</font></td></tr></table>'
        f"{chrome.cookie_notice()}</body></html>"
    )


def render_article(ctx: PageContext, item: DemoItem) -> str:
    """Render a story page with the byline after the body."""
    url = ctx.article_url(item)
    paragraphs = "<br><br>".join(escape(p) for p in item.paragraphs)
    content = (
        f'<font face="Georgia" size="4"><b>{escape(item.title)}</b></font><br>'
        f'<font size="1" color="#666666">{escape(_posted(ctx, item))}</font><br><br>'
        f"{FONT}<i>{escape(item.dek)}</i><br><br>{paragraphs}</font><br><br>"
        f"{FONT}<b>By {escape(item.author)}</b></font><br>"
        f'<font size="1">{chrome.attribution(item, "span")}</font>'
        f'<br><br><table width="100%" border="1" cellpadding="4"><tr><td>'
        f"{FONT}{chrome.related_list(ctx, item, 'Related Stories')}</font>"
        "</td></tr></table>"
    )
    return _page(ctx, f"{ctx.paper.name} :: {item.title}", url, content)


def render_homepage(ctx: PageContext) -> str:
    """Render the front page as a table of headlines."""
    rows = "".join(
        f'<tr><td valign="top">{FONT}<b><a href="{escape(ctx.article_url(item))}">'
        f"{escape(item.title)}</a></b><br>{escape(item.dek)}<br>"
        f'<font size="1" color="#666666">{escape(_posted(ctx, item))}</font>'
        "</font></td></tr>"
        for item in ctx.paper.items[:30]
    )
    content = f'<table width="100%" border="0" cellpadding="4">{rows}</table>'
    return _page(ctx, f"{ctx.paper.name} :: Home", ctx.homepage_url, content)
