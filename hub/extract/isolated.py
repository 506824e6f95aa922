"""Run a parser over untrusted bytes in a child process with a time limit and a memory ceiling.

Parsers (pypdf, PDFium, lxml, Pillow) cannot be interrupted from another thread, and a hostile file can
make them run for minutes or allocate gigabytes. In a child process both are bounded: the child gets an
address-space limit, and the parent kills it at the deadline. Results stream back one item at a time,
so whatever was produced before a limit was hit is kept.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

__all__ = ["Bounded", "run"]

# the fork server imports the parsers once; each job is then a cheap fork of that clean process
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["hub.extract", "hub.extract.render"])

_ITEM, _DONE, _ERROR = "item", "done", "error"


@dataclass
class Bounded:
    """What a bounded run produced: the items so far, and why it stopped early (None when it finished)."""

    items: list[Any] = field(default_factory=list)
    stopped: str | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.stopped is None


def run(job: Callable[..., Iterable[Any]], *args: Any, seconds: float, memory_mb: int) -> Bounded:
    """Run `job(*args)` (an iterable of picklable items) in a child; never raises for the job's failures.

    `stopped` is "error" (the job raised, or its process could not start; `error` says what), "time"
    (the deadline passed) or "died" (the child ended without a word: it reached the memory ceiling, or
    the parser crashed).
    """
    receiver, sender = _context.Pipe(duplex=False)
    child = _context.Process(target=_child, args=(sender, memory_mb, job, args), daemon=True)
    try:
        child.start()
    except OSError as exc:  # no process can be started (limits reached); the caller carries on without
        receiver.close()
        return Bounded(stopped="error", error=f"no worker process could be started ({exc})")
    finally:
        sender.close()
    outcome = Bounded()
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not receiver.poll(left):
                outcome.stopped = "time"
                break
            try:
                kind, value = receiver.recv()
            except (EOFError, OSError):
                outcome.stopped = "died"
                break
            if kind == _ITEM:
                outcome.items.append(value)
            elif kind == _DONE:
                break
            else:
                outcome.stopped, outcome.error = "error", value
                break
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome.stopped == "died" and child.exitcode and child.exitcode > 0:
        # the child failed before the job began (a memory ceiling or a crash ends it with 0 or a signal),
        # as when it cannot import the program's main module, which Python re-imports in it
        outcome.stopped = "error"
        outcome.error = f"the reading process could not start: exit code {child.exitcode}, see the log"
    return outcome


def _child(sender, memory_mb: int, job, args) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        for item in job(*args):
            sender.send((_ITEM, item))
    except MemoryError:
        # even a short message may not fit any more; the parent reads the closed pipe as "died"
        return
    except Exception as exc:  # any parser error is reported, never raised in the parent
        sender.send((_ERROR, f"{type(exc).__name__}: {exc}"[:500]))
    else:
        sender.send((_DONE, None))
    finally:
        sender.close()
