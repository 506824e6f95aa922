"""CSV exports of the report tables, streamed row by row."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator

from flask import Response
from flask import current_app

from hub.analytics import adoption
from hub.analytics import feedback
from hub.analytics import grid
from hub.analytics import performance
from hub.analytics import search_gaps
from hub.analytics.filters import ReportFilters
from hub.extensions import db
from hub.models import User
from hub.requests.service import requests_query

# rows per database round trip when exporting the performance table
EXPORT_BATCH = 1000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a plain signed number ("-12.5", a negative lift) cannot be a formula and stays a number
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _cell(value: object) -> object:
    """Spreadsheets run cells starting with = + - @ as formulas; text ones get a leading quote."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _text(header: list[str] | None, rows: Iterable[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _performance(filters: ReportFilters, sort: str, descending: bool, _viewer, page: int):
    report = performance.content_performance(
        filters, sort=sort, descending=descending, page=page, per_page=EXPORT_BATCH
    )
    header = ["Prospect time (s)" if key == "seconds" else label for key, label in performance.COLUMNS] + [
        "Asset ID",
        "Status",
        "Closed deals",
        "Baseline deals",
        "Enough deals to rank",
    ]
    rows = (
        [
            r.title,
            r.asset_type.label,
            r.views,
            r.downloads,
            r.shares,
            r.opens,
            round(r.seconds),
            r.reps,
            r.deals,
            r.won,
            r.lost,
            _rate(r.win_rate),
            _rate(r.baseline),
            "" if r.lift is None else f"{r.lift:.1f}",
            f"{r.revenue:.2f}",
            r.last_used.isoformat(sep=" ", timespec="seconds") if r.last_used else "",
            r.asset_id,
            r.status.value,
            r.closed,
            r.baseline_deals,
            "yes" if r.sufficient else "no",
        ]
        for r in report.rows
    )
    return header, rows, report.page < report.pages


def _unused(filters: ReportFilters, *_):
    rows = (
        [u.asset_id, u.title, u.asset_type.label, u.created_at.date().isoformat(), u.last_used or "never"]
        for u in adoption.unused_assets(filters)
    )
    return ["Asset ID", "Asset", "Type", "Added", "Last used (ever)"], rows


def _reps(filters: ReportFilters, *_):
    rows = (
        [r.name, r.team, r.searches, r.views, r.downloads, r.shares, r.deals, r.deals_with_content]
        for r in adoption.usage_by_rep(filters)
    )
    header = ["Rep", "Team", "Searches", "Views", "Downloads", "Shares", "Deals", "Deals with content"]
    return header, rows


def _coverage(filters: ReportFilters, *_):
    data = grid.coverage_grid(filters)
    personas = {p.id: p.name for p in data.personas}
    stages = {s.id: s.name for s in data.stages}
    rows = (
        [
            personas[c.persona_id],
            stages[c.stage_id],
            c.assets,
            c.usage,
            c.won,
            c.closed,
            _rate(c.win_rate),
            "gap" if c.gap else ("weak: " + ", ".join(c.reasons) if c.weak else "ok"),
        ]
        for c in data.cells.values()
    )
    header = ["Persona", "Stage", "Assets", "Uses", "Won", "Closed deals", "Win rate", "Coverage"]
    return header, rows


def _queries(finder: Callable):
    def build(filters: ReportFilters, *_):
        rows = ([q.query, q.count, q.searches, q.last_searched] for q in finder(filters, limit=1000))
        return ["Query", "Times", "Searches of this query", "Last searched"], rows

    return build


def _requests(_filters: ReportFilters, _sort, _descending, viewer):
    items = db.session.scalars(requests_query(viewer, "all"))
    rows = (
        [
            r.id,
            r.title,
            r.persona.name if r.persona else "Any",
            r.stage.name if r.stage else "Any",
            r.requested_by.name if r.requested_by else "",
            r.status.label,
            r.created_at,
            r.asset_id or "",
        ]
        for r in items
    )
    return [
        "ID",
        "Request",
        "Persona",
        "Stage",
        "Requested by",
        "Status",
        "Asked",
        "Fulfilling asset ID",
    ], rows


def _ratings(filters: ReportFilters, *_):
    rows = (
        [r.asset_id, r.title, r.asset_type.label, f"{r.average:.2f}", r.count, r.last_rated]
        for r in feedback.ratings(filters)
    )
    return ["Asset ID", "Asset", "Type", "Average rating", "Ratings", "Last rated"], rows


def _comments(filters: ReportFilters, *_):
    rows = (
        [c.created_at, c.title, c.rating, c.author or "", c.comment]
        for c in feedback.latest_comments(filters, limit=10_000)
    )
    return ["Date", "Asset", "Rating", "Rep", "Comment"], rows


_BUILDERS: dict[str, Callable] = {
    "performance": _performance,
    "unused": _unused,
    "reps": _reps,
    "coverage": _coverage,
    "zero-results": _queries(search_gaps.zero_result_queries),
    "no-click": _queries(search_gaps.no_click_queries),
    "requests": _requests,
    "ratings": _ratings,
    "comments": _comments,
}


def _single(build: Callable) -> Callable:
    """Adapt a whole-table builder to the batch protocol: everything in the first batch."""

    def batch(filters, sort, descending, viewer, _page):
        header, rows = build(filters, sort, descending, viewer)
        return header, rows, False

    return batch


TABLES = {name: (build if name == "performance" else _single(build)) for name, build in _BUILDERS.items()}


def csv_response(
    table: str, filters: ReportFilters, *, sort: str, descending: bool, viewer_id: int
) -> Response:
    """Stream the table batch by batch; each batch is read in an app context opened and closed around it."""
    app = current_app._get_current_object()
    build = TABLES[table]

    def generate() -> Iterator[str]:
        page, more = 1, True
        while more:
            with app.app_context():
                viewer = db.session.get(User, viewer_id)
                header, rows, more = build(filters, sort, descending, viewer, page)
                text = _text(header if page == 1 else None, rows)
            yield text
            page += 1

    name = f"hub-{table}-{filters.start.isoformat()}-to-{filters.end.isoformat()}.csv"
    return Response(
        generate(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
