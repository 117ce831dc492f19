from briefings.ingest.jobs import run_due_jobs

CALLS = []


def record_call(now):
    CALLS.append(now)


def broken_job(now):
    raise RuntimeError("boom")


def test_jobs_run_when_due_and_a_failure_stops_nothing(db, settings, caplog):
    CALLS.clear()
    settings.BRIEFINGS_PERIODIC_JOBS = {
        "tests.ingest.test_jobs.broken_job": 60,
        "tests.ingest.test_jobs.record_call": 60,
    }
    clock = iter([0, 0, 0, 0, 30, 30, 61, 61, 61, 61]).__next__
    last_run = {}
    run_due_jobs(last_run, clock)  # both due at start
    run_due_jobs(last_run, clock)  # 30 s later: neither due
    run_due_jobs(last_run, clock)  # 61 s later: both due again
    assert len(CALLS) == 2
    assert all(call.tzinfo is not None for call in CALLS)
    assert "periodic job tests.ingest.test_jobs.broken_job failed" in caplog.text


def test_configured_jobs_exist():
    from django.conf import settings
    from django.utils.module_loading import import_string

    for path in settings.BRIEFINGS_PERIODIC_JOBS:
        assert callable(import_string(path))


def test_configured_jobs_run_on_an_empty_database(db):
    """What `briefings run` calls at start, before any story has arrived."""
    from django.conf import settings
    from django.utils import timezone
    from django.utils.module_loading import import_string

    for path in settings.BRIEFINGS_PERIODIC_JOBS:
        import_string(path)(timezone.now())
