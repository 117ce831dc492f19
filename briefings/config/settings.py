"""Django settings for Briefings, every value from the environment (see env.py)."""

import os
import secrets
from pathlib import Path

import dj_database_url

from briefings.config.env import as_bool, as_int, as_list, as_str, declare

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SOURCE_ROOT = PACKAGE_DIR.parent
_SHARED_CORPUS = SOURCE_ROOT.parent / "shared" / "demo-corpus" / "wikinews_asia.jsonl"

# ─── Declarations: name, default, one line of help ───────────────────────────
DATA_DIR_SETTING = declare(
    "BRIEFINGS_DATA_DIR",
    str(Path.cwd() / "var"),
    "Folder for the SQLite database, the generated secret key and other state.",
)
DATA_DIR = Path(as_str(DATA_DIR_SETTING)).resolve()
# The owner's alone: it holds the database (with the session keys) and the
# secret key. Checked again at start (config/checks.py).
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)

_database = declare(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'briefings.sqlite3'}",
    "Database URL; SQLite (WAL, busy timeout, IMMEDIATE transactions) by default, "
    "postgres://user@host:5432/name for PostgreSQL.",
)
_secret_key = declare(
    "SECRET_KEY",
    "",
    "Django's secret key; generated into BRIEFINGS_DATA_DIR/secret_key on first run "
    "when unset.",
)
_debug = declare("DEBUG", "false", "Django debug mode; never on in production.")
_allowed_hosts = declare(
    "ALLOWED_HOSTS",
    "localhost,127.0.0.1,[::1]",
    "Comma-separated host names the site answers to.",
)
_demo_corpus = declare(
    "BRIEFINGS_DEMO_CORPUS",
    str(_SHARED_CORPUS) if _SHARED_CORPUS.exists() else "",
    "JSON Lines corpus the offline demo network serves (default: the shared "
    "Wikinews corpus beside the checkout, when present).",
)
_demo_days = declare(
    "BRIEFINGS_DEMO_DAYS",
    "30",
    "The demo replays its corpus as if live, spread over this many past days.",
)
_network_file = declare(
    "BRIEFINGS_NETWORK_FILE",
    str(PACKAGE_DIR / "network" / "networks" / "asia-news-network.yaml"),
    "The network file (regions, member papers, feeds) that sync_network loads.",
)
_contact_url = declare(
    "BRIEFINGS_CONTACT_URL",
    "https://github.com/briefings/briefings",
    "Contact URL sent in the User-Agent of every fetch, so papers can reach us.",
)
_poll_interval = declare(
    "BRIEFINGS_POLL_INTERVAL",
    "900",
    "Seconds between two polls of one feed (the starting interval).",
)
_bind = declare(
    "BRIEFINGS_BIND",
    "127.0.0.1:8000",
    "Address and port `briefings run` serves the site on.",
)
_web_workers = declare(
    "BRIEFINGS_WEB_WORKERS",
    "2",
    "Number of web server (granian) worker processes `briefings run` starts.",
)
_access_log = declare(
    "BRIEFINGS_ACCESS_LOG",
    "false",
    "Write a line per request from the web server `briefings run` starts. Off by "
    "default: it cost a quarter of the cached pages' throughput, and the reverse "
    "proxy in front of the site logs requests.",
)
_fetch_workers = declare(
    "BRIEFINGS_FETCH_WORKERS",
    "4",
    "Number of feeds the scheduler refreshes at once.",
)
_log_level = declare("LOG_LEVEL", "INFO", "Level of the application's log.")
_log_format = declare(
    "LOG_FORMAT",
    "plain",
    "plain (one text line per event) or json (one JSON object per line: time, "
    "level, logger, message and the event's fields, for a log pipeline).",
)
_extract_workers = declare(
    "BRIEFINGS_EXTRACT_WORKERS",
    str(os.cpu_count() or 1),
    "Worker processes that extract article pages (default: one per core).",
)
_extract_timeout = declare(
    "BRIEFINGS_EXTRACT_TIMEOUT",
    "20",
    "Seconds one page's extraction may take before its worker is killed.",
)
_feed_budget = declare(
    "BRIEFINGS_FEED_BUDGET",
    "120",
    "Seconds one feed's poll may spend on its entries; the rest comes at the next "
    "poll, a minute later.",
)
_feed_max_new = declare(
    "BRIEFINGS_FEED_MAX_NEW",
    "50",
    "Most new or changed entries one poll of a feed stores; the rest come at the "
    "next polls, a minute apart.",
)

