"""Load test: reps searching and opening assets, prospects sending share-viewer beacons, against gunicorn
with 4 workers on this machine, on SQLite and on PostgreSQL. Loopback only, bounded in time and requests.

    .venv/bin/python bench/load                       # both databases, 20 s per phase
    .venv/bin/python bench/load --db sqlite --duration 10
    .venv/bin/python bench/load --db postgresql --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/hub_load

Phases: 50 reps alone (two searches for each asset they open), the same reps only searching, 200
prospects alone, then reps and prospects together. Afterwards the database is read back:
every beacon the server accepted must be stored as a page-time row, every search and asset open as a
usage event. Results go to stdout and to bench/out/load-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import clients  # noqa: E402
import seed  # noqa: E402

VENV_BIN = Path(sys.executable).parent
SETUP_ENDPOINTS = {"login page", "sign in", "share open"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_postgres(url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def environment(instance: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "HUB_INSTANCE_PATH": str(instance),
        "HUB_DATABASE_URL": database_url,
        "HUB_SECRET_KEY": "load-test-secret-key",
        # production limits stay on; the beacon budget is raised because each simulated prospect sends
        # a beacon as fast as the server answers instead of one every few seconds
        "HUB_RATELIMIT_BEACON": "100000/minute",
    }


def prepare(env: dict, args, progress) -> dict:
    subprocess.run(  # noqa: S603
        [str(VENV_BIN / "flask"), "--app", "hub", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    os.environ.update({k: env[k] for k in ("HUB_INSTANCE_PATH", "HUB_DATABASE_URL", "HUB_SECRET_KEY")})
    from hub import create_app
    from hub.extensions import db

    app = create_app()
    with app.app_context():
        plan = seed.seed(
            reps=args.reps,
            assets=args.assets,
            shares=2 * args.prospects,
            deck_pages=args.deck_pages,
            progress=progress,
        )
        db.session.remove()
        db.engine.dispose()
    return plan


def stored(env: dict, deck_id: int) -> dict:
    os.environ.update({k: env[k] for k in ("HUB_INSTANCE_PATH", "HUB_DATABASE_URL", "HUB_SECRET_KEY")})
    from hub import create_app
    from hub.extensions import db

    app = create_app()
    with app.app_context():
        counts = seed.stored_counts(deck_id)
        db.session.remove()
        db.engine.dispose()
    return counts


def page_threads(env: dict) -> int:
    """The page threads per worker that hub.asgi picks for this environment."""
    from hub.asgi import page_threads as choose

    config = {"HUB_PAGE_THREADS": 0, "HUB_STORAGE": env.get("HUB_STORAGE") or ""}
    return choose({**config, "SQLALCHEMY_DATABASE_URI": env["HUB_DATABASE_URL"]})


def start_server(env: dict, instance: Path, port: int, workers: int, threads: int) -> subprocess.Popen:
    log = (instance / "gunicorn.log").open("w")
    proc = subprocess.Popen(  # noqa: S603
        [
            str(VENV_BIN / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env={**env, "HUB_PAGE_THREADS": str(threads)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {instance / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit("gunicorn did not become healthy within 60 s")


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time used so far by gunicorn's master and workers (user + system).

    A worker recycled after max_requests is counted too: once the master has reaped it, its time is in
    the master's children's time (cutime, cstime).
    """
    children = subprocess.run(  # noqa: S603
        ["pgrep", "-P", str(server.pid)],
        capture_output=True,
        text=True,  # noqa: S607
    ).stdout.split()
    total = 0
    for pid in [str(server.pid), *children]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if pid == str(server.pid):
            total += int(fields[13]) + int(fields[14])
    return total / os.sysconf("SC_CLK_TCK")


