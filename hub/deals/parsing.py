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
MIN_YEAR, MAX_YEAR = 1900, 2199

# number formats: "dot" reads 1,234.56 and "comma" reads 1.234,56
NUMBER_FORMATS = {"auto": "Detect from the file", "dot": "1,234.56", "comma": "1.234,56"}
DATE_FORMATS = {
    "auto": "Detect from the file",
    "ymd": "2026-03-31 (ISO)",
    "mdy": "03/31/2026 (US)",
    "dmy": "31/03/2026 or 31.03.2026 (European)",
}

# currency names as Dynamics 365 and some spreadsheets write them
CURRENCY_NAMES = {
    "us dollar": "USD",
    "euro": "EUR",
    "pound sterling": "GBP",
    "british pound": "GBP",
    "japanese yen": "JPY",
    "swiss franc": "CHF",
    "canadian dollar": "CAD",
    "australian dollar": "AUD",
    "indian rupee": "INR",
}

_CODE = re.compile(r"\b([A-Z]{3})\b")
_DIGITS = re.compile(r"^\d+([.,]\d+)*([.,]\d*)?$")
_GROUPED_ONLY = re.compile(r"^[1-9]\d{0,2}[.,]\d{3}$")
# year first, with dashes (ISO), slashes or dots (2026/03/31 as in Japanese and Chinese locales)
_ISO = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
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


def detect_number_format(values: Iterable[str], default: str = "dot") -> str:
    """The format the first telling value shows; 1,234 or 1.234 alone tells nothing."""
    for raw in values:
        text = _strip_currency(raw or "")[0].lstrip("-(").rstrip(")")
        last_comma, last_dot = text.rfind(","), text.rfind(".")
        if last_comma > -1 and last_dot > -1:
            return "comma" if last_comma > last_dot else "dot"
        # one mark not followed by three digits is the decimal mark; a mark used twice groups thousands
        for mark, as_decimal, as_group in ((",", "comma", "dot"), (".", "dot", "comma")):
            count = text.count(mark)
            if count == 1 and len(text) - text.rfind(mark) - 1 != 3:
                return as_decimal
            if count > 1:
                return as_group
    return default


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
    """Return (amount, currency found in the text); blank gives (None, None).

    A value whose only mark is the decimal one followed by three digits (12.500 read as 1,234.56) is
    refused: it is far more often a thousands separator than an amount with three decimals.
    """
    if raw is None or not raw.strip():
        return None, None
    text, currency = _strip_currency(raw)
    if not text or not _DIGITS.match(text):
        raise ValueProblem(f"bad amount {raw.strip()!r}{_amount_hint(text)}")
    decimal_mark, group_mark = (",", ".") if number_format == "comma" else (".", ",")
    if _GROUPED_ONLY.match(text) and decimal_mark in text:
        other = NUMBER_FORMATS["dot" if number_format == "comma" else "comma"]
        raise ValueProblem(
            f"bad amount {raw.strip()!r}: read as {NUMBER_FORMATS[number_format]} it has three decimals; "
            f"if {decimal_mark!r} separates thousands, choose {other} as the number format"
        )
    if text.count(decimal_mark) > 1:
        raise ValueProblem(f"bad amount {raw.strip()!r}")
    integer, _, fraction = text.partition(decimal_mark)
    groups = integer.split(group_mark)
    if len(groups) > 1 and (any(len(g) != 3 for g in groups[1:]) or not groups[0]):
        raise ValueProblem(f"bad amount {raw.strip()!r} (check the number format)")
    try:
        amount = Decimal("".join(groups) + ("." + fraction if fraction else ""))
    except InvalidOperation as exc:
        raise ValueProblem(f"bad amount {raw.strip()!r} (check the number format)") from exc
    if amount > MAX_AMOUNT:
        raise ValueProblem(f"bad amount {raw.strip()!r} (too large)")
    return amount.quantize(Decimal("0.01")), currency


def _amount_hint(text: str) -> str:
    lowered = text.lower()
    if text.startswith(("-", "(")) and text[1:2].isdigit():
        return " (negative amounts are not accepted)"
    if re.fullmatch(r"[\d.,]+e[+-]?\d+", lowered):
        return " (scientific notation: the spreadsheet may have rounded it; format the column as a number)"
    if lowered.lstrip("+-") in ("nan", "inf", "infinity"):
        return " (not a number)"
    return ""


def parse_currency(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if text in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[text]
    if " ".join(text.lower().split()) in CURRENCY_NAMES:
        return CURRENCY_NAMES[" ".join(text.lower().split())]
    code = text.upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueProblem(f"bad currency {text!r} (use a 3-letter code such as USD)")
    return code


def detect_date_format(values: Iterable[str], default: str | None = "mdy") -> str | None:
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


def ambiguous_dates(values: Iterable[str], limit: int = 3) -> list[str]:
    """Up to `limit` different numeric dates that read differently month first and day first."""
    found: list[str] = []
    for raw in values:
        text = (raw or "").strip()
        match = _NUMERIC.match(text)
        if not match or text in found:
            continue
        first, second = int(match.group(1)), int(match.group(3))
        if first != second and first <= 12 and second <= 12 and _readable(text):
            found.append(text)
            if len(found) == limit:
                break
    return found


def _readable(text: str) -> bool:
    try:
        return all(parse_date(text, order) for order in ("mdy", "dmy"))
    except ValueProblem:
        return False


def parse_date(raw: str | None, date_format: str = "mdy") -> date | None:
    """ISO dates always work; 'mdy' or 'dmy' decides numeric dates such as 03/04/2026."""
    if raw is None or not raw.strip():
        return None
    found = _parse_date(raw.strip(), date_format)
    # 1/1/0001 is how .NET CRMs such as Dynamics write "no date"
    if not MIN_YEAR <= found.year <= MAX_YEAR:
        raise ValueProblem(f"bad date {raw.strip()!r} (year outside {MIN_YEAR}-{MAX_YEAR})")
    return found


def _parse_date(text: str, date_format: str) -> date:
    try:
        match = _ISO.match(text)
        if match:
            return date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        match = _NUMERIC.match(text)
        if match:
            first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
            if len(match.group(4)) == 2:
                year += 2000
            day_first = date_format == "dmy" or (match.group(2) == "." and date_format != "mdy")
            if date_format == "ymd":
                raise ValueProblem(f"bad date {text!r} (expected YYYY-MM-DD)")
            try:
                return date(year, second, first) if day_first else date(year, first, second)
            except ValueError as exc:
                order = "day first" if day_first else "month first"
                raise ValueProblem(f"bad date {text!r} (read {order}; check the date format)") from exc
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
    # "Closed-Lost to Competition" (Zoho) is lost as much as "Closed Lost" is
    words = " ".join(text.replace("-", " ").replace("_", " ").split())
    if text in WON_WORDS or text.endswith(" won") or words.startswith("closed won"):
        return DealStatus.WON
    if text in LOST_WORDS or text.endswith(" lost") or words.startswith("closed lost"):
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
