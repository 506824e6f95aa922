"""A realistic instance for the load run: reps, a searchable library, and share links to a long deck."""

from __future__ import annotations

import random

from sqlalchemy import func
from sqlalchemy import select

from hub import samples
from hub.auth.service import create_user
from hub.extensions import db
from hub.library.service import create_file_asset
from hub.models import EventKind
from hub.models import PageView
from hub.models import Persona
from hub.models import Role
from hub.models import ShareItem
from hub.models import ShareVisit
from hub.models import Stage
from hub.models import UsageEvent
from hub.models import User
from hub.shares.service import create_share

PASSWORD = "load-test-password"
WORDS = (
    "pricing security compliance onboarding integration roadmap analytics migration enterprise retail "
    "healthcare finance manufacturing logistics renewal expansion competitor benchmark latency uptime "
    "dashboard workflow automation reporting forecast pipeline quota discount procurement contract audit "
    "encryption identity storage backup recovery performance scale support training rollout adoption"
).split()
SEARCH_TERMS = WORDS[:30] + ["pricing security", "case study retail", "roadmap integration", "uptime sla"]
PERSONAS = ("CFO", "IT director", "Operations lead", "End user", "Procurement")
STAGES = ("Awareness", "Consideration", "Decision", "Onboarding", "Advocacy")


def seed(*, reps: int, assets: int, shares: int, deck_pages: int, progress=print) -> dict:
    """Create everything through Hub's own services; returns what the clients need."""
    rng = random.Random(8)
    personas = [Persona(name=name, position=i) for i, name in enumerate(PERSONAS)]
    stages = [Stage(name=name, position=i) for i, name in enumerate(STAGES)]
    db.session.add_all(personas + stages)
    db.session.commit()
    marketer = create_user("marketer@load.test", "Load Marketer", PASSWORD, Role.MARKETER)
    emails = []
    for n in range(reps):
        emails.append(create_user(f"rep{n}@load.test", f"Rep {n}", PASSWORD, Role.REP).email)
    progress(f"  {reps} reps")
    asset_ids = []
    for n in range(assets):
        words = rng.sample(WORDS, 12)
        text = f"{' '.join(words).capitalize()}.\n\n" + " ".join(rng.choices(WORDS, k=400))
        asset = create_file_asset(
            data=text.encode(),
            filename=f"brief-{n}.txt",
            title=f"{words[0].capitalize()} {words[1]} brief {n}",
            description=" ".join(words[2:8]),
            owner=marketer,
            uploaded_by=marketer,
            persona_ids=[rng.choice(personas).id],
            stage_ids=[rng.choice(stages).id],
            tags=words[8:10],
        )
        asset_ids.append(asset.id)
        if (n + 1) % 100 == 0:
            progress(f"  {n + 1}/{assets} assets")
    deck_data = samples.make_pdf(
        "Platform deck", [f"Slide {n}: {rng.choice(WORDS)}" for n in range(deck_pages)]
    )
    deck = create_file_asset(
        data=deck_data,
        filename="platform-deck.pdf",
        title="Platform deck",
        owner=marketer,
        uploaded_by=marketer,
    )
    rep_users = db.session.scalars(select(User).where(User.role == Role.REP).order_by(User.id)).all()
    tokens = []
    for n in range(shares):
        share = create_share(
            created_by=rep_users[n % len(rep_users)], assets=[deck], recipient_name=f"Prospect {n}"
        )
        tokens.append(share.token)
    progress(f"  {shares} share links to a {deck_pages}-page deck")
    return {
        "rep_emails": emails,
        "password": PASSWORD,
        "asset_ids": asset_ids,
        "terms": SEARCH_TERMS,
        "tokens": tokens,
        "deck_id": deck.id,
        "deck_pages": deck_pages,
    }


def stored_counts(deck_id: int) -> dict:
    """What the database holds after the run: page-time rows per link, and usage events by kind."""
    per_token = dict(
        db.session.execute(
            select(ShareItem.share_id, func.count(PageView.id))
            .join(ShareVisit, ShareVisit.share_id == ShareItem.share_id)
            .join(PageView, PageView.visit_id == ShareVisit.id)
            .where(ShareItem.asset_id == deck_id)
            .group_by(ShareItem.share_id)
        ).all()
    )
    events = dict(
        db.session.execute(
            select(UsageEvent.kind, func.count(UsageEvent.id))
            .where(UsageEvent.kind.in_([EventKind.SEARCH, EventKind.VIEW]))
            .group_by(UsageEvent.kind)
        ).all()
    )
    return {
        "page_views": sum(per_token.values()),
        "searches": events.get(EventKind.SEARCH, 0),
        "views": events.get(EventKind.VIEW, 0),
    }
