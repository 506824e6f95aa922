"""Word queries ranked with array arithmetic: the BM25F scores Whoosh computes, without its per-document loop.

Whoosh scores a query by stepping through every matching document in Python, a few microseconds each;
a word found in most of a 100,000-asset library costs hundreds of milliseconds. Here each word's posting
list is read block by block into arrays once per index snapshot, scored with the same formula and the
same statistics, and combined with array operations: AND intersects, OR adds. Queries of other shapes
(phrases, other fields, boosts) are scored by Whoosh itself, every match, once per snapshot, and then
combine with the words like any other part.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.codec.whoosh3 import _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import _length_byte_cache

from hub.index._schema import DEFAULT_FIELD

if TYPE_CHECKING:
    from hub.index._snapshot import Snapshot

# Whoosh stores each field length as one byte on a logarithmic scale; this is its decoding table
_BYTE_TO_LENGTH = np.asarray(_length_byte_cache, dtype=np.float64)
# a prefix ("secur*") that expands to more words than this is scored as one part, not word by word
MAX_EXPANSION = 256
# words kept per snapshot; a broad word at 100k documents is about 1.6 MB of arrays
WORDS_KEPT = 256
MASKS_KEPT = 32

Scored = tuple[np.ndarray, np.ndarray]  # (document numbers, ascending; their scores)


class _Unsupported(Exception):
    """The query has a shape this module does not rank; Whoosh's collector takes it."""


