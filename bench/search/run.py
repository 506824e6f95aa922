#!/usr/bin/env python
"""Search benchmark: index N synthetic assets, then time the HTTP search page against raw Whoosh queries.

    .venv/bin/python bench/search/run.py --sizes 10000 100000

Each size gets a fresh instance folder (SQLite database, index) under --workdir. The HTTP figures go
through a real werkzeug server on 127.0.0.1 with a signed-in rep, and every request is a settled search
(recorded as a usage event), as a rep's Enter key would send.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import logging
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

QUERIES = [
    "pricing",
    "security compliance",
    "healthcare case study",
    "roi",
    "onboarding",
    "integration api",
    "competitor comparison",
    "encryption",
    "migration roadmap",
    "retail analytics",
    "sso mfa",
    "kubernetes deployment",
    "renewal churn",
    "payback",
    "disaster recovery",
    "cpq quote",
    '"business case"',
    "supply chain planning",
    "gdpr privacy",
    "treasury cash flow",
    "pricng",
    "secur*",
    "observability monitoring alerting",
    "banking",
    "executive summary",
]
FACETED = [
    {"q": "security", "persona": "1"},
    {"q": "pricing", "stage": "3", "sort": "winrate"},
    {"q": "", "sort": "newest"},
    {"q": "", "persona": "2", "stage": "1"},
    {"q": "roi", "sort": "used"},
    {"q": "integration", "type": "deck"},
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def build(size: int, workdir: Path, reuse: bool = False):
    instance = workdir / f"instance-{size}"
    existing = reuse and (instance / "hub.db").exists()
    instance.mkdir(parents=True, exist_ok=True)
    os.environ["HUB_INSTANCE_PATH"] = str(instance)
    from hub import create_app
    from hub.extensions import db
    from hub.models import Base
    from hub.models import Role
    from hub.models import User

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'hub.db'}",
            "HUB_INDEX_DIR": str(instance / "index"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
        }
    )
    if existing:
        print("  reusing the database built earlier", flush=True)
        return app
    with app.app_context():
        Base.metadata.create_all(db.engine)
        user = User(email="rep@bench.example", name="Bench Rep", role=Role.REP)
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()
        from bench.search import corpus

        started = time.perf_counter()
        corpus.load(size, progress=lambda line: print(line, flush=True))
        print(f"  database loaded in {time.perf_counter() - started:.1f} s", flush=True)
    return app


def reindex(app) -> float:
    from hub import index

    with app.app_context():
        shown = {"at": 0.0}

        def progress(done: int, total: int) -> None:
            if time.monotonic() - shown["at"] > 5 or done == total:
                shown["at"] = time.monotonic()
                print(f"  indexed {done:,} of {total:,}", flush=True)

        started = time.perf_counter()
        count = index.rebuild(progress=progress)
        elapsed = time.perf_counter() - started
    return count / elapsed


def raw_latencies(app, rounds: int, rng: random.Random) -> list[float]:
    from whoosh import index as whoosh_index
    from whoosh import qparser

    from hub.index._schema import DEFAULT_FIELD

    ix = whoosh_index.open_dir(app.config["HUB_INDEX_DIR"])
    searcher = ix.searcher()
    parser = qparser.QueryParser(DEFAULT_FIELD, ix.schema)
    timings, cpu = [], []
    for _ in range(rounds):
        text = rng.choice(QUERIES)
        started, cpu_started = time.perf_counter(), time.process_time()
        results = searcher.search(parser.parse(text), limit=20)
        [hit["title"] for hit in results]
        len(results)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return timings, cpu


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                self.cookie = value.split(";", 1)[0]
        return response.status, data


@contextlib.contextmanager
def signed_in(app):
    """A rep's keep-alive client against a real werkzeug server on 127.0.0.1."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = Client(server.server_port)
        status, _ = client.request(
            "POST", "/login", urlencode({"email": "rep@bench.example", "password": "bench-password"})
        )
        assert status == 302, f"login failed: {status}"
        yield client
    finally:
        server.shutdown()


def timed_search(client: Client, args: dict) -> float:
    started = time.perf_counter()
    status, _ = client.request("GET", "/search?" + urlencode(args))
    assert status == 200, f"search answered {status}"
    return (time.perf_counter() - started) * 1000


def http_latencies(app, rounds: int, rng: random.Random) -> list[float]:
    with signed_in(app) as client:
        timings, cpu = [], []
        for number in range(rounds + 20):
            cpu_started = time.process_time()
            elapsed = timed_search(client, {"q": rng.choice(QUERIES)})
            # client and server run in this process, so its CPU time is the request's whole cost
            spent = (time.process_time() - cpu_started) * 1000
            if number >= 20:
                timings.append(elapsed)
                cpu.append(spent)
        for args in FACETED:
            timed_search(client, args)
        return timings, cpu


