#!/usr/bin/env python
"""Page benchmark: the pages reps open most, timed in-process on the demo company.

    .venv/bin/python bench/pages/run.py --requests 200

Loads the demo company into a temporary instance, signs in as a rep and times the search page (eight
common queries in turn) and the asset page (every demo asset in turn: PDFs, Word documents, decks, text
and links) through Flask's test client: the whole request, from the session cookie to the rendered HTML,
without the HTTP server. The first pass over each page fills the caches (page images, document HTML,
slides) as the first visitors would; the figures are per request over the passes after it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

QUERIES = ["pricing", "security", "roi", "integration", "case study", "cfo", "onboarding", "compliance"]


def timed(client, paths: list[str], requests: int) -> list[float]:
    """Milliseconds per request over `requests` requests cycling through `paths`."""
    for path in paths:
        client.get(path)
    times = []
    for n in range(requests):
        started = time.perf_counter()
        response = client.get(paths[n % len(paths)])
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{paths[n % len(paths)]} answered {response.status_code}")
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(
        f"{name:<12} {len(times):>6} requests   median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page kind")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="hub-pages-"))
    os.environ.update(HUB_INSTANCE_PATH=str(instance), HUB_SECRET_KEY="bench-pages-secret-key-0123456789")
    os.environ.pop("HUB_DATABASE_URL", None)
    from flask_migrate import upgrade

    from hub import create_app
    from hub.demo import loader
    from hub.demo.loader import DEMO_PASSWORD
    from hub.models import Asset

    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            upgrade()
            loader.load(lambda step: print(f"  - {step}", flush=True))
            from hub.extensions import db

            asset_ids = list(db.session.scalars(db.select(Asset.id).order_by(Asset.id)))
            db.session.remove()
        client = app.test_client()
        signed_in = client.post("/login", data={"email": "rob@hub.demo", "password": DEMO_PASSWORD})
        if signed_in.status_code != 302:
            raise SystemExit("could not sign in as the demo rep")
        report("search", timed(client, [f"/search?q={q}" for q in QUERIES], args.requests))
        report("asset page", timed(client, [f"/assets/{n}" for n in asset_ids], args.requests))
    finally:
        shutil.rmtree(instance, ignore_errors=True)


# parsers and previews run in child processes that import this module again; the guard keeps them
# from running the benchmark themselves
if __name__ == "__main__":
    main()
