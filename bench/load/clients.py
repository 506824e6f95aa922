"""Simulated users over keep-alive HTTP connections: reps searching and opening assets, prospects sending
page-timing beacons. Each simulated user talks from its own loopback address (127.x.y.z), as real users
come from their own addresses, so per-address rate limits apply to each of them separately."""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import quote
from urllib.parse import urlencode

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Tally:
    """Latencies (ms) and status counts per endpoint, plus what was accepted for the loss check."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: list[str] = field(default_factory=list)
    beacons_sent: int = 0
    beacons_accepted: int = 0
    searches_ok: int = 0
    opens_ok: int = 0

    def merge(self, other: Tally) -> None:
        for name, values in other.latencies.items():
            self.latencies[name].extend(values)
        for name, counts in other.statuses.items():
            for status, n in counts.items():
                self.statuses[name][status] += n
        self.errors.extend(other.errors[:20])
        self.beacons_sent += other.beacons_sent
        self.beacons_accepted += other.beacons_accepted
        self.searches_ok += other.searches_ok
        self.opens_ok += other.opens_ok

    def as_dict(self) -> dict:
        return {
            "latencies": dict(self.latencies),
            "statuses": {k: dict(v) for k, v in self.statuses.items()},
            "errors": self.errors[:20],
            "beacons_sent": self.beacons_sent,
            "beacons_accepted": self.beacons_accepted,
            "searches_ok": self.searches_ok,
            "opens_ok": self.opens_ok,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Tally:
        tally = cls()
        for name, values in data["latencies"].items():
            tally.latencies[name] = list(values)
        for name, counts in data["statuses"].items():
            for status, n in counts.items():
                tally.statuses[name][int(status)] = n
        tally.errors = list(data["errors"])
        for key in ("beacons_sent", "beacons_accepted", "searches_ok", "opens_ok"):
            setattr(tally, key, data[key])
        return tally


class Client:
    """One browser: a keep-alive connection from its own address, with a cookie jar."""

    def __init__(self, port: int, address: str, tally: Tally, lock: threading.Lock) -> None:
        self.port = port
        self.address = address
        self.tally = tally
        self.lock = lock
        self.cookies: dict[str, str] = {}
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.address, 0)
        )

    def request(self, name: str, method: str, path: str, body: bytes | None = None, ctype: str | None = None):
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html,*/*"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if ctype:
            headers["Content-Type"] = ctype
        started = time.perf_counter()
        try:
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                # the server closed an idle keep-alive connection; like a browser, send once more on a new one
                self.conn.close()
                self.conn = self._connect()
                started = time.perf_counter()
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = self._connect()
            with self.lock:
                self.tally.statuses[name][0] += 1
                self.tally.errors.append(f"{name}: {exc.__class__.__name__}: {exc}")
            return 0, b""
        elapsed = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                self.cookies[key.strip()] = val.strip()
        with self.lock:
            self.tally.latencies[name].append(elapsed)
            self.tally.statuses[name][response.status] += 1
            if response.status >= 400:
                self.tally.errors.append(f"{name}: HTTP {response.status} {path}")
        if response.will_close:
            self.conn.close()
            self.conn = self._connect()
        return response.status, data


def run_rep(client: Client, plan: dict, email: str, start_at: float, end_at: float, cap: int) -> None:
    """Sign in, then until the end: search (two in three) or open an asset (one in three)."""
    rng = random.Random(email)
    status, page = client.request("login page", "GET", "/login")
    match = CSRF.search(page.decode(errors="replace"))
    if status != 200 or not match:
        return
    form = urlencode({"email": email, "password": plan["password"], "csrf_token": match.group(1)}).encode()
    status, _ = client.request("sign in", "POST", "/login", form, "application/x-www-form-urlencoded")
    if status != 302:
        return
    time.sleep(max(0.0, start_at - time.time()))
    done = 0
    while time.time() < end_at and done < cap:
        if rng.random() < 2 / 3:
            status, _ = client.request("search", "GET", "/search?q=" + quote(rng.choice(plan["terms"])))
            if status == 200:
                with client.lock:
                    client.tally.searches_ok += 1
        else:
            status, _ = client.request("asset page", "GET", f"/assets/{rng.choice(plan['asset_ids'])}")
            if status == 200:
                with client.lock:
                    client.tally.opens_ok += 1
        done += 1


def run_prospect(client: Client, plan: dict, token: str, start_at: float, end_at: float, cap: int) -> None:
    """Open the link, then read the deck: one beacon per page, each a row the server must keep.

    After `pages_per_visit` pages the prospect comes back in a fresh browser (a new visit), as prospects
    forward links to colleagues; every beacon therefore adds exactly one page-time row.
    """
    status, _ = client.request("share open", "GET", f"/s/{token}")
    if status != 200:
        return
    time.sleep(max(0.0, start_at - time.time()))
    page = 0
    for _ in range(cap):
        if time.time() >= end_at:
            break
        if page == plan["pages_per_visit"]:
            client.cookies.clear()
            status, _ = client.request("viewer page", "GET", f"/s/{token}")
            if status != 200:
                return
            page = 0
        page += 1
        body = json.dumps({"asset": plan["deck_id"], "pages": {str(page): 1.0}}).encode()
        status, _ = client.request("beacon", "POST", f"/s/{token}/beacon", body, "text/plain;charset=UTF-8")
        with client.lock:
            client.tally.beacons_sent += 1
            if status == 204:
                client.tally.beacons_accepted += 1


def address(group: int, n: int) -> str:
    """A distinct loopback address per simulated user (all of 127.0.0.0/8 reaches the local host)."""
    return f"127.{group}.{n // 250}.{n % 250 + 2}"


def run_process(
    port: int, plan: dict, jobs: list[tuple[str, int, str]], start_at: float, end_at: float, cap: int
):
    """Entry point of one load-generator process: one thread per simulated user in `jobs`."""
    tally = Tally()
    lock = threading.Lock()
    threads = []
    for kind, n, key in jobs:

        def work(kind=kind, n=n, key=key) -> None:
            client = Client(port, address(10 if kind == "rep" else 20, n), tally, lock)
            try:
                if kind == "rep":
                    run_rep(client, plan, key, start_at, end_at, cap)
                else:
                    run_prospect(client, plan, key, start_at, end_at, cap)
            except Exception as exc:  # a broken simulated user is reported, never hides the others' figures
                with lock:
                    tally.errors.append(f"{kind} {n}: {exc.__class__.__name__}: {exc}")
            finally:
                client.conn.close()

        threads.append(threading.Thread(target=work, daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, end_at - time.time() + 60))
    return tally.as_dict()
