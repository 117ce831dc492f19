"""Extraction on real saved pages (read in place from ../shared) and on the demo's
four layouts. Golden expectations: text that must be in the body, text that must
not (comments, sidebars, navigation)."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from briefings.ingest.extract import ExtractionError, extract_page
from briefings.ingest.rules import RULES, Rule, rule_for

from ..conftest import SHARED, require_shared

GV = SHARED / "html-fixtures" / "globalvoices_2009"


def words(text):
    return re.findall(r"\w+", text.lower())


def same_words(a, b):
    return words(a) == words(b)


def shingle_recall(found, expected):
    def shingles(text):
        tokens = words(text)
        return {tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)}

    wanted = shingles(expected)
    return len(wanted & shingles(found)) / len(wanted)


def gv_pages():
    if not GV.exists():
        return []
    rows = [
        json.loads(line) for line in (GV / "manifest.jsonl").read_text().splitlines()
    ]
    return [row for row in rows if row["file"].startswith("index_")]


@pytest.mark.parametrize("row", gv_pages(), ids=lambda row: row["file"])
def test_global_voices_article_body_by_rule(row):
    html = (GV / row["file"]).read_bytes()
    extraction = extract_page(html, row["original_url"])
    assert extraction.method == "rule"
    assert same_words(extraction.headline, row["title"])
    published = datetime.fromisoformat(row["date"]).replace(tzinfo=UTC)
    assert abs(extraction.published_at.date() - published.date()) <= timedelta(days=1)
    # The body holds the article's words (Media Cloud's reference text as the
    # yardstick: at least 90% of its 4-word shingles).
    assert shingle_recall(extraction.body_text, row["expected_text_mediacloud"]) >= 0.9
    # Sidebars and reader comments stay out.
    for noise in ("Recent Articles also in", "Recent Links also in", "Leave a Comment"):
        assert noise not in extraction.body_text


def test_the_global_voices_pages_are_beside_the_checkout():
    """The parametrized tests above would run none, silently, without them."""
    require_shared(GV / "manifest.jsonl")
    assert len(gv_pages()) >= 10


def test_without_a_rule_trafilatura_finds_the_body():
    require_shared(GV / "manifest.jsonl")
    row = gv_pages()[0]
    html = (GV / row["file"]).read_bytes()
    extraction = extract_page(html, "https://unknown.example/story")
    assert extraction.method in {"precision", "recall"}
    assert extraction.note.startswith(extraction.method)
    assert "Digital Crimes Bill" in extraction.body_text


def test_rules_table_is_alphabetized():
    assert list(RULES) == sorted(RULES)


def test_publication_rules_win_over_the_table():
    rule = rule_for("https://globalvoicesonline.org/x", {"body": "div.story"})
    assert rule == Rule(body="div.story")
    assert (
        rule_for("https://www.globalvoicesonline.org/x")
        is RULES["globalvoicesonline.org"]
    )
    assert rule_for("https://other.example/") is None


def test_rule_that_finds_nothing_falls_back_to_generic():
    html = (
        b"<html><body><article><h1>T</h1>"
        + b"<p>Plenty of words here. " * 40
        + (b"</p></article></body></html>")
    )
    extraction = extract_page(html, "https://x.example/a", {"body": "div.nothing"})
    assert extraction.method == "precision"
    assert "rule: empty" in extraction.note
    assert "Plenty of words" in extraction.body_text


JSON_LD_PAGE = """<html lang="en"><head><title>Site | Ignored title</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "name": "Paper"},
 {"@type": "NewsArticle", "headline": "Port reopens after storm",
  "description": "Ships move again.",
  "author": [{"@type": "Person", "name": "Kim Lee"}],
  "datePublished": "2019-11-23T07:00:00+09:00",
  "dateModified": "2019-11-23T09:30:00+0900",
  "image": {"@type": "ImageObject", "url": "/img/port.jpg", "caption": "The port."},
  "inLanguage": "en-SG"}]}</script>
