"""Reading CRM values: amounts, dates, yes/no flags and deal status, in the formats CRMs export."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation

from hub.models import DealStatus

CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
MAX_AMOUNT = Decimal("99999999999999.99")

# number formats: "dot" reads 1,234.56 and "comma" reads 1.234,56
NUMBER_FORMATS = {"auto": "Detect from the file", "dot": "1,234.56", "comma": "1.234,56"}
DATE_FORMATS = {
    "auto": "Detect from the file",
    "ymd": "2026-03-31 (ISO)",
    "mdy": "03/31/2026 (US)",
    "dmy": "31/03/2026 or 31.03.2026 (European)",
}

_CODE = re.compile(r"\b([A-Z]{3})\b")
_DIGITS = re.compile(r"^\d+([.,]\d+)*([.,]\d*)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NUMERIC = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?$"
)
_TEXT_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%d-%b-%Y")

WON_WORDS = {"won", "closed won", "closedwon", "closed-won", "closed_won", "win", "gewonnen"}
LOST_WORDS = {"lost", "closed lost", "closedlost", "closed-lost", "closed_lost", "loss", "verloren"}
OPEN_WORDS = {"open", "in progress", "active", "pending"}
TRUE_WORDS = {"true", "yes", "y", "1", "x", "won", "closed"}
FALSE_WORDS = {"false", "no", "n", "0", ""}


class ValueProblem(ValueError):
    """A value that cannot be read; the message says why, for the row report."""


def detect_number_format(values: Iterable[str]) -> str:
    """'comma' when some value can only be a decimal comma (1.234,56 or 9,5), else 'dot'."""
    for raw in values:
        text = _strip_currency(raw or "")[0]
        last_comma, last_dot = text.rfind(","), text.rfind(".")
        if last_comma > last_dot and len(text) - last_comma - 1 != 3:
            return "comma"
        if last_comma > -1 and last_dot > -1 and last_comma > last_dot:
            return "comma"
    return "dot"


def _strip_currency(raw: str) -> tuple[str, str | None]:
    text = raw.strip().replace("\u00a0", " ").replace("\u202f", " ")
    currency = None
    for symbol, code in CURRENCY_SYMBOLS.items():
        if symbol in text:
            currency = code
            text = text.replace(symbol, "")
    match = _CODE.search(text)
    if match:
        currency = match.group(1)
        text = _CODE.sub("", text)
    return text.replace(" ", "").replace("'", ""), currency


def parse_amount(raw: str | None, number_format: str = "dot") -> tuple[Decimal | None, str | None]:
    """Return (amount, currency found in the text); blank gives (None, None)."""
    if raw is None or not raw.strip():
        return None, None
    text, currency = _strip_currency(raw)
    if not text or not _DIGITS.match(text):
        raise ValueProblem(f"bad amount {raw.strip()!r}")
    decimal_mark, group_mark = (",", ".") if number_format == "comma" else (".", ",")
    if text.count(decimal_mark) > 1:
        raise ValueProblem(f"bad amount {raw.strip()!r}")
    integer, _, fraction = text.partition(decimal_mark)
    groups = integer.split(group_mark)
    if len(groups) > 1 and (any(len(g) != 3 for g in groups[1:]) or not groups[0]):
        raise ValueProblem(f"bad amount {raw.strip()!r} (check the number format)")
    try:
        amount = Decimal("".join(groups) + ("." + fraction if fraction else ""))
    except InvalidOperation as exc:
        raise ValueProblem(f"bad amount {raw.strip()!r}") from exc
    if amount > MAX_AMOUNT:
        raise ValueProblem(f"bad amount {raw.strip()!r} (too large)")
    return amount.quantize(Decimal("0.01")), currency


def parse_currency(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if text in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[text]
    code = text.upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueProblem(f"bad currency {text!r} (use a 3-letter code such as USD)")
    return code


def detect_date_format(values: Iterable[str], default: str = "mdy") -> str:
    """Decide day-first or month-first for slashed dates from values that can only be read one way."""
    day_first = month_first = False
    for raw in values:
        match = _NUMERIC.match((raw or "").strip())
        if not match:
            continue
        if match.group(2) == ".":
            day_first = True
        first, second = int(match.group(1)), int(match.group(3))
        if first > 12 >= second:
            day_first = True
        elif second > 12 >= first:
            month_first = True
    if day_first and not month_first:
        return "dmy"
    if month_first and not day_first:
        return "mdy"
    return default


def parse_date(raw: str | None, date_format: str = "mdy") -> date | None:
    """ISO dates always work; 'mdy' or 'dmy' decides numeric dates such as 03/04/2026."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        match = _ISO.match(text)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        match = _NUMERIC.match(text)
        if match:
            first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
            if year < 100:
                year += 2000
            day_first = date_format == "dmy" or (match.group(2) == "." and date_format != "mdy")
            if date_format == "ymd":
                raise ValueProblem(f"bad date {text!r} (expected YYYY-MM-DD)")
            return date(year, second, first) if day_first else date(year, first, second)
    except ValueError as exc:
        if isinstance(exc, ValueProblem):
            raise
        raise ValueProblem(f"bad date {text!r}") from exc
    for fmt in _TEXT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueProblem(f"bad date {text!r}")


def parse_flag(raw: str | None, column: str) -> bool | None:
    if raw is None:
        return None
    text = raw.strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueProblem(f"bad status: {column} is {raw.strip()!r}, expected true or false")


def status_from_text(raw: str | None) -> DealStatus | None:
    """Won/lost from a stage or status name ('Closed Won', 'closedlost'); None when it says neither."""
    text = " ".join((raw or "").strip().lower().split())
    if text in WON_WORDS or text.endswith(" won"):
        return DealStatus.WON
    if text in LOST_WORDS or text.endswith(" lost"):
        return DealStatus.LOST
    return None


def parse_status(raw: str) -> DealStatus:
    """An explicit status column: open, won or lost, in the words CRMs use."""
    found = status_from_text(raw)
    if found is not None:
        return found
    text = " ".join(raw.strip().lower().split())
    if text in OPEN_WORDS:
        return DealStatus.OPEN
    raise ValueProblem(f"bad status {raw.strip()!r} (expected open, won or lost)")
