"""`briefings doctor`: check the configuration, the email settings and every
member paper's feeds, and say what to fix.

Each check returns Findings; none raises. A feed is read as the scheduler
reads it (robots.txt, the host's limits, the guarded client), so a refusal
here is the refusal the scheduler meets.
"""

import smtplib
import ssl
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from briefings.ingest.fetch import FEED_MAX_BYTES, FetchError, FetchPolicy
from briefings.ingest.pipeline import FEED_ACCEPT, polite_fetch
from briefings.ingest.politeness import HostDeferred
from briefings.network.models import Publication

OK, WARN, FAIL = "ok", "warn", "fail"
FEED_DEADLINE = 15.0  # seconds for one feed, redirects included
SMTP_TIMEOUT = 10


@dataclass
class Finding:
    level: str
    area: str
    message: str
    fix: str = ""


# ── configuration ──
def check_configuration():
    yield from check_database()
    yield from check_zones()
    if settings.DEBUG:
        yield Finding(FAIL, "config", "DEBUG is on", "set DEBUG=false in production")
    site = settings.BRIEFINGS_SITE_URL
    if "127.0.0.1" in site or "localhost" in site:
        yield Finding(
            WARN,
            "config",
            f"BRIEFINGS_SITE_URL is {site}: links in emails lead there",
            "set BRIEFINGS_SITE_URL to the site's public address",
        )
    if not settings.BRIEFINGS_SITE_URL.startswith("https://") or not getattr(
        settings, "SECURE_SSL_REDIRECT", False
    ):
        yield Finding(
            WARN,
            "config",
            "the site is not served over HTTPS only",
            "serve it over HTTPS and set BRIEFINGS_HTTPS=true",
        )


def check_database():
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        yield Finding(
            FAIL,
            "config",
            f"the database cannot be reached ({exc})",
            "check DATABASE_URL",
        )
        return
    if plan:
        yield Finding(
            FAIL,
            "config",
            f"{len(plan)} migration(s) not applied",
            "run `briefings migrate`",
        )
    else:
        yield Finding(OK, "config", f"database {connection.vendor} up to date")


def check_zones():
    for name in ("NEWSLETTER_TIMEZONE", "BRIEFINGS_DESK_TIMEZONE"):
        value = getattr(settings, name)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            yield Finding(
                FAIL,
                "config",
                f"{name}={value!r} is no time zone",
                "e.g. Asia/Singapore",
            )
    try:
        datetime.strptime(settings.NEWSLETTER_SEND_TIME, "%H:%M")
    except ValueError:
        yield Finding(
            FAIL,
            "config",
            f"NEWSLETTER_SEND_TIME={settings.NEWSLETTER_SEND_TIME!r} is no HH:MM time",
            "e.g. NEWSLETTER_SEND_TIME=06:00",
        )


# ── email ──
def check_email():
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    sender = settings.DEFAULT_FROM_EMAIL
    if sender.rstrip(">").endswith("@localhost"):
        yield Finding(
            WARN,
            "email",
            f"DEFAULT_FROM_EMAIL is {sender}: mail from localhost is refused or "
            "marked as spam",
            "set DEFAULT_FROM_EMAIL to an address of your domain",
        )
    if backend != "smtp":
        level = OK if backend == "anymail" else WARN
        yield Finding(
            level,
            "email",
            f"email goes to the {backend} backend"
            + ("" if level == OK else ": nothing reaches a mailbox"),
            "" if level == OK else "set EMAIL_URL=smtp://user:password@host:587?tls=1",
        )
        return
    yield check_smtp()


def check_smtp():
    host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
    where = f"{host}:{port}"
    client = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
    try:
        with client(host, port, timeout=SMTP_TIMEOUT) as smtp:
            smtp.ehlo()
            if settings.EMAIL_USE_TLS:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.EMAIL_HOST_USER:
                smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
    except smtplib.SMTPAuthenticationError as exc:
        return Finding(
            FAIL,
            "email",
            f"the mail server {where} refused the login ({exc.smtp_code})",
            "check the user and password in EMAIL_URL",
        )
    except (OSError, smtplib.SMTPException) as exc:
        return Finding(
            FAIL,
            "email",
            f"the mail server {where} cannot be used ({type(exc).__name__}: {exc})",
            "check the host and port in EMAIL_URL, and that this machine may "
            "connect to it (firewall, provider blocking port 25)",
        )
    return Finding(OK, "email", f"the mail server {where} accepts us")


# ── feeds ──
def read_feed(feed):
    """Return a Finding about reading `feed` now."""
    policy = FetchPolicy(
        max_bytes=FEED_MAX_BYTES,
        deadline=FEED_DEADLINE,
        allow_private=feed.allow_private_network,
    )
    area = f"feeds: {feed.publication.name}"
    try:
        result = polite_fetch(feed.url, policy, accept=FEED_ACCEPT)
    except HostDeferred as exc:
        return Finding(WARN, area, f"{feed.url}: the paper asked us to wait ({exc})")
    except FetchError as exc:
        return Finding(FAIL, area, f"{feed.url}: {exc}", feed_fix(exc))
    size = len(result.content) // 1024
    return Finding(OK, area, f"{feed.url}: HTTP {result.status}, {size} KB")


def feed_fix(error):
    """What to do about a feed that cannot be read, from its error."""
    text = str(error)
    if error.status in (404, 410):
        return (
            "the feed moved or is gone: `briefings discover_feeds` finds the "
            "paper's current feeds; fix or disable it in the admin"
        )
    if error.status in (401, 403):
        return (
            "the paper refuses us: ask it to allow our User-Agent, or disable the feed"
        )
    # A robots.txt that cannot be read wraps the network's error: look at that
    # first.
    if any(word in text for word in ("resolution", "resolve", "not known")):
        return "the host name does not resolve: check the URL, or this machine's DNS"
    if any(word in text for word in ("ConnectError", "Timeout", "timed out")):
        return (
            "the paper's server does not answer: check that this machine reaches "
            "the internet (firewall, proxy), then try again later"
        )
    if "robots.txt" in text:
        return "the paper's robots.txt disallows us: ask the paper, or disable the feed"
    if "public address" in text:
        return (
            "the feed is on a private address: allow it only for your own test network"
        )
    return (
        "check that this machine reaches the internet, then try the feed in a browser"
    )


def check_feeds(workers=8):
    """Read every enabled feed of every enabled paper, several at once."""
    papers = list(Publication.objects.enabled().prefetch_related("feeds"))
    feeds = []
    for paper in papers:
        enabled = [f for f in paper.feeds.all() if f.enabled]
        if not enabled:
            yield Finding(
                WARN,
                f"feeds: {paper.name}",
                "no enabled feed: nothing comes in from this paper",
                "add one with `briefings add_feed` or in the admin",
            )
        feeds += enabled
    # The threads only fetch: the feeds (with their papers) are loaded here.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        yield from pool.map(read_feed, feeds)


def diagnose(feeds=True):
    """Return every Finding, configuration first."""
    findings = [*check_configuration(), *check_email()]
    if feeds:
        findings += list(check_feeds())
    return findings
