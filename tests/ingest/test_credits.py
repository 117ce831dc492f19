"""The paper's credit, licence or copyright line survives extraction (issue #14):
on every demo layout and on the saved real pages in ../shared/html-fixtures/."""

import pytest

from django.conf import settings

from briefings.articles.sanitize import sanitize_inline
from briefings.demo import layouts
from briefings.demo.layouts import PageContext
from briefings.demo.network import CC_BY_25_URL, DemoNetwork
from briefings.ingest.credits import find_credit_in_html
from briefings.ingest.extract import extract_page
from briefings.ingest.sanitize import html_to_text

from ..conftest import SHARED, require_demo_corpus, require_shared

GV = SHARED / "html-fixtures" / "globalvoices_2009"
BASE = "http://demo.test:8000"


@pytest.fixture(scope="module")
def demo_network():
    corpus = require_demo_corpus()
    return DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)


@pytest.mark.parametrize("layout", ["wordpress", "arc", "table", "modern"])
def test_every_demo_layout_keeps_the_story_credit_and_licence(demo_network, layout):
    papers = [p for p in demo_network.papers if p.layout == layout and p.items]
    assert papers, layout
    for paper in papers:
        ctx = PageContext(demo_network, paper, BASE)
        for item in paper.items[:3]:
            url = ctx.article_url(item)
            found = extract_page(layouts.render_article(ctx, item), url)
            credit = html_to_text(sanitize_inline(found.credit_html, url))
            # The story's own credit, not the demo banner's or the footer's.
            assert credit.startswith("Source: \u201c"), (paper.slug, credit)
            assert item.source_url in sanitize_inline(found.credit_html, url)
            assert "Licensed under CC BY 2.5" in credit
            assert found.license_url == CC_BY_25_URL


@pytest.mark.parametrize("number", range(1, 16))
def test_saved_real_pages_keep_their_licence_line(number):
    page = require_shared(GV / f"index_{number}.html")
    url = "https://globalvoicesonline.org/2009/06/11/story/"
    found = extract_page(page.read_bytes(), url)
    credit = html_to_text(sanitize_inline(found.credit_html, url))
    assert "Creative Commons Attribution 3.0 License" in credit
    assert found.license_url == "http://creativecommons.org/licenses/by/3.0/"
    assert "<img" not in sanitize_inline(found.credit_html, url)


def test_a_photo_credit_is_not_the_story_credit():
    html = (
        '<figure><figcaption class="photo-credit">Photo: Reuters agency</figcaption>'
        "</figure><p>Body text of the story, long enough.</p>"
        '<p class="copyright">Copyright 2026 The Daily Example. '
        "All rights reserved.</p>"
    )
    credit, licence = find_credit_in_html(html, "https://example.org/a")
    assert (
        html_to_text(credit) == "Copyright 2026 The Daily Example. All rights reserved."
    )
    assert licence == ""


def test_a_hostile_credit_is_reduced_to_text_and_links():
    html = (
        '<p class="attribution">Source: <a href="javascript:alert(1)">x</a> '
        '<a href="/licence" onclick="steal()">licence</a><img src="http://10.0.0.1/">'
        "<script>alert(2)</script></p>"
    )
    credit, _ = find_credit_in_html(html, "https://example.org/a")
    clean = sanitize_inline(credit, "https://example.org/a")
    assert "javascript:" not in clean and "onclick" not in clean
    assert "<img" not in clean and "alert(2)" not in clean
    assert 'href="https://example.org/licence"' in clean
