"""Reports for marketing and sales leaders: one tab per question, each table exportable as CSV."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask_login import current_user

from hub.access import role_required
from hub.analytics import adoption as adoption_report
from hub.analytics import charts
from hub.analytics import feedback as feedback_report
from hub.analytics import grid as grid_report
from hub.analytics import performance as performance_report
from hub.analytics import search_gaps as gaps_report
from hub.analytics.influence import min_deals
from hub.analytics.scorecard import scorecard
from hub.extensions import db
from hub.models import Role
from hub.models import utcnow
from hub.reports.export import TABLES
from hub.reports.export import csv_response
from hub.reports.params import filter_options
from hub.reports.params import parse_filters
from hub.reports.params import positive_int
from hub.requests.service import requests_query

bp = Blueprint("reports", __name__, url_prefix="/reports")

PER_PAGE = 50
CONTENT = (Role.ADMIN, Role.MARKETER)


def _filters():
    options = filter_options()
    filters, errors = parse_filters(request.args, utcnow().date(), options)
    return filters, errors, options


def _render(template: str, tab: str, **context):
    filters, errors, options = context.pop("_parsed")
    return render_template(
        template,
        tab=tab,
        filters=filters,
        filter_errors=errors,
        options=options,
        args=filters.query_args(),
        min_deals=min_deals(),
        **context,
    )


@bp.route("")
@role_required(*CONTENT)
def index():
    parsed = _filters()
    filters = parsed[0]
    chart_data = {
        "usage": charts.usage_over_time(filters),
        "stages": charts.win_rate_by_stage(filters),
        "funnel": charts.engagement_funnel(filters),
    }
    return _render(
        "reports/overview.html", "overview", _parsed=parsed, card=scorecard(filters), charts=chart_data
    )


def _sort_args() -> tuple[str, bool]:
    sort = request.args.get("sort", performance_report.DEFAULT_SORT)
    if sort not in performance_report.SORT_KEYS:
        sort = performance_report.DEFAULT_SORT
    default_dir = "asc" if sort in ("title", "type") else "desc"
    return sort, request.args.get("dir", default_dir) != "asc"


@bp.route("/performance")
@role_required(*CONTENT)
def performance():
    parsed = _filters()
    sort, descending = _sort_args()
    report = performance_report.content_performance(
        parsed[0],
        sort=sort,
        descending=descending,
        page=positive_int(request.args, "page"),
        per_page=PER_PAGE,
    )
    return _render(
        "reports/performance.html",
        "performance",
        _parsed=parsed,
        report=report,
        columns=performance_report.COLUMNS,
    )


@bp.route("/adoption")
@role_required(*CONTENT)
def adoption():
    parsed = _filters()
    filters = parsed[0]
    return _render(
        "reports/adoption.html",
        "adoption",
        _parsed=parsed,
        summary=adoption_report.adoption(filters),
        industry=adoption_report.INDUSTRY_ADOPTION,
        unused=adoption_report.unused_assets(filters, limit=100),
        reps=adoption_report.usage_by_rep(filters),
    )


@bp.route("/coverage")
@role_required(*CONTENT)
def coverage():
    parsed = _filters()
    return _render(
        "reports/coverage.html",
        "coverage",
        _parsed=parsed,
        grid=grid_report.coverage_grid(parsed[0]),
        weak_max_assets=grid_report.WEAK_MAX_ASSETS,
        weak_usage_share=grid_report.WEAK_USAGE_SHARE,
        weak_win_gap=grid_report.WEAK_WIN_RATE_GAP,
    )


@bp.route("/search-gaps")
@role_required(*CONTENT)
def search_gaps():
    parsed = _filters()
    filters = parsed[0]
    pending = db.paginate(requests_query(current_user, "active"), page=1, per_page=50, error_out=False)
    return _render(
        "reports/search_gaps.html",
        "gaps",
        _parsed=parsed,
        zero=gaps_report.zero_result_queries(filters),
        no_click=gaps_report.no_click_queries(filters),
        pending=pending,
    )


@bp.route("/feedback")
@role_required(*CONTENT)
def feedback():
    parsed = _filters()
    filters = parsed[0]
    return _render(
        "reports/feedback.html",
        "feedback",
        _parsed=parsed,
        ratings=feedback_report.ratings(filters),
        comments=feedback_report.latest_comments(filters),
    )


@bp.route("/export/<table>.csv")
@role_required(*CONTENT)
def export(table: str):
    if table not in TABLES:
        abort(404, f"There is no report table called “{table}”.")
    filters, _errors, _options = _filters()
    sort, descending = _sort_args()
    return csv_response(table, filters, sort=sort, descending=descending, viewer_id=current_user.id)
