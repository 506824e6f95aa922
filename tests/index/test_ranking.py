"""Array ranking against Whoosh's own full scoring, on a real on-disk index of several segments with deletions."""

from __future__ import annotations

import random

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from hub.index import _ranking
from hub.index._query import Filters
from hub.index._query import parse
from hub.index._query import run
from hub.index._schema import NO_EXPIRY
from hub.index._schema import get_schema
from hub.index._snapshot import Snapshot

WORDS = (
    "pricing security compliance onboarding integration roadmap analytics migration enterprise retail "
    "healthcare finance logistics renewal expansion competitor comparison benchmark latency uptime "
    "dashboard workflow automation reporting forecast pipeline quota discount procurement contract "
    "customer customs custodian complete company complex business case study"
).split()
TODAY = 20261125
QUERIES = [
    "pricing",
    "security compliance",
    "healthcare case study",
    "pricing OR security",
    "comp*",
    "pricing comp*",
    "cust",
    "security OR workflow OR quota",
    "(pricing OR uptime) renewal",
    "nothingmatchesthis",
    '"business case"',
    '"business case" pricing OR quota',
    "pricing NOT compliance",
    "pricing NOT comp*",
    "tags:pricing OR quota",
]


@pytest.fixture
def snap(tmp_path):
    ix = whoosh_index.create_in(tmp_path, get_schema())
    rng = random.Random(7)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    for batch in range(3):
        writer = ix.writer()
        for n in range(150):
            number = batch * 150 + n
            writer.add_document(
                id=str(number),
                title=f"Asset {number}",
                text=" ".join(rng.choices(WORDS, weights, k=rng.randint(5, 120))),
                status="published" if number % 9 else "archived",
                type="deck" if number % 3 else "case_study",
                personas=str(1 + number % 2),
                stages=str(1 + number % 4),
                created=number,
                updated=number,
                expires_on=NO_EXPIRY,
            )
        # several segments, as a library that grows by uploads has
        writer.commit(merge=False)
    writer = ix.writer()
    for number in range(0, 450, 7):
        writer.delete_by_term("id", str(number))
    writer.commit(merge=False)
    searcher = ix.searcher()
    assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
    yield Snapshot(searcher)
    searcher.close()


def _words_for_prefixes(query, reader):
    """The same query with each prefix written out as the OR of its words: the ranking a prefix gets."""
    if isinstance(query, wq.Prefix):
        return wq.Or([wq.Term(query.fieldname, b.decode()) for b in query._btexts(reader)])
    if isinstance(query, wq.And | wq.Or):
        return type(query)([_words_for_prefixes(sub, reader) for sub in query.subqueries])
    if isinstance(query, wq.Not):
        return wq.Not(_words_for_prefixes(query.query, reader))
    return query


def _allowed(snap: Snapshot) -> set[int]:
    return snap.visible(include_archived=False, include_expired=False, today=TODAY)


def _first_ten(snap: Snapshot, text: str):
    """The first ten results by relevance, with only ten kept for ranking, as a search page asks."""
    return run(
        snap,
        text,
        Filters(),
        sort="relevance",
        page=1,
        per_page=10,
        today=TODAY,
        depth=10,
        performance={},
        weight=0.0,
        metric={},
        metric_token="",
    )


def _rounded(pairs) -> list[tuple[float, int]]:
    # scores summed in another order may differ in the last bit; rounding keeps ties comparable
    return sorted(((round(score, 9), docnum) for score, docnum in pairs), key=lambda p: (-p[0], p[1]))


@pytest.mark.parametrize("text", QUERIES)
def test_matches_and_top_hits_equal_whooshs_full_scoring(snap, text):
    query = parse(text, snap.knows)
    allowed = _allowed(snap)
    found = _ranking.search(snap, query, _ranking.mask(snap, "visible", allowed), 25)
    assert found is not None, "this query shape should be ranked with arrays"
    top, matched = found
    truth = set(snap.searcher.docs_for_query(query)) & allowed
    assert set(matched.tolist()) == truth
    reference = _words_for_prefixes(query, snap.reader)
    whoosh_hits = snap.searcher.search(reference, limit=None, filter=allowed)
    expected = _rounded((hit.score, hit.docnum) for hit in whoosh_hits)[:25]
    assert _rounded(top) == expected


@pytest.mark.parametrize(
    "text", ["pricing OR security", "comp*", '"business case" OR pricing OR quota OR uptime']
)
def test_totals_and_facets_count_every_match_of_an_or(snap, text):
    page = _first_ten(snap, text)
    truth = set(snap.searcher.docs_for_query(parse(text, snap.knows))) & _allowed(snap)
    assert page.total == len(truth) > 10
    decks = {d for d in truth if snap.searcher.stored_fields(d)["type"] == "deck"}
    assert page.facets["type"]["deck"] == len(decks)
    assert len(page.hits) == 10


def test_an_or_left_to_whoosh_still_counts_every_match(tmp_path):
    """Past 5,000 documents Whoosh drops the weak side of an OR once the top hits are full; the total
    and the facets must still count every match."""
    ix = whoosh_index.create_in(tmp_path, get_schema())
    rng = random.Random(5100)
    words = (
        "pricing security compliance onboarding roadmap analytics quota uptime alpha beta gamma delta".split()
    )
    weights = [1 / (rank + 1) for rank in range(len(words))]
    writer = ix.writer()
    for number in range(5100):
        text = " ".join(rng.choices(words, weights, k=rng.randint(3, 12)))
        writer.add_document(
            id=str(number), text=text, status="published", type="deck", created=number, expires_on=NO_EXPIRY
        )
    writer.commit()
    text = 'roadmap OR "alpha beta" OR delta'
    with ix.searcher() as searcher:
        snap = Snapshot(searcher)
        page = _first_ten(snap, text)
        truth = len(set(searcher.docs_for_query(parse(text, snap.knows))))
        assert page.total == truth > 1000
        assert page.facets["type"] == {"deck": truth}


def test_columns_kept_per_segment_stay_right_after_an_edit(tmp_path):
    ix = whoosh_index.create_in(tmp_path, get_schema())
    for batch in range(2):
        writer = ix.writer()
        for n in range(5):
            number = batch * 5 + n
            writer.add_document(id=str(100 + number), text="pricing", status="published", created=number)
        writer.commit(merge=False)
    with ix.searcher() as searcher:
        before = Snapshot(searcher)
        assert before.asset_ids() == list(range(100, 110))
        assert before.numbers("created") == list(range(10))
    writer = ix.writer()
    writer.delete_by_term("id", "103")
    writer.add_document(id="200", text="pricing", status="published", created=99)
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        after = Snapshot(searcher)
        ids = after.asset_ids()
        live = sorted(searcher.reader().all_doc_ids())
        assert [ids[d] for d in live] == [100, 101, 102, 104, 105, 106, 107, 108, 109, 200]
        assert after.numbers("created")[live[-1]] == 99
        assert {ids[d] for d in after.term_docs("status", "published")} == {*range(100, 110), 200} - {103}
