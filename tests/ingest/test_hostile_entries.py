"""A hostile paper's odd entry, page or date costs that entry at most (issue #11).

One paper serves the hostile feed at /feed, another paper an ordinary one at
/other, both on a real loopback server. Whatever the hostile feed holds, the
poll never raises, its other entries are stored, the failure is recorded with a
reason (on the feed, or in the report's problems), and the other paper's feed
is still read.
"""

import json

import pytest

from django.core.management import call_command

from briefings.articles.models import Article
from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed, Publication

from .conftest import Route, give_hosts

BODY = "<p>The body of a perfectly ordinary story, told at length.</p>" * 5
JSON_FEED = "https://jsonfeed.org/version/1.1"


def page(head="", body=BODY):
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


def json_ld(value):
    return f'<script type="application/ld+json">{json.dumps(value)}</script>'


def rss(items):
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Hostile</title>{''.join(items)}</channel></rss>"
    ).encode()


def item(link, guid, title="A story", date="Fri, 22 Nov 2019 14:05:00 +0800"):
    pub_date = f"<pubDate>{date}</pubDate>" if date else ""
    return (
        f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        f"{pub_date}<description>Plain text.</description></item>"
    )


@pytest.fixture
def papers(network, site):
    """(hostile feed, other paper's feed); pages /story-1..3 and /story-9 served."""
    hostile = Feed.objects.create(
        publication=give_hosts(
            Publication.objects.get(slug="the-nation-thailand"), site.host
        ),
        url=site.url("/feed"),
        allow_private_network=True,
    )
    other = Feed.objects.create(
        publication=give_hosts(Publication.objects.get(slug="dawn"), site.host),
        url=site.url("/other"),
        allow_private_network=True,
    )
    for n in (1, 2, 3, 9):
        site.routes[f"/story-{n}"] = Route(page().encode())
    site.routes["/other"] = Route(rss([item(site.url("/story-9"), "other-9")]))
    return hostile, other


def serve(site, *entries):
    """Serve an RSS feed at /feed of (path, guid) or (path, guid, date) entries."""
    site.routes["/feed"] = Route(
        rss(
            item(site.url(path), guid, f"Story {guid}", *rest)
            for path, guid, *rest in entries
        )
    )


def poll(hostile, other):
    """Poll the hostile feed, then the other paper's; return the hostile report."""
    report = refresh(hostile)
    hostile.refresh_from_db()
    other_report = refresh(other)
    assert (other_report.error, other_report.new) == ("", 1)
    assert Article.objects.filter(feed=other).count() == 1
    return report


def stored(site, path):
    return Article.objects.get(canonical_url=site.url(path))


def test_json_ld_type_that_is_an_object_is_ignored(papers, site):
    hostile, other = papers
    site.routes["/story-2"] = Route(
        page(
            json_ld(
                [
                    {"@type": {"@id": "x"}, "headline": "Not an article"},
                    {
                        "@type": ["NewsArticle", {"x": 1}],
                        "author": {"name": "Jane Roe"},
                    },
                ]
            )
        ).encode()
    )
    serve(site, ("/story-1", "1"), ("/story-2", "2"), ("/story-3", "3"))
    report = poll(hostile, other)
    assert (report.error, report.new, report.problems) == ("", 3, [])
    assert stored(site, "/story-2").byline == "Jane Roe"


def test_json_ld_image_url_that_is_a_number_is_ignored(papers, site):
    hostile, other = papers
    site.routes["/story-2"] = Route(
        page(
            json_ld(
                {
                    "@type": "NewsArticle",
                    "headline": {"@value": 7},
                    "image": {"url": 42, "caption": {"text": "x"}},
                    "inLanguage": {"name": "English"},
                }
            )
            + '<meta property="og:image" content="/lead.jpg">'
        ).encode()
    )
    serve(site, ("/story-1", "1"), ("/story-2", "2"), ("/story-3", "3"))
    report = poll(hostile, other)
    assert (report.error, report.new, report.problems) == ("", 3, [])
    article = stored(site, "/story-2")
    assert article.image == site.url("/lead.jpg")
    assert (article.image_caption, article.language) == ("", "")


