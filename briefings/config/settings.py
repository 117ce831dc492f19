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
DATA_DIR.mkdir(parents=True, exist_ok=True)

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
    "Number of gunicorn worker processes `briefings run` starts.",
)
_fetch_workers = declare(
    "BRIEFINGS_FETCH_WORKERS",
    "4",
    "Number of feeds the scheduler refreshes at once.",
)
_log_level = declare("LOG_LEVEL", "INFO", "Level of the application's log.")

# ─── Stories (issue #5): declarations go here ───────────────────────────────

# ─── Site (issue #4): declarations go here ──────────────────────────────────

# ─── Newsletter (issue #6): declarations go here ────────────────────────────


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
    "briefings.network",
    "briefings.articles",
    "briefings.ingest",
    "briefings.stories",
    "briefings.newsletter",
    "briefings.web",
    "briefings.demo",
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


def _databases(url):
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
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
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
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
BRIEFINGS_FETCH_WORKERS = as_int(_fetch_workers)

# ─── Stories (issue #5): values ─────────────────────────────────────────────

# ─── Site (issue #4): values ────────────────────────────────────────────────

# ─── Newsletter (issue #6): values ──────────────────────────────────────────
