"""Searching the library for a user, recording searches and clicks, and the deals a user may pick from."""

from __future__ import annotations

import dataclasses
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import datetime

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select

from hub import index
from hub import tracking
from hub.analytics.influence import AssetOutcome
from hub.extensions import db
from hub.index._schema import NO_EXPIRY
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import AssetType
from hub.models import Deal
from hub.models import EventKind
from hub.models import UsageEvent
from hub.models import User
from hub.models import utcnow
from hub.search import stats as perf

SORT_LABELS = {
    "best": "Best match",
    "relevance": "Relevance only",
    "newest": "Newest",
    "used": "Most used",
    "winrate": "Best win rate",
}
FACET_LABELS = {"personas": "Persona", "stages": "Stage", "type": "Type"}


@dataclass(frozen=True)
class SearchParams:
    text: str = ""
    personas: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    include_archived: bool = False
    include_expired: bool = False
    sort: str = "best"
    page: int = 1
    per_page: int = 20

    def filters(self) -> index.Filters:
        return index.Filters(
            personas=self.personas,
            stages=self.stages,
            types=self.types,
            include_archived=self.include_archived,
            include_expired=self.include_expired,
        )

    def as_event_filters(self) -> dict:
        data = {
            "personas": [int(p) for p in self.personas if p.isdigit()],
            "stages": [int(s) for s in self.stages if s.isdigit()],
            "types": list(self.types),
            "sort": self.sort,
        }
        if self.include_archived:
            data["archived"] = True
        if self.include_expired:
            data["expired"] = True
        return {k: v for k, v in data.items() if v}


