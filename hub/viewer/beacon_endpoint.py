"""POST /s/<token>/beacon, answered in front of Flask's request machinery.

Every open viewer sends a beacon every few seconds, so this is the busiest address of a deployment. A
beacon needs no session, login, CSRF token (navigator.sendBeacon cannot carry one) or template, yet the
request context, Flask-Login, Flask-Limiter's wrapping and the after-request hooks cost about three times
the beacon's own work (docs/performance.md). This WSGI layer reads the request straight from the environ,
inside an app context, and applies the same rate limit, checks, answers and security headers.

Beacons are answered in groups (`answer_all`): under gunicorn's asgi worker (hub.asgi) the beacons that
arrive while one group is stored go together in the next, so a group takes one writer's turn and one
commit however many beacons it holds. Over plain WSGI each group holds one beacon.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus

from flask import Flask
from flask import current_app
from flask import has_app_context
from limits import parse as parse_limit
from sqlalchemy.pool import PoolProxiedConnection
from werkzeug.http import parse_cookie
from werkzeug.wsgi import get_input_stream

from hub.database import driver_connection
from hub.extensions import limiter
from hub.security import default_headers
from hub.viewer import service
from hub.viewer.beacon import MAX_BODY_BYTES
from hub.viewer.beacon import BeaconError
from hub.viewer.beacon import parse_beacon
from hub.viewer.service import PageTimes
from hub.viewer.views import PRIVATE_HEADERS
from hub.viewer.views import VISIT_COOKIE

log = logging.getLogger(__name__)

PATH = re.compile(r"/s/([^/]+)/beacon")
# (status, error message or None, extra headers)
Answer = tuple[int, str | None, list[tuple[str, str]]]
SERVER_ERROR: Answer = (500, "Something went wrong on our side.", [])
STORED: Answer = (204, None, [])


class BeaconEndpoint:
    """WSGI middleware: beacons are answered here, every other request goes on to `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        site = default_headers(app.config["HUB_SECURE_COOKIES"])
        site.update(PRIVATE_HEADERS)
        self.headers = list(site.items())
        self.limit = parse_limit(app.config["HUB_RATELIMIT_BEACON"])

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        match = PATH.fullmatch(environ.get("PATH_INFO") or "")
        if match is None:
            return self.wsgi_app(environ, start_response)
        [answer] = self.answer_all([(environ, match.group(1))])
        status, headers, body = self.response(environ, answer)
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    def response(self, environ: dict, answer: Answer) -> tuple[int, list[tuple[str, str]], bytes]:
        """(status, headers, body) of an answer; errors carry a JSON body, a HEAD answer their headers only."""
        status, message, extra = answer
        headers = [*self.headers, *extra]
        if message is None:
            return status, headers, b""
        error: dict = {"status": status, "message": message}
        for name, value in extra:
            if name == "Retry-After":
                error["retry_after"] = int(value)
        body = json.dumps({"error": error}).encode()
        headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return status, headers, b"" if environ.get("REQUEST_METHOD") == "HEAD" else body

    def answer_all(self, requests: list[tuple[dict, str]]) -> list[Answer]:
        """Answer each (environ, token) beacon; those that pass their checks are stored together.

        At most one beacon per visit: each is clamped against the seconds stored before the group.
        """
        answers: list[Answer | None] = [None] * len(requests)
        with self._app_context():
            try:
                # a driver connection of its own, without an ORM session: nothing here needs one
                with driver_connection() as connection:
                    self._answer_on(connection, requests, answers)
            except Exception:
                log.exception("beacon for link failed")
        return [SERVER_ERROR if answer is None else answer for answer in answers]

    def _answer_on(self, connection: PoolProxiedConnection, requests, answers: list[Answer | None]) -> None:
        checked: dict[int, PageTimes] = {}
        for index, (environ, token) in enumerate(requests):
            answer = self._refuse(environ, token)
            if answer is None:
                result = self._check(connection, token, environ)
                if isinstance(result, PageTimes):
                    checked[index] = result
                    continue
                answer = result
            answers[index] = answer
        self._store(connection, checked, answers)

    def _refuse(self, environ: dict, token: str) -> Answer | None:
        """The answer for a beacon refused before any database work, else None."""
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, "beacons are sent with POST", [("Allow", "POST")]
        if not service.TOKEN_PATTERN.fullmatch(token):
            # refused before counting, so made-up tokens cannot fill the rate-limit store
            return 404, "unknown link", []
        wait = self._wait(environ.get("REMOTE_ADDR") or "", token)
        if wait:
            return 429, f"Too many beacons; wait {wait} seconds.", [("Retry-After", str(wait))]
        return None

    @staticmethod
    def _check(connection: PoolProxiedConnection, token: str, environ: dict) -> PageTimes | Answer:
        try:
            result = check(connection, token, environ)
        except Exception:
            log.exception("beacon for link failed")
            # on PostgreSQL a failed statement spoils the transaction the next beacons read in
            connection.rollback()
            return SERVER_ERROR
        return result if isinstance(result, PageTimes) else (*result, [])

    @classmethod
    def _store(cls, connection: PoolProxiedConnection, checked: dict[int, PageTimes], answers: list) -> None:
        """Store the checked beacons in one transaction; if it fails, each alone, so one spoils no other."""
        if not checked:
            return
        try:
            service.store_page_times(connection, list(checked.values()))
        except Exception:
            if len(checked) == 1:
                log.exception("beacon for link failed")
                answers[next(iter(checked))] = SERVER_ERROR
                return
            log.warning("a group of %d beacons failed; storing each alone", len(checked), exc_info=True)
            for index, times in checked.items():
                cls._store(connection, {index: times}, answers)
            return
        for index in checked:
            answers[index] = STORED

    @contextmanager
    def _app_context(self) -> Iterator[None]:
        # a test or a CLI command that already holds this app's context keeps it, as Flask itself does
        if has_app_context() and current_app._get_current_object() is self.app:
            yield
            return
        with self.app.app_context():
            yield

    def _wait(self, address: str, token: str) -> int:
        """Seconds to wait when this address has spent its beacon budget on this link, else 0."""
        if not self.app.config["RATELIMIT_ENABLED"]:
            return 0
        key = ("beacon", f"{address}|{token}")
        try:
            if limiter.limiter.hit(self.limit, *key):
                return 0
            reset = limiter.limiter.get_window_stats(self.limit, *key).reset_time
        except Exception:
            # as for every other limit (RATELIMIT_SWALLOW_ERRORS): a missed count beats a lost beacon
            log.exception("rate-limit store failed; beacon let through")
            return 0
        return max(1, math.ceil(reset - time.time()))


def check(connection: PoolProxiedConnection, token: str, environ: dict) -> PageTimes | tuple[int, str]:
    """One beacon's page times, ready to store, else the status and what was wrong."""
    length = environ.get("CONTENT_LENGTH") or ""
    too_large = length.isascii() and length.isdigit() and int(length) > MAX_BODY_BYTES
    report, problem = None, None
    if not too_large:
        try:
            report = parse_beacon(get_input_stream(environ).read(MAX_BODY_BYTES + 1))
        except BeaconError as exc:
            problem = str(exc)
    visitor_key = parse_cookie(environ).get(VISIT_COOKIE)
    target = service.beacon_target(connection, token, visitor_key, report.asset_id if report else 0)
    if target is None:
        return 404, "unknown link"
    if not target.live:
        return 410, "link no longer available"
    if too_large:
        return 413, "beacon too large"
    if problem:
        return 400, problem
    if not target.asset_shown:
        return 400, "asset not in this share"
    if target.visit_id is None:
        return 400, "no visit; open the link first"
    if target.require_email and not target.visit_has_email:
        return 403, "email required"
    try:
        return service.page_times(
            connection,
            target.visit_id,
            target.visit_started_at,
            report.asset_id,
            report.pages,
            target.page_total,
            target.visit_total_seconds,
        )
    except service.BeaconRejected as exc:
        return 400, str(exc)


def init_app(app: Flask) -> None:
    """Put the beacon endpoint in front of the app (call before a proxy fix wraps the app)."""
    app.wsgi_app = BeaconEndpoint(app, app.wsgi_app)
