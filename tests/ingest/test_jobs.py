import threading
import time

CALLS = []


def record_call(now):
    CALLS.append(now)


def broken_job(now):
    raise RuntimeError("boom")


def run_jobs_until(condition, timeout=5):
    """Run the configured jobs as `briefings run` does until `condition()`.

    The jobs' threads write their heartbeat through their own connections: the
    tests that call this need a database they can see (transactional_db)."""
    from briefings.ingest.jobs import jobs_forever

    stop = threading.Event()
    runner = threading.Thread(target=jobs_forever, args=(stop,), daemon=True)
    runner.start()
    try:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        runner.join(15)
    assert not runner.is_alive()


def test_jobs_run_again_and_a_failure_stops_nothing(transactional_db, settings, caplog):
    CALLS.clear()
    settings.BRIEFINGS_PERIODIC_JOBS = {
        "tests.ingest.test_jobs.broken_job": 0.05,
        "tests.ingest.test_jobs.record_call": 0.05,
    }
    run_jobs_until(lambda: len(CALLS) >= 3)
    assert len(CALLS) >= 3
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


FAST_RUNS = []


def fast_job(now):
    FAST_RUNS.append(now)


def slow_job(now):
    time.sleep(1.5)


def test_a_slow_job_holds_up_no_other_job(transactional_db, settings):
    """An edition being sent for minutes must not delay the confirmation mails."""
    FAST_RUNS.clear()
    settings.BRIEFINGS_PERIODIC_JOBS = {
        "tests.ingest.test_jobs.slow_job": 60,
        "tests.ingest.test_jobs.fast_job": 0.05,
    }
    run_jobs_until(lambda: len(FAST_RUNS) >= 3, timeout=1)
    assert len(FAST_RUNS) >= 3


def test_the_jobs_loop_beats_and_outlives_its_turns(transactional_db, settings):
    """Its heartbeat is on a Heartbeat row, as the poller's (issue #11)."""
    from briefings.network.models import Heartbeat

    CALLS.clear()
    settings.BRIEFINGS_PERIODIC_JOBS = {
        "tests.ingest.test_jobs.broken_job": 0.05,
        "tests.ingest.test_jobs.record_call": 0.05,
    }
    run_jobs_until(
        lambda: len(CALLS) >= 2 and Heartbeat.objects.filter(name="jobs").exists()
    )
    assert len(CALLS) >= 2
    assert Heartbeat.objects.get(name="jobs").beat_at is not None
