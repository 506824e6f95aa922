"""The in-process counter store: counts like limits' own, sweeps expired counters once a second."""

from __future__ import annotations

import threading
import time

from limits import RateLimitItemPerSecond
from limits.strategies import FixedWindowRateLimiter

from hub import rate_limit_store
from hub.extensions import limiter
from hub.rate_limit_store import SweptMemoryStorage
from tests.security.helpers import limited_app


def test_memory_uri_selects_the_swept_store(app_config):
    app = limited_app(app_config)
    with app.app_context():
        assert isinstance(limiter.storage, SweptMemoryStorage)
    assert rate_limit_store.storage_uri("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379"


def test_counts_reset_when_the_window_ends_before_any_sweep(monkeypatch):
    monkeypatch.setattr(rate_limit_store, "SWEEP_SECONDS", 3600.0)
    store = SweptMemoryStorage("hub-memory://")
    limiter_ = FixedWindowRateLimiter(store)
    limit = RateLimitItemPerSecond(2, 1)
    assert [limiter_.hit(limit, "visitor") for _ in range(3)] == [True, True, False]
    time.sleep(1.1)
    assert limiter_.hit(limit, "visitor")


def test_hits_start_no_thread_between_sweeps():
    store = SweptMemoryStorage("hub-memory://")
    limiter_ = FixedWindowRateLimiter(store)
    limit = RateLimitItemPerSecond(1000, 1)
    limiter_.hit(limit, "first")
    store.timer.join(1)
    before = threading.active_count()
    started = []
    original = threading.Thread.start
    try:
        threading.Thread.start = lambda self: (started.append(self), original(self))[1]
        for n in range(500):
            limiter_.hit(limit, f"visitor-{n}")
    finally:
        threading.Thread.start = original
    assert started == [] and threading.active_count() == before


def test_expired_counters_are_swept(monkeypatch):
    monkeypatch.setattr(rate_limit_store, "SWEEP_SECONDS", 0.0)
    store = SweptMemoryStorage("hub-memory://")
    limiter_ = FixedWindowRateLimiter(store)
    limit = RateLimitItemPerSecond(5, 1)
    for n in range(50):
        limiter_.hit(limit, f"visitor-{n}")
    time.sleep(1.1)
    limiter_.hit(limit, "late")
    store.timer.join(1)
    assert len(store.storage) == 1
