"""The word table: every written word of the corpus with its most common analysis in context.

Indexing already runs Kiwi over every word in its sentence. Keeping, for each written word
(a space-separated unit such as ``로블록스의`` or ``멀티모달``), the analysis it got most often
lets a query whose words are all known be analyzed without creating Kiwi at all, which is most
of a cold ``papers search``: Kiwi takes about a second to load, a lookup microseconds. Any word
not in the table (a typo, a rare inflection) sends the whole query through Kiwi as before.

The table is an array file (``words.arr``, see :mod:`search.arrays`) of sorted words and their
analyses as compact JSON, looked up by binary search in the memory map, so a query reads a few
pages of it. An update adds the words of new papers and keeps the analyses of known words.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter
from pathlib import Path

import numpy as np

from .analysis import _HANGUL, _PARTICLES, _UNIT, Term, _run_terms, clean
from .arrays import ArrayFile, _Strings, string_arrays, write_file
from .errors import IndexVersionError

FILE = "words.arr"
#: Occurrences of a word whose analysis is counted; the most common of these is kept. A word's
#: analysis rarely varies (98 % of occurrences share the most common one), and counting every
#: occurrence of common words cost a fifth of the build.
SAMPLES = 12
_PLAIN_RUN = re.compile(r"^[A-Za-z0-9]+$")


class Builder:
    """Counts the analyses of every written word seen while indexing."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.seen: dict[str, int] = {}
        self.sampled: set[str] = set()  # the words seen SAMPLES times: a set test per word of the corpus

    def add(self, analyses) -> None:
        """``analyses``: (word, analysis) pairs, from :func:`search.analysis.word_analyses`."""
        self.counts.update(analyses)
        seen = self.seen
        for word, _ in analyses:
            n = seen[word] = seen.get(word, 0) + 1
            if n >= SAMPLES:
                self.sampled.add(word)

    def write(self, path: Path, previous: "Table | None" = None) -> None:
        """Write the table of generation ``path``: the previous generation's words as they were,
        and each new word with its most common analysis."""
        best: dict[str, tuple] = {}
        seen: dict[str, int] = {}
        for (word, analysis), n in self.counts.items():
            if n > seen.get(word, 0):
                best[word], seen[word] = analysis, n
        places: dict[str, int] = {}
        if previous is not None:  # known words keep their analyses; the new ones go in between
            known = previous._words
            for word in best:
                key = word.encode("utf-8")
                i = bisect_left(known, key)
                if i == len(known) or known[i] != key:
                    places[word] = i
            best = {word: best[word] for word in places}
        entries = {word: json.dumps(a, ensure_ascii=False, separators=(",", ":")) for word, a in best.items()}
        words = sorted(entries)
        new = {**string_arrays("words", words), **string_arrays("analyses", [entries[w] for w in words])}
        if previous is not None:  # nothing of the previous table is decoded
            at = [places[w] for w in words]
            new = {**_inserted("words", previous._words, at, new), **_inserted("analyses", previous._analyses, at, new)}
        (path / FILE).unlink(missing_ok=True)  # a hard link to the previous generation's table
        write_file(path / FILE, new)


def _inserted(name: str, known: _Strings, at: list[int], new: dict) -> dict[str, np.ndarray]:
    """The strings ``known`` with the strings ``new[name]`` inserted before the indices ``at``
    (ascending), as :func:`string_arrays` would write the merged list."""
    blob, offsets = new[name], new[name + ".off"]
    cuts = known.offsets[np.asarray(at, dtype=np.int64)]
    pieces = np.split(known.blob, cuts)
    merged = [pieces[0]]
    for i, piece in enumerate(pieces[1:]):
        merged += [blob[offsets[i] : offsets[i + 1]], piece]
    lengths = np.insert(np.diff(known.offsets), np.asarray(at, dtype=np.int64), np.diff(offsets))
    return {name: np.concatenate(merged) if merged else blob,
            name + ".off": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)}


class Table:
    """The word table of one generation, memory-mapped."""

    def __init__(self, path: Path) -> None:
        self._file = ArrayFile(path / FILE)
        self._words = self._file.strings("words")
        self._analyses = self._file.strings("analyses")

    def __len__(self) -> int:
        return len(self._words)

    def lookup(self, word: str) -> tuple | None:
        i = self._words.find(word)
        if i < 0:
            return None
        try:
            advance, terms = json.loads(self._analyses[i])
        except ValueError as exc:
            raise IndexVersionError(f"{FILE}: {exc}") from None
        return advance, [tuple(t) for t in terms]

    def entries(self) -> dict[str, str]:
        return dict(zip(self._words.decode(), self._analyses.decode()))


# -- composing a query's analysis from the table ---------------------------------------------------


def _trusted(word: str, found):
    """A stored analysis, unless the word is all Hangul and the corpus mostly read no content
    where it starts (``깊이`` as the adverb; ``모달`` of ``멀티 모달`` as 모 + 달): a user types
    content words, so such a word is better analyzed by Kiwi in the query's own context. A prefix
    before a noun of two or more syllables (``대규모`` as 대 + 규모, ``비지도``) is a real analysis."""
    if found is None or not _HANGUL.match(word):
        return found
    content = sorted((t[2], t[3]) for t in found[1] if t[4])
    if not content:
        return None
    start, end = content[0]
    return found if start == 0 or end - start >= 2 else None


def _before_particles(word: str, lookup):
    for cut in range(len(word) - 1, 0, -1):
        if _PARTICLES.match(word[cut:]) and _HANGUL.match(word[cut - 1]):
            found = lookup(word[:cut])
            if found is not None:
                return found
    return None


def compose(text: str, lookup) -> list[Term] | None:
    """The terms of ``text`` from the analyses of its written words (``lookup(word)`` gives the
    analysis stored by :func:`search.analysis.word_analyses`, or None); None when a word is not known.

    A word of plain Latin letters and digits needs no lookup: its terms follow from the run rules;
    a known word with particles after it (``로블록스의``) is that word, since particles are no terms.
    """
    text = clean(text)
    out: list[Term] = []
    pos = 0
    for m in _UNIT.finditer(text):
        word, start = m.group(), m.start()
        found = _trusted(word, lookup(word) or _before_particles(word, lookup))
        if found is None and _PLAIN_RUN.match(word):
            terms, advance = _run_terms(word, start, pos)
            out.extend(terms)
            pos = advance
            continue
        if found is None:
            return None
        advance, own = found
        out.extend(Term(t, pos + p, start + a, start + b, primary, kind) for t, p, a, b, primary, kind in own)
        pos += advance
    return out
