"""The demo company's history: 90 days of usage events, rep feedback and content requests."""

from __future__ import annotations

import secrets
from datetime import datetime
from datetime import timedelta

from sqlalchemy import insert

from hub.extensions import db
from hub.models import ContentRequest
from hub.models import EventKind
from hub.models import Feedback
from hub.models import RequestStatus
from hub.models import UsageEvent
from hub.models import utcnow

QUERIES = [
    "roi",
    "roi guide",
    "security",
    "soc 2",
    "sso",
    "gdpr",
    "pricing",
    "case study",
    "netsuite integration",
    "battle card",
    "objection handling",
    "implementation plan",
    "mobile app",
    "receipt",
    "cfo deck",
    "supplier onboarding",
    "contract renewal",
    "month end close",
    "business case",
    "approval workflow",
    "qbr template",
    "referral",
    "secuirty",
    "implmentation",
    "pricng",  # typos reps really make
    "hipaa compliance",
    "german translation",
    "public sector pricing",
    "competitor zylo",
    "roi calculator spreadsheet",
]
ZERO_RESULT_QUERIES = {
    "hipaa compliance",
    "german translation",
    "public sector pricing",
    "competitor zylo",
    "roi calculator spreadsheet",
}


def events(progress, rng, users, assets, deals, today) -> int:
    progress("usage events over the last 90 days")
    reps = users[2:]
    # a quarter of the library is popular, as in most companies; some assets are never touched
    popular = [a for a, _ in assets[: len(assets) // 2]]
    rows = []
    start = datetime.combine(today - timedelta(days=90), datetime.min.time())
    for _ in range(4200):
        when = start + timedelta(minutes=rng.randint(0, 90 * 24 * 60))
        user = rng.choice(reps + users[1:2])
        kind = rng.choices(
            [EventKind.SEARCH, EventKind.SEARCH_CLICK, EventKind.VIEW, EventKind.DOWNLOAD, EventKind.SHARE],
            weights=[34, 18, 30, 12, 6],
        )[0]
        asset = rng.choice(popular) if rng.random() < 0.85 else rng.choice(assets)[0]
        row = {"kind": kind, "created_at": when, "user_id": user.id, "source": "web"}
        if kind == EventKind.SEARCH:
            query = rng.choice(QUERIES)
            row |= {
                "query": query,
                "result_count": 0 if query in ZERO_RESULT_QUERIES else rng.randint(1, 12),
                "search_id": secrets.token_hex(8),
                "filters": {},
            }
        else:
            row["asset_id"] = asset.id
        rows.append(row)
    searches = [r for r in rows if r["kind"] == EventKind.SEARCH and r["result_count"]]
    for row in rows:
        if row["kind"] == EventKind.SEARCH_CLICK and searches:
            parent = rng.choice(searches)
            row |= {
                "search_id": parent["search_id"],
                "query": parent["query"],
                "created_at": parent["created_at"] + timedelta(seconds=rng.randint(3, 40)),
            }
    db.session.execute(insert(UsageEvent), rows)
    db.session.commit()
    return len(rows)


def feedback_and_requests(progress, rng, users, assets, personas, stages) -> None:
    progress("rep feedback and content requests")
    comments = [
        "Prospect loved the numbers.",
        "Too long for a first meeting.",
        "Needs a healthcare example.",
        "Exactly what the CFO asked for.",
        "Outdated screenshots.",
        None,
        None,
    ]
    for asset, item in rng.sample(assets, 18):
        for _ in range(rng.randint(1, 4)):
            rating = max(1, min(5, round(3.4 + item.strength * 6 + rng.uniform(-1.5, 1.5))))
            db.session.add(
                Feedback(asset=asset, user=rng.choice(users[2:]), rating=rating, comment=rng.choice(comments))
            )
    requests = [
        ("HIPAA compliance one-pager", "IT director", "Decision", RequestStatus.OPEN),
        ("Case study in the public sector", "CFO", "Consideration", RequestStatus.OPEN),
        ("German version of the platform deck", "Operations lead", "Awareness", RequestStatus.IN_PROGRESS),
        ("End-user onboarding video", "End user", "Onboarding", RequestStatus.DONE),
    ]
    for title, persona, stage, status in requests:
        db.session.add(
            ContentRequest(
                title=title,
                details="Prospects keep asking for this.",
                persona=personas[persona],
                stage=stages[stage],
                requested_by=rng.choice(users[2:]),
                status=status,
                response="On the roadmap for next month." if status != RequestStatus.OPEN else None,
                answered_by=users[1] if status != RequestStatus.OPEN else None,
                closed_at=utcnow() if status.is_closed else None,
            )
        )
    db.session.commit()
