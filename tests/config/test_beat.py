"""`briefings beat` on two machines (issue #17): two real beat processes at once
against the Redis of this machine; one sends, and when it is killed the other
takes over within 30 s."""

import os
import signal
import subprocess
import sys
import time

import pytest
import redis

from briefings.config.beat import LOCK_KEY
from tests.conftest import subprocess_database_url
from tests.ingest.test_celery import purge

pytestmark = pytest.mark.django_db(transaction=True)

BROKER = "redis://127.0.0.1:6379/7"
SENDING = "Sending due task dispatch-due-feeds"
HOLDING = "this beat sends the schedule"


@pytest.fixture
def lock():
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("Redis is not running (.ci/run starts it)")
        pytest.skip("Redis is not running")
    client.delete(LOCK_KEY)
    yield client
    client.delete(LOCK_KEY)


class Beat:
    def __init__(self, tmp_path, name):
        self.log = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(),
            "CELERY_BROKER_URL": BROKER,
            "LOG_LEVEL": "INFO",
        }
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "briefings", "beat"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self):
        return self.log.read_text(errors="replace")

    def stop(self, sig):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(30)


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_two_beats_one_sends_and_the_standby_takes_over(lock, tmp_path):
    beats = [Beat(tmp_path, "one"), Beat(tmp_path, "two")]
    try:
        assert wait_for(lambda: any(HOLDING in b.text() for b in beats), 60)
        # Two dispatches are due in 25 s: only the holder sends them.
        time.sleep(25)
        holders = [b for b in beats if HOLDING in b.text()]
        assert len(holders) == 1, [b.text() for b in beats]
        holder = holders[0]
        (standby,) = [b for b in beats if b is not holder]
        assert holder.text().count(SENDING) >= 2
        assert SENDING not in standby.text()
        holder.stop(signal.SIGKILL)  # no clean release: the lock must expire
        killed = time.monotonic()
        assert wait_for(lambda: HOLDING in standby.text(), 30), standby.text()
        took_over = time.monotonic() - killed
        assert wait_for(lambda: SENDING in standby.text(), 15), standby.text()
        assert 10 < took_over < 30  # not before the lock expired, within 30 s
    finally:
        for beat in beats:
            beat.stop(signal.SIGTERM)
        purge(BROKER)  # what the beats sent, no worker took
