"""Turn report query arguments into ReportFilters; bad values fall back to defaults with a message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from hub.analytics.filters import EARLIEST
from hub.analytics.filters import LATEST
from hub.analytics.filters import ReportFilters
from hub.extensions import db
from hub.models import AssetType
from hub.models import Persona
from hub.models import Role
from hub.models import Stage
from hub.models import User
from hub.routing import parse_id

MAX_DAYS = 5 * 366
# a bad value is quoted back in its message, cut to this length
SHOWN_CHARS = 40


@dataclass(frozen=True)
class FilterOptions:
    personas: list[Persona]
    stages: list[Stage]
    teams: list[str]
    reps: list[User]
    types: list[AssetType]


def filter_options() -> FilterOptions:
    teams = db.session.scalars(
        select(User.team).where(User.team.is_not(None), User.team != "").distinct().order_by(User.team)
    ).all()
    return FilterOptions(
        personas=list(db.session.scalars(select(Persona).order_by(Persona.position, Persona.name))),
        stages=list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.name))),
        teams=list(teams),
        reps=list(db.session.scalars(select(User).where(User.role == Role.REP).order_by(User.name))),
        types=list(AssetType),
    )


def _shown(raw: str) -> str:
    return raw if len(raw) <= SHOWN_CHARS else raw[:SHOWN_CHARS] + "…"


def _date(raw: str, label: str, errors: list[str]) -> date | None:
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        errors.append(
            f"{label} “{_shown(raw)}” is not a date; use the form YYYY-MM-DD. Showing the default range."
        )
        return None
    if not EARLIEST <= value <= LATEST:
        errors.append(
            f"{label} {value.isoformat()} is out of range; use a date between {EARLIEST.isoformat()} "
            f"and {LATEST.isoformat()}. Showing the default range."
        )
        return None
    return value


def _known_id(raw: str, known: set[int], label: str, errors: list[str]) -> int | None:
    value = parse_id(raw)
    if value in known:
        return value
    errors.append(f"Unknown {label} “{_shown(raw)}”; showing all {label}s.")
    return None


def parse_filters(args: MultiDict, today: date, options: FilterOptions) -> tuple[ReportFilters, list[str]]:
    """Read start, end, persona, stage, type, team and rep; unknown or malformed values are dropped."""
    errors: list[str] = []
    default = ReportFilters.default(today)
    start = end = None
    if args.get("start", "").strip():
        start = _date(args["start"], "Start date", errors)
    if args.get("end", "").strip():
        end = _date(args["end"], "End date", errors)
    if errors:
        start = end = None
    end = end or default.end
    start = start or (end - timedelta(days=default.days - 1))
    if start > end:
        errors.append("The start date is after the end date; showing the default range.")
        start, end = default.start, default.end
    if (end - start).days >= MAX_DAYS:
        errors.append("Reports cover at most five years; showing the last five years of the range.")
        start = end - timedelta(days=MAX_DAYS - 1)

    fields: dict = {}
    if raw := args.get("persona", "").strip():
        fields["persona_id"] = _known_id(raw, {p.id for p in options.personas}, "persona", errors)
    if raw := args.get("stage", "").strip():
        fields["stage_id"] = _known_id(raw, {s.id for s in options.stages}, "stage", errors)
    if raw := args.get("rep", "").strip():
        fields["rep_id"] = _known_id(raw, {u.id for u in options.reps}, "rep", errors)
    if raw := args.get("type", "").strip():
        if raw in {t.value for t in AssetType}:
            fields["asset_type"] = AssetType(raw)
        else:
            errors.append(f"Unknown type “{_shown(raw)}”; showing all types.")
    if raw := args.get("team", "").strip():
        if raw in options.teams:
            fields["team"] = raw
        else:
            errors.append(f"Unknown team “{_shown(raw)}”; showing all teams.")
    return ReportFilters(start=start, end=end, **fields), errors


def positive_int(args: MultiDict, name: str, default: int = 1) -> int:
    value = parse_id(args.get(name))
    return value if value is not None and value < 1_000_000 else default
