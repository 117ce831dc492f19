"""A real SMTP server on loopback (aiosmtpd), and an edition ready to send."""

import asyncio
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.smtp import SMTP

from django.utils import timezone

from tests.factories import make_article

PAPERS = [
    "the-korea-herald",
    "the-straits-times",
    "the-daily-star",
    "the-jakarta-post",
    "the-star",
    "china-daily",
]


@dataclass
class Sink:
    """What the server received, and how it should answer each recipient."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list = field(default_factory=list)
    rcpt_replies: dict = field(default_factory=dict)  # address -> list of replies
    data_replies: dict = field(default_factory=dict)
    delay: float = 0.0
    pipelining: bool = False  # announce PIPELINING (RFC 2920) in the EHLO reply
    rcpt_accepted: list = field(default_factory=list)
    stall_rcpt: dict = field(default_factory=dict)  # address -> seconds, once
    stalled: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def recipients(self):
        with self.lock:
            return [r for m in self.messages for r in m["rcpt"]]

    def in_flight(self):
        """Recipients accepted by RCPT whose message has not been received."""
        with self.lock:
            received = {r for m in self.messages for r in m["rcpt"]}
            return sorted(set(self.rcpt_accepted) - received)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    def parsed(self):
        with self.lock:
            return [
                message_from_bytes(m["data"], policy=policy.SMTP) for m in self.messages
            ]

    def _next(self, replies, address):
        queue = replies.get(address)
        return queue.pop(0) if queue else None

    async def handle_RCPT(self, server, session, envelope, address, options):
        stall = self.stall_rcpt.pop(address, 0)
        if stall:
            # Hold this session's reply (other sessions go on) so a test can
            # stop the client while its round is claimed and unsent.
            self.stalled.set()
            await asyncio.sleep(stall)
        reply = self._next(self.rcpt_replies, address)
        if reply == "drop":
            server.transport.close()
            return "421 closing"
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        with self.lock:
            self.rcpt_accepted.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = self._next(self.data_replies, envelope.rcpt_tos[0])
        if reply == "drop":
            server.transport.close()
            return "421 closing"
        if reply:
            return reply
        # Like an MTA, the sink owns the message once the final dot is in: it is
        # recorded before the (optional) slow reply. aiosmtpd would otherwise drop
        # it when the client vanishes during the delay (it cancels the handler).
        with self.lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "rcpt": list(envelope.rcpt_tos),
                    "data": envelope.original_content,
                }
            )
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK queued"


@pytest.fixture
def smtp_sink():
    """Start an aiosmtpd server on a free loopback port; yield its Sink."""
    sink = Sink()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve():
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(
            loop.create_server(
                lambda: SMTP(sink, hostname="sink.test", enable_SMTPUTF8=True),
                sink.host,
                0,
            )
        )
        sink.port = server.sockets[0].getsockname()[1]
        ready.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(server.wait_closed())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    yield sink
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_sink.host
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Eastern Briefings <news@briefings.test>"
    settings.BRIEFINGS_SITE_URL = "http://testserver"
    settings.NEWSLETTER_RETRY_SECONDS = 0
    return settings


def make_day_of_articles(day, per_paper=2):
    """Create `per_paper` articles for each of PAPERS in the 24 h before the
    edition of `day` goes out; return them."""
    from briefings.network.models import Publication
    from briefings.newsletter.curate import send_moment
    from briefings.stories.assign import save_places

    end = send_moment(day)
    articles = []
    countries = dict(Publication.objects.values_list("slug", "country__name"))
    for n, slug in enumerate(PAPERS * per_paper):
        when = end - timedelta(hours=1 + n)
        articles.append(
            make_article(
                slug,
                headline=f"{slug.replace('-', ' ').title()} reports event {n} "
                f"{'alpha beta gamma delta'.split()[n % 4]} {n * 7}",
                body_text=f"Officials in {countries[slug]} spoke on event {n}.",
                published_at=when,
            )
        )
    save_places(articles)  # as the stories app does when they arrive
    return articles


def make_subscribers(count, prefix="reader", **fields):
    from briefings.newsletter.models import Subscriber

    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"{prefix}{n}@example.test",
            status=Subscriber.Status.CONFIRMED,
            confirmed_at=now,
            **fields,
        )
        for n in range(count)
    )
    return list(Subscriber.objects.filter(email__startswith=prefix).order_by("pk"))


@pytest.fixture
def edition_day():
    return (timezone.now() - timedelta(days=1)).date()


@pytest.fixture
def approved_edition(network, edition_day):
    from briefings.newsletter.curate import curate
    from briefings.newsletter.deliver import approve

    make_day_of_articles(edition_day)
    edition = curate(edition_day)
    assert approve(edition)
    edition.refresh_from_db()
    return edition
