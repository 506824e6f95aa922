"""A cached searcher per process, with the per-document lookups searches need, rebuilt when the index changes."""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import field

import numpy as np
from whoosh import index as whoosh_index
from whoosh.query import NumericRange
from whoosh.searching import Searcher

from hub.index import _ranking
from hub.index._schema import DEFAULT_FIELD

FACET_FIELDS = ("personas", "stages", "type")

_lock = threading.Lock()
_snapshots: dict[str, Snapshot] = {}
# how long after a change of the index folder its stamp is trusted
SETTLED_NS = 1_000_000_000
# (segment id, field) -> the column's values in that segment; segment ids are unique per write
_segment_columns: OrderedDict[tuple[str, str], list] = OrderedDict()
SEGMENT_COLUMNS_KEPT = 64


def bitset(docnums) -> int:
    """A set of document numbers as one big integer, so facet counts are an AND and a popcount."""
    ids = docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, dtype=np.int64)
    if not len(ids):
        return 0
    flags = np.zeros(int(ids.max()) + 1, dtype=bool)
    flags[ids] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


class TurnLock:
    """A lock taken in the order threads ask for it. A plain Lock lets the thread that just released it
    take it again while the others sleep, and under load a search could wait seconds for its turn."""

    def __init__(self) -> None:
        self._turns = threading.Condition()
        self._next = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._turns:
            ticket = self._next
            self._next += 1
            while ticket != self._serving:
                self._turns.wait()

    def __exit__(self, *_exc) -> None:
        with self._turns:
            self._serving += 1
            self._turns.notify_all()


@dataclass
class Snapshot:
    searcher: Searcher
    _cache: dict = field(default_factory=dict)
    # Whoosh's readers seek and then read shared file objects, so one search at a time per snapshot;
    # searches are CPU-bound under the GIL, so the threads of a worker lose nothing by taking turns
    lock: TurnLock = field(default_factory=TurnLock)
    # the index folder's stamp when this snapshot was last found up to date (see stamp())
    stamp: tuple | None = None

    @property
    def reader(self):
        return self.searcher.reader()

    def _memo(self, key, build):
        value = self._cache.get(key)
        if value is None:
            value = build()
            self._cache[key] = value
        return value

    def term_docs(self, fieldname: str, value: str) -> frozenset[int]:
        reader = self.reader
        btext = reader.schema[fieldname].to_bytes(value)
        # unknown values (anything typed into a URL) are not cached, so the cache stays bounded
        if (fieldname, btext) not in reader:
            return frozenset()
        return self._memo(
            ("term", fieldname, value), lambda: frozenset(self.term_array(fieldname, btext).tolist())
        )

    def term_array(self, fieldname: str, btext: bytes) -> np.ndarray:
        """Live documents holding a term, read block by block (whoosh's all_ids() steps one by one)."""

        def build() -> np.ndarray:
            found = _ranking.live_docs(self.reader, fieldname, btext)
            if found is None:
                found = np.fromiter(self.reader.postings(fieldname, btext).all_ids(), dtype=np.int64)
            return found

        return self._memo(("array", fieldname, btext), build)

    def knows(self, word: str) -> bool:
        """True when the word, as the search field analyses it, is in the index's vocabulary."""
        field = self.reader.schema[DEFAULT_FIELD]
        terms = [token.text for token in field.analyzer(word)]
        return bool(terms) and all((DEFAULT_FIELD, term) in self.reader for term in terms)

    def facet_values(self, fieldname: str) -> list[str]:
        return self._memo(("values", fieldname), lambda: [v.decode() for v in self.reader.lexicon(fieldname)])

    def facet_bits(self, fieldname: str) -> dict[str, int]:
        def build() -> dict[str, int]:
            field = self.reader.schema[fieldname]
            return {
                value: bitset(self.term_array(fieldname, field.to_bytes(value)))
                for value in self.facet_values(fieldname)
            }

        return self._memo(("bits", fieldname), build)

    def visible(self, *, include_archived: bool, include_expired: bool, today: int) -> set[int]:
        """Live documents a search may show: published (unless archived are asked for) and unexpired."""

        def build() -> set[int]:
            if include_archived:
                docs = set(self.reader.all_doc_ids())
            else:
                docs = set(self.term_docs("status", "published"))
            if not include_expired:
                expired = NumericRange("expires_on", None, today, endexcl=True)
                docs.difference_update(self.searcher.docs_for_query(expired))
            # a set, not a frozenset: whoosh accepts only set instances as filters; never mutated after this
            return docs

        return self._memo(("visible", include_archived, include_expired, today), build)

    def asset_ids(self) -> list[int]:
        """Asset id by document number (0 for deleted documents)."""
        return self._memo(("ids",), lambda: self._column("id", lambda value: int(value) if value else 0))

    def numbers(self, fieldname: str) -> list[int]:
        return self._memo(("col", fieldname), lambda: self._column(fieldname, None))

    def _column(self, fieldname: str, convert) -> list:
        """A column's values by document number, read per segment and kept across snapshots.

        A segment never changes once written, so after an edit only the new, small segment is read;
        reading a column is a Python step per document, about a second at 100,000 documents.
        """
        values: list = []
        for leaf, _base in self.reader.leaf_readers():
            if not leaf.doc_count_all():
                continue
            key = (leaf.segment().segment_id(), fieldname)
            with _lock:
                found = _segment_columns.get(key)
                if found is not None:
                    _segment_columns.move_to_end(key)
            if found is None:
                column = leaf.column_reader(fieldname)
                found = list(column) if convert is None else [convert(value) for value in column]
                with _lock:
                    _segment_columns[key] = found
                    while len(_segment_columns) > SEGMENT_COLUMNS_KEPT:
                        _segment_columns.popitem(last=False)
            values.extend(found)
        return values

    def order_by(self, name: str, key, version: str = "") -> list[int]:
        """All live documents ordered by `key(docnum)` descending; kept per name until `version` changes."""
        cached = self._cache.get(("order", name))
        if cached is not None and cached[0] == version:
            return cached[1]
        order = sorted(self.reader.all_doc_ids(), key=key, reverse=True)
        self._cache[("order", name)] = (version, order)
        return order


