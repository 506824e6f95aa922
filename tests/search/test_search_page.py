"""The search page as reps use it: results, snippets, facets, spelling, sorting, badges, hidden content."""

from __future__ import annotations

import re
from datetime import date

import pytest

from hub.extensions import db
from hub.library import service as library
from hub.models import AssetType
from hub.models import DealStatus
from tests import factories


def page_text(response) -> str:
    return response.get_data(as_text=True)


def result_titles(html: str) -> list[str]:
    return re.findall(r'<a class="h6 mb-0" href="[^"]*">([^<]+)</a>', html)


@pytest.fixture
def library_items(app, users):
    personas, stages = factories.make_taxonomy()
    marketer = users["marketer"]
    items = {
        "pricing": factories.make_asset(
            marketer,
            title="Enterprise pricing guide",
            text="Pricing tiers, discounts and volume licensing for finance teams.",
            kind="txt",
            personas=[personas[0]],
            stages=[stages[2]],
            asset_type=AssetType.ONE_PAGER,
        ),
        "security": factories.make_asset(
            marketer,
            title="Security whitepaper",
            text="Encryption, audit logging and compliance with SOC 2 for finance.",
            kind="txt",
            personas=[personas[1]],
            stages=[stages[1]],
            asset_type=AssetType.WHITEPAPER,
        ),
        "case": factories.make_asset(
            marketer,
            title="Retail case study",
            text="A retailer cut costs with our pricing analytics.",
            kind="txt",
            personas=[personas[0]],
            stages=[stages[1]],
            asset_type=AssetType.CASE_STUDY,
        ),
    }
    return {"personas": personas, "stages": stages, **items}


def test_rep_finds_content_with_highlighted_snippet(rep_client, library_items):
    html = page_text(rep_client.get("/search?q=encryption"))
    assert result_titles(html) == ["Security whitepaper"]
    assert "<mark>Encryption</mark>" in html
    assert "1 result for" in html


def test_facet_counts_filter_with_one_click(rep_client, library_items):
    cfo = library_items["personas"][0]
    html = page_text(rep_client.get("/search?q=pricing"))
    assert sorted(result_titles(html)) == ["Enterprise pricing guide", "Retail case study"]
    pattern = (
        rf'href="([^"]*persona={cfo.id}[^"]*)"[^>]*>\s*<span>CFO</span><span class="badge[^"]*">2</span>'
    )
    link = re.search(pattern, html)
    assert link, "the CFO facet shows its count and links to the filtered results"
    filtered = page_text(rep_client.get(link.group(1).replace("&amp;", "&") + "&type=case_study"))
    assert result_titles(filtered) == ["Retail case study"]
    assert "✓ CFO" in filtered


def test_did_you_mean_for_misspelled_words(rep_client, library_items):
    html = page_text(rep_client.get("/search?q=encryptoin"))
    assert "Did you mean" in html
    assert ">encryption</a>" in html


def test_archived_and_expired_hidden_unless_asked(rep_client, library_items, users):
    library.archive_asset(library_items["security"], users["marketer"])
    library.update_asset(library_items["case"], acting=users["marketer"], expires_on=date(2020, 1, 1))
    assert result_titles(page_text(rep_client.get("/search?q=finance"))) == ["Enterprise pricing guide"]
    html = page_text(rep_client.get("/search?q=finance&archived=y"))
    assert sorted(result_titles(html)) == ["Enterprise pricing guide", "Security whitepaper"]
    assert "Archived</span>" in html
    assert "Retail case study" in page_text(rep_client.get("/search?q=pricing&expired=y"))


def test_empty_query_lists_content(rep_client, library_items):
    html = page_text(rep_client.get("/search?sort=newest"))
    assert result_titles(html) == ["Retail case study", "Security whitepaper", "Enterprise pricing guide"]


def _outcomes(asset, won: int, lost: int) -> None:
    for n in range(won + lost):
        status = DealStatus.WON if n < won else DealStatus.LOST
        deal = factories.make_deal(status=status, closed_on=date(2026, 3, 1))
        factories.link_deal_asset(deal, asset, used_at=date(2026, 2, 1))


def test_badges_and_win_rate_sort(app, rep_client, library_items):
    app.config["HUB_RANK_STATS_TTL"] = 0
    _outcomes(library_items["case"], won=4, lost=1)
    _outcomes(library_items["pricing"], won=1, lost=1)
    html = page_text(rep_client.get("/search?q=pricing&sort=winrate"))
    assert result_titles(html) == ["Retail case study", "Enterprise pricing guide"]
    assert "Win rate 80% · 5 deals" in html
    assert "Few deals · 1 of 2 won" in html


def test_proven_content_ranks_first_but_relevance_is_one_click_away(app, rep_client, library_items):
    app.config["HUB_RANK_STATS_TTL"] = 0
    app.config["HUB_RANK_PERFORMANCE_WEIGHT"] = 10.0
    _outcomes(library_items["case"], won=5, lost=0)
    best = result_titles(page_text(rep_client.get("/search?q=pricing")))
    plain = result_titles(page_text(rep_client.get("/search?q=pricing&sort=relevance")))
    assert best[0] == "Retail case study"
    assert plain[0] == "Enterprise pricing guide"


def test_most_used_sort(app, rep_client, library_items):
    from hub.models import EventKind

    app.config["HUB_RANK_STATS_TTL"] = 0
    for _ in range(3):
        factories.make_event(EventKind.VIEW, asset_id=library_items["security"].id)
    html = page_text(rep_client.get("/search?q=finance&sort=used"))
    assert result_titles(html)[0] == "Security whitepaper"
    assert "Used 3×" in html


def test_fragment_is_just_the_results(rep_client, library_items):
    html = page_text(rep_client.get("/search?q=pricing&fragment=1&live=1"))
    assert "<html" not in html and 'id="search-results-body"' in html
    assert "Enterprise pricing guide" in html


def test_page_works_without_javascript_and_loads_its_script(rep_client, library_items):
    html = page_text(rep_client.get("/search"))
    assert '<form method="get" action="/search" id="search-form"' in html
    assert "js/search.js" in html
    assert "onclick" not in html and "<script>" not in html


def test_marketer_and_admin_search_too(marketer_client, admin_client, library_items):
    for client in (marketer_client, admin_client):
        assert "Security whitepaper" in page_text(client.get("/search?q=soc"))


def test_index_follows_edits_seen_through_the_page(rep_client, library_items, users):
    library.update_asset(library_items["security"], acting=users["marketer"], title="Trust center overview")
    db.session.expire_all()
    assert result_titles(page_text(rep_client.get("/search?q=encryption"))) == ["Trust center overview"]