# ─── Stories (issue #5): declarations go here ───────────────────────────────
_story_window = declare(
    "BRIEFINGS_STORY_WINDOW_DAYS",
    "5",
    "A story never spans more than this many days from its first to its last article.",
)
_story_threshold = declare(
    "BRIEFINGS_STORY_THRESHOLD",
    "0.873",
    "Same-event probability (0 to 1) at which an article joins a story; chosen "
    "on the evaluation's development split for precision (stories/tiers.py).",
)

# ─── Past one machine (issue #17): declarations ─────────────────────────────
_broker_url = declare(
    "CELERY_BROKER_URL",
    "",
    "Celery broker (redis://host:6379/0 or amqp://user:pass@host:5672//); empty "
    "for the one-process runner.",
)
_visibility_timeout = declare(
    "CELERY_VISIBILITY_TIMEOUT",
    "3600",
    "Seconds a Redis broker waits for an unacknowledged task before redelivering it.",
)
_task_time_limit = declare(
    "CELERY_TASK_TIME_LIMIT",
    "900",
    "Seconds a task may run before its worker process is killed; below the "
    "visibility timeout.",
)
_beat_lock_url = declare(
    "CELERY_BEAT_LOCK_URL",
    "",
    "Redis holding the lock that lets one `briefings beat` send at a time; empty "
    "for CELERY_BROKER_URL when that is Redis.",
)

_key_prefix = declare(
    "CELERY_KEY_PREFIX",
    "",
    "Prefix of every key Celery writes on a Redis broker (several deployments or "
    "test runs on one Redis); RabbitMQ ignores it.",
)
_metrics_token = declare(
    "BRIEFINGS_METRICS_TOKEN",
    "",
    "Bearer token a Prometheus scraper sends for /metrics; empty: no /metrics (404).",
)

# ─── Site (issue #4): declarations go here ──────────────────────────────────
_cache_url = declare(
    "CACHE_URL",
    "locmem://",
    "Cache: locmem:// (one process), redis://host:6379/0 (shared by every worker), "
    "file:///path or dummy:// (no caching).",
)
_page_cache_seconds = declare(
    "BRIEFINGS_PAGE_CACHE_SECONDS",
    "600",
    "Longest an anonymous reader's page stays cached; a changed article clears "
    "the cached pages at once anyway.",
)
_page_files_dir = declare(
    "BRIEFINGS_PAGE_FILES_DIR",
    "",
    "Folder where the page cache also writes anonymous readers' pages as files, "
    "for nginx to serve without the application (deploy/nginx/briefings.conf); "
    "empty: off.",
)
_https = declare(
    "BRIEFINGS_HTTPS",
    "false",
    "The site is served over HTTPS: redirect http, secure cookies, HSTS (one "
    "year, subdomains, preload).",
)
_proxy_ssl = declare(
    "BRIEFINGS_BEHIND_PROXY",
    "false",
    "Trust the reverse proxy's X-Forwarded-Proto header to tell HTTPS requests.",
)