<meta property="og:title" content="OG title loses"></head>
<body><nav>Home News Sport</nav><article><p>The port reopened on Saturday after the
storm passed, and ships began to move again through the harbour, officials said.</p>
<p>Traffic will be back to normal by Monday, according to the port authority.</p>
</article><footer>Copyright</footer></body></html>"""


def test_json_ld_metadata_comes_first():
    extraction = extract_page(JSON_LD_PAGE, "https://paper.example/news/port")
    assert extraction.headline == "Port reopens after storm"
    assert extraction.dek == "Ships move again."
    assert extraction.byline == "Kim Lee"
    assert extraction.published_at.isoformat() == "2019-11-23T07:00:00+09:00"
    assert extraction.updated_at.isoformat() == "2019-11-23T09:30:00+09:00"
    assert extraction.image == "https://paper.example/img/port.jpg"
    assert extraction.language == "en-SG"
    assert "harbour" in extraction.body_text
    assert "Home News Sport" not in extraction.body_text


@pytest.mark.parametrize("html", [b"", b"   ", b"<html><body></body></html>"])
def test_empty_pages_raise(html):
    with pytest.raises(ExtractionError):
        extract_page(html, "https://x.example/")


def test_oversized_page_is_refused():
    with pytest.raises(ExtractionError, match="larger than"):
        extract_page(b"<p>" + b"x" * 6_000_000, "https://x.example/")


def test_as_json_has_the_documented_fields():
    data = extract_page(JSON_LD_PAGE, "https://paper.example/news/port").as_json()
    assert list(data) == [
        "headline",
        "dek",
        "byline",
        "published_at",
        "updated_at",
        "image",
        "language",
        "body_html",
        "body_text",
        "credit_html",
        "license_url",
    ]


HOSTILE_JSON_LD_PAGE = (
    '<html><head><script type="application/ld+json">'
    + "[" * 100_000
    + "]" * 100_000
    + '</script><script type="application/ld+json">'
    '{"@type": {"@id": "x"}}</script><script type="application/ld+json">'
    '{"@type": ["NewsArticle", 5], "headline": {"@value": "Typed headline"},'
    ' "description": 12, "image": {"url": 42}, "author": {"name": ["x"]},'
    ' "datePublished": "9999-12-31T23:00:00-05:00", "inLanguage": {"a": 1}}'
    '</script><link rel="canonical" href="http://[::1/broken">'
    '<meta property="og:image" content="/lead.jpg"></head><body><article>'
    + "<p>The port reopened on Saturday after the storm passed, said officials.</p>" * 4
    + "</article></body></html>"
)


def test_json_ld_of_the_wrong_shape_counts_as_absent():
    extraction = extract_page(HOSTILE_JSON_LD_PAGE, "https://paper.example/a")
    assert extraction.headline == "Typed headline"
    assert (extraction.dek, extraction.byline, extraction.language) == ("", "", "")
    assert extraction.image == "https://paper.example/lead.jpg"
    assert extraction.canonical_url == ""
    assert extraction.published_at is None or extraction.published_at.year < 9999


def test_a_body_whose_class_names_a_cookie_notice_is_still_read():
    """WordPress marks <body> with 'cookies-not-set' (and themes wrap the page
    in a div named after their banner): only a site's own banner is dropped
    before extraction, never an element holding the page (issue #14 / #15)."""
    paragraphs = "".join(
        f"<p>Paragraph {n} of a long report on the harbour's reopening, told in "
        "full sentences so that any extractor keeps it as the story.</p>"
        for n in range(8)
    )
    html = (
        '<html><body class="single-post cookies-not-set">'
        '<div class="site-banner-wrap"><header role="banner">Site name</header>'
        f"<div class='content'><h1>Harbour reopens</h1>{paragraphs}</div></div>"
        '<div class="cookie-notice">We use cookies.</div></body></html>'
    )
    extraction = extract_page(html, "https://paper.example/harbour")
    assert "Paragraph 7 of a long report" in extraction.body_text
    assert "We use cookies" not in extraction.body_text


STORY = "".join(
    f"<p>Paragraph {n} of the council's budget story, told in full sentences so "
    "that every reading keeps it as the article's own text.</p>"
    for n in range(12)
)


def test_a_relative_link_in_the_body_resolves_against_the_page_address():
    """As a browser does: "other.html" on /news/2026/story.html is
    /news/2026/other.html, not /other.html at the site's root (issue #16)."""
    html = (
        "<html><body><article><h1>Budget passes</h1>"
        '<p>The vote followed <a href="other.html">last week\'s debate</a> in '
        "the chamber, which ran late into the night before members agreed.</p>"
        f'{STORY}<p>See <a href="/archive/">the archive</a> and '
        '<a href="http://[::1">a broken link</a> for more.</p>'
        "</article></body></html>"
    )
    extraction = extract_page(html, "https://paper.example/news/2026/story.html")
    assert 'href="https://paper.example/news/2026/other.html"' in extraction.body_html
    assert 'href="https://paper.example/archive/"' in extraction.body_html
    assert "a broken link" in extraction.body_text
    assert "[::1" not in extraction.body_html


def test_a_long_clean_page_is_read_without_the_fallbacks():
    """One trafilatura pass when the first reading leaves no doubt (#16)."""
    html = f"<html><body><article><h1>Budget passes</h1>{STORY}</article></body></html>"
    extraction = extract_page(html, "https://paper.example/budget")
    assert extraction.method == "precision"
    assert "recall" not in extraction.note
    assert "Paragraph 11 of the council" in extraction.body_text


def test_a_short_first_reading_is_weighed_against_the_recall_reading():
    """A short precision reading may be trafilatura's failure, not the page's
    length: the fallbacks and the recall reading are read too (#16)."""
    html = (
        "<html><body><article><h1>Budget passes</h1><p>The council passed its "
        "budget on Monday night after a long debate.</p></article></body></html>"
    )
    extraction = extract_page(html, "https://paper.example/budget")
    assert "recall" in extraction.note
    assert "passed its budget" in extraction.body_text


def saved_pages():
    """The saved real pages beside the checkout: the fixtures and the
    extraction benchmark's."""
    paths = [
        *sorted((SHARED / "html-fixtures").rglob("*.htm*")),
        *sorted((SHARED / "extraction-benchmark" / "html").glob("*.html")),
    ]
    return [path.read_bytes() for path in paths]


def test_trafilatura_reads_the_same_body_without_what_it_drops_anyway():
    """The quick reading runs on the page without the elements trafilatura
    deletes before reading (navigation, footers, scripts...): the same body,
    on every saved page. An upgrade of trafilatura that reads them breaks
    this test, not the extraction silently (issue #16)."""
    import copy

    import lxml.html

    from briefings.ingest import extract

    require_shared(SHARED / "extraction-benchmark" / "html")
    pages = saved_pages()
    assert len(pages) > 100
    for html in pages:
        tree = extract._parse(html)
        whole = extract._body_by_trafilatura(
            copy.deepcopy(tree), favor_precision=True, fast=True
        )
        stripped = extract._body_by_trafilatura(
            extract._without_what_trafilatura_drops(copy.deepcopy(tree)),
            favor_precision=True,
            fast=True,
        )
        assert (whole is None) == (stripped is None)
        if whole is not None:
            assert lxml.html.tostring(whole) == lxml.html.tostring(stripped)


def test_a_page_missing_only_its_date_gets_it_from_the_page():
    """Headline, byline, dek and image from the tags, no date among them: the
    date is still read (htmldate, as trafilatura's reader asks it)."""
    html = (
        '<html><head><meta property="og:title" content="Budget passes">'
        '<meta name="author" content="Kim Lee">'
        '<meta property="og:description" content="The council agrees.">'
        '<meta property="og:image" content="/img/hall.jpg"></head>'
        f"<body><article><h1>Budget passes</h1>{STORY}"
        "<p>Published 19 November 2019.</p></article></body></html>"
    )
    extraction = extract_page(html, "https://paper.example/2019/11/19/budget.html")
    assert (extraction.byline, extraction.dek) == ("Kim Lee", "The council agrees.")
    assert extraction.published_at.date().isoformat() == "2019-11-19"
