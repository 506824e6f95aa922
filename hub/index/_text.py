"""Words in results: highlighted snippets and "did you mean" suggestions."""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup
from markupsafe import escape
from whoosh.lang.porter import stem
from whoosh.query import Query

from hub.index._schema import DEFAULT_FIELD
from hub.index._schema import TEXT_FIELDS
from hub.index._schema import get_schema
from hub.index._snapshot import Snapshot

SNIPPET_CHARS = 240
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
SPELL_FIELDS = ("spell_text",)
WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _analyzer():
    return get_schema()[DEFAULT_FIELD].analyzer


def stems_of(query: Query, text: str) -> set[str]:
    """Stemmed query words plus the words as typed, lowercased: a word in the text matches either."""
    words = set()
    for fieldname, term in query.iter_all_terms(phrases=True):
        if fieldname in TEXT_FIELDS and fieldname != "tags":
            words.add(term.decode() if isinstance(term, bytes) else str(term))
    typed = [w.lower() for w in WORD.findall(text) if w.upper() not in OPERATORS]
    words.update(typed)
    words.update(_stem(w) for w in typed)
    return {w for w in words if len(w) >= 2}


def pattern_for(stems: set[str]) -> re.Pattern | None:
    if not stems:
        return None
    # stems can end where the word does not ("company" -> "compani", "pricing" -> "price")
    prefixes = {s[:-1] if len(s) > 3 and s[-1] in "eiy" else s for s in stems}
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def prefixes_of(text: str) -> tuple[str, ...]:
    """Words searched as prefixes: written with a trailing * or, from four letters, the last word typed."""
    words = [w.lower() for w in re.findall(r"(\w{3,})\*", text)]
    last = re.search(r"([^\W\d_]{4,})$", text)
    if last is not None:
        words.append(last.group(1).lower())
    return tuple(words)


@lru_cache(maxsize=20000)
def _stem(word: str) -> str:
    return stem(word)


def snippet(text: str, pattern: re.Pattern | None, stems: set[str], prefixes: tuple[str, ...] = ()) -> Markup:
    """A window of the text around the first matching word, with the matching words in it marked."""
    if not text:
        return Markup("")
    matches: list[re.Match] = []
    start, end = 0, min(len(text), SNIPPET_CHARS)
    if pattern is not None:
        # scan only up to the end of the window that the first real match opens
        for match in pattern.finditer(text):
            if matches and match.start() >= end:
                break
            word = match.group().lower()
            if not (word in stems or _stem(word) in stems or (prefixes and word.startswith(prefixes))):
                continue
            if not matches:
                start = max(0, match.start() - SNIPPET_CHARS // 3)
                if start:
                    space = text.find(" ", start)
                    start = space + 1 if 0 <= space < match.start() else start
                end = min(len(text), start + SNIPPET_CHARS)
            matches.append(match)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    parts = [Markup("… ") if start else Markup("")]
    cursor = start
    for match in matches:
        if match.end() > end:
            break
        parts.append(escape(text[cursor : match.start()]))
        parts.append(Markup("<mark>%s</mark>") % text[match.start() : match.end()])
        cursor = match.end()
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append(Markup(" …"))
    return Markup("").join(parts)


def _closest(reader, word: str) -> str | None:
    """The most frequent known word at the smallest edit distance (1, then 2) sharing the first letter."""
    for distance in (1, 2):
        best: tuple[int, str] | None = None
        for fieldname in SPELL_FIELDS:
            for candidate in reader.terms_within(fieldname, word, distance, prefix=1):
                if candidate == word:
                    continue
                frequency = reader.doc_frequency(fieldname, candidate)
                if best is None or frequency > best[0]:
                    best = (frequency, candidate)
        if best is not None:
            return best[1]
    return None


def suggest(snap: Snapshot, text: str) -> str | None:
    """`text` with unknown words replaced by the closest words of titles and document text, if any."""
    reader = snap.reader
    changed = False

    def fix(match: re.Match) -> str:
        nonlocal changed
        word = match.group()
        lower = word.lower()
        if len(word) < 3 or word.upper() in OPERATORS or word.isdigit() or not word.isalpha():
            return word
        if text[match.end() : match.end() + 1] in (":", "*") or not list(_analyzer()(lower)):
            return word
        if any((fieldname, lower) in reader for fieldname in SPELL_FIELDS):
            return word
        better = _closest(reader, lower)
        if better is None:
            return word
        changed = True
        return better

    corrected = WORD.sub(fix, text)
    return corrected if changed else None