def run_phase(
    port: int, plan: dict, jobs: list, args, server: subprocess.Popen
) -> tuple[clients.Tally, float]:
    """Spread the simulated users over the generator processes; all start together after signing in.

    Also samples the server's CPU time at the start and end of the measured window (sign-ins and
    first link opens happen before it), stored in plan["window_cpu_s"].
    """
    start_at = time.time() + args.ramp
    end_at = start_at + args.duration
    samples: list[float] = []

    def sample() -> None:
        for moment in (start_at, end_at):
            time.sleep(max(0.0, moment - time.time()))
            samples.append(server_cpu_seconds(server))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    shares = [jobs[i :: args.processes] for i in range(args.processes)]
    context = multiprocessing.get_context("fork")
    with context.Pool(args.processes) as pool:
        parts = pool.starmap(
            clients.run_process, [(port, plan, part, start_at, end_at, args.max_requests) for part in shares]
        )
    sampler.join()
    plan["window_cpu_s"] = samples[1] - samples[0] if len(samples) == 2 else None
    total = clients.Tally()
    for part in parts:
        total.merge(clients.Tally.from_dict(part))
    return total, args.duration


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summarize(name: str, tally: clients.Tally, seconds: float) -> list[dict]:
    rows = []
    for endpoint, values in sorted(tally.latencies.items()):
        statuses = tally.statuses[endpoint]
        failed = sum(n for status, n in statuses.items() if status == 0 or status >= 400)
        rows.append(
            {
                "phase": name,
                "endpoint": endpoint,
                "requests": len(values) + statuses.get(0, 0),
                "per_second": None if endpoint in SETUP_ENDPOINTS else round(len(values) / seconds, 1),
                "p50_ms": round(percentile(values, 0.50), 1) if values else None,
                "p95_ms": round(percentile(values, 0.95), 1) if values else None,
                "p99_ms": round(percentile(values, 0.99), 1) if values else None,
                "errors": failed,
            }
        )
    return rows