def test_json_feed_whose_items_is_a_number_fails_with_a_reason(papers, site):
    hostile, other = papers
    body = {"version": JSON_FEED, "title": "J", "items": 5}
    site.routes["/feed"] = Route(json.dumps(body).encode())
    report = poll(hostile, other)
    assert "items" in report.error
    assert hostile.health == Feed.Health.FAILING and "items" in hostile.last_error
    assert not Article.objects.filter(feed=hostile).exists()


def test_json_feed_odd_items_cost_only_themselves(papers, site):
    hostile, other = papers
    items = [
        {"id": "1", "url": site.url("/story-1"), "title": "One", "authors": 5},
        {"id": "2", "url": {"href": site.url("/story-2")}, "title": "Two"},
        7,
        {"id": "3", "url": site.url("/story-3"), "title": {"t": 1}, "author": "x"},
    ]
    body = {"version": JSON_FEED, "title": "J", "items": items}
    site.routes["/feed"] = Route(json.dumps(body).encode())
    site.routes["/story-3"] = Route(page("<title>Three, the page's</title>").encode())
    report = poll(hostile, other)
    assert report.error == ""
    assert stored(site, "/story-1").headline == "One"
    assert stored(site, "/story-3").headline == "Three, the page's"
    assert not Article.objects.filter(canonical_url=site.url("/story-2")).exists()
    assert not Article.objects.filter(canonical_url=site.url("/feed")).exists()
    assert any("no http(s) link" in problem for problem in report.problems)


EXTREME_ISO = [
    "9999-12-31T23:00:00-05:00",
    "0001-01-01T01:00:00+05:00",
    "0001-01-01T00:00:00Z",
]
EXTREME_RFC822 = [
    "Fri, 31 Dec 9999 23:00:00 -0500",
    "Mon, 01 Jan 0001 01:00:00 +0500",
]


def assert_flagged_now(article):
    assert article.date_flagged
    assert article.published_at <= article.fetched_at
    assert article.published_at.year >= 1900 and article.updated_at.year >= 1900


@pytest.mark.parametrize("date", EXTREME_RFC822)
def test_rss_date_at_the_calendars_ends(papers, site, date):
    hostile, other = papers
    serve(site, ("/story-1", "1"), ("/story-2", "2", date), ("/story-3", "3"))
    report = poll(hostile, other)
    assert (report.error, report.new) == ("", 3)
    assert_flagged_now(stored(site, "/story-2"))


@pytest.mark.parametrize("date", EXTREME_ISO)
def test_json_feed_date_at_the_calendars_ends(papers, site, date):
    hostile, other = papers
    items = [
        {"id": str(n), "url": site.url(f"/story-{n}"), "title": f"S{n}"}
        for n in (1, 2, 3)
    ]
    items[1]["date_published"] = items[1]["date_modified"] = date
    body = {"version": JSON_FEED, "title": "J", "items": items}
    site.routes["/feed"] = Route(json.dumps(body).encode())
    report = poll(hostile, other)
    assert (report.error, report.new) == ("", 3)
    assert_flagged_now(stored(site, "/story-2"))


@pytest.mark.parametrize("date", EXTREME_ISO)
def test_page_date_at_the_calendars_ends(papers, site, date):
    hostile, other = papers
    head = json_ld(
        {"@type": "NewsArticle", "datePublished": date, "dateModified": date}
    )
    site.routes["/story-2"] = Route(page(head).encode())
    serve(site, ("/story-1", "1"), ("/story-2", "2", ""), ("/story-3", "3"))
    report = poll(hostile, other)
    assert (report.error, report.new) == ("", 3)
    assert_flagged_now(stored(site, "/story-2"))


