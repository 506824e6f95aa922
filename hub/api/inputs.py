"""Reading API input: the JSON body, query arguments, and deal fields with per-field errors."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation

from flask import request

from hub.deals import parsing
from hub.deals.crm_ids import canonical_crm_id
from hub.deals.lookups import Lookups
from hub.deals.parsing import ValueProblem
from hub.models import DealStatus
from hub.models import utcnow
from hub.routing import MAX_ID

DEAL_FIELDS = {
    "crm_id",
    "name",
    "account",
    "amount",
    "currency",
    "owner",
    "crm_stage",
    "stage",
    "persona",
    "status",
    "created_on",
    "closed_on",
}
MAX_PER_PAGE = 100


class ApiError(Exception):
    """Answered as {"error": {"status", "message", ...}} with this status."""

    def __init__(self, status: int, message: str, **extra) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, "Send the request body as JSON with the header Content-Type: application/json.")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The request body is not valid JSON.")
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def paging() -> tuple[int, int]:
    page = int_arg("page", 1)
    per_page = int_arg("per_page", 25)
    # past MAX_ID the row offset would overflow the database's integers
    if not 1 <= page <= MAX_ID or not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(400, f"page must be between 1 and {MAX_ID} and per_page between 1 and {MAX_PER_PAGE}.")
    return page, per_page


def int_arg(name: str, default: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ApiError(
            400, f"The query parameter {name} must be a whole number.", fields={name: "not a number"}
        ) from exc


def iso_date(value, field: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueProblem("expected a date as YYYY-MM-DD")
    text = value.strip()
    try:
        if len(text) <= 10:
            return date.fromisoformat(text) if text else None
        # CRMs often send a date-time for a date field: its date counts, but the whole value must parse
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise ValueProblem("expected a date as YYYY-MM-DD") from exc


def iso_datetime(value) -> datetime | None:
    """A naive UTC datetime from ISO 8601 (with or without offset), or a plain date at midday."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueProblem("expected an ISO 8601 date-time such as 2026-03-31T14:00:00Z")
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time().replace(hour=12))
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueProblem("expected an ISO 8601 date-time such as 2026-03-31T14:00:00Z") from exc
    if parsed.tzinfo is not None:
        try:
            parsed = (parsed - parsed.utcoffset()).replace(tzinfo=None)
        except OverflowError as exc:  # 9999-12-31T23:00-05:00 lies past the last representable moment
            raise ValueProblem("expected a date-time between the years 1 and 9999") from exc
    return parsed


def _amount(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem("expected a number")
    if isinstance(value, int | float):
        try:
            amount = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueProblem("expected a number") from exc
        # finiteness first: NaN cannot even be compared
        if not amount.is_finite():
            raise ValueProblem("expected a finite number")
        if amount < 0:
            raise ValueProblem("expected a positive amount")
        if amount > parsing.MAX_AMOUNT:
            raise ValueProblem(f"expected an amount of at most {parsing.MAX_AMOUNT:,}")
        return amount.quantize(Decimal("0.01"))
    if isinstance(value, str):
        return parsing.parse_amount(value, "dot")[0]
    raise ValueProblem("expected a number")


def _text(value, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int):
        raise ValueProblem("expected a string")
    text = str(value).strip()
    if len(text) > limit:
        raise ValueProblem(f"at most {limit} characters")
    # PostgreSQL refuses NUL in text, and no CRM name or id holds control characters
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValueProblem("must not contain control characters")
    return text or None


def crm_id_given(value: str, field: str = "crm_id") -> str:
    """A CRM id from a URL or a lookup field, checked as a deal's own crm_id is, in its stored form."""
    try:
        text = _text(value, 64)
    except ValueProblem as exc:
        raise ApiError(400, f"{field}: {exc}.", fields={field: str(exc)}) from exc
    if not text:
        raise ApiError(400, f"{field} must not be empty.", fields={field: "must not be empty"})
    return canonical_crm_id(text)


def deal_changes(data: dict, lookups: Lookups, *, crm_id: str | None = None) -> tuple[str, dict]:
    """(crm_id, changes) from a JSON deal; raises ApiError 400 for malformed fields, 422 for unknown names."""
    unknown = sorted(set(data) - DEAL_FIELDS)
    if unknown:
        raise ApiError(400, "Unknown fields.", fields={k: "not a deal field" for k in unknown})
    bad: dict[str, str] = {}
    changes: dict = {}
    body_id = data.get("crm_id")
    if crm_id is not None:
        crm_id = crm_id_given(crm_id)
        if body_id is not None and canonical_crm_id(str(body_id).strip()) != crm_id:
            raise ApiError(
                409,
                "The crm_id in the body differs from the one in the URL.",
                fields={"crm_id": "does not match the URL"},
            )
    else:
        crm_id = _safe(bad, "crm_id", lambda: _text(body_id, 64))
        if crm_id:
            crm_id = canonical_crm_id(crm_id)
        else:
            bad.setdefault("crm_id", "required")

    def put(key: str, read) -> None:
        if key in data:
            changes_key = key if key not in ("owner", "stage", "persona") else f"{key}_id"
            value = _safe(bad, key, lambda: read(data[key]))
            if key not in bad:
                changes[changes_key] = value

    put("name", lambda v: _required_text(v, 200))
    put("account", lambda v: _text(v, 200))
    put("crm_stage", lambda v: _text(v, 80))
    put("amount", _amount)
    put("currency", lambda v: parsing.parse_currency(v) if v is not None else None)
    put("status", _status)
    put("created_on", lambda v: iso_date(v, "created_on"))
    put("closed_on", lambda v: iso_date(v, "closed_on"))
    if changes.get("currency") is None:
        changes.pop("currency", None)
    if bad:
        raise ApiError(400, "Some fields are not valid.", fields=bad)
    put("owner", lambda v: lookups.owner_id(_text(v, 254)))
    put("stage", lambda v: lookups.stage_id(v) if _text(v, 80) else None)
    put("persona", lambda v: lookups.persona_id(v) if _text(v, 80) else None)
    if bad:
        raise ApiError(422, "Some names do not match anything in Hub.", fields=bad)
    return crm_id, changes


def _required_text(value, limit: int) -> str:
    text = _text(value, limit)
    if not text:
        raise ValueProblem("must not be empty")
    return text


def _status(value) -> DealStatus:
    if not isinstance(value, str) or value not in {s.value for s in DealStatus}:
        raise ValueProblem("expected open, won or lost")
    return DealStatus(value)


def _safe(bad: dict, key: str, read):
    try:
        return read()
    except ValueProblem as exc:
        bad[key] = str(exc)
        return None


def not_in_future(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value > utcnow():
        raise ApiError(400, f"{field} cannot be in the future.", fields={field: "in the future"})
    return value
