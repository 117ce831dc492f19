"""The Celery app: Briefings past one machine (issue #17).

Workers (`briefings worker`) and one beat (`briefings beat`) on the broker at
CELERY_BROKER_URL, Redis or RabbitMQ. The tasks are thin wrappers (each app's
tasks.py) over the functions `briefings run` calls in one process. Delivery is
at least once and every task is safe to run twice: a message is acknowledged
only after its task ends (acks_late) and given back when its worker dies
(reject_on_worker_lost); a feed's refresh is leased in the database
(ingest/lease.py), an edition's sending is claimed and fenced there
(newsletter/deliver.py). A worker takes one message at a time (prefetch 1), so
a slow feed never holds others behind it, and no task outlives the broker's
visibility timeout (else Redis would hand it to a second worker while it runs).
No result backend: nothing reads task results.
"""

import os

from celery import Celery
from celery.signals import worker_process_init
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")

QUEUES = ("periodic", "ingest", "stories", "mail")
DISPATCH_EVERY = 10.0  # seconds between two looks for due feeds

# Which queue a periodic job's task goes to, by the app that owns the job.
JOB_QUEUES = {"newsletter": "mail", "stories": "stories"}

app = Celery("briefings")


def job_queue(path):
    return JOB_QUEUES.get(path.split(".")[1], "periodic")


def beat_schedule(jobs):
    """The beat's schedule: the due-feed dispatcher and every periodic job of
    `briefings run` (BRIEFINGS_PERIODIC_JOBS), each on its app's queue."""
    schedule = {
        "dispatch-due-feeds": {
            "task": "briefings.ingest.tasks.dispatch_due",
            "schedule": DISPATCH_EVERY,
            "options": {"queue": "periodic", "expires": DISPATCH_EVERY},
        }
    }
    for path, every in jobs.items():
        schedule[path] = {
            "task": "briefings.ingest.tasks.run_periodic",
            "schedule": float(every),
            "args": (path,),
            # A job missed while no worker was free is not run twice later.
            "options": {"queue": job_queue(path), "expires": float(every)},
        }
    return schedule


def transport_options():
    """The broker's transport options: Redis's visibility timeout, and the
    prefix of its keys when CELERY_KEY_PREFIX is set (RabbitMQ ignores both)."""
    from django.conf import settings

    options = {"visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT}
    if settings.CELERY_KEY_PREFIX:
        options["global_keyprefix"] = settings.CELERY_KEY_PREFIX
    return options


def configure(celery_app):
    """Configure `celery_app` from Django's settings."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    limit = settings.CELERY_TASK_TIME_LIMIT
    if limit >= settings.CELERY_VISIBILITY_TIMEOUT:
        raise ImproperlyConfigured(
            "celery: CELERY_TASK_TIME_LIMIT must be below CELERY_VISIBILITY_TIMEOUT"
        )
    celery_app.conf.update(
        broker_url=settings.CELERY_BROKER_URL or None,
        broker_transport_options=transport_options(),
        broker_connection_retry_on_startup=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=limit,
        task_soft_time_limit=max(1, int(limit * 0.9)),
        task_ignore_result=True,
        result_backend=None,
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="periodic",
        task_routes={"briefings.ingest.tasks.refresh_feed": {"queue": "ingest"}},
        beat_schedule=beat_schedule(settings.BRIEFINGS_PERIODIC_JOBS),
        worker_hijack_root_logger=False,
        timezone="UTC",
    )
    celery_app.autodiscover_tasks(
        ["briefings.ingest", "briefings.newsletter"], force=True
    )
    return celery_app


@worker_process_init.connect
def allow_extraction_pool(**kwargs):
    """Let a prefork child start the extraction's worker processes (pebble).

    Billiard marks its children daemonic, and multiprocessing refuses children
    to a daemonic process; the extraction pool is what keeps a hostile page
    from hanging or crashing the refresh (ingest/sandbox.py), so it must run
    under Celery as under `briefings run`. The pool's processes are ended by
    pebble when the task's process exits."""
    import multiprocessing

    multiprocessing.current_process()._config["daemon"] = False


def configured_app():
    """The app, Django set up and the app configured from its settings."""
    import django

    django.setup()
    if not getattr(app, "_briefings_configured", False):
        configure(app)
        app._briefings_configured = True
    return app
