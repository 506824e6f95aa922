"""The search page, its live-results fragment, result clicks, and "for this deal" recommendations."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Blueprint
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from hub.access import role_required
from hub.deals.queries import open_deal_choices
from hub.extensions import db
from hub.models import Asset
from hub.routing import parse_id
from hub.search import service
from hub.search.cli import register_commands
from hub.search.forms import SearchForm
from hub.search.recommend import recommend_for

bp = Blueprint("search", __name__, cli_group=None)
register_commands(bp)
PER_PAGE = 20
# the deal picker lists this many open deals (marketers see everyone's)
DEAL_CHOICES = 300
_SEARCH_ID = re.compile(r"[0-9a-f]{32}")
_FACET_ARGS = {"personas": "persona", "stages": "stage", "type": "type"}


def _base_args(params: service.SearchParams, deal_id: int | None) -> dict:
    args: dict = {
        "q": params.text or None,
        "persona": list(params.personas),
        "stage": list(params.stages),
        "type": list(params.types),
        "sort": params.sort if params.sort != "best" else None,
        "archived": "y" if params.include_archived else None,
        "expired": "y" if params.include_expired else None,
        "deal": deal_id,
    }
    return {key: value for key, value in args.items() if value not in (None, [], "")}


class Links:
    """URLs for the page's one-click changes: facet toggles, sorts, pages, corrected spelling, result clicks."""

    def __init__(self, args: dict, outcome: service.SearchOutcome, *, recorded: bool):
        self.args = args
        self.base = url_for("search.index")
        self.click_base = url_for("search.click")
        self.outcome = outcome
        # a results page builds dozens of links that differ in one argument: each is encoded once
        self.encoded = {key: urlencode({key: value}, doseq=True) for key, value in args.items()}
        self.click_extra = ""
        if not recorded and outcome.params.text:
            # a live result clicked before its search was recorded: the click records it
            self.click_extra = "&" + urlencode({"q": outcome.params.text})

    def url(self, **changes) -> str:
        parts = []
        for key in {**self.args, **changes}:
            if key not in changes:
                parts.append(self.encoded[key])
            elif changes[key] not in (None, [], ""):
                parts.append(urlencode({key: changes[key]}, doseq=True))
        query = "&".join(part for part in parts if part)
        return f"{self.base}?{query}" if query else self.base

    def click(self, asset_id: int) -> str:
        return f"{self.click_base}?sid={self.outcome.search_id}&asset_id={int(asset_id)}{self.click_extra}"

    def facet(self, fieldname: str, value: str) -> str:
        name = _FACET_ARGS[fieldname]
        current = list(self.args.get(name, []))
        chosen = [v for v in current if v != value] if value in current else [*current, value]
        return self.url(**{name: chosen})

    def clear(self, fieldname: str) -> str:
        return self.url(**{_FACET_ARGS[fieldname]: []})

    def sort(self, key: str) -> str:
        return self.url(sort=None if key == "best" else key)

    def page(self, number: int) -> str:
        return self.url(page=number if number > 1 else None)

    def spelled(self, text: str) -> str:
        return self.url(q=text)


@bp.route("/search")
@role_required()
def index():
    form = SearchForm(request.args)
    params = form.params(PER_PAGE)
    # keystroke requests from the page script carry live=1 and are not recorded; settled ones are.
    # HEAD (link checkers, prefetch) must have no side effects either
    live = request.args.get("live") == "1" or request.method == "HEAD"
    outcome = service.search(params)
    deal_id = form.deal_id()
    base_args = _base_args(params, deal_id)
    results = service.results_html(
        outcome,
        (deal_id, live),
        lambda shown: render_template(
            "search/_results.html", outcome=shown, links=Links(base_args, shown, recorded=not live)
        ),
    )
    if request.args.get("fragment") == "1":
        page = results
    else:
        deal = service.deal_for(current_user, deal_id)
        recommendations = recommend_for(deal.persona_id, deal.stage_id) if deal is not None else []
        page = render_template(
            "search/index.html",
            params=params,
            results=results,
            deals=open_deal_choices(current_user, limit=DEAL_CHOICES),
            deal=deal,
            # a deal that does not exist, is another rep's, or is not an id at all: say so instead of hiding it
            deal_missing=deal is None and bool(request.args.get("deal", "").strip()),
            recommendations=recommendations,
        )
    if not live:
        # after rendering: the event's commit would otherwise make the page load the signed-in user again
        service.record_search(current_user, outcome)
    return page


@bp.route("/search/click")
@role_required()
def click():
    raw_id = request.args.get("asset_id")
    if not raw_id:
        return redirect(url_for("search.index"))
    asset_id = parse_id(raw_id)
    if asset_id is None:
        abort(404)
    asset = db.get_or_404(Asset, asset_id)
    search_id = request.args.get("sid", "")
    # fullmatch: re.match with $ would also accept a trailing newline
    if _SEARCH_ID.fullmatch(search_id) and request.method == "GET":
        service.record_click(current_user, search_id, asset, request.args.get("q"))
    return redirect(url_for("library.asset", asset_id=asset.id))