def print_rows(rows: list[dict]) -> None:
    print(
        f"{'phase':<10} {'endpoint':<12} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for r in rows:
        rate = "-" if r["per_second"] is None else f"{r['per_second']:.0f}"
        print(
            f"{r['phase']:<10} {r['endpoint']:<12} {r['requests']:>9} {rate:>8} {r['p50_ms']:>8} "
            f"{r['p95_ms']:>8} {r['p99_ms']:>8} {r['errors']:>7}"
        )


def run_database(kind: str, args) -> dict:
    instance = Path(tempfile.mkdtemp(prefix=f"hub-load-{kind}-"))
    if kind == "sqlite":
        database_url = f"sqlite:///{instance / 'hub.db'}"
    else:
        database_url = args.pg_url
        fresh_postgres(database_url)
    env = environment(instance, database_url)
    print(f"== {kind}: seeding {args.reps} reps, {args.assets} assets, {2 * args.prospects} share links")
    plan = prepare(env, args, lambda line: print(line, flush=True))
    plan["pages_per_visit"] = args.deck_pages
    port = free_port()
    threads = args.threads or page_threads(env)
    server = start_server(env, instance, port, args.workers, threads)
    print(
        f"== {kind}: gunicorn with {args.workers} asgi workers x {threads} page threads on 127.0.0.1:{port}; "
        f"{os.cpu_count()} CPU cores"
    )
    rows: list[dict] = []
    phases_info: list[dict] = []
    totals = clients.Tally()
    try:
        reps = [("rep", n, email) for n, email in enumerate(plan["rep_emails"])]
        first = [("prospect", n, t) for n, t in enumerate(plan["tokens"][: args.prospects])]
        second = [("prospect", n, t) for n, t in enumerate(plan["tokens"][args.prospects :])]
        searchers = [("searcher", n, email) for n, email in enumerate(plan["rep_emails"])]
        phases = {"reps": reps, "searches": searchers, "prospects": first, "mixed": reps + second}
        for name in args.phases.split(","):
            jobs = phases[name]
            print(f"-- phase {name}: {len(jobs)} simulated users for {args.duration:.0f} s", flush=True)
            load_before = os.getloadavg()[0]
            tally, seconds = run_phase(port, plan, jobs, args, server)
            cpu = plan["window_cpu_s"] or 0.0
            phase_rows = summarize(name, tally, seconds)
            served = sum(r["requests"] for r in phase_rows if r["per_second"] is not None)
            capacity = round(2 * served / cpu) if cpu else None
            phases_info.append(
                {
                    "phase": name,
                    "window_requests": served,
                    "server_cpu_s": round(cpu, 1),
                    "server_cpu_ms_per_request": round(1000 * cpu / max(1, served), 2),
                    "generator_cpu_ms_per_request": round(1000 * tally.generator_cpu_s / max(1, served), 2),
                    "requests_per_s_on_2_dedicated_cores": capacity,
                    "load_average_before": round(load_before, 1),
                    "load_average_after": round(os.getloadavg()[0], 1),
                }
            )
            print(
                f"   measured window: {served} requests, server CPU {cpu:.1f} s "
                f"({1000 * cpu / max(1, served):.2f} ms per request, ~{capacity} req/s on 2 dedicated cores), "
                f"load generator CPU {1000 * tally.generator_cpu_s / max(1, served):.2f} ms per request; "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            rows += phase_rows
            totals.merge(tally)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    counts = stored(env, plan["deck_id"])
    check = {
        "beacons_sent": totals.beacons_sent,
        "beacons_accepted": totals.beacons_accepted,
        "page_views_stored": counts["page_views"],
        "searches_answered": totals.searches_ok,
        "search_events_stored": counts["searches"],
        "asset_opens_answered": totals.opens_ok,
        "view_events_stored": counts["views"],
    }
    # an event is lost when the server acknowledged it (204/200) and the database does not have it
    check["lost"] = (
        max(0, check["beacons_accepted"] - check["page_views_stored"])
        + max(0, check["searches_answered"] - check["search_events_stored"])
        + max(0, check["asset_opens_answered"] - check["view_events_stored"])
    )
    print_rows(rows)
    print("events: " + ", ".join(f"{k} {v}" for k, v in check.items()))
    if totals.errors:
        print("first errors:\n  " + "\n  ".join(totals.errors[:10]))
    result = {
        "database": kind,
        "workers": args.workers,
        "threads": threads,
        "cpu_cores": os.cpu_count(),
        "duration_s": args.duration,
        "reps": args.reps,
        "prospects": args.prospects,
        "rows": rows,
        "phases": phases_info,
        "events": check,
        "errors": totals.errors[:20],
    }
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"load-{kind}.json").write_text(json.dumps(result, indent=2))
    if not args.keep:
        shutil.rmtree(instance, ignore_errors=True)
    return result


PHASES = ("reps", "searches", "prospects", "mixed")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/hub_load")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--prospects", type=int, default=200)
    parser.add_argument("--assets", type=int, default=300)
    parser.add_argument(
        "--deck-pages", type=int, default=24, help="pages of the shared deck (one beacon per page per visit)"
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase (at most 120)")
    parser.add_argument(
        "--max-requests", type=int, default=5000, help="requests per simulated user per phase"
    )
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds for sign-ins before a phase starts")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--threads", type=int, help="page threads per gunicorn worker (default: hub.asgi's choice)"
    )
    parser.add_argument(
        "--phases", default=",".join(PHASES), help=f"comma-separated, in order, from: {', '.join(PHASES)}"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="load-generator processes (one keeps up with the server and leaves it more of the cores)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the instance folder for inspection")
    args = parser.parse_args()
    unknown = set(args.phases.split(",")) - set(PHASES)
    if unknown:
        parser.error(f"unknown phase {', '.join(sorted(unknown))}; choose from {', '.join(PHASES)}")
    args.duration = min(args.duration, 120.0)
    results = []
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        results.append(run_database(kind, args))
    failed = [
        r["database"] for r in results if r["events"]["lost"] or any(row["errors"] for row in r["rows"])
    ]
    if failed:
        raise SystemExit(f"errors or lost events on: {', '.join(failed)}")


if __name__ == "__main__":
    main()
