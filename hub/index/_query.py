"""Turning what a user typed into a safe query, running it, and shaping hits, facets and sorts."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup
from whoosh import collectors
from whoosh import qparser
from whoosh.query import NullQuery
from whoosh.query import Query

from hub.index import _ranking
from hub.index._schema import DEFAULT_FIELD
from hub.index._schema import get_schema
from hub.index._snapshot import FACET_FIELDS
from hub.index._snapshot import Snapshot
from hub.index._snapshot import bitset
from hub.index._text import OPERATORS
from hub.index._text import WORD
from hub.index._text import pattern_for
from hub.index._text import prefixes_of
from hub.index._text import snippet
from hub.index._text import stems_of

MAX_QUERY_CHARS = 200
SORTS = ("best", "relevance", "newest", "used", "winrate")
# per snapshot: stored fields of the most recently shown documents, and their marked-up snippets
STORED_KEPT = 4096
SNIPPETS_KEPT = 4096
# parsed queries by what was typed (parsing depends on the snapshot's vocabulary); _NO_QUERY stands for
# text that holds nothing to search for
QUERIES_KEPT = 1024
_NO_QUERY = object()
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LAST_WORD = re.compile(r"(?:^|[\s(])([^\W\d_]{4,})$")
_SHORT_WILDCARD = re.compile(r"(?<!\w\w\w)\*")
# phrases, boosts and wildcards cost far more than words (Whoosh matches the first two document by
# document): beyond these counts the extra ones are simplified, so no query can tie up a worker for seconds
MAX_WILDCARDS = 5
MAX_PHRASES = 3
MAX_BOOSTS = 3
MAX_SLOP = 10
_PHRASE = re.compile(r'"([^"]*)"(?:~[0-9]+)?')
_SLOP = re.compile(r'"~([0-9]+)')
# a wildcard word beyond the limit is dropped: the bare stem ("gui" of "gui*") would match nothing
_STAR = re.compile(r"\w*\*")
_BOOST = re.compile(r"\^[0-9.]*")


@dataclass(frozen=True)
class Filters:
    personas: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    include_archived: bool = False
    include_expired: bool = False

    def by_field(self) -> dict[str, tuple[str, ...]]:
        return {"personas": self.personas, "stages": self.stages, "type": self.types}


@dataclass
class Hit:
    asset_id: int
    score: float
    title: str
    snippet: Markup
    stored: dict


@dataclass
class Page:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    text: str
    # True when the index could not answer even after a rebuild; the page says so instead of failing
    degraded: bool = False


def clean(text: str | None) -> str:
    """Drop control characters, normalise Unicode and spaces, and cut overly long input at a word."""
    text = unicodedata.normalize("NFKC", text or "")
    text = " ".join(_CONTROL.sub(" ", text).split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
    return text


@lru_cache(maxsize=1)
def _parser() -> qparser.QueryParser:
    parser = qparser.QueryParser(DEFAULT_FIELD, get_schema())
    # ranges and *:* can expand to the whole vocabulary; reps never need them
    for plugin in (qparser.RangePlugin, qparser.EveryPlugin):
        parser.remove_plugin_class(plugin)
    return parser


def _plain(text: str) -> str:
    """The words alone, for when the query syntax cannot be made sense of."""
    return " ".join(w for w in WORD.findall(text) if w.upper() not in OPERATORS)


def _trim_operators(text: str) -> str:
    """Drop AND/OR/NOT left dangling at either end ("pricing AND", "OR deck")."""
    words = text.split()
    while words and words[0].upper() in OPERATORS:
        words.pop(0)
    while words and words[-1].upper() in OPERATORS:
        words.pop()
    return " ".join(words)


def _complete_last_word(text: str, known: Callable[[str], bool] | None) -> str:
    """Let an unfinished last word match as a prefix ("encrypt" finds "encryption") while a rep types."""
    match = _LAST_WORD.search(text)
    if match is None or text.count('"') % 2 or match.group(1).upper() in OPERATORS:
        return text
    word = match.group(1)
    if known is not None and known(word):
        return text
    return f"{text[: match.start(1)]}({word} OR {word}*)"


def _keep_first(pattern: re.Pattern, text: str, limit: int, later: Callable[[re.Match], str]) -> str:
    """`text` with the matches of `pattern` after the first `limit` replaced by later(match)."""
    seen = itertools.count(1)
    return pattern.sub(lambda m: m.group(0) if next(seen) <= limit else later(m), text)


def _limit_costly(text: str) -> str:
    """Keep the first few phrases, wildcards and boosts; later phrases and boosts count as plain words."""
    text = _keep_first(_PHRASE, text, MAX_PHRASES, lambda m: f" {m.group(1)} ")
    text = _SLOP.sub(lambda m: f'"~{min(int(m.group(1)), MAX_SLOP)}', text)
    text = _keep_first(_STAR, text, MAX_WILDCARDS, lambda _m: "")
    return _keep_first(_BOOST, text, MAX_BOOSTS, lambda _m: " ")


def parse(text: str, known: Callable[[str], bool] | None = None) -> Query | None:
    """A whoosh query for `text`, or None when nothing searchable is left (empty, only stop words)."""
    # "pricing?" is a question, not a wildcard; a trailing * needs three letters before it ("secur*")
    text = _limit_costly(_SHORT_WILDCARD.sub(" ", text.replace("?", " ")))
    text = _trim_operators(text)
    if not text:
        return None
    for candidate in (_complete_last_word(text, known), text, _plain(text)):
        try:
            query = _parser().parse(candidate).normalize()
        except Exception:  # noqa: BLE001 - any syntax the parser chokes on falls back to plain words
            continue
        if query is NullQuery or isinstance(query, type(NullQuery)):
            return None
        fields = {leaf.field() for leaf in query.leaves() if leaf.field()}
        # only stop words ("the"): the text fields dropped them all and just the raw tag field is left
        if fields <= {"tags"} and "tags:" not in text.lower():
            return None
        return query
    return None


def _allowed(snap: Snapshot, filters: Filters, today: int) -> set[int]:
    docs = snap.visible(
        include_archived=filters.include_archived, include_expired=filters.include_expired, today=today
    )
    for fieldname, values in filters.by_field().items():
        if values:
            wanted: set[int] = set()
            for value in values:
                wanted.update(snap.term_docs(fieldname, value))
            docs = wanted.intersection(docs)
    return docs


def _facets(snap: Snapshot, matched_bits: int) -> dict[str, dict[str, int]]:
    """Matches per persona, stage and type: an AND and a popcount per value."""
    counts: dict[str, dict[str, int]] = {}
    for fieldname in FACET_FIELDS:
        found = {v: (matched_bits & b).bit_count() for v, b in snap.facet_bits(fieldname).items()}
        counts[fieldname] = {v: n for v, n in found.items() if n}
    return counts


class _TopAndAll(collectors.TopCollector):
    """Top hits by score plus the set of every match, from one pass (whoosh's own needs a second)."""

    def _collect(self, global_docnum, score):
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)


