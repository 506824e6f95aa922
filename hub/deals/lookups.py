"""Names in CRM data resolved to Hub rows: owners by email or name, personas and stages by name."""

from __future__ import annotations

import re

from sqlalchemy import select

from hub.deals.parsing import ValueProblem
from hub.extensions import db
from hub.models import Persona
from hub.models import Stage
from hub.models import User

_EMAIL_IN_TEXT = re.compile(r"[^\s<>()]+@[^\s<>()]+")


def _key(text: str) -> str:
    return " ".join(text.strip().lower().split())


class Lookups:
    """Loaded once per import or request, so a file of thousands of rows costs three queries."""

    def __init__(self) -> None:
        self.by_email: dict[str, User] = {}
        self.by_name: dict[str, list[User]] = {}
        for user in db.session.scalars(select(User)):
            self.by_email[user.email.lower()] = user
            self.by_name.setdefault(_key(user.name), []).append(user)
        self.personas = {_key(p.name): p for p in db.session.scalars(select(Persona))}
        self.stages = {_key(s.name): s for s in db.session.scalars(select(Stage))}

    def owner(self, raw: str | None) -> User | None:
        """Blank means no owner; 'Jane Doe', 'jane@x.com' and 'Jane Doe <jane@x.com>' all work."""
        text = (raw or "").strip()
        if not text:
            return None
        match = _EMAIL_IN_TEXT.search(text)
        if match and match.group(0).lower() in self.by_email:
            return self.by_email[match.group(0).lower()]
        name = _key(re.sub(r"[<(].*[>)]", "", text))
        last, comma, first = name.partition(",")
        if comma and name not in self.by_name:
            # "Whitfield, Dana" as CRMs sort owners in some locales
            name = _key(f"{first} {last}")
        named = self.by_name.get(name, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise ValueProblem(f"owner {text!r} matches {len(named)} users; use the owner's email")
        raise ValueProblem(f"unknown owner {text!r} (no Hub user with this email or name)")

    def owner_id(self, raw: str | None) -> int | None:
        user = self.owner(raw)
        return user.id if user else None

    def persona_id(self, raw: str) -> int:
        persona = self.personas.get(_key(raw))
        if persona is None:
            raise ValueProblem(f"unknown persona {raw.strip()!r}")
        return persona.id

    def stage_id(self, raw: str) -> int:
        stage = self.stages.get(_key(raw))
        if stage is None:
            raise ValueProblem(f"unknown buyer-journey stage {raw.strip()!r}")
        return stage.id