def _open(index_dir: str) -> Snapshot:
    # a concurrent commit may remove a segment between reading the table of contents and opening it
    for attempt in range(5):
        try:
            return Snapshot(whoosh_index.open_dir(index_dir).searcher())
        except (OSError, whoosh_index.EmptyIndexError):
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def current(index_dir: str, stamp: tuple | None = None) -> Snapshot:
    """The searcher for index_dir, reopened only when another writer has committed since.

    `stamp` (see stamp()) is remembered with the snapshot, so settled() can answer without this check.
    """
    with _lock:
        snap = _snapshots.get(index_dir)
        if snap is not None:
            try:
                if snap.searcher.up_to_date():
                    snap.stamp = stamp
                    return snap
            except (OSError, whoosh_index.EmptyIndexError):
                pass
        fresh = _open(index_dir)
        # the old searcher is left to the garbage collector: another thread may still be reading it
        _snapshots[index_dir] = fresh
        fresh.stamp = stamp
    return fresh


def stamp(index_dir: str, pending_path: str) -> tuple | None:
    """What says the index folder has not changed: its identity and change time.

    Every commit writes a new table of contents into the folder and a rebuild swaps in another folder,
    so either moves this stamp. None means "check in full": the folder is missing, updates are queued
    beside it, or it changed within the last second (a change in the same tick of the file system's
    clock would leave the time as it was).
    """
    try:
        folder = os.stat(index_dir)
    except OSError:
        return None
    if os.path.exists(pending_path) or time.time_ns() - folder.st_mtime_ns < SETTLED_NS:
        return None
    return (folder.st_dev, folder.st_ino, folder.st_mtime_ns)


def settled(index_dir: str, stamp: tuple | None) -> Snapshot | None:
    """The snapshot last checked at this very stamp, if any: nothing has changed since that check."""
    snap = _snapshots.get(index_dir)
    if stamp is None or snap is None or snap.stamp != stamp:
        return None
    return snap


def forget(index_dir: str) -> None:
    with _lock:
        _snapshots.pop(index_dir, None)