class Ranker:
    """Per-snapshot arrays: field lengths, and each word's documents and scores once read."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.searcher = snap.searcher
        self.reader = snap.reader
        self.size = self.reader.doc_count_all()
        weighting = self.searcher.weighting
        if not isinstance(weighting, BM25F):
            raise _Unsupported("only BM25F is mirrored")
        self.B = weighting._field_B.get(DEFAULT_FIELD, weighting.B)
        self.K1 = weighting.K1
        self.avgfl = self.searcher.avg_field_length(DEFAULT_FIELD) or 1
        self.lengths = self._lengths()
        # words by their bytes, other query parts by ("query", repr)
        self.words: OrderedDict[bytes | tuple[str, str], Scored] = OrderedDict()

    def _lengths(self) -> np.ndarray:
        """Field length per document as Whoosh's scorer sees it (1 where none is stored)."""
        lengths = np.zeros(self.size, dtype=np.uint8)
        for leaf, base in self.reader.leaf_readers():
            perdoc = getattr(leaf, "_perdoc", None)
            if perdoc is None:
                raise _Unsupported(f"a reader of type {type(leaf).__name__}")
            column = perdoc._cached_reader(_lenfield(DEFAULT_FIELD), LENGTHS_COLUMN)
            if column is None:
                continue
            raw = column._dbfile.get(column._basepos, column._count)
            lengths[base : base + len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        decoded = _BYTE_TO_LENGTH[lengths]
        decoded[lengths == 0] = 1.0
        return decoded

    def _kept(self, key, build) -> Scored:
        """The arrays for a word or query part, built once and kept for the most recently used."""
        return keep_recent(self.words, key, build, WORDS_KEPT)

    def _score(self, btext: bytes) -> Scored:
        ids, weights = postings(self.reader, DEFAULT_FIELD, btext)
        if not len(ids):
            return ids, np.zeros(0, dtype=np.float64)
        idf = self.searcher.idf(DEFAULT_FIELD, btext)
        fl = self.lengths[ids]
        norm = weights + self.K1 * ((1 - self.B) + self.B * fl / self.avgfl)
        return ids, idf * ((weights * (self.K1 + 1)) / norm)

    def word(self, btext: bytes) -> Scored:
        return self._kept(btext, lambda: self._score(btext))

    def prefix(self, query: wq.Prefix) -> Scored:
        btexts = list(query._btexts(self.reader))
        if not btexts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if len(btexts) <= MAX_EXPANSION:
            return _union([self.word(btext) for btext in btexts])
        # a broad prefix is kept as one part, not as hundreds of words crowding the word cache; left
        # to Whoosh it took seconds per prefix at 10,000 documents, so a few of them stalled a worker
        return self._kept(("prefix", query.text), lambda: _union([self._score(b) for b in btexts]))

    def evaluate(self, query: wq.Query) -> Scored:
        if isinstance(query, wq.Term) and query.fieldname == DEFAULT_FIELD and query.boost == 1.0:
            return self.word(self.reader.schema[DEFAULT_FIELD].to_bytes(query.text))
        if isinstance(query, wq.Prefix) and query.fieldname == DEFAULT_FIELD and query.boost == 1.0:
            # a prefix ("secur*") ranks as the OR of the words it expands to; Whoosh does so on an index
            # of one segment, but on several segments sometimes scores it as a constant, so its ranking
            # would shift after every edit
            return self.prefix(query)
        if type(query) is wq.Or and query.boost == 1.0 and not query.scale:
            return _union([self.evaluate(sub) for sub in query.subqueries])
        if type(query) is wq.And and query.boost == 1.0:
            wanted = [sub for sub in query.subqueries if not isinstance(sub, wq.Not)]
            unwanted = [sub for sub in query.subqueries if isinstance(sub, wq.Not)]
            if wanted:
                ids, scores = _intersect([self.evaluate(sub) for sub in wanted])
                if unwanted:
                    # "pricing NOT enterprise": the excluded words take documents away; Whoosh scores
                    # each NOT as its boost on every document it lets through
                    keep = ~np.isin(ids, np.concatenate([self.evaluate(sub.query)[0] for sub in unwanted]))
                    ids, scores = ids[keep], scores[keep] + sum(sub.boost for sub in unwanted)
                return ids, scores
        return self.whoosh(query)

    def whoosh(self, query: wq.Query) -> Scored:
        """Any other part of a query (a phrase, another field, a boost) scored by Whoosh itself, every
        match, once per snapshot; it then combines with the rest like a word."""

        def build() -> Scored:
            pairs = sorted((docnum, score) for score, docnum in self.searcher.search(query, limit=None).top_n)
            return (
                np.fromiter((docnum for docnum, _score in pairs), dtype=np.int64, count=len(pairs)),
                np.fromiter((score for _docnum, score in pairs), dtype=np.float64, count=len(pairs)),
            )

        return self._kept(("query", repr(query)), build)


def postings(reader, fieldname: str, btext: bytes, weights: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Every posting of a term, block by block: document numbers and, if asked, weights.

    Deleted documents are included; callers filter them out (searches through the allowed mask,
    live_docs() by subtracting the deleted ones).
    """
    id_parts, weight_parts = [], []
    for leaf, base in reader.leaf_readers():
        if (fieldname, btext) not in leaf:
            continue
        matcher = leaf.postings(fieldname, btext)
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child
        if not isinstance(matcher, W3LeafMatcher):
            raise _Unsupported(f"postings of type {type(matcher).__name__}")
        while matcher.is_active():
            matcher._read_ids()
            id_parts.append(np.asarray(matcher._ids, dtype=np.int64) + base)
            if weights:
                matcher._read_weights()
                weight_parts.append(np.asarray(matcher._weights, dtype=np.float64))
            if matcher._lastblock:
                break
            matcher._next_block()
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(id_parts), (np.concatenate(weight_parts) if weights else np.zeros(0))


def live_docs(reader, fieldname: str, btext: bytes) -> np.ndarray | None:
    """Live documents holding a term, or None when the index cannot be read block by block."""
    try:
        ids, _weights = postings(reader, fieldname, btext, weights=False)
    except _Unsupported:
        return None
    if reader.has_deletions():
        deleted = [
            np.fromiter(leaf._perdoc.deleted_docs(), dtype=np.int64) + base
            for leaf, base in reader.leaf_readers()
            if leaf.has_deletions()
        ]
        ids = ids[~np.isin(ids, np.concatenate(deleted))]
    return ids


def _union(parts: list[Scored]) -> Scored:
    """Documents matching any part; a document's score is the sum of the parts it matches."""
    ids = np.concatenate([p[0] for p in parts])
    scores = np.concatenate([p[1] for p in parts])
    unique, slots = np.unique(ids, return_inverse=True)
    return unique, np.bincount(slots, weights=scores, minlength=len(unique))


def _intersect(parts: list[Scored]) -> Scored:
    """Documents matching every part; a document's score is the sum of its parts' scores."""
    ids, scores = parts[0]
    for other_ids, other_scores in parts[1:]:
        ids, mine, theirs = np.intersect1d(ids, other_ids, assume_unique=True, return_indices=True)
        scores = scores[mine] + other_scores[theirs]
    return ids, scores


def ranker(snap: Snapshot) -> Ranker | None:
    try:
        return snap._memo(("ranker",), lambda: Ranker(snap))
    except _Unsupported:
        return None


def mask(snap: Snapshot, key, allowed: set[int]) -> np.ndarray:
    """The allowed documents as a boolean array, kept for the most recent filter combinations."""

    def build() -> np.ndarray:
        flags = np.zeros(snap.reader.doc_count_all(), dtype=bool)
        if allowed:
            flags[np.fromiter(allowed, dtype=np.int64, count=len(allowed))] = True
        return flags

    return keep_recent(snap._memo(("masks",), OrderedDict), key, build, MASKS_KEPT)


def keep_recent(cache: OrderedDict, key, build, kept: int):
    """cache[key], built on first use; beyond `kept` entries the least recently used is dropped."""
    found = cache.get(key)
    if found is not None:
        cache.move_to_end(key)
        return found
    found = cache[key] = build()
    if len(cache) > kept:
        cache.popitem(last=False)
    return found


def search(snap: Snapshot, query: wq.Query, allowed: np.ndarray, limit: int):
    """(top hits as (score, docnum) best first, all matching document numbers), or None to use Whoosh."""
    rank = ranker(snap)
    if rank is None:
        return None
    try:
        ids, scores = rank.evaluate(query)
    except _Unsupported:
        return None
    keep = allowed[ids]
    ids, scores = ids[keep], scores[keep]
    if len(ids) > limit:
        # the best `limit` scores, ties broken towards lower document numbers, as Whoosh's collector does
        cut = np.argpartition(-scores, limit - 1)[:limit]
        threshold = scores[cut].min()
        chosen = np.flatnonzero(scores >= threshold)
    else:
        chosen = np.arange(len(ids))
    picked = chosen[np.lexsort((ids[chosen], -scores[chosen]))[:limit]]
    return list(zip(scores[picked].tolist(), ids[picked].tolist(), strict=True)), ids
