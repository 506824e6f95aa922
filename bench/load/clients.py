"""Simulated users over keep-alive HTTP connections: reps searching and opening assets, prospects sending
page-timing beacons. Each simulated user talks from its own loopback address (127.x.y.z), as real users
come from their own addresses, so per-address rate limits apply to each of them separately.

The load generator shares the machine's cores with the server it measures, so it is kept cheap: every
simulated user is a coroutine on one event loop per process, speaking just enough HTTP/1.1 over asyncio
streams (about 0.12 ms of CPU per beacon under load, more for large pages, against about 0.75 ms for a
thread per user with http.client).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
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
    generator_cpu_s: float = 0.0

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
        self.generator_cpu_s += other.generator_cpu_s

    def as_dict(self) -> dict:
        return {
            "latencies": dict(self.latencies),
            "statuses": {k: dict(v) for k, v in self.statuses.items()},
            "errors": self.errors[:20],
            "beacons_sent": self.beacons_sent,
            "beacons_accepted": self.beacons_accepted,
            "searches_ok": self.searches_ok,
            "opens_ok": self.opens_ok,
            "generator_cpu_s": self.generator_cpu_s,
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
        for key in ("beacons_sent", "beacons_accepted", "searches_ok", "opens_ok", "generator_cpu_s"):
            setattr(tally, key, data[key])
        return tally


class Client:
    """One browser: a keep-alive connection from its own address, with a cookie jar."""

    def __init__(self, port: int, address: str, tally: Tally) -> None:
        self.port = port
        self.address = address
        self.tally = tally
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            "127.0.0.1", self.port, local_addr=(self.address, 0)
        )

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    def _encode(self, method: str, path: str, body: bytes | None, ctype: str | None) -> bytes:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            f"User-Agent: {USER_AGENT}",
            "Accept: text/html,*/*",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if ctype:
            lines.append(f"Content-Type: {ctype}")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")

    async def _exchange(self, message: bytes) -> tuple[int, bytes, bool]:
        """Send one request on the open connection; (status, body, whether the server closes)."""
        if self.writer is None:
            await self._connect()
        self.writer.write(message)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length, chunked, closes = None, False, False
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name == "connection":
                closes = value.lower() == "close"
            elif name == "set-cookie":
                key, _, val = value.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = val.strip()
        if chunked:
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size + 2))
            await self.reader.readuntil(b"\r\n")
            data = b"".join(part[:-2] for part in parts)
        elif length is not None:
            data = await self.reader.readexactly(length)
        elif status in (204, 304):
            data = b""
        else:
            data, closes = await self.reader.read(), True
        return status, data, closes

    async def request(
        self, name: str, method: str, path: str, body: bytes | None = None, ctype: str | None = None
    ) -> tuple[int, bytes]:
        message = self._encode(method, path, body, ctype)
        reused = self.writer is not None
        started = time.perf_counter()
        try:
            try:
                async with asyncio.timeout(30):
                    status, data, closes = await self._exchange(message)
            except (ConnectionError, asyncio.IncompleteReadError):
                if not reused:
                    raise
                # the server closed an idle keep-alive connection; like a browser, send once more on a new one
                self.close()
                started = time.perf_counter()
                async with asyncio.timeout(30):
                    status, data, closes = await self._exchange(message)
        except (
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
            ValueError,
        ) as exc:
            self.close()
            self.tally.statuses[name][0] += 1
            self.tally.errors.append(f"{name}: {exc.__class__.__name__}: {exc}")
            return 0, b""
        elapsed = (time.perf_counter() - started) * 1000
        self.tally.latencies[name].append(elapsed)
        self.tally.statuses[name][status] += 1
        if status >= 400:
            self.tally.errors.append(f"{name}: HTTP {status} {path}")
        if closes:
            self.close()
        return status, data


async def run_rep(
    client: Client, plan: dict, email: str, start_at: float, end_at: float, cap: int, search_share: float
) -> None:
    """Sign in, then until the end: search (`search_share` of the requests) or open an asset."""
    rng = random.Random(email)
    status, page = await client.request("login page", "GET", "/login")
    match = CSRF.search(page.decode(errors="replace"))
    if status != 200 or not match:
        return
    form = urlencode({"email": email, "password": plan["password"], "csrf_token": match.group(1)}).encode()
    status, _ = await client.request("sign in", "POST", "/login", form, "application/x-www-form-urlencoded")
    if status != 302:
        return
    await asyncio.sleep(max(0.0, start_at - time.time()))
    done = 0
    while time.time() < end_at and done < cap:
        if rng.random() < search_share:
            status, _ = await client.request("search", "GET", "/search?q=" + quote(rng.choice(plan["terms"])))
            if status == 200:
                client.tally.searches_ok += 1
        else:
            status, _ = await client.request("asset page", "GET", f"/assets/{rng.choice(plan['asset_ids'])}")
            if status == 200:
                client.tally.opens_ok += 1
        done += 1


async def run_prospect(
    client: Client, plan: dict, token: str, start_at: float, end_at: float, cap: int
) -> None:
    """Open the link, then read the deck: one beacon per page, each a row the server must keep.

    After `pages_per_visit` pages the prospect comes back in a fresh browser (a new visit), as prospects
    forward links to colleagues; every beacon therefore adds exactly one page-time row.
    """
    status, _ = await client.request("share open", "GET", f"/s/{token}")
    if status != 200:
        return
    await asyncio.sleep(max(0.0, start_at - time.time()))
    page = 0
    for _ in range(cap):
        if time.time() >= end_at:
            break
        if page == plan["pages_per_visit"]:
            client.cookies.clear()
            status, _ = await client.request("viewer page", "GET", f"/s/{token}")
            if status != 200:
                return
            page = 0
        page += 1
        body = json.dumps({"asset": plan["deck_id"], "pages": {str(page): 1.0}}).encode()
        status, _ = await client.request(
            "beacon", "POST", f"/s/{token}/beacon", body, "text/plain;charset=UTF-8"
        )
        client.tally.beacons_sent += 1
        if status == 204:
            client.tally.beacons_accepted += 1


def loop_factory():
    """uvloop's event loop where installed: its loop costs the simulated users about a third less CPU,
    which is CPU the measured server gets back (it shares the cores)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def address(group: int, n: int) -> str:
    """A distinct loopback address per simulated user (all of 127.0.0.0/8 reaches the local host)."""
    return f"127.{group}.{n // 250}.{n % 250 + 2}"