# ─── Newsletter (issue #6): declarations go here ────────────────────────────
_email_url = declare(
    "EMAIL_URL",
    "console://",
    "Where mail goes: smtp://user:pass@host:587?tls=1, smtps://...:465, console://, "
    "file:///path, locmem:// or anymail://ESP (django-anymail, e.g. anymail://mailgun).",
)
_from_email = declare(
    "DEFAULT_FROM_EMAIL",
    "Eastern Briefings <newsletter@localhost>",
    "Sender of the newsletter and the confirmation emails.",
)
_privacy_email = declare(
    "BRIEFINGS_PRIVACY_EMAIL",
    "",
    "Address the privacy page gives for questions about a reader's data; "
    "empty: DEFAULT_FROM_EMAIL's address.",
)
_site_url = declare(
    "BRIEFINGS_SITE_URL",
    "http://127.0.0.1:8000",
    "The site's public base URL, for links in emails.",
)
_send_time = declare(
    "NEWSLETTER_SEND_TIME", "06:00", "Local time (HH:MM) the daily edition goes out."
)
_newsletter_tz = declare(
    "NEWSLETTER_TIMEZONE", "Asia/Singapore", "Time zone of NEWSLETTER_SEND_TIME."
)
_auto_approve = declare(
    "NEWSLETTER_AUTO_APPROVE",
    "false",
    "Send the curated draft without an editor's approval (unattended networks).",
)
_max_items = declare("NEWSLETTER_MAX_ITEMS", "10", "Most stories in one edition.")
_min_items = declare(
    "NEWSLETTER_MIN_ITEMS",
    "3",
    "Fewest stories worth an edition; a thinner day is skipped, not padded.",
)
_max_per_paper = declare(
    "NEWSLETTER_MAX_PER_PAPER", "2", "Most stories from one paper in one edition."
)
_max_per_country = declare(
    "NEWSLETTER_MAX_PER_COUNTRY",
    "3",
    "Most stories mainly about one country in one edition; 0 for no cap.",
)
_weekly_day = declare(
    "NEWSLETTER_WEEKLY_DAY",
    "0",
    "Weekday (0 = Monday) whose edition weekly subscribers receive.",
)
_send_rate = declare(
    "NEWSLETTER_RATE_LIMIT",
    "0",
    "Most messages per second one sender delivers; 0 for no limit.",
)
_batch_size = declare(
    "NEWSLETTER_BATCH_SIZE",
    "500",
    "Deliveries claimed at once and sent over the reused SMTP connections.",
)
_connections = declare(
    "NEWSLETTER_CONNECTIONS",
    "8",
    "SMTP connections one sender keeps open and sends over side by side.",
)
_max_attempts = declare(
    "NEWSLETTER_MAX_ATTEMPTS",
    "5",
    "Attempts per delivery on 4xx replies and dropped connections (with backoff).",
)
_retry_seconds = declare(
    "NEWSLETTER_RETRY_SECONDS",
    "60",
    "First retry delay after a 4xx or dropped connection; doubles each attempt.",
)
_error_limit = declare(
    "NEWSLETTER_ERROR_LIMIT",
    "50",
    "Consecutive failed deliveries after which an edition is paused.",
)
_send_lease = declare(
    "NEWSLETTER_LEASE_SECONDS",
    "120",
    "Seconds after which a silent sender's claimed deliveries go back to the queue.",
)
_senders = declare(
    "NEWSLETTER_SENDERS",
    "2",
    "With a Celery broker: tasks on the `mail` queue sending one edition side by "
    "side (each needs a free `mail` worker slot).",
)
_signup_rate = declare(
    "NEWSLETTER_SIGNUPS_PER_HOUR",
    "5",
    "Signups accepted per client (one IPv4 address, one IPv6 /64) and hour.",
)
_signup_network_rate = declare(
    "NEWSLETTER_SIGNUPS_PER_NETWORK_HOUR",
    "20",
    "Signups accepted per client network (IPv4 /24, IPv6 /48) and hour.",
)
_mailbox_rate = declare(
    "NEWSLETTER_CONFIRMATIONS_PER_MAILBOX",
    "3",
    "Confirmation emails one mailbox receives a day, however its address is "
    "spelled (case, +tags, Gmail's dots).",
)
_ip_privacy = declare(
    "NEWSLETTER_CONSENT_IP",
    "truncate",
    "How consent records keep the IP address: truncate (/24, /48), hash or none.",
)
_confirm_days = declare(
    "NEWSLETTER_CONFIRM_DAYS",
    "7",
    "Days a confirmation link stays valid; one reminder goes out halfway.",
)
_manage_days = declare(
    "NEWSLETTER_MANAGE_DAYS",
    "60",
    "Days a newsletter's preferences and unsubscribe links stay valid (>= 30).",
)
_policy_versions = declare(
    "NEWSLETTER_POLICY_VERSIONS",
    "privacy=2025-01,terms=2025-01",
    "Versions of the Privacy Policy and Terms recorded with each consent.",
)
_dkim_key = declare(
    "NEWSLETTER_DKIM_KEY_FILE",
    "",
    "PEM private key to DKIM-sign newsletters with (dkimpy); empty: no signing.",
)
_dkim_selector = declare(
    "NEWSLETTER_DKIM_SELECTOR", "briefings", "DKIM selector (s=) of that key."
)


