"""`flask --app hub demo`: load a realistic demo company so every page and report shows something."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from hub import index
from hub.demo import activity
from hub.demo import documents
from hub.demo.catalog import ASSETS
from hub.demo.catalog import PERSONAS
from hub.demo.catalog import STAGES
from hub.demo.catalog import DemoAsset
from hub.extensions import db
from hub.library import service as library
from hub.models import Asset
from hub.models import AssetType
from hub.models import Base
from hub.models import Blob
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealAssetSource
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import PageView
from hub.models import Persona
from hub.models import Role
from hub.models import ShareItem
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import Stage
from hub.models import UsageEvent
from hub.models import User
from hub.models import token_digest
from hub.models import utcnow
from hub.storage import blob_key
from hub.storage import get_storage

DEMO_PASSWORD = "hub-demo-2026"
DEMO_USERS = [
    ("admin@hub.demo", "Avery Admin", Role.ADMIN, None),
    ("maya@hub.demo", "Maya Marketer", Role.MARKETER, "Marketing"),
    ("rob@hub.demo", "Rob Rivera", Role.REP, "East"),
    ("sara@hub.demo", "Sara Singh", Role.REP, "East"),
    ("tom@hub.demo", "Tom Becker", Role.REP, "West"),
    ("lena@hub.demo", "Lena Novak", Role.REP, "West"),
]
ACCOUNT_PARTS = (
    [
        "Apex",
        "Birch",
        "Cobalt",
        "Delta",
        "Ember",
        "Fjord",
        "Granite",
        "Harbor",
        "Iris",
        "Juniper",
        "Keystone",
        "Lumen",
        "Maple",
        "Nimbus",
        "Onyx",
        "Pioneer",
        "Quarry",
        "Redwood",
        "Summit",
        "Tidal",
        "Union",
        "Vertex",
    ],
    [
        "Foods",
        "Health",
        "Logistics",
        "Energy",
        "Retail",
        "Manufacturing",
        "Labs",
        "Hotels",
        "Media",
        "Builders",
    ],
)
CRM_STAGES = {
    DealStatus.OPEN: ["Qualification", "Discovery", "Proposal", "Negotiation"],
    DealStatus.WON: ["Closed Won"],
    DealStatus.LOST: ["Closed Lost"],
}
Progress = Callable[[str], None]


def has_data() -> bool:
    return db.session.scalar(select(func.count()).select_from(User)) > 0


def reset() -> None:
    """Remove every row and every stored blob; the schema stays."""
    storage = get_storage()
    for sha in db.session.scalars(select(Blob.sha256)).all():
        storage.delete(blob_key(sha))
    db.session.execute(Asset.__table__.update().values(current_version_id=None))
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()
    index.rebuild()


def load(progress: Progress, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    today = utcnow().date()
    users = _users(progress)
    personas, stages = _taxonomy(progress)
    library = _assets(progress, rng, users, personas, stages, today)
    # like most libraries, a good part of it is never used; the adoption report should show that
    never_used = set(rng.sample(range(10, len(library)), 11))
    used = [pair for n, pair in enumerate(library) if n not in never_used]
    deals = _deals(progress, rng, users, personas, stages, today)
    uses = _deal_content(progress, rng, deals, used, users)
    shares = _shares(progress, rng, deals, used)
    events = activity.events(progress, rng, users, used, deals, today)
    activity.feedback_and_requests(progress, rng, users, used, personas, stages)
    db.session.commit()
    return {
        "users": len(users),
        "assets": len(library),
        "deals": len(deals),
        "deal_uses": uses,
        "shares": shares,
        "events": events,
    }


def _users(progress: Progress) -> list[User]:
    progress("users")
    users = []
    for email, name, role, team in DEMO_USERS:
        user = User(email=email, name=name, role=role, team=team)
        user.set_password(DEMO_PASSWORD)
        users.append(user)
    db.session.add_all(users)
    db.session.commit()
    return users


def _taxonomy(progress: Progress) -> tuple[dict[str, Persona], dict[str, Stage]]:
    progress("personas and stages")
    personas = {
        name: Persona(name=name, description=desc, position=i) for i, (name, desc) in enumerate(PERSONAS)
    }
    stages = {name: Stage(name=name, description=desc, position=i) for i, (name, desc) in enumerate(STAGES)}
    db.session.add_all([*personas.values(), *stages.values()])
    db.session.commit()
    return personas, stages


def _assets(progress, rng, users, personas, stages, today) -> list[tuple[Asset, DemoAsset]]:
    marketer = users[1]
    assets = []
    for n, item in enumerate(ASSETS, 1):
        progress(f"asset {n}/{len(ASSETS)}: {item.title}")
        common = dict(
            title=item.title,
            description=item.summary,
            owner=marketer,
            asset_type=AssetType(item.asset_type),
            persona_ids=[personas[p].id for p in item.personas],
            stage_ids=[stages[s].id for s in item.stages],
            tags=list(item.tags),
            expires_on=documents.expiry(rng, item, today),
        )
        if item.kind == "link":
            asset = library.create_link_asset(url=item.url, created_by=marketer, **common)
        else:
            data, filename = documents.document(rng, item)
            asset = library.create_file_asset(data=data, filename=filename, uploaded_by=marketer, **common)
        assets.append((asset, item))
    return assets


def _deals(progress, rng, users, personas, stages, today) -> list[Deal]:
    progress("150 deals")
    reps = users[2:]
    deals = []
    for n in range(1, 151):
        status = rng.choices([DealStatus.WON, DealStatus.LOST, DealStatus.OPEN], weights=[33, 32, 35])[0]
        created = today - timedelta(days=rng.randint(20, 200))
        closed = None
        if status.is_closed:
            closed = min(today - timedelta(days=1), created + timedelta(days=rng.randint(15, 120)))
        account = f"{rng.choice(ACCOUNT_PARTS[0])} {rng.choice(ACCOUNT_PARTS[1])}"
        deals.append(
            Deal(
                crm_id=f"006DEMO{n:05d}",
                name=f"{account} – {rng.choice(['Spend Control', 'Procure-to-Pay', 'Expense Rollout', 'Enterprise Plan'])}",
                account=account,
                amount=Decimal(rng.randrange(8_000, 240_000, 500)),
                currency="USD",
                owner=rng.choice(reps),
                crm_stage=rng.choice(CRM_STAGES[status]),
                # won customers move on to onboarding and advocacy; open and lost deals stop earlier
                stage=rng.choice(
                    list(stages.values()) if status == DealStatus.WON else list(stages.values())[:3]
                ),
                persona=rng.choice(list(personas.values())),
                status=status,
                created_on=created,
                closed_on=closed,
            )
        )
    db.session.add_all(deals)
    db.session.commit()
    return deals


def _deal_content(progress, rng, deals, assets, users) -> int:
    """Link content to deals; stronger assets show up more in won deals, so the reports have a story."""
    progress("content used in deals")
    rows = 0
    for deal in deals:
        # won deals tend to have had more content in them, which is the story the reports tell
        most = {DealStatus.WON: 6, DealStatus.LOST: 3, DealStatus.OPEN: 4}[deal.status]
        for asset, item in rng.sample(assets, rng.randint(0, most)):
            bias = item.strength if deal.status == DealStatus.WON else -item.strength
            if rng.random() > 0.55 + bias:
                continue
            end = deal.closed_on or utcnow().date()
            span = max(1, (end - deal.created_on).days)
            used_on = deal.created_on + timedelta(days=rng.randint(0, span))
            db.session.add(
                DealAsset(
                    deal=deal,
                    asset=asset,
                    user=deal.owner,
                    source=rng.choice(
                        [DealAssetSource.MEETING, DealAssetSource.EMAIL, DealAssetSource.SHARE]
                    ),
                    used_at=datetime.combine(used_on, datetime.min.time())
                    + timedelta(hours=rng.randint(8, 18)),
                )
            )
            rows += 1
    db.session.commit()
    return rows


def _shares(progress, rng, deals, assets) -> int:
    progress("share links and prospect visits")
    open_or_recent = [d for d in deals if d.status == DealStatus.OPEN][:30]
    now = utcnow()
    for deal in open_or_recent:
        chosen = rng.sample([a for a, item in assets if item.kind != "link"], rng.randint(1, 3))
        token = secrets.token_urlsafe(24)
        created = now - timedelta(days=rng.randint(1, 25), hours=rng.randint(0, 12))
        share = ShareLink(
            token=token,
            token_hash=token_digest(token),
            created_by=deal.owner,
            deal=deal,
            title=f"Materials for {deal.account}",
            recipient_name=f"{rng.choice(['Alex', 'Jordan', 'Sam', 'Chris'])} "
            f"{rng.choice(['Meyer', 'Okafor', 'Lindqvist', 'Tanaka'])}",
            recipient_company=deal.account,
            recipient_email=f"buyer@{deal.account.split()[0].lower()}.example.com",
            expires_at=created + timedelta(days=30),
            allow_download=rng.random() < 0.7,
            created_at=created,
        )
        share.items = [ShareItem(asset=a, position=i) for i, a in enumerate(chosen)]
        db.session.add(share)
        db.session.flush()
        for asset in chosen:
            db.session.add(
                DealAsset(
                    deal=deal,
                    asset=asset,
                    user=deal.owner,
                    share_id=share.id,
                    source=DealAssetSource.SHARE,
                    used_at=created,
                )
            )
        for v in range(rng.randint(0, 3)):
            started = created + timedelta(hours=rng.randint(1, 72))
            visit = ShareVisit(
                share=share,
                visitor_key=secrets.token_hex(16),
                started_at=started,
                last_seen_at=started,
                user_agent="Mozilla/5.0 (demo)",
                seen_at=started if v else None,
            )
            db.session.add(visit)
            for asset in chosen:
                db.session.add(
                    UsageEvent(
                        kind=EventKind.SHARE_OPEN,
                        created_at=started,
                        share_id=share.id,
                        asset_id=asset.id,
                        deal_id=deal.id,
                        source="viewer",
                    )
                )
            total = 0.0
            for asset in chosen:
                pages = (asset.current_version.page_count if asset.current_version else None) or 1
                for page in range(1, rng.randint(1, pages) + 1):
                    seconds = round(rng.uniform(4, 140), 1)
                    total += seconds
                    visit.page_views.append(
                        PageView(
                            asset=asset,
                            page=page,
                            seconds=seconds,
                            first_seen_at=started,
                            last_seen_at=started,
                        )
                    )
            visit.total_seconds = total
            visit.last_seen_at = started + timedelta(seconds=total)
            share.last_opened_at = max(share.last_opened_at or started, started)
    db.session.commit()
    return len(open_or_recent)