@dataclass(frozen=True)
class ResultAsset:
    """What a result shows about an asset, read from the index so a results page needs no row loads."""

    id: int
    title: str
    description: str
    asset_type: AssetType
    status: AssetStatus
    expires_on: date | None
    updated_at: datetime
    personas: tuple[str, ...]
    stages: tuple[str, ...]

    @property
    def is_archived(self) -> bool:
        return self.status == AssetStatus.ARCHIVED

    def is_expired(self, today: date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on < (today or utcnow().date())


@dataclass
class Result:
    asset: ResultAsset
    snippet: Markup
    outcome: AssetOutcome | None
    uses: int


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchOutcome:
    params: SearchParams
    results: list[Result]
    total: int
    pages: int
    facets: dict[str, list[FacetValue]]
    suggestion: str | None
    search_id: str
    min_deals: int
    # the text as the index searched it (cleaned of control characters and operator debris)
    query: str = ""
    degraded: bool = False
    # what the results follow from (see search()); None when they must not be remembered
    cache_key: tuple | None = None


def _facets(
    counts: dict[str, dict[str, int]], params: SearchParams, labels: dict[str, dict[str, str]]
) -> dict[str, list[FacetValue]]:
    chosen = {"personas": params.personas, "stages": params.stages, "type": params.types}
    groups: dict[str, list[FacetValue]] = {}
    for fieldname in FACET_LABELS:
        values = []
        for value, count in counts.get(fieldname, {}).items():
            label = labels[fieldname].get(value)
            if label is not None:
                values.append(FacetValue(value, label, count, value in chosen[fieldname]))
        # selected values stay visible even when the other filters leave none of them
        for value in chosen[fieldname]:
            if value in labels[fieldname] and not any(v.value == value for v in values):
                values.append(FacetValue(value, labels[fieldname][value], 0, True))
        values.sort(key=lambda v: (-v.count, v.label.lower()))
        groups[fieldname] = values
    return groups


def _names(ids: str, labels: dict[str, str]) -> tuple[str, ...]:
    return tuple(labels[i] for i in ids.split(",") if i in labels)


def _from_index(hit: index.Hit, labels: dict[str, dict[str, str]]) -> ResultAsset:
    stored = hit.stored
    expires = int(stored.get("expires_on") or NO_EXPIRY)
    return ResultAsset(
        id=hit.asset_id,
        title=hit.title,
        description=stored.get("description") or "",
        asset_type=AssetType(stored.get("type") or AssetType.OTHER.value),
        status=AssetStatus(stored.get("status") or AssetStatus.PUBLISHED.value),
        expires_on=None
        if expires == NO_EXPIRY
        else date(expires // 10000, expires // 100 % 100, expires % 100),
        updated_at=datetime.fromtimestamp(int(stored.get("updated") or 0) / 1_000_000),
        personas=_names(stored.get("personas") or "", labels["personas"]),
        stages=_names(stored.get("stages") or "", labels["stages"]),
    )


# rendered results carry this where each search's own id goes (results_html); random per process, so
# no asset title or snippet can contain it
_SEARCH_ID_STANDIN = uuid.uuid4().hex


def search(params: SearchParams) -> SearchOutcome:
    """Run a search; record_search() writes it as a usage event.

    Results carry what the index stores about each asset, so a results page loads no asset rows. The
    same search on the same index, with the same performance figures, gives the same results: they are
    remembered with the index (hub.index.remembered) and only the search's own id is new.
    """
    stats = perf.current()
    config = current_app.config
    key = (
        params,
        stats.token,
        utcnow().date(),
        config["HUB_RANK_DEPTH"],
        config["HUB_RANK_PERFORMANCE_WEIGHT"],
        config["HUB_RANK_MIN_DEALS"],
    )
    found = index.remembered(("outcome", key), lambda: _search(params, stats, key), keep=_complete)
    return dataclasses.replace(found, search_id=uuid.uuid4().hex)


def _complete(outcome: SearchOutcome) -> bool:
    return outcome.cache_key is not None


def _search(params: SearchParams, stats: perf.Stats, key: tuple) -> SearchOutcome:
    metric = stats.win_key if params.sort == "winrate" else stats.usage_key
    page = index.search(
        params.text,
        params.filters(),
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        performance=stats.performance,
        metric=metric,
        metric_token=stats.token,
    )
    results = [
        Result(
            _from_index(hit, stats.labels), hit.snippet, stats.outcome(hit.asset_id), stats.uses(hit.asset_id)
        )
        for hit in page.hits
    ]
    return SearchOutcome(
        params=params,
        results=results,
        total=page.total,
        pages=max(1, math.ceil(page.total / params.per_page)),
        facets=_facets(page.facets, params, stats.labels),
        suggestion=index.suggest(page.text) if page.text else None,
        search_id=_SEARCH_ID_STANDIN,
        min_deals=int(current_app.config["HUB_RANK_MIN_DEALS"]),
        query=page.text,
        degraded=page.degraded,
        # a page the index could only half answer is asked again next time
        cache_key=None if page.degraded else key,
    )


def results_html(outcome: SearchOutcome, variant: tuple, render: Callable[[SearchOutcome], str]) -> Markup:
    """The results as render(outcome) shows them, rendered once per search, index and `variant`.

    `variant` holds whatever else the HTML depends on (the page's links). It is rendered with a
    stand-in for the search's id, which every request then replaces with its own.
    """
    if outcome.cache_key is None:
        return Markup(render(outcome))  # noqa: S704 - render_template's output, escaped by Jinja
    standin = dataclasses.replace(outcome, search_id=_SEARCH_ID_STANDIN)
    html = index.remembered(("html", outcome.cache_key, variant), lambda: render(standin))
    return Markup(html.replace(_SEARCH_ID_STANDIN, outcome.search_id))  # noqa: S704 - as above


def record_search(user: User, outcome: SearchOutcome, source: str = "web") -> None:
    """Write the search as a usage event, with its filters, result count and id for later clicks.

    The commit expires every loaded object, so callers record after they have read what they show.
    """
    tracking.record(
        EventKind.SEARCH,
        user_id=user.id,
        query=outcome.query,
        filters=outcome.params.as_event_filters(),
        result_count=outcome.total,
        source=source,
        search_id=outcome.search_id,
    )


def record_click(user: User, search_id: str, asset: Asset, query: str | None = None) -> None:
    """Record a click on a search result, and the search itself when a live search was clicked before it settled."""
    search_id = search_id[:32]
    logged = db.session.scalar(
        select(UsageEvent.id)
        .where(UsageEvent.search_id == search_id, UsageEvent.kind == EventKind.SEARCH)
        .limit(1)
    )
    if logged is None and query is not None:
        tracking.add(EventKind.SEARCH, user_id=user.id, query=index.clean(query), search_id=search_id)
    tracking.record(EventKind.SEARCH_CLICK, user_id=user.id, asset_id=asset.id, search_id=search_id)


def deal_for(user: User, deal_id: int | None) -> Deal | None:
    """The deal, if it exists and the user may see it."""
    if deal_id is None:
        return None
    deal = db.session.get(Deal, deal_id)
    if deal is None or (not user.can_manage_content and deal.owner_id != user.id):
        return None
    return deal
