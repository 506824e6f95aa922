"""The search page against odd and hostile input: query syntax abuse, bad parameters, other reps' deals."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.index import _query
from hub.index import _ranking
from hub.models import AssetStatus
from hub.models import EventKind
from hub.models import Role
from hub.models import UsageEvent
from tests import factories

HOSTILE_QUERIES = [
    '"',
    '"unbalanced quote',
    "((",
    "(pricing OR",
    ")",
    "title:",
    'title:"',
    "*",
    "?",
    "~",
    "^5",
    "pricing^5",
    "pricing^99999999999999999999",
    "pricing~",
    "pricing~2",
    "AND OR NOT",
    "NOT",
    "ANDNOT",
    "x ANDMAYBE",
    "[a TO",
    "title:[* TO *]",
    "created:[0 TO 99999999999999]",
    "{a TO b}",
    "*:*",
    "*a*",
    "??",
    "\\",
    ":::",
    "'; DROP TABLE asset; --",
    "!@#$%^&*()_+-=[]{}|;':,./<>?",
    "😀😀😀",
    "\u202e\u200b",
    "(" * 300,
    '"' * 300,
    "x" * 10_000,
    "pricing " * 2_000,
    "<script>alert(1)</script>",
]
# raw query strings: NUL, invalid UTF-8, an encoded lone surrogate
RAW_QUERIES = ["%00", "pricing%00deck", "%ff%fe", "%ed%a0%80", "%C0%AF"]


@pytest.fixture
def library(app, users):
    personas, stages = factories.make_taxonomy()
    marketer = users["marketer"]
    published = factories.make_asset(
        marketer,
        title="Enterprise pricing guide",
        text="Pricing tiers and discounts for finance teams.",
        kind="txt",
        personas=[personas[0]],
        stages=[stages[0]],
    )
    archived = factories.make_asset(
        marketer,
        title="Old pricing sheet",
        text="Retired pricing.",
        kind="txt",
        status=AssetStatus.ARCHIVED,
    )
    return {"personas": personas, "stages": stages, "published": published, "archived": archived}


def _titles(html: str) -> list[str]:
    return re.findall(r'<a class="h6 mb-0" href="[^"]*">([^<]+)</a>', html)


def _searches() -> list[UsageEvent]:
    return list(db.session.scalars(select(UsageEvent).where(UsageEvent.kind == EventKind.SEARCH)))


def test_query_syntax_abuse_never_fails(rep_client, library):
    urls = [f"/search?q={quote(q, safe='')}" for q in HOSTILE_QUERIES]
    urls += [f"/search?q={raw}" for raw in RAW_QUERIES]
    for url in urls:
        for extra in ("", "&fragment=1&live=1", "&sort=newest&page=2", "&sort=winrate"):
            response = rep_client.get(url + extra)
            assert response.status_code == 200, url + extra
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True), url


def test_long_query_is_cut_and_recorded_cut(rep_client, library):
    assert rep_client.get("/search?q=" + "pricing+" * 2_000).status_code == 200
    (event,) = _searches()
    assert 0 < len(event.query) <= 200


def test_field_syntax_cannot_reach_hidden_documents(rep_client, library):
    for q in ("status:archived", "status:archived OR pricing", f"id:{library['archived'].id}", "old"):
        html = rep_client.get(f"/search?q={quote(q)}").get_data(as_text=True)
        assert "Old pricing sheet" not in html, q


@pytest.mark.parametrize(
    "args",
    [
        "page=0",
        "page=-1",
        f"page={10**30}",
        "page=abc",
        "page=%C2%B2",
        "page=2&page=3",
        "sort=nope",
        "sort=best&sort=__class__",
        "persona=abc&stage=-1&type=nope",
        f"persona={10**30}&stage=99999",
        "persona=%C2%B2&stage=%D9%A1",
        "persona=%00&type=%ff%fe",
        "persona=" + "&persona=".join(str(i) for i in range(500)),
        "per_page=1000000",
        "archived=%ff&expired=maybe",
    ],
)
def test_odd_parameters_are_ignored(rep_client, library, args):
    for extra in ("", "&fragment=1", "&q=pricing"):
        response = rep_client.get(f"/search?{args}{extra}")
        assert response.status_code == 200, args + extra


def test_superscript_digits_are_not_ids(rep_client, library):
    # "²".isdigit() is true but int("²") fails; such a filter is dropped, not recorded
    rep_client.get("/search?q=pricing&persona=%C2%B2&stage=%D9%A1")
    (event,) = _searches()
    assert "personas" not in (event.filters or {}) and "stages" not in (event.filters or {})


@pytest.mark.parametrize("deal", ["other", "99999", str(10**30), "3000000000", "abc", "-1", "%C2%B2"])
def test_deals_that_are_not_the_reps_are_refused_with_a_message(rep_client, users, library, deal):
    other_rep = factories.make_user(Role.REP)
    secret = factories.make_deal(
        owner=other_rep,
        name="Secret merger deal",
        persona_id=library["personas"][0].id,
        stage_id=library["stages"][0].id,
    )
    deal_id = str(secret.id) if deal == "other" else deal
    response = rep_client.get(f"/search?deal={deal_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That deal is not one you can see" in html
    assert "Secret merger deal" not in html


@pytest.mark.parametrize("asset_id", [str(10**30), "3000000000", "%C2%B2", "abc", "-1", "0", "99999"])
def test_click_with_impossible_asset_ids(rep_client, library, asset_id):
    response = rep_client.get(f"/search/click?asset_id={asset_id}&sid={'a' * 32}")
    assert response.status_code == 404


def test_click_search_id_with_trailing_newline_is_not_recorded(rep_client, library):
    asset_id = library["published"].id
    response = rep_client.get(f"/search/click?asset_id={asset_id}&sid={'a' * 32}%0a&q=pricing")
    assert response.status_code == 302
    assert db.session.scalars(select(UsageEvent)).all() == []


def test_head_and_options_record_nothing(rep_client, library):
    asset_id = library["published"].id
    for method in ("head", "options"):
        assert getattr(rep_client, method)("/search?q=pricing").status_code == 200
        response = getattr(rep_client, method)(f"/search/click?asset_id={asset_id}&sid={'b' * 32}")
        assert response.status_code in (200, 302)
    assert db.session.scalars(select(UsageEvent)).all() == []


def test_page_past_the_end_says_so(rep_client, library):
    html = rep_client.get("/search?q=pricing&page=400").get_data(as_text=True)
    assert 'id="search-past-end"' in html
    assert "Nothing matched" not in html
    assert re.search(r'href="/search\?q=pricing"', html)


def test_empty_library(rep_client):
    for q in ("", "pricing", "*a*", '"', "title:[* TO *]"):
        for extra in ("", "&fragment=1&live=1", "&sort=winrate", "&page=9"):
            assert rep_client.get(f"/search?q={quote(q)}{extra}").status_code == 200, q + extra


def test_costly_query_parts_are_capped():
    phrases = " ".join(f'"word{n} other{n}"' for n in range(6))
    limited = _query._limit_costly(
        f'{phrases} "near by"~99999 aaa* bbb* ccc* ddd* eee* fff* ggg* a^2 b^3 c^4 d^5'
    )
    assert limited.count('"') == 2 * _query.MAX_PHRASES
    assert "~99999" not in limited
    assert limited.count("*") == _query.MAX_WILDCARDS
    assert limited.count("^") == _query.MAX_BOOSTS


def test_many_phrases_and_wildcards_still_find_content(rep_client, library):
    q = '"enterprise pricing" "pricing guide" "finance teams" "pricing tiers" disc* fin* pri* tea* tie* gui*'
    html = rep_client.get(f"/search?q={quote(q)}").get_data(as_text=True)
    assert "Enterprise pricing guide" in html


def test_broad_prefix_is_ranked_with_arrays(rep_client, users, library, monkeypatch):
    """A prefix expanding to more words than MAX_EXPANSION once went to Whoosh's collector: seconds each."""
    factories.make_asset(users["marketer"], title="Primary print", text="Private prime printers.", kind="txt")
    url = "/search?q=pri*&sort=relevance&fragment=1&live=1"
    expected = _titles(rep_client.get(url).get_data(as_text=True))
    monkeypatch.setattr(_ranking, "MAX_EXPANSION", 1)
    monkeypatch.setattr(
        _ranking.Ranker, "whoosh", lambda _self, query: pytest.fail(f"{query!r} left to Whoosh")
    )
    assert _titles(rep_client.get(url).get_data(as_text=True)) == expected
    assert "Primary print" in expected and "Enterprise pricing guide" in expected
