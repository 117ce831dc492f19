"""One beat at a time across machines (issue #17): a Celery beat scheduler that
sends the schedule only while it holds a lock in Redis.

Run a beat on two machines: the one holding the lock sends, the other waits.
The lock expires LOCK_SECONDS after its last renewal (every RENEW_SECONDS), so
a standby takes over within LOCK_SECONDS + RENEW_SECONDS of the holder's death,
and at once when the holder stops cleanly (it releases the lock). A moment when
both think they hold it cannot happen: renewal checks the lock's token in Redis
(redis-py's Lock, a server-side script), and Redis's clock alone times it out.
"""

import logging
import uuid

import redis
from celery.beat import Scheduler
from redis.exceptions import LockError, RedisError

from django.conf import settings

log = logging.getLogger(__name__)

LOCK_KEY = "briefings:beat:lock"
LOCK_SECONDS = 20
RENEW_SECONDS = 5


def lock_url():
    """The Redis of the beat's lock: CELERY_BEAT_LOCK_URL, else a Redis broker."""
    url = settings.CELERY_BEAT_LOCK_URL or settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(
            "beat: its lock needs Redis: set CELERY_BEAT_LOCK_URL (the broker is not)"
        )
    return url


class LockedScheduler(Scheduler):
    """Celery's in-memory scheduler, sending only while this beat holds the lock."""

    def __init__(self, *args, **kwargs):
        client = redis.Redis.from_url(lock_url(), socket_timeout=5)
        self.lock = client.lock(
            LOCK_KEY, timeout=LOCK_SECONDS, blocking=False, thread_local=False
        )
        self.beat_name = uuid.uuid4().hex[:8]
        self.holding = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        """Renew or take the lock, then send what is due while holding it;
        return the seconds to sleep (never past the next renewal)."""
        if not self.hold():
            return RENEW_SECONDS / 5
        return min(super().tick(*args, **kwargs), RENEW_SECONDS)

    def hold(self):
        was = self.holding
        try:
            if was:
                self.lock.reacquire()
            else:
                self.holding = self.lock.acquire()
        except LockError:
            self.holding = False
        except RedisError as error:
            # Without Redis nobody can know who holds the lock: stop sending
            # until it answers (the lock expires meanwhile anyway).
            log.warning("beat %s: the lock's Redis failed: %s", self.beat_name, error)
            self.holding = False
        if self.holding and not was:
            log.info(
                "beat %s: holding the lock, this beat sends the schedule",
                self.beat_name,
            )
        elif was and not self.holding:
            log.warning("beat %s: lost the lock, standing by", self.beat_name)
        return self.holding

    def close(self):
        if self.holding:
            try:
                self.lock.release()
            except (LockError, RedisError):
                pass  # expired already, or Redis is gone: it expires by itself
            self.holding = False
        super().close()