# ─── Clients (issue #11): declarations (proxies, login throttling) ─────────
_trusted_proxies = declare(
    "BRIEFINGS_TRUSTED_PROXIES",
    "",
    "Comma-separated addresses or CIDR networks of the reverse proxies in front of "
    "the site; their X-Forwarded-For names the client. Empty: trust no header.",
)
_login_account = declare(
    "BRIEFINGS_LOGIN_FAILURES_PER_ACCOUNT",
    "5",
    "Failed admin logins to one account before it is locked for the lockout time.",
)
_login_address = declare(
    "BRIEFINGS_LOGIN_FAILURES_PER_ADDRESS",
    "20",
    "Failed admin logins from one client address before it is locked.",
)
_login_lockout = declare(
    "BRIEFINGS_LOGIN_LOCKOUT_SECONDS",
    "900",
    "How long a locked account or address waits; failures count over this window.",
)


# ─── Ingest (issue #3): declarations (robots.txt, per-host politeness) ──────
_host_concurrency = declare(
    "BRIEFINGS_HOST_CONCURRENCY",
    "2",
    "Most requests in flight to one host at a time.",
)
_host_spacing = declare(
    "BRIEFINGS_HOST_SPACING",
    "1.0",
    "Least seconds between the starts of two requests to one host (plus jitter).",
)
_host_gate_url = declare(
    "BRIEFINGS_HOST_GATE_URL",
    "",
    "Redis holding the per-host limits for every worker (redis://host:6379/0); "
    "empty: each process keeps its own.",
)


# ─── Desk (issue #18): declarations ─────────────────────────────────────────
_desk_tz = declare(
    "BRIEFINGS_DESK_TIMEZONE",
    "Asia/Singapore",
    "Time zone the editors' desk and admin show times in (UTC on hover).",
)
_desk_stale_hours = declare(
    "BRIEFINGS_DESK_STALE_HOURS",
    "24",
    "Hours without a successful read after which the desk lists a feed as stale.",
)


# ─── Django ──────────────────────────────────────────────────────────────────
def _read_or_create_secret_key():
    explicit = as_str(_secret_key)
    if explicit:
        return explicit
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _read_or_create_secret_key()
DEBUG = as_bool(_debug)
ALLOWED_HOSTS = as_list(_allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "briefings.config",
    "briefings.network",
    "briefings.articles",
    "briefings.ingest",
    "briefings.stories",
    "briefings.newsletter",
    "briefings.web",
    "briefings.demo",
    "briefings.desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "briefings.web.headers.ContentSecurityPolicyMiddleware",
    "briefings.desk.middleware.DeskTimezoneMiddleware",
]

ROOT_URLCONF = "briefings.config.urls"
WSGI_APPLICATION = "briefings.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "briefings.web.context.network",
            ],
        },
    },
]


def _create_private_file(path):
    """Create `path` empty and 0600 unless it exists. SQLite would create the
    database 0644 (less the umask), and gives its -wal, -shm and -journal files
    the database's mode; an empty file is an empty database."""
    if not path.parent.is_dir():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _databases(url):
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] and not config["NAME"].startswith((":memory:", "file:")):
            _create_private_file(Path(config["NAME"]))
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write
        # lock at BEGIN so concurrent writers wait (busy timeout) instead of
        # failing with "database is locked" on lock upgrade.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000"
            ),
        }
        # Tests use a file too (not shared-cache memory, which ignores the busy
        # timeout), so threads in tests lock exactly as in production.
        # The process id keeps concurrent test runs on one machine apart.
        name = f"test-briefings-{os.getpid()}.sqlite3"
        config["TEST"] = {"NAME": str(DATA_DIR / name)}
    else:
        config["TEST"] = {"NAME": f"test_{config['NAME']}_{os.getpid()}"}
    return {"default": config}


DATABASES = _databases(as_str(_database))


