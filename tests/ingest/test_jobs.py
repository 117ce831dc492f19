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


def test_the_jobs_loop_beats_and_outlives_its_turns(transactional_db, settings):
    """Its heartbeat is on a Heartbeat row, as the poller's (issue #11)."""
    import threading

    from briefings.ingest.jobs import jobs_forever
    from briefings.network.models import Heartbeat

    CALLS.clear()
    settings.BRIEFINGS_PERIODIC_JOBS = {"tests.ingest.test_jobs.record_call": 0}
    stop = threading.Event()
    loop = threading.Thread(target=jobs_forever, args=(stop,), kwargs={"interval": 0.1})
    loop.start()
    try:
        for _ in range(100):
            if len(CALLS) >= 2 and Heartbeat.objects.filter(name="jobs").exists():
                break
            stop.wait(0.1)
    finally:
        stop.set()
        loop.join(timeout=30)
    assert len(CALLS) >= 2
    assert Heartbeat.objects.get(name="jobs").beat_at is not None
