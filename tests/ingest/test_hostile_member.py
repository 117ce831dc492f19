"""A scripted hostile member paper (issue #11): one paper of the network serves
every attack the red team found, all at once, beside honest demo papers. The
honest papers are ingested on schedule by the real scheduler, the hostile
paper's failures are recorded with reasons, and nothing it serves reaches
another paper's articles, a subscriber's token or the scheduler's life."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest

from django.conf import settings
from django.utils import timezone

from briefings.articles.models import Article
from briefings.demo.network import DemoNetwork
from briefings.demo.register import register_demo_feeds
from briefings.demo.server import DemoServer
from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed, Publication

from ..conftest import require_demo_corpus
from .conftest import give_hosts

PLACEHOLDER = "BRIEFINGS-SUBSCRIBER-TOKEN"
HONEST = 4  # demo papers ingested beside the hostile one
HOSTILE_SLUG = "the-nation-thailand"
DEADLINE = 90  # seconds the whole scenario may take, at most
# More slow-loris feeds than the scheduler has threads, all due first.
SLOW_FEEDS = tuple(f"/slow-{n}" for n in range(6))
HOSTILE_FEEDS = ("/bomb", "/feed.json", "/rss", *SLOW_FEEDS)
# Those the scenario waits for: every attack, and the first slow loris (the
# others wait their turn behind it: one refresh per paper at a time).
AWAITED = HOSTILE_FEEDS[:4]
ON_SCHEDULE = 10  # seconds after falling due by which an honest feed is taken


def _article_page(title, words=120):
    body = "<p>" + " ".join(["Honest-looking words of a long report."] * 8) + "</p>"
    return (
        f"<html><head><title>{title}</title>"
        '<script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": {"evil": "object"},'
        ' "headline": ["not", "a", "string"], "image": {"url": 12345},'
        ' "datePublished": "9999-12-31T23:59:59+14:00",'
        ' "author": {"name": {"nested": 1}}}'
        "</script></head><body><article>"
        f"<h1>{title}</h1>{body * (words // 40 + 1)}</article></body></html>"
    ).encode()


class HostilePaper:
    """A member paper's web server that attacks whoever polls it.

    Routes: /rss (every malformed entry at once, thousands of them), /feed.json
    (a JSON Feed whose `items` is a number), /slow (a status line, then one
    header byte every half second), /bomb (a Brotli bomb: 809 bytes that decode
    to 512 MB), /redirect/... (redirects to another paper's article), and an
    article page for every other path.
    """

    def __init__(self, victim_urls):
        self.victim_urls = victim_urls
        self.polls = 0
        self.stopping = threading.Event()
        self.bomb = brotli.compress(b"\0" * (512 * 1024 * 1024), quality=5)
        paper = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's naming)
                paper.route(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def send(self, handler, body, content_type="text/html", headers=()):
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        for name, value in headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def route(self, handler):
        path = handler.path
        if path == "/rss":
            self.polls += 1
            return self.send(handler, self.rss(), "application/rss+xml")
        if path == "/feed.json":
            body = json.dumps({"version": "https://jsonfeed.org/version/1.1",
                               "title": "Hostile", "items": 5}).encode()  # fmt: skip
            return self.send(handler, body, "application/feed+json")
        if path.startswith("/slow"):
            return self.trickle(handler)
        if path == "/bomb":
            return self.send(
                handler, self.bomb, "application/rss+xml",
                [("Content-Encoding", "br")],
            )  # fmt: skip
        if path.startswith("/redirect/"):
            index = int(path.rsplit("/", 1)[1])
            handler.send_response(302)
            handler.send_header("Location", self.victim_urls[index])
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return None
        return self.send(handler, _article_page(f"Hostile page {path[:40]}"))

    def trickle(self, handler):
        """Slow loris: one header byte every half second, for up to 60 s."""
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(120):
            if self.stopping.wait(0.5):
                return
            try:
                handler.wfile.write(b"a")
                handler.wfile.flush()
            except OSError:
                return

    def rss(self):
        """Every malformed entry at once; the GUID 'moved' changes URL each poll."""
        own = self.base
        items = [
            # Another paper's article, by its URL and through a redirect.
            self.item("hijack-0", "HIJACKED headline", self.victim_urls[0]),
            self.item("hijack-1", "HIJACKED via redirect", f"{own}/redirect/1"),
            # The subscriber-token placeholder in every paper-controlled field.
            self.item(
                "token",
                f"Look {PLACEHOLDER} here",
                f"{own}/token",
                description=(
                    f'&lt;img src="{own}/img/{PLACEHOLDER}/x.png"&gt;'
                    f"Text {PLACEHOLDER.lower()} and BRIEFINGS\u2011SUBSCRIBER-TOKEN"
                ),
                extra=(
                    f'<media:content url="{own}/img/{PLACEHOLDER}/a.jpg" '
                    'medium="image" type="image/jpeg"/>'
                ),
            ),
            # Bidi overrides, dates out of range, an over-long link.
            self.item("bidi", "Evil \u202egnp.exe headline", f"{own}/bidi"),
            self.item(
                "far", "Year 9999", f"{own}/far", date="Fri, 31 Dec 9999 23:59:59 +1400"
            ),
            self.item(
                "early",
                "Year 1",
                f"{own}/early",
                date="Mon, 01 Jan 0001 00:00:00 -1200",
            ),
            self.item("long", "A long link", f"{own}/{'x' * 1200}"),
            # A GUID that moves to another URL on every poll.
            self.item("moved", "Moving GUID", f"{own}/moved-{self.polls}"),
        ]
        # A flood: thousands of entries in one poll.
        items += [
            self.item(f"flood-{n}", f"Flood story {n}", f"{own}/flood/{n}")
            for n in range(3000)
        ]
        return (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
            "<channel><title>Hostile</title>" + "".join(items) + "</channel></rss>"
        ).encode()

    @staticmethod
    def item(guid, title, link, description="Plain.", date=None, extra=""):
        date = date or timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
        return (
            f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
            f"<pubDate>{date}</pubDate><description>{description}</description>"
            f"{extra}</item>"
        )


@pytest.fixture
def honest_demo(network):
    corpus = require_demo_corpus()
    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    papers = [p for p in net.papers if p.slug != HOSTILE_SLUG and p.items][:HONEST]
    with DemoServer(net, port=0) as server:
        register_demo_feeds(server, papers)
        yield papers, server


@pytest.fixture
def hostile_paper(honest_demo):
    papers, server = honest_demo
    victim = papers[0]
    victim_urls = [server.article_url(victim.slug, item) for item in victim.items[:2]]
    paper = HostilePaper(victim_urls)
    yield paper
    paper.stop()


def hostile_feeds(paper):
    publication = give_hosts(
        Publication.objects.get(slug=HOSTILE_SLUG), paper.base.split("//")[1]
    )
    # All due before the honest papers' feeds; the paper's feeds are polled
    # one at a time, in this order, the slow ones last (30 s each).
    earlier = timezone.now() - timedelta(minutes=5)
    return [
        Feed.objects.create(
            publication=publication,
            url=f"{paper.base}{path}",
            allow_private_network=True,
            enabled=True,
            next_check_at=earlier + timedelta(seconds=n),
        )
        for n, path in enumerate(HOSTILE_FEEDS)
    ]


def stored_text():
    for article in Article.objects.all():
        yield from (
            article.headline,
            article.dek,
            article.byline,
            article.body_html,
            article.image,
            article.canonical_url,
        )


@pytest.mark.django_db(transaction=True)
def test_a_hostile_member_paper_leaves_the_rest_of_the_network_ingesting(
    honest_demo, hostile_paper
):
    from briefings.ingest.poller import poll_forever
    from briefings.ingest.system import Supervisor
    from briefings.network.models import Heartbeat

    papers, server = honest_demo
    victim = papers[0]
    # The victim's feed is read first: its stories exist before the attack.
    victim_feed = Feed.objects.get(url=server.feed_url(victim.slug))
    assert refresh(victim_feed).error == ""
    victim_before = {
        a.canonical_url: (a.headline, a.body_html, a.content_hash)
        for a in Article.objects.filter(publication__slug=victim.slug)
    }
    assert hostile_paper.victim_urls[0] in victim_before

    hostile = hostile_feeds(hostile_paper)
    honest = list(Feed.objects.filter(origin=Feed.Origin.DEMO, enabled=True))
    Feed.objects.filter(pk__in=[f.pk for f in honest]).update(
        next_check_at=timezone.now()
    )
    started = timezone.now()
    # The scheduler as `briefings run` starts it: supervised, polling every 1 s.
    stop = threading.Event()
    supervisor = Supervisor(stop, restart_after=0.5)
    supervisor.start(Heartbeat.POLLER, poll_forever, interval=1.0)
    watcher = threading.Thread(target=supervisor.watch, args=(0.2,), daemon=True)
    watcher.start()
    try:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            done = Feed.objects.filter(
                pk__in=[f.pk for f in honest], last_success_at__gte=started
            ).count()
            tried = Feed.objects.filter(
                pk__in=[f.pk for f in hostile if f.url.endswith(AWAITED)],
                last_checked_at__gte=started,
            ).count()
            if done == len(honest) and tried == len(AWAITED):
                break
            time.sleep(0.5)
        honest_done_at = {
            f.url: f.last_success_at
            for f in Feed.objects.filter(pk__in=[f.pk for f in honest])
        }
        # The scheduler is still alive: a feed made due now is polled again.
        Feed.objects.filter(pk=victim_feed.pk).update(next_check_at=timezone.now())
        again = time.monotonic() + 30
        while time.monotonic() < again:
            victim_feed.refresh_from_db()
            if victim_feed.last_checked_at and victim_feed.last_checked_at > max(
                honest_done_at.values()
            ):
                break
            time.sleep(0.5)
    finally:
        stop.set()
        hostile_paper.stopping.set()  # end the trickle, so the threads can end
        watcher.join(timeout=30)
        supervisor.join(timeout=60)

    # Every honest paper was read, each within the deadline, none held back.
    # (last_success_at is when the successful refresh began.)
    late = [
        url
        for url, at in honest_done_at.items()
        if not at or not started <= at < started + timedelta(seconds=ON_SCHEDULE)
    ]
    assert late == [], "honest papers waited for the hostile one"
    assert hostile_paper.polls >= 1
    assert Heartbeat.objects.get(name=Heartbeat.POLLER).restarts == 0
    assert victim_feed.last_checked_at > max(honest_done_at.values())
    for paper in papers:
        assert Article.objects.filter(publication__slug=paper.slug).count() == min(
            len(paper.items), 50
        )

    # The victim's stories are untouched and credited to the victim alone.
    victim_after = {
        a.canonical_url: (a.headline, a.body_html, a.content_hash)
        for a in Article.objects.filter(publication__slug=victim.slug)
    }
    assert victim_after == victim_before
    assert not Article.objects.filter(headline__startswith="HIJACKED").exists()
    assert not Article.objects.filter(
        publication__slug=HOSTILE_SLUG, canonical_url__in=hostile_paper.victim_urls
    ).exists()

    # Nothing stored carries the token placeholder, a look-alike or a bidi control.
    for text in stored_text():
        folded = text.upper().replace("\u2011", "-")
        assert PLACEHOLDER not in folded
        assert not any(c in text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067")

    # The flood is capped per poll; every hostile feed's failure has a reason.
    stored = Article.objects.filter(publication__slug=HOSTILE_SLUG).count()
    assert 0 < stored <= settings.BRIEFINGS_FEED_MAX_NEW + 8
    for feed in Feed.objects.filter(pk__in=[f.pk for f in hostile]):
        if feed.url.endswith(("/bomb", "/feed.json", SLOW_FEEDS[0])):
            assert feed.health == Feed.Health.FAILING, feed.url
            assert feed.last_error, feed.url