async def _simulate(port: int, plan: dict, kind: str, n: int, key: str, tally: Tally, window: tuple) -> None:
    client = Client(port, address(20 if kind == "prospect" else 10, n), tally)
    try:
        if kind == "rep":
            await run_rep(client, plan, key, *window, search_share=2 / 3)
        elif kind == "searcher":
            await run_rep(client, plan, key, *window, search_share=1.0)
        else:
            await run_prospect(client, plan, key, *window)
    except Exception as exc:  # a broken simulated user is reported, never hides the others' figures
        tally.errors.append(f"{kind} {n}: {exc.__class__.__name__}: {exc}")
    finally:
        client.close()


def run_process(
    port: int, plan: dict, jobs: list[tuple[str, int, str]], start_at: float, end_at: float, cap: int
):
    """Entry point of one load-generator process: one coroutine per simulated user in `jobs`."""
    tally = Tally()
    window = (start_at, end_at, cap)
    cpu: list[float] = []

    async def measure() -> None:
        # this process's own CPU time over the measured window: what the generator took from the server
        for moment in (start_at, end_at):
            await asyncio.sleep(max(0.0, moment - time.time()))
            cpu.append(time.process_time())

    async def everyone() -> None:
        await asyncio.gather(
            measure(), *(_simulate(port, plan, kind, n, key, tally, window) for kind, n, key in jobs)
        )

    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(everyone())
    tally.generator_cpu_s = cpu[1] - cpu[0]
    return tally.as_dict()