def _top_by(
    snap: Snapshot, matched, key: Callable[[int], tuple], name: str, stop: int, version: str = ""
) -> list[int]:
    """The first `stop` matched documents by `key` descending."""
    total_docs = snap.reader.doc_count_all() or 1
    if len(matched) * 8 < total_docs:
        return sorted(matched, key=key, reverse=True)[:stop]
    ordered = []
    for docnum in snap.order_by(name, key, version):
        if docnum in matched:
            ordered.append(docnum)
            if len(ordered) >= stop:
                break
    return ordered


def run(
    snap: Snapshot,
    text: str,
    filters: Filters,
    *,
    sort: str,
    page: int,
    per_page: int,
    today: int,
    depth: int,
    performance: Mapping[int, float],
    weight: float,
    metric: Mapping[int, float],
    metric_token: str,
) -> Page:
    """Search and return one page; `performance` (0..1 per asset id) blends into "best", `metric` drives sorts."""
    parsed = _ranking.keep_recent(
        snap._memo(("queries",), OrderedDict),
        text,
        lambda: parse(text, snap.knows) or _NO_QUERY,
        QUERIES_KEPT,
    )
    query = None if parsed is _NO_QUERY else parsed
    allowed = _allowed(snap, filters, today)
    ids = snap.asset_ids()
    created = snap.numbers("created")
    stop = page * per_page
    scores: dict[int, float] = {}

    def by_created(d: int) -> tuple:
        return (created[d], ids[d])

    def by_metric(d: int) -> tuple:
        return (metric.get(ids[d], 0.0), created[d], ids[d])

    def by_performance(d: int) -> tuple:
        return (performance.get(ids[d], 0.0), created[d], ids[d])

    if query is None:
        matched = allowed
        if sort in ("used", "winrate"):
            order = _top_by(snap, matched, by_metric, sort, stop, metric_token)
        elif sort == "best":
            order = _top_by(snap, matched, by_performance, "best", stop, metric_token)
        else:
            order = _top_by(snap, matched, by_created, "created", stop)
        facets = snap._memo(("facets", filters, today), lambda: _facets(snap, bitset(matched)))
        total = len(matched)
    else:
        limit = max(depth, stop)
        fast = _ranking.search(snap, query, _ranking.mask(snap, (filters, today), allowed), limit)
        if fast is not None:
            top_n, matched_ids = fast
            matched_bits = bitset(matched_ids)
            total = len(matched_ids)
        else:
            # replace=0: whoosh otherwise drops the parts of an OR that can no longer reach the top
            # hits, and with them their documents from the total and the facet counts
            collector = _TopAndAll(limit=limit, usequality=False, replace=0)
            snap.searcher.search_with_collector(
                query, collectors.FilterCollector(collector, allow=allowed or {-1})
            )
            top_n = [(hit_score, docnum) for hit_score, docnum in collector.results().top_n]
            matched_bits, total = bitset(collector.docset), len(collector.docset)
        for hit_score, docnum in top_n:
            scores[docnum] = hit_score
        if sort == "relevance":
            order = [docnum for _score, docnum in top_n]
        elif sort == "best":
            best = max(scores.values(), default=1.0) or 1.0
            blended = {d: s / best * (1.0 + weight * performance.get(ids[d], 0.0)) for d, s in scores.items()}
            order = sorted(blended, key=lambda d: (blended[d], created[d], ids[d]), reverse=True)
        else:
            matched = set(matched_ids.tolist()) if fast is not None else collector.docset
            key, name = (by_metric, sort) if sort in ("used", "winrate") else (by_created, "created")
            order = _top_by(snap, matched, key, name, stop, metric_token if key is by_metric else "")
        facets = _facets(snap, matched_bits)

    window = order[(page - 1) * per_page : stop]
    stems = stems_of(query, text) if query is not None else set()
    pattern = pattern_for(stems)
    prefixes = prefixes_of(text)
    marked = (frozenset(stems), prefixes)
    # popular documents and searches come back again and again within one snapshot
    stored_kept = snap._memo(("stored",), OrderedDict)
    snippets_kept = snap._memo(("snippets",), OrderedDict)
    hits = []
    for docnum in window:
        stored = _ranking.keep_recent(
            stored_kept, docnum, lambda d=docnum: snap.searcher.stored_fields(d), STORED_KEPT
        )
        body = stored.get("excerpt") or stored.get("description") or ""
        hits.append(
            Hit(
                asset_id=int(stored["id"]),
                score=scores.get(docnum, 0.0),
                title=stored.get("title", ""),
                snippet=_ranking.keep_recent(
                    snippets_kept,
                    (docnum, marked),
                    lambda b=body: snippet(b, pattern, stems, prefixes),
                    SNIPPETS_KEPT,
                ),
                stored=stored,
            )
        )
    return Page(hits=hits, total=total, facets=facets, text=text)
