"""Report pages: access, what users see, bad filters, CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import pytest

from hub.models import DealStatus
from hub.models import EventKind
from hub.models import Role
from hub.models import utcnow
from tests.factories import link_deal_asset
from tests.factories import make_bare_asset
from tests.factories import make_deal
from tests.factories import make_event
from tests.factories import make_taxonomy
from tests.factories import make_user

PAGES = [
    "/reports",
    "/reports/performance",
    "/reports/adoption",
    "/reports/coverage",
    "/reports/search-gaps",
    "/reports/feedback",
]
TABLES = [
    "performance",
    "unused",
    "reps",
    "coverage",
    "zero-results",
    "no-click",
    "requests",
    "ratings",
    "comments",
]


@pytest.fixture
def data(app):
    personas, stages = make_taxonomy()
    rep = make_user(Role.REP, name="Rita Rep", team="East")
    today = utcnow().date()
    used = datetime.combine(today - timedelta(days=20), datetime.min.time())
    a = make_bare_asset("=Formula title", personas=[personas[0]], stages=[stages[0]])
    make_bare_asset("Never opened", personas=[personas[1]], stages=[stages[1]])
    for i in range(6):
        deal = make_deal(
            status=DealStatus.WON if i < 4 else DealStatus.LOST,
            closed_on=today - timedelta(days=10),
            amount=Decimal("1000"),
            owner=rep,
        )
        link_deal_asset(deal, a, used_at=used)
    make_deal(status=DealStatus.LOST, closed_on=today - timedelta(days=5))
    make_event(EventKind.VIEW, user_id=rep.id, asset_id=a.id, at=used)
    make_event(
        EventKind.SEARCH, user_id=rep.id, query=" Pricing Sheet ", result_count=0, search_id="s1", at=used
    )
    return {"a": a, "rep": rep, "personas": personas, "stages": stages}


def test_reps_are_refused(rep_client):
    for url in PAGES:
        assert rep_client.get(url).status_code == 403, url


@pytest.mark.parametrize("who", ["marketer_client", "admin_client"])
def test_content_roles_see_every_tab(request, data, who):
    client = request.getfixturevalue(who)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url


def test_overview_scorecard(marketer_client, data):
    page = marketer_client.get("/reports").get_data(as_text=True)
    assert 'id="score-revenue">$4,000<' in page
    assert 'id="score-deals">6<' in page
    # 1 of 2 published assets used
    assert 'id="score-adoption">50%<' in page
    # 4/6 with content against 0/1 without: lift +66.7 points, flagged for the single deal without
    assert 'id="score-lift">+66.7 pts<' in page
    assert "few deals" in page
    assert 'id="report-charts"' in page and "chart.umd.min.js" in page
    assert "<script>" not in page


def test_performance_page_shows_counts_and_warnings(marketer_client, data):
    page = marketer_client.get("/reports/performance?sort=win_rate").get_data(as_text=True)
    assert "=Formula title" in page
    assert "67%" in page and "(6 deals)" in page
    assert "on or before the deal" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=yesterday", "is not a date"),
        ("start=2026-05-01&end=2026-01-01", "start date is after the end date"),
        ("persona=99999", "Unknown persona"),
        ("stage=abc", "Unknown stage"),
        ("rep=99999", "Unknown rep"),
        ("type=poster", "Unknown type"),
        ("team=Nowhere", "Unknown team"),
        ("start=1900-01-01", "at most five years"),
        ("page=-3&sort=bogus&dir=sideways", None),
    ],
)
def test_bad_filters_fall_back_with_a_message(marketer_client, data, query, message):
    for url in ("/reports", "/reports/performance"):
        response = marketer_client.get(f"{url}?{query}")
        assert response.status_code == 200
        if message:
            assert message in response.get_data(as_text=True)


def test_every_tab_survives_bad_filters(marketer_client, data):
    query = "start=2026-13-45&persona=x&stage=-1&type=%3Cb%3E&team=%00&rep=1e9&page=0&sort=%27"
    for url in PAGES:
        response = marketer_client.get(f"{url}?{query}")
        assert response.status_code == 200
        assert "is not a date" in response.get_data(as_text=True)


def _csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_every_table_exports(marketer_client, data):
    for table in TABLES:
        rows = _csv(marketer_client.get(f"/reports/export/{table}.csv"))
        assert rows[0], table


def test_performance_csv_content(marketer_client, data):
    rows = _csv(marketer_client.get("/reports/export/performance.csv?sort=title&dir=asc"))
    header, first = rows[0], rows[1]
    record = dict(zip(header, first, strict=True))
    # text that a spreadsheet would run as a formula is neutralized
    assert record["Asset"] == "'=Formula title"
    assert (record["Views"], record["Deals influenced"], record["Won"], record["Lost"]) == (
        "1",
        "6",
        "4",
        "2",
    )
    assert record["Win rate"] == "0.6667"
    assert record["Baseline win rate"] == "0.0000"
    assert record["Influenced revenue"] == "4000.00"
    assert record["Enough deals to rank"] == "yes"
    assert [r[0] for r in rows[1:]] == ["'=Formula title", "Never opened"]


def test_export_respects_filters_and_roles(marketer_client, rep_client, data):
    rows = _csv(marketer_client.get(f"/reports/export/performance.csv?persona={data['personas'][1].id}"))
    assert [r[0] for r in rows[1:]] == ["Never opened"]
    assert rep_client.get("/reports/export/performance.csv").status_code == 403
    assert marketer_client.get("/reports/export/secrets.csv").status_code == 404


def test_zero_result_query_listed(marketer_client, data):
    page = marketer_client.get("/reports/search-gaps").get_data(as_text=True)
    assert "pricing sheet" in page


def test_coverage_grid_marks_gaps_and_links_cells(marketer_client, data):
    page = marketer_client.get("/reports/coverage").get_data(as_text=True)
    # 5 × 5 cells, two of them covered
    assert "23 gaps" in page
    persona, stage = data["personas"][0].id, data["stages"][0].id
    assert f"/search?persona={persona}&amp;stage={stage}" in page


def test_date_range_defaults_to_90_days(marketer_client, data):
    today = utcnow().date()
    page = marketer_client.get("/reports").get_data(as_text=True)
    assert f'value="{(today - timedelta(days=89)).isoformat()}"' in page
    assert f'value="{today.isoformat()}"' in page
    old = marketer_client.get("/reports?start=2020-01-01&end=2020-02-01").get_data(as_text=True)
    assert 'id="score-deals">0<' in old
    assert date(2020, 1, 1).isoformat() in old


def test_performance_csv_streams_in_batches(marketer_client, data, monkeypatch):
    from hub.reports import export

    for i in range(3):
        make_bare_asset(f"Extra {i}")
    monkeypatch.setattr(export, "EXPORT_BATCH", 2)
    rows = _csv(marketer_client.get("/reports/export/performance.csv?sort=title&dir=asc"))
    titles = [r[0] for r in rows[1:]]
    assert rows[0][0] == "Asset" and sum(1 for r in rows if r[0] == "Asset") == 1
    assert titles == ["'=Formula title", "Extra 0", "Extra 1", "Extra 2", "Never opened"]