@pytest.mark.parametrize("date", EXTREME_ISO)
def test_sitemap_date_at_the_calendars_ends(papers, site, date):
    hostile, other = papers
    urls = "".join(
        f"<url><loc>{site.url(f'/story-{n}')}</loc>"
        + (f"<lastmod>{date}</lastmod>" if n == 2 else "")
        + "</url>"
        for n in (1, 2, 3)
    )
    site.routes["/feed"] = Route(
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
        + b'sitemap/0.9">'
        + urls.encode()
        + b"</urlset>"
    )
    for n in (1, 2, 3):
        site.routes[f"/story-{n}"] = Route(page(f"<title>Story {n}</title>").encode())
    report = poll(hostile, other)
    assert (report.error, report.new) == ("", 3)
    assert_flagged_now(stored(site, "/story-2"))


def test_guid_moved_to_another_stored_url(papers, site):
    """Story 1's GUID now points at story 2's URL: the URL names the article (it
    is updated), the GUID stays with the article that has it, nothing crashes."""
    hostile, other = papers
    serve(site, ("/story-1", "1"), ("/story-2", "2"))
    assert refresh(hostile).new == 2
    guid_1, guid_2 = (stored(site, path).guid for path in ("/story-1", "/story-2"))
    site.routes["/feed"] = Route(
        rss(
            [
                item(site.url("/story-3"), "3", "Story 3"),
                item(site.url("/story-2"), "1", "Story 2, retitled"),
            ]
        )
    )
    report = poll(hostile, other)
    assert report.error == ""
    assert (report.new, report.updated) == (1, 1)
    moved = stored(site, "/story-2")
    assert (moved.headline, moved.guid) == ("Story 2, retitled", guid_2)
    assert stored(site, "/story-1").guid == guid_1


def test_link_longer_than_the_column_is_refused(papers, site):
    """Run on PostgreSQL too: there an over-long value is a DataError."""
    hostile, other = papers
    long_path = "/story-1?q=" + "x" * 1100
    site.routes[long_path] = Route(page().encode())
    long_url = site.url("/story-2?q=" + "y" * 1100)
    site.routes["/story-2"] = Route(
        page(f'<link rel="canonical" href="{long_url}">').encode()
    )
    long_image = site.url("/i.jpg?q=" + "z" * 1100)
    site.routes["/story-3"] = Route(
        page(f'<meta property="og:image" content="{long_image}">').encode()
    )
    serve(site, (long_path, "1"), ("/story-2", "2"), ("/story-3", "3"))
    report = poll(hostile, other)
    assert (report.error, report.new, report.skipped) == ("", 2, 1)
    assert any("longer than 1000" in problem for problem in report.problems)
    assert stored(site, "/story-2").canonical_url == site.url("/story-2")
    assert stored(site, "/story-3").image == ""


def test_bidi_controls_are_removed_from_headlines_and_bylines(papers, site):
    hostile, other = papers
    items = [
        {
            "id": "1",
            "url": site.url("/story-1"),
            "title": "Ballot \u202egnp.exe\u202c counted",
            "authors": [{"name": "\u2067Jane\u2069 \u202aRoe\u202c"}],
            "summary": "A \u202dsummary\u202c \u2066here\u2069.",
        }
    ]
    body = {"version": JSON_FEED, "title": "J", "items": items}
    site.routes["/feed"] = Route(json.dumps(body).encode())
    poll(hostile, other)
    article = stored(site, "/story-1")
    assert article.headline == "Ballot gnp.exe counted"
    assert article.byline == "Jane Roe"


def test_lone_surrogates_in_a_json_feed_are_dropped(papers, site):
    """JSON can spell half a UTF-16 pair ("\\ud800"), which no UTF-8 encoder,
    hash or database takes. Run on PostgreSQL too."""
    hostile, other = papers
    del site.routes["/story-1"]  # the feed's content is what is kept
    site.routes["/feed"] = Route(
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1",'
        + f'"url": "{site.url("/story-1")}", '.encode()
        + b'"title": "Half \\ud800a pair", "summary": "Sum\\udfffmary",'
        + b'"content_html": "<p>Body \\ud83d text</p>"}]}'
    )
    report = poll(hostile, other)
    assert (report.error, report.new, report.problems) == ("", 1, [])
    article = stored(site, "/story-1")
    assert (article.headline, article.dek) == ("Half a pair", "Summary")
    assert article.body_text == "Body text"


