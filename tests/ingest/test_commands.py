"""The ingest's command line: ingest, sources, extract, add_feed, reextract."""

import json

import pytest

from django.core.management import CommandError, call_command

from briefings.articles.models import Article
from briefings.network.models import Feed, Publication

from .conftest import Route

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
<item><title>Story one</title><link>{base}/one</link><guid>1</guid></item>
<item><title>No link</title><link>ftp://x</link><guid>2</guid></item>
</channel></rss>"""
PAGE = b"<html><body><article>" + b"<p>A paragraph of the story itself.</p>" * 8
PAGE += b"</article></body></html>"


@pytest.fixture
def paper(network, site):
    site.routes["/rss"] = Route(FEED.format(base=site.base_url).encode())
    site.routes["/one"] = Route(PAGE)
    call_command(
        "add_feed",
        site.url("/rss"),
        "--publication",
        "dawn",
        "--allow-private-network",
        "--host",
        site.host,
    )
    return Publication.objects.get(slug="dawn")


@pytest.mark.django_db(transaction=True)
def test_ingest_prints_a_summary_with_reasons(paper, capsys):
    call_command("ingest", "--publication", "dawn")
    out = capsys.readouterr().out
    assert "new" in out and "skipped" in out
    assert "1 x skipped: no http(s) link" in out
    assert Article.objects.count() == 1


def test_add_feed_refuses_bad_input(network):
    with pytest.raises(CommandError, match="not an http"):
        call_command("add_feed", "file:///etc/passwd", "--publication", "dawn")
    with pytest.raises(CommandError, match="no publication"):
        call_command("add_feed", "https://x.example/rss", "--publication", "nope")
    with pytest.raises(CommandError, match="not a host"):
        call_command(
            "add_feed",
            "https://x.example/rss",
            "--publication",
            "dawn",
            "--host",
            "https://x.example/",
        )
    with pytest.raises(CommandError, match="the-star owns 'thestar.com.my' too"):
        call_command(
            "add_feed",
            "https://x.example/rss",
            "--publication",
            "dawn",
            "--host",
            "thestar.com.my",
        )


def test_add_feed_adds_the_papers_own_hosts(paper, site):
    paper.refresh_from_db()
    assert paper.hosts == ["www.dawn.com", site.host]
    assert paper.owns(site.url("/one"))


def test_sources_shows_health_and_reason(paper, site, capsys):
    feed = Feed.objects.get(url=site.url("/rss"))
    feed.health, feed.last_error = Feed.Health.FAILING, "HTTP 500 from the paper"
    feed.save()
    call_command("sources", "--publication", "dawn")
    out = capsys.readouterr().out
    assert "failing" in out and "HTTP 500 from the paper" in out


def test_extract_prints_the_documented_json(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_bytes(
        b'<html><head><meta property="og:title" content="Port reopens">'
        b'<meta name="author" content="By Kim Lee"></head><body><article>'
        + b"<p>The port reopened today after the storm, officials said.</p>" * 6
        + b"<script>alert(1)</script></article></body></html>"
    )
    call_command("extract", str(page), "--url", "https://paper.example/port")
    data = json.loads(capsys.readouterr().out)
    assert data["headline"] == "Port reopens"
    assert "port reopened" in data["body_text"]
    assert "<script" not in data["body_html"]
    assert set(data) == {
        "headline", "dek", "byline", "published_at", "updated_at", "image",
        "language", "body_html", "body_text", "credit_html", "license_url",
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_reextract_dry_run_reports_without_saving(paper, site, capsys):
    call_command("ingest", "--publication", "dawn")
    site.routes["/one"] = Route(
        b'<html><body><div class="story">'
        + b"<p>A corrected paragraph of the story.</p>" * 8
        + b"</div><div class='related'>Other news</div></body></html>"
    )
    paper.extraction_rules = {"body": "div.story"}
    paper.save()
    call_command("reextract", "--publication", "dawn", "--dry-run")
    out = capsys.readouterr().out
    assert "would change" in out and "body:" in out
    assert "A paragraph of the story" in Article.objects.get().body_text
    call_command("reextract", "--publication", "dawn")
    article = Article.objects.get()
    assert "corrected paragraph" in article.body_text
    assert article.extraction_note.startswith("re-extracted page: rule ")


@pytest.mark.django_db(transaction=True)
def test_reextract_tidies_stored_rows_and_keeps_the_credit(paper, site, capsys):
    """Rows stored before issue #14 get the credit line and text hygiene from
    `briefings reextract`."""
    call_command("ingest", "--publication", "dawn")
    dek = "The port of Karachi reopened on Monday after a week."
    Article.objects.update(dek=dek, excerpt=dek)  # as stored before: repeated
    site.routes["/one"] = Route(
        f"<html><body><article><p>{dek}</p>".encode()
        + b"<p>Ships queued outside the harbour for days.</p>" * 6
        + b'<p class="attribution">Source: Karachi Port Trust, licensed under '
        b'<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">'
        b"CC BY 4.0</a>.</p></article></body></html>"
    )
    call_command("reextract", "--publication", "dawn")
    article = Article.objects.get()
    assert article.dek == dek
    assert not article.body_text.startswith(dek)
    assert article.excerpt.startswith("Ships queued")
    assert article.credit_html.startswith("Source: Karachi Port Trust")
    assert article.license_url == "https://creativecommons.org/licenses/by/4.0/"
    assert "Karachi Port Trust" not in article.body_text
