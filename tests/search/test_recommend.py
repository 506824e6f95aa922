""" "For this deal": the top assets for the deal's persona and stage, proven win rates first."""

from __future__ import annotations

from datetime import date

from hub.library import service as library
from hub.models import DealStatus
from hub.models import EventKind
from hub.search.recommend import recommend_for
from tests import factories


def _closed(asset, won: int, lost: int) -> None:
    for n in range(won + lost):
        deal = factories.make_deal(
            status=DealStatus.WON if n < won else DealStatus.LOST, closed_on=date(2026, 3, 1)
        )
        factories.link_deal_asset(deal, asset, used_at=date(2026, 2, 1))


def test_proven_winners_first_then_usage(app, users):
    app.config["HUB_RANK_STATS_TTL"] = 0
    personas, stages = factories.make_taxonomy()
    cfo, decision = personas[0], stages[2]
    m = users["marketer"]
    strong = factories.make_asset(m, title="Strong", kind="txt", personas=[cfo], stages=[decision])
    weaker = factories.make_asset(m, title="Weaker", kind="txt", personas=[cfo], stages=[decision])
    popular = factories.make_asset(m, title="Popular", kind="txt", personas=[cfo], stages=[decision])
    unproven = factories.make_asset(m, title="Unproven", kind="txt", personas=[cfo], stages=[decision])
    factories.make_asset(m, title="Other stage", kind="txt", personas=[cfo], stages=[stages[0]])
    archived = factories.make_asset(m, title="Archived", kind="txt", personas=[cfo], stages=[decision])
    library.archive_asset(archived, m)
    _closed(strong, won=5, lost=0)
    _closed(weaker, won=3, lost=3)
    _closed(unproven, won=2, lost=0)
    for _ in range(4):
        factories.make_event(EventKind.VIEW, asset_id=popular.id)

    picks = recommend_for(cfo.id, decision.id)
    assert [p.asset.title for p in picks] == ["Strong", "Weaker", "Popular", "Unproven"]
    assert picks[0].win_rate == 1.0 and picks[0].deals == 5 and picks[0].sufficient
    assert not picks[3].sufficient and picks[3].deals == 2
    assert len(recommend_for(cfo.id, decision.id, limit=2)) == 2
    assert recommend_for(None, None) == []


def test_search_page_shows_recommendations_for_the_reps_own_deal(app, rep_client, users):
    personas, stages = factories.make_taxonomy()
    factories.make_asset(
        users["marketer"], title="CFO business case", kind="txt", personas=[personas[0]], stages=[stages[2]]
    )
    mine = factories.make_deal(
        owner=users["rep"], name="Acme renewal", persona_id=personas[0].id, stage_id=stages[2].id
    )
    theirs = factories.make_deal(
        owner=users["admin"], name="Globex expansion", persona_id=personas[0].id, stage_id=stages[2].id
    )

    html = rep_client.get("/search").get_data(as_text=True)
    assert "Acme renewal" in html and "Globex expansion" not in html

    html = rep_client.get(f"/search?deal={mine.id}").get_data(as_text=True)
    assert "Recommended for this deal: Acme renewal" in html
    assert "CFO business case" in html

    html = rep_client.get(f"/search?deal={theirs.id}").get_data(as_text=True)
    assert "not one you can see" in html and "Recommended for this deal" not in html


def test_marketers_pick_from_all_open_deals(marketer_client, users):
    factories.make_deal(owner=users["rep"], name="Acme renewal")
    factories.make_deal(
        owner=users["rep"], name="Closed one", status=DealStatus.WON, closed_on=date(2026, 1, 1)
    )
    html = marketer_client.get("/search").get_data(as_text=True)
    assert "Acme renewal" in html and "Closed one" not in html
