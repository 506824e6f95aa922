"""Hub for gunicorn's asgi worker: `gunicorn -c gunicorn.conf.py` (production serving, docs/deploy.md).

Beacons from open share viewers are most of a busy site's requests. Here they are read on the event
loop and stored in groups by a thread per worker (a few on PostgreSQL): the beacons that arrive while
a group is being stored wait and go together in the next, so a group takes one writer's turn and one
commit however many beacons it holds. Each beacon is answered once its group has committed. Every other
request goes to the Flask app through a2wsgi's WSGI bridge, on a few threads per worker.
"""

from __future__ import annotations

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import NamedTuple

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import build_environ
from flask import Flask
from werkzeug.http import parse_cookie
from werkzeug.wsgi import FileWrapper

from hub import create_app as create_flask_app
from hub.security import proxy_fix
from hub.viewer.beacon import MAX_BODY_BYTES
from hub.viewer.beacon_endpoint import PATH
from hub.viewer.beacon_endpoint import SERVER_ERROR
from hub.viewer.beacon_endpoint import Answer
from hub.viewer.beacon_endpoint import BeaconEndpoint
from hub.viewer.views import VISIT_COOKIE

log = logging.getLogger(__name__)

# beacons stored in one transaction at most: a group holds SQLite's writer lock for about 0.1 ms each
MAX_GROUP = 200
FILE_BLOCK = 256 * 1024


def page_threads(config: dict) -> int:
    """Threads per worker for pages: two, or four when requests wait on other servers.

    Threads let a worker go on while a request waits for PostgreSQL or S3. On SQLite and local files
    every request is CPU work, but a second thread gives pages their share of the interpreter beside the
    beacons' threads: under both loads at once it doubled searches per second (docs/performance.md).
    """
    if config["HUB_PAGE_THREADS"] > 0:
        return config["HUB_PAGE_THREADS"]
    remote_files = config["HUB_STORAGE"].startswith("s3://")
    on_sqlite = config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    return 4 if remote_files or not on_sqlite else 2


def beacon_threads(config: dict) -> int:
    """Threads per worker that store beacon groups.

    On SQLite one: its writers take turns anyway, and a group's reads are CPU work. On PostgreSQL a
    group spends most of its time waiting for the database's answers, beacon by beacon, so several
    groups are stored at once.
    """
    return 1 if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else 4


class Waiting(NamedTuple):
    """A beacon read and waiting for its group to be stored."""

    environ: dict
    token: str
    # (link token, visit cookie): the beacons of one visit
    visit: tuple[str, str | None]
    answered: asyncio.Future


class HubASGI:
    """The ASGI application: beacons answered in groups, everything else by the Flask app."""

    def __init__(self, app: Flask, storers: int | None = None) -> None:
        """`storers`: how many groups are stored at once; by default beacon_threads' choice."""
        self.app = app
        self.beacons = BeaconEndpoint(app, None)
        self.pages = WSGIMiddleware(self._page, workers=page_threads(app.config))
        # the client's address as the Flask app sees it, for the beacon rate limit
        self.client_environ = proxy_fix(app, lambda environ, start_response: environ)
        self.storers = storers or beacon_threads(app.config)
        self.storer = ThreadPoolExecutor(max_workers=self.storers, thread_name_prefix="beacons")
        self.waiting: list[Waiting] = []
        self.storing = 0
        # the visits with a beacon in a group being stored: their next beacons wait for a later group
        self.visits_storing: set[tuple[str, str | None]] = set()

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] == "http":
            token = self._beacon_token(scope)
            if token is not None:
                await self._beacon(scope, receive, send, token)
                return
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.pages(scope, receive, send)

    def _page(self, environ: dict, start_response):
        # a2wsgi offers no file wrapper, so files went out in werkzeug's 8 KiB blocks, each handed from
        # the page's thread to the event loop: larger blocks made a 40 MB download 2.5 times faster
        environ["wsgi.file_wrapper"] = large_blocks
        return self.app(environ, start_response)

    @staticmethod
    def _beacon_token(scope: dict) -> str | None:
        path, root = scope["path"], scope.get("root_path") or ""
        if root and path.startswith(root):
            path = path[len(root) :]
        match = PATH.fullmatch(path)
        return None if match is None else match.group(1)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # the group being stored finishes; its beacons are already answered or being answered
                await asyncio.get_running_loop().run_in_executor(None, self.storer.shutdown)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _beacon(self, scope: dict, receive, send, token: str) -> None:
        body = await receive_body(scope, receive)
        environ = build_environ(scope, io.BytesIO(body))
        # the body is whole: read it even when the client sent it chunked, without a length
        environ["wsgi.input_terminated"] = True
        environ = self.client_environ(environ, None)
        loop = asyncio.get_running_loop()
        visit = (token, parse_cookie(environ).get(VISIT_COOKIE))
        answered = loop.create_future()
        self.waiting.append(Waiting(environ, token, visit, answered))
        if self.storing < self.storers:
            self._store_next(loop)
        status, headers, payload = self.beacons.response(environ, await answered)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _store_next(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Start storing the next group; False when every waiting beacon's visit is being stored."""
        # one beacon per visit in the groups being stored, so each is clamped against the seconds before it
        group, held, visits = [], [], set()
        for waiting in self.waiting:
            if len(group) < MAX_GROUP and waiting.visit not in self.visits_storing:
                group.append(waiting)
                visits.add(waiting.visit)
                self.visits_storing.add(waiting.visit)
            else:
                held.append(waiting)
        if not group:
            return False
        self.waiting = held
        self.storing += 1
        requests = [(waiting.environ, waiting.token) for waiting in group]
        stored = loop.run_in_executor(self.storer, self.beacons.answer_all, requests)
        stored.add_done_callback(partial(self._answer, loop, group, visits))
        return True

    def _answer(
        self, loop: asyncio.AbstractEventLoop, group: list, visits: set, stored: asyncio.Future
    ) -> None:
        self.storing -= 1
        self.visits_storing -= visits
        try:
            answers: list[Answer] = stored.result()
        except Exception:
            log.exception("a group of %d beacons failed", len(group))
            answers = [SERVER_ERROR] * len(group)
        for waiting, answer in zip(group, answers, strict=True):
            # a client that went away has cancelled its future; its beacon is stored all the same
            if not waiting.answered.done():
                waiting.answered.set_result(answer)
        while self.waiting and self.storing < self.storers and self._store_next(loop):
            pass


async def receive_body(scope: dict, receive) -> bytes:
    """The request body, read no further than one byte past the beacon limit (answered 413 then)."""
    for name, value in scope.get("headers") or ():
        if name == b"content-length" and value.isdigit() and int(value) > MAX_BODY_BYTES:
            return b""
    body = bytearray()
    while len(body) <= MAX_BODY_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return bytes(body[: MAX_BODY_BYTES + 1])


def large_blocks(file, _block_size: int = 0) -> FileWrapper:
    """wsgi.file_wrapper: a file sent in blocks of FILE_BLOCK bytes, whatever block size is asked for."""
    return FileWrapper(file, FILE_BLOCK)


def create_app() -> HubASGI:
    """The ASGI application around `hub.create_app()`, configured from the HUB_* environment."""
    return HubASGI(create_flask_app())
