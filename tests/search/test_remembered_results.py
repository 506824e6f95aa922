"""Results pages are remembered with the index: the same search is answered again without searching, yet
every search keeps its own id, and any change to the library or to the figures shows at once."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from hub import index
from hub.extensions import db
from hub.library import service as library
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import UsageEvent
from tests import factories


def result_titles(html: str) -> list[str]:
    return re.findall(r'<a class="h6 mb-0" href="[^"]*">([^<]+)</a>', html)


def search_ids(kind: EventKind) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(UsageEvent.search_id).where(UsageEvent.kind == kind).order_by(UsageEvent.id)
        )
    )


def shown_ids(html: str) -> tuple[str, set[str]]:
    """The page's search id and the ids its result links carry."""
    page_id = re.search(r'data-search-id="([0-9a-f]{32})"', html).group(1)
    return page_id, set(re.findall(r"/search/click\?sid=([0-9a-f]{32})", html))


def test_the_same_search_twice_has_two_ids_each_on_its_own_links(rep_client, users):
    factories.make_asset(users["marketer"], title="Churn playbook", text="Renewal risk signals", kind="txt")
    first = rep_client.get("/search?q=renewal").get_data(as_text=True)
    second = rep_client.get("/search?q=renewal").get_data(as_text=True)
    first_id, first_links = shown_ids(first)
    second_id, second_links = shown_ids(second)
    assert first_id != second_id
    assert first_links == {first_id} and second_links == {second_id}
    assert search_ids(EventKind.SEARCH) == [first_id, second_id]
    # a click on the older page still belongs to the older search
    link = re.search(r'href="(/search/click\?[^"]+)"', first).group(1).replace("&amp;", "&")
    rep_client.get(link)
    assert search_ids(EventKind.SEARCH_CLICK) == [first_id]


def test_an_edit_shows_in_the_next_search(rep_client, users):
    asset = factories.make_asset(
        users["marketer"], title="Churn playbook", text="Renewal risk signals", kind="txt"
    )
    assert result_titles(rep_client.get("/search?q=renewal").get_data(as_text=True)) == ["Churn playbook"]
    library.update_asset(asset, acting=users["marketer"], title="Retention playbook")
    html = rep_client.get("/search?q=renewal").get_data(as_text=True)
    assert result_titles(html) == ["Retention playbook"]
    library.archive_asset(asset, users["marketer"])
    assert "Nothing matched" in rep_client.get("/search?q=renewal").get_data(as_text=True)


def test_new_deal_outcomes_show_once_the_figures_are_read_again(app, rep_client, users):
    app.config["HUB_RANK_STATS_TTL"] = 0
    asset = factories.make_asset(
        users["marketer"], title="ROI calculator", text="Payback in months", kind="txt"
    )
    assert "No closed deals" in rep_client.get("/search?q=payback").get_data(as_text=True)
    for n in range(5):
        deal = factories.make_deal(
            status=DealStatus.WON if n else DealStatus.LOST, closed_on=date(2026, 3, 1)
        )
        factories.link_deal_asset(deal, asset, used_at=date(2026, 2, 1))
    assert "Win rate 80% · 5 deals" in rep_client.get("/search?q=payback").get_data(as_text=True)


def test_live_and_settled_results_keep_their_own_links(rep_client, users):
    factories.make_asset(users["marketer"], title="Churn playbook", text="Renewal risk signals", kind="txt")
    settled = rep_client.get("/search?q=renewal&fragment=1").get_data(as_text=True)
    live = rep_client.get("/search?q=renewal&fragment=1&live=1").get_data(as_text=True)
    # a live result clicked before its search was recorded carries the query, so the click records it
    assert "&amp;q=renewal" not in settled
    assert "&amp;q=renewal" in live


def test_a_deal_picked_stays_in_the_results_links(rep_client, users):
    personas, _stages = factories.make_taxonomy()
    factories.make_asset(
        users["marketer"], title="Churn playbook", text="Renewal risk", kind="txt", personas=[personas[0]]
    )
    deal = factories.make_deal(owner=users["rep"])
    plain = rep_client.get("/search?q=renewal").get_data(as_text=True)
    for_deal = rep_client.get(f"/search?q=renewal&deal={deal.id}").get_data(as_text=True)
    facet = re.compile(rf'href="([^"]*persona={personas[0].id}[^"]*)"')
    assert f"deal={deal.id}" not in facet.search(plain).group(1)
    assert f"deal={deal.id}" in facet.search(for_deal).group(1)


def test_what_may_not_be_kept_is_built_again(app, users):
    factories.make_asset(users["marketer"], title="Churn playbook", text="Renewal risk signals", kind="txt")
    built = []
    with app.test_request_context():
        for _ in range(2):
            index.remembered(("test", "unkept"), lambda: built.append(1) or len(built), keep=lambda _v: False)
        assert built == [1, 1]
        for _ in range(2):
            index.remembered(("test", "kept"), lambda: built.append(1) or len(built))
        assert len(built) == 3
