"""Content performance numbers on a small data set where every figure is known."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from hub.analytics.filters import ReportFilters
from hub.analytics.performance import content_performance
from hub.extensions import db
from hub.models import AssetStatus
from hub.models import AssetType
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import PageView
from hub.models import Role
from hub.models import ShareItem
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import token_digest
from tests.factories import link_deal_asset
from tests.factories import make_bare_asset
from tests.factories import make_deal
from tests.factories import make_event
from tests.factories import make_user

MARCH = ReportFilters(start=date(2026, 3, 1), end=date(2026, 3, 31))
USED = datetime(2026, 2, 20, 10)


def _deal(status, closed_on, amount="1000", **fields):
    return make_deal(status=status, closed_on=closed_on, amount=Decimal(amount), **fields)


@pytest.fixture
def data(app):
    rep1 = make_user(Role.REP, team="East")
    rep2 = make_user(Role.REP, team="West")
    a = make_bare_asset("Alpha case study", asset_type=AssetType.CASE_STUDY)
    b = make_bare_asset("Beta deck", asset_type=AssetType.DECK)
    make_bare_asset("Old archived", status=AssetStatus.ARCHIVED)
    won = DealStatus.WON
    lost = DealStatus.LOST
    d1 = _deal(won, date(2026, 3, 5), "1000", owner=rep1)
    d2 = _deal(won, date(2026, 3, 6), "2000", owner=rep2)
    d3 = _deal(lost, date(2026, 3, 7), owner=rep1)
    _deal(won, date(2026, 3, 8), "4000")
    _deal(lost, date(2026, 3, 9))
    _deal(lost, date(2026, 3, 10))
    d7 = _deal(won, date(2026, 3, 11), "500")
    d8 = _deal(won, date(2026, 4, 2), "9000")
    for deal in (d1, d2, d3, d8):
        link_deal_asset(deal, a, used_at=USED)
    # shared after the signature: not influence, so d7 stays in the baseline
    link_deal_asset(d7, a, used_at=datetime(2026, 3, 12))

    for user, kind in ((rep1, EventKind.VIEW), (rep1, EventKind.VIEW), (rep2, EventKind.VIEW)):
        make_event(kind, user_id=user.id, asset_id=a.id, at=datetime(2026, 3, 3))
    make_event(EventKind.DOWNLOAD, user_id=rep1.id, asset_id=a.id, at=datetime(2026, 3, 4))
    make_event(EventKind.SHARE, user_id=rep2.id, asset_id=a.id, at=datetime(2026, 3, 20, 15))
    make_event(EventKind.VIEW, user_id=rep1.id, asset_id=a.id, at=datetime(2026, 2, 1))
    make_event(EventKind.VIEW, user_id=rep1.id, asset_id=b.id, at=datetime(2026, 3, 31, 23, 59))

    share = ShareLink(token="tok", token_hash=token_digest("tok"), created_by=rep2)
    share.items = [ShareItem(asset=a)]
    visit = ShareVisit(share=share, visitor_key="v1", started_at=datetime(2026, 3, 21))
    db.session.add_all([share, visit])
    db.session.add(PageView(visit=visit, asset=a, page=1, seconds=42.5, first_seen_at=datetime(2026, 3, 21)))
    db.session.commit()
    return {"a": a, "b": b, "rep1": rep1, "rep2": rep2}


def _by_title(report):
    return {row.title: row for row in report.rows}


def test_numbers_for_one_asset(data):
    report = content_performance(MARCH)
    rows = _by_title(report)
    assert set(rows) == {"Alpha case study", "Beta deck"}
    a = rows["Alpha case study"]
    assert (a.views, a.downloads, a.shares, a.reps) == (3, 1, 1, 2)
    assert (a.opens, a.seconds) == (1, 42.5)
    assert (a.deals, a.won, a.lost) == (3, 2, 1)
    assert a.win_rate == pytest.approx(2 / 3)
    # comparable: 7 deals closed in March, 4 won; without Alpha: 4 deals, 2 won
    assert (report.comparable.won, report.comparable.closed) == (4, 7)
    assert a.baseline == pytest.approx(0.5)
    assert a.baseline_deals == 4
    assert a.lift == pytest.approx(100 * (2 / 3 - 0.5))
    assert a.revenue == Decimal("3000.00")
    assert a.last_used == datetime(2026, 3, 20, 15)
    assert a.sufficient is False
    b = rows["Beta deck"]
    assert (b.views, b.deals, b.win_rate, b.revenue) == (1, 0, None, Decimal("0.00"))
    assert b.baseline == pytest.approx(4 / 7)


def test_filters_by_rep_team_and_type(data):
    east = _by_title(content_performance(MARCH.but(team="East")))
    assert east["Alpha case study"].views == 2
    assert (east["Alpha case study"].won, east["Alpha case study"].lost) == (1, 1)
    rep2 = _by_title(content_performance(MARCH.but(rep_id=data["rep2"].id)))
    assert (rep2["Alpha case study"].opens, rep2["Alpha case study"].shares) == (1, 1)
    decks = content_performance(MARCH.but(asset_type=AssetType.DECK))
    assert [row.title for row in decks.rows] == ["Beta deck"]


def test_rates_from_few_deals_do_not_rank(app):
    strong = make_bare_asset("Few deals, all won")
    proven = make_bare_asset("Five deals, two won")
    for day in range(1, 3):
        link_deal_asset(_deal(DealStatus.WON, date(2026, 3, day)), strong, used_at=USED)
    for day in range(1, 6):
        deal = _deal(DealStatus.WON if day <= 2 else DealStatus.LOST, date(2026, 3, day))
        link_deal_asset(deal, proven, used_at=USED)

    report = content_performance(MARCH, sort="win_rate", descending=True)
    assert [row.title for row in report.rows] == ["Five deals, two won", "Few deals, all won"]
    assert report.rows[0].sufficient and not report.rows[1].sufficient
    ascending = content_performance(MARCH, sort="win_rate", descending=False)
    assert ascending.rows[0].title == "Five deals, two won"


def test_sort_pagination_and_export(data):
    page1 = content_performance(MARCH, sort="title", descending=False, per_page=1)
    assert (page1.total, page1.pages, page1.rows[0].title) == (2, 2, "Alpha case study")
    page2 = content_performance(MARCH, sort="title", descending=False, per_page=1, page=2)
    assert page2.rows[0].title == "Beta deck"
    # an out-of-range page shows the last one; an unknown sort key falls back to views
    assert content_performance(MARCH, per_page=1, page=99).page == 2
    assert content_performance(MARCH, sort="nonsense").sort == "views"
    by_views = content_performance(MARCH, sort="views")
    assert [row.title for row in by_views.rows] == ["Alpha case study", "Beta deck"]
