"""Synthetic activity for the reports benchmark: reps, assets, deals, content use, events, share visits.

Everything is written with Core bulk inserts (executemany) in batches, so a million events load in
well under a minute on SQLite.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from collections.abc import Iterator
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert

from hub.extensions import db
from hub.models import Asset
from hub.models import AssetType
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealAssetSource
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import Feedback
from hub.models import PageView
from hub.models import Persona
from hub.models import Role
from hub.models import ShareItem
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import Stage
from hub.models import UsageEvent
from hub.models import User
from hub.models.asset import asset_persona
from hub.models.asset import asset_stage

BATCH = 50_000
TEAMS = ("East", "West", "North", "South", "Central", "EMEA", "APAC", "LATAM")
PERSONAS = ("CFO", "IT director", "Operations lead", "End user", "Procurement")
STAGES = ("Awareness", "Consideration", "Decision", "Onboarding", "Advocacy")
# share of each kind among events, roughly what a busy deployment records
KIND_WEIGHTS = {
    EventKind.SEARCH: 25,
    EventKind.SEARCH_CLICK: 10,
    EventKind.VIEW: 30,
    EventKind.DOWNLOAD: 8,
    EventKind.SHARE: 10,
    EventKind.SHARE_OPEN: 8,
    EventKind.USED_IN_DEAL: 7,
    EventKind.FEEDBACK: 2,
}
WORDS = "pricing security roi onboarding gdpr integration api migration case study battle card".split()


def _bulk(table, rows: Iterator[dict], progress: Callable[[str], None], label: str) -> int:
    total = 0
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            db.session.execute(insert(table), batch)
            total += len(batch)
            batch = []
            progress(f"  {label}: {total:,}")
    if batch:
        db.session.execute(insert(table), batch)
        total += len(batch)
    db.session.commit()
    progress(f"  {label}: {total:,} done")
    return total


def _popular(rng: random.Random, n: int) -> int:
    """An index in [0, n) where low indexes are much more frequent, as real content use is."""
    return min(n - 1, int(rng.paretovariate(1.2)) - 1) if rng.random() < 0.7 else rng.randrange(n)


def generate(
    *,
    events: int,
    deals: int,
    assets: int,
    reps: int,
    today: date,
    seed: int = 7,
    progress: Callable[[str], None] = print,
) -> dict[str, int]:
    """Fill an empty schema; returns the row counts written."""
    rng = random.Random(seed)
    now = datetime.combine(today, datetime.min.time()) + timedelta(hours=18)
    db.session.add_all([Persona(name=n, position=i) for i, n in enumerate(PERSONAS)])
    db.session.add_all([Stage(name=n, position=i) for i, n in enumerate(STAGES)])
    db.session.commit()
    persona_ids = [p.id for p in db.session.query(Persona).order_by(Persona.id)]
    stage_ids = [s.id for s in db.session.query(Stage).order_by(Stage.id)]

    counts = {}
    counts["users"] = _bulk(
        User.__table__,
        (
            {
                "email": f"rep{i}@bench.example",
                "name": f"Rep {i}",
                "password_hash": "!",
                "role": Role.REP.value,
                "team": TEAMS[i % len(TEAMS)],
                "is_active_account": True,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(reps)
        ),
        progress,
        "users",
    )
    user_ids = [u.id for u in db.session.query(User.id).order_by(User.id)]
    types = list(AssetType)
    counts["assets"] = _bulk(
        Asset.__table__,
        (
            {
                "title": f"{rng.choice(WORDS).title()} {rng.choice(types).label} {i}",
                "asset_type": rng.choice(types).value,
                "status": "archived" if rng.random() < 0.05 else "published",
                "created_at": now - timedelta(days=rng.randrange(720)),
                "updated_at": now,
            }
            for i in range(assets)
        ),
        progress,
        "assets",
    )
    asset_ids = [a.id for a in db.session.query(Asset.id).order_by(Asset.id)]
    _bulk(
        asset_persona,
        (
            {"asset_id": a, "persona_id": p}
            for a in asset_ids
            for p in rng.sample(persona_ids, rng.randint(1, 2))
        ),
        progress,
        "asset personas",
    )
    _bulk(
        asset_stage,
        ({"asset_id": a, "stage_id": s} for a in asset_ids for s in rng.sample(stage_ids, rng.randint(1, 2))),
        progress,
        "asset stages",
    )

    def deal_rows():
        for i in range(deals):
            created = today - timedelta(days=rng.randrange(730))
            roll = rng.random()
            status = DealStatus.OPEN if roll < 0.2 else (DealStatus.WON if roll < 0.5 else DealStatus.LOST)
            closed = None
            if status is not DealStatus.OPEN:
                closed = min(today, created + timedelta(days=rng.randint(10, 180)))
            yield {
                "crm_id": f"BENCH-{i}",
                "name": f"Deal {i}",
                "amount": Decimal(rng.randrange(5_000, 250_000)),
                "currency": "USD",
                "owner_id": rng.choice(user_ids),
                "persona_id": rng.choice(persona_ids),
                "stage_id": rng.choice(stage_ids),
                "status": status.value,
                "created_on": created,
                "closed_on": closed,
                "created_at": now,
                "updated_at": now,
            }

    counts["deals"] = _bulk(Deal.__table__, deal_rows(), progress, "deals")
    deal_rows_db = db.session.query(Deal.id, Deal.created_on, Deal.closed_on, Deal.owner_id).all()

    def use_rows():
        for deal_id, created, closed, owner in deal_rows_db:
            end = closed or today
            span = max(1, (end - created).days)
            for asset_index in {_popular(rng, len(asset_ids)) for _ in range(rng.randint(0, 4))}:
                # about one use in ten lands after the close, which must not count as influence
                day = created + timedelta(days=rng.randrange(span + (span // 10) + 1))
                yield {
                    "deal_id": deal_id,
                    "asset_id": asset_ids[asset_index],
                    "user_id": owner,
                    "source": rng.choice(list(DealAssetSource)).value,
                    "used_at": datetime.combine(day, datetime.min.time())
                    + timedelta(hours=rng.randrange(24)),
                }

    counts["deal_assets"] = _bulk(DealAsset.__table__, use_rows(), progress, "deal assets")

    shares = max(1, events // 50)
    counts["shares"] = _bulk(
        ShareLink.__table__,
        (
            {
                "token": f"bench{i}",
                "token_hash": f"{i:064x}",
                "created_by_id": rng.choice(user_ids),
                "allow_download": True,
                "require_email": False,
                "created_at": now - timedelta(days=rng.randrange(365)),
                "updated_at": now,
            }
            for i in range(shares)
        ),
        progress,
        "share links",
    )
    share_ids = [s.id for s in db.session.query(ShareLink.id).order_by(ShareLink.id)]
    share_assets: dict[int, list[int]] = {}

    def item_rows():
        for share_id in share_ids:
            chosen = {asset_ids[_popular(rng, len(asset_ids))] for _ in range(rng.randint(1, 3))}
            share_assets[share_id] = sorted(chosen)
            for position, asset_id in enumerate(share_assets[share_id]):
                yield {"share_id": share_id, "asset_id": asset_id, "position": position}

    _bulk(ShareItem.__table__, item_rows(), progress, "share items")
    visit_share: list[int] = []

    def visit_rows():
        for i in range(shares * 3 // 2):
            share_id = rng.choice(share_ids)
            visit_share.append(share_id)
            started = now - timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
            yield {
                "share_id": share_id,
                "visitor_key": f"v{i}",
                "started_at": started,
                "last_seen_at": started,
                "total_seconds": 0.0,
            }

    counts["visits"] = _bulk(ShareVisit.__table__, visit_rows(), progress, "share visits")
    visits = db.session.query(ShareVisit.id, ShareVisit.share_id, ShareVisit.started_at).all()
    counts["page_views"] = _bulk(
        PageView.__table__,
        (
            {
                "visit_id": visit_id,
                "asset_id": asset_id,
                "page": page,
                "seconds": float(rng.randint(2, 240)),
                "first_seen_at": started,
                "last_seen_at": started,
            }
            for visit_id, share_id, started in visits
            for asset_id in share_assets[share_id]
            for page in range(1, rng.randint(1, 4) + 1)
        ),
        progress,
        "page views",
    )

    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())

    def event_rows():
        for _ in range(events):
            kind = rng.choices(kinds, weights)[0]
            at = now - timedelta(seconds=rng.randrange(365 * 86_400))
            row = {
                "kind": kind.value,
                "created_at": at,
                "user_id": None if kind is EventKind.SHARE_OPEN else rng.choice(user_ids),
                "asset_id": None,
                "source": "web",
                "search_id": None,
                "query": None,
                "result_count": None,
                "share_id": None,
            }
            if kind is EventKind.SEARCH:
                row["query"] = " ".join(rng.sample(WORDS, rng.randint(1, 2)))
                row["result_count"] = 0 if rng.random() < 0.1 else rng.randint(1, 40)
                row["search_id"] = f"{rng.getrandbits(64):016x}"
            else:
                row["asset_id"] = asset_ids[_popular(rng, len(asset_ids))]
            if kind is EventKind.SHARE_OPEN:
                row["share_id"] = rng.choice(share_ids)
            yield row

    counts["events"] = _bulk(UsageEvent.__table__, event_rows(), progress, "usage events")
    counts["feedback"] = _bulk(
        Feedback.__table__,
        (
            {
                "asset_id": asset_ids[_popular(rng, len(asset_ids))],
                "user_id": rng.choice(user_ids),
                "rating": rng.randint(1, 5),
                "comment": "Useful" if rng.random() < 0.3 else None,
                "created_at": now - timedelta(days=rng.randrange(365)),
            }
            for _ in range(events // 100)
        ),
        progress,
        "feedback",
    )
    return counts
