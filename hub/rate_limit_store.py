"""The in-process rate-limit store behind `HUB_RATELIMIT_STORAGE_URI=memory://`.

limits' MemoryStorage drops expired counters from a timer thread that fires 10 ms after a hit, and the
next hit after it fired starts a new one: under load that is a thread started, and a sweep over every
counter, for nearly every request (about a tenth of a beacon's server CPU in the load test, and growing
with the number of visitors counted). Here the sweep runs at most once a second. Counting is the same:
a counter past its expiry reads as zero whether or not it has been swept.
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SCHEME = "hub-memory"
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """MemoryStorage whose expired counters are swept once a second instead of after every hit."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        self._sweep_lock = threading.Lock()
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides the base's private hook
        now = time.monotonic()
        if now < self._next_sweep:
            return
        # one thread decides; the base's own check-then-start lets two threads start timers at once
        with self._sweep_lock:
            if now < self._next_sweep:
                return
            self._next_sweep = now + SWEEP_SECONDS
            if self.timer.is_alive():
                return
            self.timer = threading.Timer(0, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()


def storage_uri(configured: str) -> str:
    """The limits storage URI for HUB_RATELIMIT_STORAGE_URI: memory:// means the swept store."""
    if configured.startswith("memory://"):
        return f"{SCHEME}://{configured.removeprefix('memory://')}"
    return configured