def cold_latencies(app) -> list[float]:
    """Each query once, right after the searcher is reopened: the first search after an index change,
    before any word's arrays are cached."""
    from hub.index import _snapshot

    with signed_in(app) as client:
        timings = []
        for text in QUERIES:
            _snapshot.forget(app.config["HUB_INDEX_DIR"])
            timings.append(timed_search(client, {"q": text}))
        return timings


def faceted_latencies(app, rng: random.Random, rounds: int) -> list[float]:
    with signed_in(app) as client:
        return [timed_search(client, rng.choice(FACETED)) for _ in range(rounds)]


def main() -> None:
    # the development server logs every request to stderr; that is not part of a search's cost
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=300, help="timed queries per path and size")
    parser.add_argument("--workdir", type=Path, default=None, help="where to build (default: a temp folder)")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse databases and indexes already in --workdir"
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hub-search-bench-"))
    print(f"working in {workdir}")
    rows = []
    for size in args.sizes:
        print(f"== {size:,} assets", flush=True)
        app = build(size, workdir, args.reuse)
        index_dir = Path(app.config["HUB_INDEX_DIR"])
        throughput = float("nan")
        if not (args.reuse and index_dir.exists()):
            throughput = reindex(app)
        rng = random.Random(size)
        raw_latencies(app, 20, rng)
        raw, raw_cpu = raw_latencies(app, args.rounds, rng)
        web, web_cpu = http_latencies(app, args.rounds, rng)
        faceted = faceted_latencies(app, rng, max(60, args.rounds // 5))
        cold = cold_latencies(app)
        row = {
            "size": size,
            "docs_per_s": throughput,
            "raw_p50": percentile(raw, 0.5),
            "raw_p95": percentile(raw, 0.95),
            "http_p50": percentile(web, 0.5),
            "http_p95": percentile(web, 0.95),
            "facet_p50": percentile(faceted, 0.5),
            "facet_p95": percentile(faceted, 0.95),
            "cold_p50": percentile(cold, 0.5),
            "cold_p95": percentile(cold, 0.95),
            "raw_cpu50": percentile(raw_cpu, 0.5),
            "raw_cpu95": percentile(raw_cpu, 0.95),
            "http_cpu50": percentile(web_cpu, 0.5),
            "http_cpu95": percentile(web_cpu, 0.95),
            "load": os.getloadavg()[0],
        }
        rows.append(row)
        print(
            f"  indexing {throughput:,.0f} assets/s | raw whoosh p50 {row['raw_p50']:.1f} ms p95 {row['raw_p95']:.1f} ms"
            f" | HTTP p50 {row['http_p50']:.1f} ms p95 {row['http_p95']:.1f} ms"
            f" | HTTP/raw p95 {row['http_p95'] / row['raw_p95']:.2f}x"
            f" | facets+sorts HTTP p50 {row['facet_p50']:.1f} ms p95 {row['facet_p95']:.1f} ms"
            f" | cold HTTP p50 {row['cold_p50']:.1f} ms p95 {row['cold_p95']:.1f} ms"
            f" | CPU raw p50 {row['raw_cpu50']:.1f} p95 {row['raw_cpu95']:.1f} ms,"
            f" HTTP p50 {row['http_cpu50']:.1f} p95 {row['http_cpu95']:.1f} ms | load {row['load']:.1f}",
            flush=True,
        )
    print()
    print(
        "| assets | indexing (assets/s) | raw Whoosh p50 / p95 | HTTP /search p50 / p95 | HTTP ÷ raw (p95)"
        " | facets & sorts p50 / p95 | cold HTTP p50 / p95 | CPU raw p50 / p95 | CPU HTTP p50 / p95"
        " | CPU HTTP ÷ raw (p95) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['size']:,} | {row['docs_per_s']:,.0f} | {row['raw_p50']:.1f} / {row['raw_p95']:.1f} ms"
            f" | {row['http_p50']:.1f} / {row['http_p95']:.1f} ms | {row['http_p95'] / row['raw_p95']:.2f}×"
            f" | {row['facet_p50']:.1f} / {row['facet_p95']:.1f} ms"
            f" | {row['cold_p50']:.1f} / {row['cold_p95']:.1f} ms"
            f" | {row['raw_cpu50']:.1f} / {row['raw_cpu95']:.1f} ms | {row['http_cpu50']:.1f} / {row['http_cpu95']:.1f} ms"
            f" | {row['http_cpu95'] / row['raw_cpu95']:.2f}× |"
        )


if __name__ == "__main__":
    main()
