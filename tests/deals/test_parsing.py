from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hub.deals import parsing
from hub.deals.parsing import ValueProblem
from hub.models import DealStatus


@pytest.mark.parametrize(
    ("raw", "number_format", "amount", "currency"),
    [
        ("12000", "dot", "12000.00", None),
        ("1,234.56", "dot", "1234.56", None),
        ("1.234,56", "comma", "1234.56", None),
        ("$12,000", "dot", "12000.00", "USD"),
        ("€ 9.500,00", "comma", "9500.00", "EUR"),
        ("12000 USD", "dot", "12000.00", "USD"),
        ("EUR 48.000", "comma", "48000.00", "EUR"),
        ("£1,250.5", "dot", "1250.50", "GBP"),
        ("1 234,56", "comma", "1234.56", None),
        ("  250000.00 ", "dot", "250000.00", None),
    ],
)
def test_amounts_in_common_formats(raw, number_format, amount, currency):
    assert parsing.parse_amount(raw, number_format) == (Decimal(amount), currency)


@pytest.mark.parametrize("raw", ["twelve", "12,00,0.5", "1.2.3,4,5", "-500", "$", "12k"])
def test_bad_amounts_are_refused(raw):
    with pytest.raises(ValueProblem, match="bad amount"):
        parsing.parse_amount(raw, "dot")


def test_blank_amount_is_none():
    assert parsing.parse_amount("  ", "dot") == (None, None)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1,234.56", "12000"], "dot"),
        (["1.234,56"], "comma"),
        (["9,5", "12"], "comma"),
        (["€ 9.500,00"], "comma"),
        (["12,000", "48,500.00"], "dot"),
    ],
)
def test_number_format_is_detected_from_the_column(values, expected):
    assert parsing.detect_number_format(values) == expected


@pytest.mark.parametrize(
    ("raw", "date_format", "expected"),
    [
        ("2026-03-31", "mdy", date(2026, 3, 31)),
        ("2026-03-31 14:05", "dmy", date(2026, 3, 31)),
        ("2026-03-31T14:05:00Z", "mdy", date(2026, 3, 31)),
        ("03/31/2026", "mdy", date(2026, 3, 31)),
        ("3/4/2026", "mdy", date(2026, 3, 4)),
        ("3/4/2026", "dmy", date(2026, 4, 3)),
        ("31/03/2026", "dmy", date(2026, 3, 31)),
        ("31.03.2026", "dmy", date(2026, 3, 31)),
        ("31.03.2026", "auto", date(2026, 3, 31)),
        ("3/31/26", "mdy", date(2026, 3, 31)),
        ("3/31/2026 2:05 PM", "mdy", date(2026, 3, 31)),
        ("31 Mar 2026", "mdy", date(2026, 3, 31)),
        ("Mar 31, 2026", "mdy", date(2026, 3, 31)),
    ],
)
def test_dates_in_common_formats(raw, date_format, expected):
    assert parsing.parse_date(raw, date_format) == expected


@pytest.mark.parametrize(
    ("raw", "date_format"),
    [
        ("31/03/2026", "mdy"),
        ("2026-02-30", "mdy"),
        ("next week", "mdy"),
        ("03/31/2026", "ymd"),
        ("13/13/2026", "dmy"),
    ],
)
def test_bad_dates_are_refused(raw, date_format):
    with pytest.raises(ValueProblem, match="bad date"):
        parsing.parse_date(raw, date_format)


@pytest.mark.parametrize(
    ("values", "default", "expected"),
    [
        (["03/31/2026", "04/01/2026"], "mdy", "mdy"),
        (["31/03/2026", "01/04/2026"], "mdy", "dmy"),
        (["01/02/2026"], "dmy", "dmy"),
        (["31.03.2026"], "mdy", "dmy"),
        (["2026-03-31"], "mdy", "mdy"),
    ],
)
def test_date_order_is_detected_from_unambiguous_values(values, default, expected):
    assert parsing.detect_date_format(values, default) == expected


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("Closed Won", DealStatus.WON),
        ("closedwon", DealStatus.WON),
        ("Closed Lost", DealStatus.LOST),
        ("closedlost", DealStatus.LOST),
        ("won", DealStatus.WON),
        ("Lost", DealStatus.LOST),
        ("open", DealStatus.OPEN),
    ],
)
def test_status_words(raw, status):
    assert parsing.parse_status(raw) == status


def test_unknown_status_is_refused():
    with pytest.raises(ValueProblem, match="bad status"):
        parsing.parse_status("maybe")
