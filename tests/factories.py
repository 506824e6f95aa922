"""Small builders for test data; each commits and returns the model."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from hub.extensions import db
from hub.models import Deal
from hub.models import DealStatus
from hub.models import Persona
from hub.models import Role
from hub.models import Stage
from hub.models import User

_seq = itertools.count(1)

PERSONAS = ("CFO", "IT director", "Operations lead", "End user", "Procurement")
STAGES = ("Awareness", "Consideration", "Decision", "Onboarding", "Advocacy")


def make_user(
    role: Role = Role.REP, *, email: str | None = None, password: str = "password123", **fields
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.com", name=fields.pop("name", f"User {n}"), role=role, **fields
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_taxonomy() -> tuple[list[Persona], list[Stage]]:
    personas = [Persona(name=name, position=i) for i, name in enumerate(PERSONAS)]
    stages = [Stage(name=name, position=i) for i, name in enumerate(STAGES)]
    db.session.add_all(personas + stages)
    db.session.commit()
    return personas, stages


def make_deal(*, owner: User | None = None, status: DealStatus = DealStatus.OPEN, **fields) -> Deal:
    n = next(_seq)
    deal = Deal(
        crm_id=fields.pop("crm_id", f"CRM-{n}"),
        name=fields.pop("name", f"Deal {n}"),
        account=fields.pop("account", f"Account {n}"),
        amount=fields.pop("amount", Decimal("10000")),
        owner=owner,
        status=status,
        created_on=fields.pop("created_on", date(2026, 1, 1)),
        **fields,
    )
    db.session.add(deal)
    db.session.commit()
    return deal