def _caches(url):
    """Return CACHES for a CACHE_URL: locmem://, redis://..., file:///path, dummy://."""
    scheme, _, rest = url.partition("://")
    backends = {
        "locmem": "django.core.cache.backends.locmem.LocMemCache",
        "redis": "django.core.cache.backends.redis.RedisCache",
        "rediss": "django.core.cache.backends.redis.RedisCache",
        "file": "django.core.cache.backends.filebased.FileBasedCache",
        "dummy": "django.core.cache.backends.dummy.DummyCache",
    }
    if scheme not in backends:
        raise ValueError(f"CACHE_URL: unknown scheme {scheme!r}")
    config = {"BACKEND": backends[scheme], "KEY_PREFIX": "briefings"}
    if scheme.startswith("redis"):
        config["LOCATION"] = url
    elif scheme == "file":
        config["LOCATION"] = rest
    elif scheme == "locmem":
        config["LOCATION"] = rest or "briefings"
        config["OPTIONS"] = {"MAX_ENTRIES": 2000}
    return {"default": config}


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves the app's static files straight from the package, so a
# fresh checkout needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "briefings.config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if as_str(_log_format) == "json" else "plain",
        }
    },
    "loggers": {"briefings": {"handlers": ["console"], "level": as_str(_log_level)}},
}

# ─── Briefings ───────────────────────────────────────────────────────────────
BRIEFINGS_DEMO_CORPUS = as_str(_demo_corpus)
BRIEFINGS_DEMO_DAYS = as_int(_demo_days)
BRIEFINGS_NETWORK_FILE = as_str(_network_file)
BRIEFINGS_CONTACT_URL = as_str(_contact_url)
BRIEFINGS_POLL_INTERVAL = as_int(_poll_interval)
BRIEFINGS_BIND = as_str(_bind)
BRIEFINGS_WEB_WORKERS = as_int(_web_workers)
BRIEFINGS_ACCESS_LOG = as_bool(_access_log)
BRIEFINGS_FETCH_WORKERS = as_int(_fetch_workers)
BRIEFINGS_EXTRACT_WORKERS = as_int(_extract_workers)
BRIEFINGS_EXTRACT_TIMEOUT = as_int(_extract_timeout)
BRIEFINGS_FEED_BUDGET = as_int(_feed_budget)
BRIEFINGS_FEED_MAX_NEW = as_int(_feed_max_new)

# ─── Past one machine (issue #17): values ──────────────────────────────────
CELERY_BROKER_URL = as_str(_broker_url)
CELERY_VISIBILITY_TIMEOUT = as_int(_visibility_timeout)
CELERY_TASK_TIME_LIMIT = as_int(_task_time_limit)
CELERY_BEAT_LOCK_URL = as_str(_beat_lock_url)
CELERY_KEY_PREFIX = as_str(_key_prefix)
BRIEFINGS_METRICS_TOKEN = as_str(_metrics_token)

# Jobs the scheduler of `briefings run` calls with the current time, and how
# often (seconds). Code configuration, not an environment setting.
BRIEFINGS_PERIODIC_JOBS = {
    "briefings.newsletter.schedule.run_due_newsletter_jobs": 60,
    # Confirmation emails of the signups the form queued; every job runs on its
    # own thread, so an edition being sent does not hold them up.
    "briefings.newsletter.outbox.send_queued_signups": 2,
    "briefings.stories.rebuild.recheck_recent": 3600,
    # Expired pins leave the front page within a minute (their deletion starts
    # a new page generation).
    "briefings.stories.editing.expire_pins": 60,
    # The nginx tier's page files expire with the page cache (when they are on).
    "briefings.web.page_files.expire": 30,
}

# ─── Stories (issue #5): values ─────────────────────────────────────────────
BRIEFINGS_STORY_WINDOW_DAYS = float(as_str(_story_window))
BRIEFINGS_STORY_THRESHOLD = float(as_str(_story_threshold))

# ─── Site (issue #4): values ────────────────────────────────────────────────
SITE_ID = 1
CACHES = _caches(as_str(_cache_url))
BRIEFINGS_PAGE_CACHE_SECONDS = as_int(_page_cache_seconds)
BRIEFINGS_PAGE_FILES_DIR = as_str(_page_files_dir)
if as_bool(_proxy_ssl):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if as_bool(_https):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"


