"""Adoption, coverage grid, search gaps, feedback and scorecard numbers on hand-built data."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from hub.analytics.adoption import adoption
from hub.analytics.adoption import unused_assets
from hub.analytics.adoption import usage_by_rep
from hub.analytics.charts import engagement_funnel
from hub.analytics.charts import usage_over_time
from hub.analytics.charts import win_rate_by_stage
from hub.analytics.feedback import latest_comments
from hub.analytics.feedback import ratings
from hub.analytics.filters import ReportFilters
from hub.analytics.grid import coverage_grid
from hub.analytics.scorecard import scorecard
from hub.analytics.search_gaps import no_click_queries
from hub.analytics.search_gaps import zero_result_queries
from hub.extensions import db
from hub.models import AssetStatus
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import Feedback
from hub.models import Role
from tests.factories import link_deal_asset
from tests.factories import make_bare_asset
from tests.factories import make_deal
from tests.factories import make_event
from tests.factories import make_taxonomy
from tests.factories import make_user

MARCH = ReportFilters(start=date(2026, 3, 1), end=date(2026, 3, 31))
IN_MARCH = datetime(2026, 3, 10, 12)


def test_adoption_share_and_unused_list(app):
    rep = make_user(Role.REP, name="Ann", team="East")
    used = [make_bare_asset(f"Used {i}") for i in range(3)]
    idle = make_bare_asset("Used last year")
    never = make_bare_asset("Never used")
    make_bare_asset("Archived, ignored", status=AssetStatus.ARCHIVED)
    make_event(EventKind.VIEW, user_id=rep.id, asset_id=used[0].id, at=IN_MARCH)
    make_event(EventKind.SHARE, user_id=rep.id, asset_id=used[1].id, at=IN_MARCH)
    link_deal_asset(make_deal(), used[2], used_at=IN_MARCH)
    make_event(EventKind.VIEW, user_id=rep.id, asset_id=idle.id, at=datetime(2025, 5, 1))
    # a search click or feedback is not use
    make_event(EventKind.SEARCH_CLICK, user_id=rep.id, asset_id=never.id, at=IN_MARCH)

    summary = adoption(MARCH)
    assert (summary.used, summary.published, summary.share) == (3, 5, 0.6)
    unused = unused_assets(MARCH)
    assert [u.title for u in unused] == ["Never used", "Used last year"]
    assert unused[0].last_used is None and unused[1].last_used == datetime(2025, 5, 1)
    assert adoption(MARCH.but(team="West")).used == 0


def test_usage_by_rep(app):
    ann = make_user(Role.REP, name="Ann", team="East")
    bob = make_user(Role.REP, name="Bob", team="West")
    asset = make_bare_asset()
    for kind in (EventKind.SEARCH, EventKind.SEARCH, EventKind.VIEW, EventKind.SHARE):
        make_event(kind, user_id=ann.id, asset_id=asset.id, at=IN_MARCH)
    with_content = make_deal(owner=ann, status=DealStatus.WON, closed_on=date(2026, 3, 20))
    link_deal_asset(with_content, asset, used_at=IN_MARCH)
    make_deal(owner=ann, status=DealStatus.LOST, closed_on=date(2026, 3, 21))

    rows = {r.name: r for r in usage_by_rep(MARCH)}
    ann_row = rows["Ann"]
    assert (ann_row.searches, ann_row.views, ann_row.shares) == (2, 1, 1)
    assert (ann_row.deals, ann_row.deals_with_content) == (2, 1)
    assert (rows["Bob"].views, rows["Bob"].deals) == (0, 0)
    assert [r.name for r in usage_by_rep(MARCH.but(rep_id=bob.id))] == ["Bob"]


def test_coverage_grid_gaps_weak_cells_and_win_rate(app):
    personas, stages = make_taxonomy()
    cfo, it = personas[0], personas[1]
    awareness, decision = stages[0], stages[2]
    busy = [make_bare_asset(personas=[cfo], stages=[decision]) for _ in range(3)]
    lonely = make_bare_asset(personas=[it], stages=[awareness])
    make_bare_asset(personas=[it], stages=[decision], status=AssetStatus.ARCHIVED)
    for asset in busy:
        for _ in range(4):
            make_event(EventKind.VIEW, asset_id=asset.id, at=IN_MARCH)
    make_event(EventKind.VIEW, asset_id=lonely.id, at=IN_MARCH)
    for i in range(4):
        deal = make_deal(
            status=DealStatus.WON if i < 3 else DealStatus.LOST,
            closed_on=date(2026, 3, 15),
            persona_id=cfo.id,
            stage_id=decision.id,
        )
        link_deal_asset(deal, busy[i % 3], used_at=IN_MARCH)
        # a second asset of the same cell in the same deal counts the deal once
        link_deal_asset(deal, busy[(i + 1) % 3], used_at=IN_MARCH)
    # a deal of another persona does not count in the cell
    other = make_deal(
        status=DealStatus.LOST, closed_on=date(2026, 3, 15), persona_id=it.id, stage_id=decision.id
    )
    link_deal_asset(other, busy[0], used_at=IN_MARCH)

    grid = coverage_grid(MARCH)
    cell = grid.cell(cfo.id, decision.id)
    assert (cell.assets, cell.usage, cell.won, cell.closed, cell.win_rate) == (3, 12, 3, 4, 0.75)
    assert not cell.gap and not cell.weak and not cell.sufficient
    weak = grid.cell(it.id, awareness.id)
    assert (weak.assets, weak.usage, weak.gap, weak.weak) == (1, 1, False, True)
    assert "only 1 asset" in weak.reasons and "little used" in weak.reasons
    # the archived asset does not cover its cell
    assert grid.cell(it.id, decision.id).gap
    assert grid.gaps == 23 and grid.weak == 1


def test_zero_result_and_no_click_queries(app):
    def search(query, results, search_id, at=IN_MARCH):
        make_event(EventKind.SEARCH, query=query, result_count=results, search_id=search_id, at=at)

    search("Pricing ", 0, "a")
    search("  pricing", 0, "b")
    search("PRICING", 0, "c")
    search("security", 0, "d")
    search("pricing", 0, "old", at=datetime(2026, 2, 1))
    search("roi", 7, "e")
    search("ROI ", 5, "f")
    search("roi", 4, "g")
    make_event(EventKind.SEARCH_CLICK, search_id="g", asset_id=1, at=IN_MARCH)
    search("gdpr", 3, None)

    zero = zero_result_queries(MARCH)
    assert [(q.query, q.count) for q in zero] == [("pricing", 3), ("security", 1)]
    no_click = no_click_queries(MARCH)
    assert [(q.query, q.count, q.searches) for q in no_click] == [("roi", 2, 3)]


def test_feedback_ratings_and_comments(app):
    rep = make_user(Role.REP, name="Ann")
    good, poor = make_bare_asset("Good"), make_bare_asset("Poor")
    for rating, asset, comment, day in ((5, good, "Great", 2), (4, good, None, 3), (2, poor, "Outdated", 4)):
        db.session.add(
            Feedback(asset=asset, user=rep, rating=rating, comment=comment, created_at=datetime(2026, 3, day))
        )
    db.session.add(Feedback(asset=poor, user=rep, rating=5, created_at=datetime(2026, 1, 1)))
    db.session.commit()

    rows = ratings(MARCH)
    assert [(r.title, r.average, r.count) for r in rows] == [("Good", 4.5, 2), ("Poor", 2.0, 1)]
    comments = latest_comments(MARCH)
    assert [(c.title, c.comment, c.author) for c in comments] == [
        ("Poor", "Outdated", "Ann"),
        ("Good", "Great", "Ann"),
    ]


def test_scorecard_and_charts(app):
    personas, stages = make_taxonomy()
    asset = make_bare_asset(personas=[personas[0]], stages=[stages[0]])
    idle = make_bare_asset()
    for i in range(5):
        deal = make_deal(
            status=DealStatus.WON if i < 4 else DealStatus.LOST,
            closed_on=date(2026, 3, 20),
            amount=Decimal("1000.50"),
            stage_id=stages[2].id,
        )
        link_deal_asset(deal, asset, used_at=IN_MARCH)
    for i in range(5):
        make_deal(
            status=DealStatus.WON if i < 1 else DealStatus.LOST,
            closed_on=date(2026, 3, 20),
            stage_id=stages[2].id,
        )
    after = make_deal(status=DealStatus.WON, closed_on=date(2026, 3, 5), amount=Decimal("99999"))
    link_deal_asset(after, asset, used_at=IN_MARCH)
    open_deal = make_deal()
    link_deal_asset(open_deal, asset, used_at=IN_MARCH)
    make_event(EventKind.VIEW, asset_id=asset.id, at=IN_MARCH)
    make_event(EventKind.SHARE, asset_id=asset.id, at=IN_MARCH)

    card = scorecard(MARCH)
    # 5 closed + 1 open influenced; the deal that closed before its content was used is not
    assert card.influenced_deals == 6
    assert card.influenced_won == 4
    assert card.influenced_revenue == Decimal("4002.00")
    assert (card.with_content.won, card.with_content.closed) == (4, 5)
    # without content: 5 deals, 1 won, plus the deal used after close (won): 2 of 6
    assert (card.without_content.won, card.without_content.closed) == (2, 6)
    assert card.lift == pytest.approx((4 / 5 - 2 / 6) * 100)
    assert card.lift_sufficient
    assert (card.adoption.used, card.adoption.published) == (1, 2)
    assert idle.id not in {asset.id}

    stage_rows = win_rate_by_stage(MARCH)["rows"]
    assert stage_rows[0] == {
        "stage": "Decision",
        "with_rate": 0.8,
        "with_deals": 5,
        "without_rate": 0.2,
        "without_deals": 5,
    }
    assert stage_rows[1]["stage"] == "No stage"
    usage = usage_over_time(MARCH)
    assert usage["unit"] == "day" and len(usage["labels"]) == 31
    views = next(s for s in usage["datasets"] if s["label"] == "Views")
    assert views["data"][9] == 1 and sum(views["data"]) == 1
    assert usage_over_time(ReportFilters(start=date(2026, 1, 1), end=date(2026, 6, 30)))["unit"] == "week"
    assert engagement_funnel(MARCH)["data"] == [1, 1, 0, 1]
