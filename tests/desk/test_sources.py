"""Sources on the desk: enable, disable and "check now" on the feeds, each in
the feed's history; the rule tester fetches only the paper's own pages and shows
what its rules extract, sanitized."""

import pytest

from django.contrib.admin.models import LogEntry
from django.urls import reverse

from briefings.articles.models import Article
from briefings.network.models import Feed, Publication

from ..ingest.conftest import LoopbackSite, Route, give_hosts

pytestmark = pytest.mark.django_db

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
<item><title>Port reopens after the storm</title><link>{base}/a</link>
<guid>g-1</guid><pubDate>Fri, 22 Nov 2019 14:05:00 +0800</pubDate>
<description>The port reopened.</description></item></channel></rss>"""

PAGE = b"""<html><head><title>Port reopens after the storm</title>
<meta property="article:published_time" content="2019-11-22T14:05:00+08:00">
</head><body><nav>Menu</nav>
<article><h1>Port reopens after the storm</h1><p class="by">By Tan Wei, Reporter</p>
<div class="story"><p>The port reopened on Friday after the storm had closed it for
three days, the authority said in a statement.</p><aside class="promo">Subscribe now
</aside><p>Ships queued outside the harbour through the night.</p>
<img src="x" onerror="alert(1)"><script>alert(2)</script></div></article>
</body></html>"""


@pytest.fixture
def site():
    site = LoopbackSite()
    yield site
    site.stop()


@pytest.fixture
def paper(network, site):
    publication = Publication.objects.get(slug="the-straits-times")
    give_hosts(publication, site.host)
    site.routes["/a"] = Route(PAGE, headers={"Content-Type": "text/html"})
    # Its feed is on loopback too: fetches for this paper may use it.
    Feed.objects.create(
        publication=publication, url=site.url("/feed"), allow_private_network=True
    )
    return publication


@pytest.fixture
def broken_feed(paper, site):
    return Feed.objects.create(
        publication=paper,
        url=site.url("/rss"),
        allow_private_network=True,
        health=Feed.Health.FAILING,
        error_count=2,
        last_error="HTTP 404",
    )


def run_action(client, action, feeds):
    return client.post(
        reverse("admin:network_feed_changelist"),
        {"action": action, "_selected_action": [f.pk for f in feeds]},
        follow=True,
    )


def test_check_now_polls_the_feed_as_the_scheduler_would(
    client, admin_user_logged_in, broken_feed, site
):
    answer = run_action(client, "check_now", [broken_feed])
    assert "failed, HTTP 404" in answer.content.decode()
    # The editor fixes the paper's side; the next check reads it.
    site.routes["/rss"] = Route(FEED.format(base=site.base_url).encode())
    answer = run_action(client, "check_now", [broken_feed])
    assert "read, 1 new" in answer.content.decode()
    broken_feed.refresh_from_db()
    assert broken_feed.health == Feed.Health.OK and broken_feed.error_count == 0
    assert Article.objects.get().headline == "Port reopens after the storm"
    history = LogEntry.objects.filter(object_id=str(broken_feed.pk)).order_by("pk")
    assert [e.get_change_message()[:12] for e in history] == ["Checked now:"] * 2
    assert history[0].user == admin_user_logged_in


def test_check_now_is_bounded(client, admin_user_logged_in, paper, site):
    feeds = [
        Feed.objects.create(
            publication=paper, url=site.url(f"/f{i}"), allow_private_network=True
        )
        for i in range(7)
    ]
    answer = run_action(client, "check_now", feeds).content.decode()
    assert "Only the first 5 selected feeds were checked" in answer
    assert len({path for path, _ in site.requests if path.startswith("/f")}) == 5


def test_disable_and_enable_are_logged_and_restart_a_disabled_feed(
    client, admin_user_logged_in, broken_feed
):
    run_action(client, "disable_feeds", [broken_feed])
    broken_feed.refresh_from_db()
    assert not broken_feed.enabled
    # As the scheduler leaves a feed after 50 failures:
    Feed.objects.filter(pk=broken_feed.pk).update(
        health=Feed.Health.DISABLED, error_count=50
    )
    answer = run_action(client, "enable_feeds", [broken_feed]).content.decode()
    assert "1 feed(s) enabled" in answer
    broken_feed.refresh_from_db()
    assert broken_feed.enabled and broken_feed.next_check_at is None
    assert (broken_feed.health, broken_feed.error_count) == (Feed.Health.NEW, 0)
    messages = [
        e.get_change_message()
        for e in LogEntry.objects.filter(object_id=str(broken_feed.pk)).order_by("pk")
    ]
    assert messages == ["Disabled", "Enabled"]


def test_the_feeds_list_cuts_long_urls_and_errors(client, admin_user_logged_in, paper):
    long_error = "connection refused " * 20
    Feed.objects.create(
        publication=paper,
        url="https://example.org/" + "very-long-path/" * 10 + "rss",
        last_error=long_error,
    )
    page = client.get(reverse("admin:network_feed_changelist")).content.decode()
    assert f'title="{long_error}"' in page
    assert long_error[:59] + "…" in page


def post_tester(client, **data):
    return client.post(reverse("desk:rule-tester"), data)


def test_the_rule_tester_extracts_with_the_papers_rules(
    client, admin_user_logged_in, paper, site
):
    rules = (
        '{"body": "div.story", "strip": ["aside.promo"], "byline": "p.by", '
        '"byline_strip": ", Reporter$"}'
    )
    answer = post_tester(client, publication=paper.pk, url=site.url("/a"), rules=rules)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="rt-headline">Port reopens after the storm<' in page
    assert 'id="rt-byline">By Tan Wei<' in page
    assert "the rule&#x27;s body selector" in page or "the rule's body selector" in page
    assert "Ships queued outside the harbour" in page
    assert "Subscribe now" not in page
    # Sanitized as at ingest: no script, no event handler.
    assert "alert(" not in page and "onerror" not in page
    assert 'datetime="2019-11-22T06:05:00Z"' in page
    # Trying saves nothing.
    paper.refresh_from_db()
    assert paper.extraction_rules == {}


def test_saving_tried_rules_writes_them_in_the_papers_history(
    client, admin_user_logged_in, paper, site
):
    rules = '{"body": "div.story"}'
    answer = client.post(
        reverse("desk:rule-tester"),
        {"publication": paper.pk, "url": site.url("/a"), "rules": rules, "save": "1"},
    )
    assert answer.status_code == 302
    paper.refresh_from_db()
    assert paper.extraction_rules == {"body": "div.story"}
    entry = LogEntry.objects.get(object_id=str(paper.pk))
    assert "div.story" in entry.get_change_message()
    # The tester opens again on the paper's saved rules.
    again = client.get(answer["Location"]).content.decode()
    assert "div.story" in again


def test_the_rule_tester_fetches_nothing_off_the_papers_hosts(
    client, admin_user_logged_in, paper, site
):
    other = LoopbackSite()
    try:
        page = post_tester(
            client, publication=paper.pk, url=other.url("/a"), rules=""
        ).content.decode()
        assert "is not on The Straits Times&#x27;s own hosts" in page
        assert other.requests == []
    finally:
        other.stop()


def test_the_rule_tester_refuses_a_redirect_off_the_papers_hosts(
    client, admin_user_logged_in, paper, site
):
    other = LoopbackSite()
    try:
        site.routes["/moved"] = Route(
            b"", 302, headers={"Location": other.url("/elsewhere")}
        )
        other.routes["/elsewhere"] = Route(PAGE)
        page = post_tester(
            client, publication=paper.pk, url=site.url("/moved"), rules=""
        ).content.decode()
        assert "redirected off the paper" in page
        assert "rt-headline" not in page
    finally:
        other.stop()


def test_the_rule_tester_reads_an_uploaded_page(client, admin_user_logged_in, paper):
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(
        reverse("desk:rule-tester"),
        {
            "publication": paper.pk,
            "page": SimpleUploadedFile("saved.html", PAGE, "text/html"),
            "rules": "",
        },
    )
    page = answer.content.decode()
    assert 'id="rt-headline">Port reopens after the storm<' in page
    assert "the generic extractor" in page


@pytest.mark.parametrize(
    "rules, message",
    [
        ("{not json", "not JSON"),
        ('["div"]', "the rules are a JSON object"),
        ('{"bodyy": "div"}', "unknown key"),
        ('{"body": "div[["}', "is no CSS selector"),
        ('{"strip": ["p", 3]}', "strip is a list of CSS selectors"),
        ('{"byline_strip": "(("}', "is no regular expression"),
    ],
)
def test_the_rule_tester_says_what_is_wrong_with_rules(
    client, admin_user_logged_in, paper, site, rules, message
):
    page = post_tester(
        client, publication=paper.pk, url=site.url("/a"), rules=rules
    ).content.decode()
    assert message in page
    assert site.requests == []


def test_the_rule_tester_needs_a_url_or_a_page(client, admin_user_logged_in, paper):
    page = post_tester(client, publication=paper.pk, url="", rules="").content.decode()
    assert "Give an article URL or upload a saved page." in page


def test_the_rule_tester_keeps_a_public_paper_off_private_addresses(
    client, admin_user_logged_in, network, site
):
    # The paper's hosts include the loopback site, but none of its feeds may
    # use a private network: the guarded fetch refuses the address.
    publication = give_hosts(Publication.objects.get(slug="dawn"), site.host)
    site.routes["/a"] = Route(PAGE)
    page = post_tester(
        client, publication=publication.pk, url=site.url("/a"), rules=""
    ).content.decode()
    assert "not a public address" in page
    assert site.requests == []


@pytest.mark.parametrize("value", ["abc", "99999", "1 OR 1=1", ""])
def test_the_rule_tester_ignores_a_hostile_paper_id(
    client, admin_user_logged_in, value
):
    answer = client.get(reverse("desk:rule-tester"), {"publication": value})
    assert answer.status_code == 200