# ─── Newsletter (issue #6): values ──────────────────────────────────────────
def _email_settings(url):
    """Return Django's EMAIL_* settings for an EMAIL_URL (smtp, smtps, console,
    file, locmem, dummy, anymail)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
    }
    if parts.scheme in simple:
        values = {"EMAIL_BACKEND": simple[parts.scheme]}
        if parts.scheme == "file":
            values["EMAIL_FILE_PATH"] = unquote(parts.path) or str(DATA_DIR / "mail")
        return values
    if parts.scheme == "anymail":
        return {"EMAIL_BACKEND": f"anymail.backends.{parts.hostname}.EmailBackend"}
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError(f"EMAIL_URL scheme {parts.scheme!r} is not supported")
    ssl = parts.scheme == "smtps" or as_bool_text(query.get("ssl", "0"))
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if ssl else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": as_bool_text(query.get("tls", "0")),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": int(query.get("timeout", "30")),
    }


def as_bool_text(value):
    return value.strip().lower() in {"1", "true", "yes", "on"}


globals().update(_email_settings(as_str(_email_url)))
DEFAULT_FROM_EMAIL = as_str(_from_email)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
BRIEFINGS_PRIVACY_EMAIL = as_str(_privacy_email)
BRIEFINGS_SITE_URL = as_str(_site_url).rstrip("/")
NEWSLETTER_SEND_TIME = as_str(_send_time)
NEWSLETTER_TIMEZONE = as_str(_newsletter_tz)
NEWSLETTER_AUTO_APPROVE = as_bool(_auto_approve)
NEWSLETTER_MAX_ITEMS = as_int(_max_items)
NEWSLETTER_MIN_ITEMS = as_int(_min_items)
NEWSLETTER_MAX_PER_PAPER = as_int(_max_per_paper)
NEWSLETTER_MAX_PER_COUNTRY = as_int(_max_per_country)
NEWSLETTER_WEEKLY_DAY = as_int(_weekly_day)
NEWSLETTER_RATE_LIMIT = float(as_str(_send_rate))
NEWSLETTER_BATCH_SIZE = as_int(_batch_size)
NEWSLETTER_CONNECTIONS = as_int(_connections)
NEWSLETTER_MAX_ATTEMPTS = as_int(_max_attempts)
NEWSLETTER_RETRY_SECONDS = as_int(_retry_seconds)
NEWSLETTER_ERROR_LIMIT = as_int(_error_limit)
NEWSLETTER_LEASE_SECONDS = as_int(_send_lease)
NEWSLETTER_SENDERS = as_int(_senders)
NEWSLETTER_SIGNUPS_PER_HOUR = as_int(_signup_rate)
NEWSLETTER_SIGNUPS_PER_NETWORK_HOUR = as_int(_signup_network_rate)
NEWSLETTER_CONFIRMATIONS_PER_MAILBOX = as_int(_mailbox_rate)
NEWSLETTER_CONSENT_IP = as_str(_ip_privacy)
NEWSLETTER_CONFIRM_DAYS = as_int(_confirm_days)
NEWSLETTER_MANAGE_DAYS = as_int(_manage_days)
NEWSLETTER_POLICY_VERSIONS = dict(
    item.split("=", 1) for item in as_list(_policy_versions) if "=" in item
)
NEWSLETTER_DKIM_KEY_FILE = as_str(_dkim_key)
NEWSLETTER_DKIM_SELECTOR = as_str(_dkim_selector)


# ─── Clients (issue #11): values ────────────────────────────────────────────
def _trusted_proxies_list(values):
    """Return the proxies' networks as strings; refuse anything but addresses."""
    import ipaddress

    try:
        return [str(ipaddress.ip_network(v, strict=False)) for v in values]
    except ValueError as error:
        raise ValueError(f"BRIEFINGS_TRUSTED_PROXIES: {error}") from None


BRIEFINGS_TRUSTED_PROXIES = _trusted_proxies_list(as_list(_trusted_proxies))
BRIEFINGS_LOGIN_FAILURES_PER_ACCOUNT = as_int(_login_account)
BRIEFINGS_LOGIN_FAILURES_PER_ADDRESS = as_int(_login_address)
BRIEFINGS_LOGIN_LOCKOUT_SECONDS = as_int(_login_lockout)

# ─── Ingest (issue #3): values (robots.txt, per-host politeness) ────────────
BRIEFINGS_HOST_CONCURRENCY = as_int(_host_concurrency)
BRIEFINGS_HOST_SPACING = float(as_str(_host_spacing))
BRIEFINGS_HOST_GATE_URL = as_str(_host_gate_url)

# ─── Desk (issue #18): values ───────────────────────────────────────────────
BRIEFINGS_DESK_TIMEZONE = as_str(_desk_tz)
BRIEFINGS_DESK_STALE_HOURS = as_int(_desk_stale_hours)
