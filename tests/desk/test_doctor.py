"""`briefings doctor`: configuration, email and every paper's feeds, each
problem with what to fix; exit 1 when something fails."""

import io
import socket

import pytest

from django.core.management import CommandError, call_command

from briefings.desk.doctor import FAIL, OK, WARN, check_email, check_feeds, diagnose
from briefings.network.models import Feed, Publication

from ..ingest.conftest import LoopbackSite, Route, give_hosts
from ..newsletter.conftest import smtp_settings, smtp_sink  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    site = LoopbackSite()
    yield site
    site.stop()


def levels(findings, area):
    return [(f.level, f.message) for f in findings if f.area.startswith(area)]


def test_configuration_problems_are_named_with_their_fix(settings, network):
    settings.DEBUG = True
    settings.NEWSLETTER_TIMEZONE = "Asia/Nowhere"
    settings.NEWSLETTER_SEND_TIME = "6 am"
    settings.BRIEFINGS_SITE_URL = "http://127.0.0.1:8000"
    findings = diagnose(feeds=False)
    config = {f.message: f for f in findings if f.area == "config"}
    assert config["DEBUG is on"].level == FAIL
    assert config["NEWSLETTER_TIMEZONE='Asia/Nowhere' is no time zone"].level == FAIL
    assert "is no HH:MM time" in " ".join(config)
    site_url = next(f for m, f in config.items() if m.startswith("BRIEFINGS_SITE_URL"))
    assert site_url.fix == "set BRIEFINGS_SITE_URL to the site's public address"
    assert any(m.startswith("database") and f.level == OK for m, f in config.items())


def test_email_to_a_working_server_passes(smtp_settings):  # noqa: F811
    (finding,) = [f for f in check_email() if f.message.startswith("the mail")]
    assert finding.level == OK


def test_email_to_a_closed_port_fails_with_a_fix(settings):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    (finding,) = [f for f in check_email() if f.message.startswith("the mail")]
    assert finding.level == FAIL and "EMAIL_URL" in finding.fix


def test_console_email_is_a_warning(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Eastern Briefings <newsletter@localhost>"
    findings = list(check_email())
    assert [f.level for f in findings] == [WARN, WARN]
    assert "nothing reaches a mailbox" in findings[1].message


def test_every_papers_feeds_are_read_and_a_broken_one_says_what_to_do(network, site):
    Feed.objects.update(enabled=False)
    paper = give_hosts(Publication.objects.get(slug="dawn"), site.host)
    site.routes["/rss"] = Route(b"<rss version='2.0'><channel/></rss>")
    Feed.objects.create(
        publication=paper, url=site.url("/rss"), allow_private_network=True
    )
    Feed.objects.create(
        publication=paper, url=site.url("/gone"), allow_private_network=True
    )
    findings = list(check_feeds())
    dawn = sorted(levels(findings, "feeds: Dawn"))
    assert dawn[0][0] == FAIL and "HTTP 404" in dawn[0][1]
    assert dawn[1][0] == OK and "HTTP 200" in dawn[1][1]
    gone = next(f for f in findings if f.level == FAIL)
    assert "discover_feeds" in gone.fix
    # Every other paper has no enabled feed: each is named.
    silent = [f for f in findings if "no enabled feed" in f.message]
    assert len(silent) == 21 and all("add_feed" in f.fix for f in silent)


def test_the_command_prints_fixes_and_fails(network, settings, site):
    settings.DEBUG = True
    Feed.objects.update(enabled=False)
    out = io.StringIO()
    with pytest.raises(CommandError, match="check\\(s\\) failed"):
        call_command("doctor", "--quiet", stdout=out)
    text = out.getvalue()
    assert "FAIL config: DEBUG is on" in text
    assert "fix: set DEBUG=false in production" in text
    assert "ok  " not in text


@pytest.mark.parametrize(
    "error, fix",
    [
        (
            "cannot read https://x.test/robots.txt (ConnectError: cannot resolve "
            "x.test: [Errno -2] Name or service not known); nothing is fetched",
            "does not resolve",
        ),
        ("ConnectError: [Errno 111] Connection refused", "does not answer"),
        ("https://x.test/robots.txt disallows it (Disallow: /)", "robots.txt"),
        ("HTTP 403", "refuses us"),
    ],
)
def test_a_feeds_error_gets_the_fix_that_fits(error, fix):
    from briefings.desk.doctor import feed_fix
    from briefings.ingest.fetch import FetchError

    status = 403 if error == "HTTP 403" else None
    assert fix in feed_fix(FetchError(error, status=status))
