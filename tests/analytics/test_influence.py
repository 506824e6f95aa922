"""asset_outcomes and usage_counts on small hand-built data."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

from hub.analytics import asset_outcomes
from hub.analytics import usage_counts
from hub.models import DealStatus
from hub.models import EventKind
from tests.factories import link_deal_asset
from tests.factories import make_bare_asset
from tests.factories import make_deal
from tests.factories import make_event


def _closed(status, closed_on, amount="1000"):
    return make_deal(status=status, closed_on=closed_on, amount=Decimal(amount))


def test_outcomes_count_won_lost_open_and_revenue(app):
    asset = make_bare_asset("Case study")
    won1 = _closed(DealStatus.WON, date(2026, 3, 10), "5000")
    won2 = _closed(DealStatus.WON, date(2026, 3, 20), "2500.50")
    lost = _closed(DealStatus.LOST, date(2026, 3, 15))
    open_deal = make_deal()
    for deal in (won1, won2, lost, open_deal):
        link_deal_asset(deal, asset, used_at=datetime(2026, 3, 1, 9))
    # a second use in the same deal counts the deal once
    link_deal_asset(won1, asset, used_at=datetime(2026, 3, 2, 9))

    outcome = asset_outcomes()[asset.id]

    assert (outcome.deals, outcome.won, outcome.lost, outcome.open) == (4, 2, 1, 1)
    assert outcome.win_rate == 2 / 3
    assert outcome.influenced_revenue == Decimal("7500.50")
    assert outcome.closed == 3
    assert outcome.sufficient is False


def test_use_after_close_is_not_influence(app):
    asset = make_bare_asset()
    deal = _closed(DealStatus.WON, date(2026, 3, 10))
    link_deal_asset(deal, asset, used_at=datetime(2026, 3, 11, 8))
    assert asset_outcomes() == {}

    # the close date itself still counts, whatever the hour
    link_deal_asset(deal, asset, used_at=datetime(2026, 3, 10, 23, 59))
    assert asset_outcomes()[asset.id].won == 1


def test_outcomes_filter_by_ids_and_period(app):
    first, second = make_bare_asset(), make_bare_asset()
    march = _closed(DealStatus.WON, date(2026, 3, 10))
    may = _closed(DealStatus.LOST, date(2026, 5, 10))
    for deal in (march, may):
        link_deal_asset(deal, first, used_at=datetime(2026, 3, 1))
        link_deal_asset(deal, second, used_at=datetime(2026, 3, 1))

    assert set(asset_outcomes([first.id])) == {first.id}
    spring = asset_outcomes(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert (spring[first.id].won, spring[first.id].lost) == (1, 0)
    assert asset_outcomes(start=date(2026, 6, 1)) == {}


def test_open_deals_belong_to_the_period_of_their_use(app):
    asset = make_bare_asset()
    link_deal_asset(make_deal(), asset, used_at=datetime(2026, 4, 2))
    assert asset_outcomes(start=date(2026, 4, 1), end=date(2026, 4, 30))[asset.id].open == 1
    assert asset_outcomes(start=date(2026, 5, 1), end=date(2026, 5, 31)) == {}


def test_sufficient_from_min_deals(app):
    asset = make_bare_asset()
    for day in range(1, 6):
        deal = _closed(DealStatus.WON if day % 2 else DealStatus.LOST, date(2026, 3, day))
        link_deal_asset(deal, asset, used_at=datetime(2026, 2, 1))
    outcome = asset_outcomes()[asset.id]
    assert outcome.closed == 5
    assert outcome.win_rate == 3 / 5
    assert outcome.sufficient is True


def test_usage_counts(app):
    a, b = make_bare_asset(), make_bare_asset()
    for kind in (EventKind.VIEW, EventKind.DOWNLOAD, EventKind.SHARE, EventKind.USED_IN_DEAL):
        make_event(kind, asset_id=a.id, at=datetime(2026, 3, 5))
    make_event(EventKind.VIEW, asset_id=b.id, at=datetime(2026, 1, 5))
    # not usage: searches, clicks, feedback
    make_event(EventKind.SEARCH_CLICK, asset_id=a.id, at=datetime(2026, 3, 5))
    make_event(EventKind.FEEDBACK, asset_id=a.id, at=datetime(2026, 3, 5))

    assert usage_counts() == {a.id: 4, b.id: 1}
    assert usage_counts([b.id]) == {b.id: 1}
    assert usage_counts(since=date(2026, 2, 1)) == {a.id: 4}
    assert usage_counts(since=datetime(2026, 3, 6)) == {}