@pytest.fixture
def failing_receiver():
    """Connect `receiver` to `signal` for the test, disconnected after it."""
    connected = []

    def connect(signal, receiver):
        signal.connect(receiver)
        connected.append((signal, receiver))

    yield connect
    for signal, receiver in connected:
        signal.disconnect(receiver)


def test_a_write_the_database_refuses_costs_that_entry_alone(
    papers, site, failing_receiver
):
    """Story 2's transaction takes story 1's URL (a real IntegrityError): story
    2 is rolled back and skipped with the reason, the connection serves story 3.
    Run on PostgreSQL too (an aborted transaction poisons what follows)."""
    from briefings.articles.signals import article_stored

    hostile, other = papers

    def steal_a_url(sender, article, **kwargs):
        if article.headline == "Story 2":
            taken = site.url("/story-1")
            Article.objects.filter(pk=article.pk).update(canonical_url=taken)

    failing_receiver(article_stored, steal_a_url)
    serve(site, ("/story-1", "1"), ("/story-2", "2"), ("/story-3", "3"))
    report = poll(hostile, other)
    assert (report.error, report.new, report.skipped) == ("", 2, 1)
    assert report.problems[0].startswith("skipped: not stored (IntegrityError")
    assert not Article.objects.filter(headline="Story 2").exists()
    assert stored(site, "/story-3").headline == "Story 3"


def test_an_unexpected_error_costs_that_entry_alone(papers, site, failing_receiver):
    from briefings.articles.signals import article_stored

    hostile, other = papers

    def fail(sender, article, **kwargs):
        if article.headline == "Story 2":
            raise RuntimeError("a bug met story 2")

    failing_receiver(article_stored, fail)
    serve(site, ("/story-1", "1"), ("/story-2", "2"), ("/story-3", "3"))
    report = poll(hostile, other)
    assert (report.error, report.new, report.skipped) == ("", 2, 1)
    assert report.problems[0].startswith(
        "skipped: unexpected error (RuntimeError: a bug met story 2"
    )
    assert not Article.objects.filter(headline="Story 2").exists()
    assert hostile.health == Feed.Health.OK


def test_an_unexpected_error_of_the_feed_is_recorded_on_it(
    papers, site, failing_receiver
):
    from django.db.models.signals import pre_save

    hostile, other = papers

    def fail_on_success(sender, instance, **kwargs):
        if instance.pk == hostile.pk and instance.health == Feed.Health.OK:
            raise RuntimeError("a bug met the feed")

    failing_receiver(pre_save, fail_on_success)
    serve(site, ("/story-1", "1"), ("/story-2", "2"))
    report = poll(hostile, other)
    assert report.error == "refresh failed (RuntimeError: a bug met the feed)"
    assert hostile.health == Feed.Health.FAILING
    assert hostile.last_error == report.error and hostile.error_count == 1
    assert Article.objects.filter(feed=hostile).count() == 2


@pytest.mark.django_db(transaction=True)
def test_ingest_command_reports_failures_and_goes_on(papers, site, capsys):
    hostile, other = papers
    Feed.objects.exclude(pk__in=[hostile.pk, other.pk]).update(enabled=False)
    broken = Feed.objects.create(
        publication=hostile.publication,
        url=site.url("/broken"),
        allow_private_network=True,
    )
    body = {"version": JSON_FEED, "title": "J", "items": 5}
    site.routes["/broken"] = Route(json.dumps(body).encode())
    site.routes["/story-2"] = Route(page(json_ld({"@type": {"x": 1}})).encode())
    long_path = "/story-3?q=" + "x" * 1100
    serve(
        site,
        ("/story-1", "1", "Fri, 31 Dec 9999 23:00:00 -0500"),
        ("/story-2", "2"),
        (long_path, "3"),
    )
    call_command("ingest", "--once")
    out = capsys.readouterr().out
    assert f"failed {broken.url}" in out and "items" in out
    assert "1 x skipped: link longer than 1000 characters" in out
    assert Article.objects.filter(feed=hostile).count() == 2
    assert Article.objects.filter(feed=other).count() == 1
