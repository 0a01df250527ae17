"""Did-you-mean: each rare query word replaced by a much more common close index term."""

from __future__ import annotations

from . import analysis, lexicon
from .plan import Plan
from .syntax import Item

MAX_SUGGEST_LENGTH = 40
RARE_WORD = 3             # a query word in fewer papers than this is spell-checked
SUGGEST_MIN_DF = 5
FEW_RESULTS = 5
SUGGEST_RATIO = 10        # ... and replaced by a close word in this many times more papers


def _words(item: Item, primary) -> list[tuple[str, str]]:
    """(index word, surface text) pairs to spell-check: Latin terms and whole Hangul words.

    A misspelt Korean word falls apart into odd pieces under Kiwi, so Hangul is checked as the
    content part of each written word (``트랜스포먼`` of ``트랜스포먼을``), not piece by piece.
    """
    text = analysis.clean(item.text)
    words = [(text[a:b], text[a:b]) for a, b in analysis.content_spans(text, list(primary))]
    words += [(t.text, text[t.start : t.end]) for t in primary if t.kind == "latin" and t.text.isalpha()]
    return words


def suggest(searcher, plan: Plan, query: str, total: int = 0) -> str | None:
    """A corrected ``query``, or None: spelling from the Whoosh vocabulary of title and summary."""
    reader = searcher.reader()

    def df(word: str) -> int:
        return sum(reader.doc_frequency(f, word) for f in ("title", "summary", "authors"))

    new = query
    for item, primary in plan.ranked:
        for word, surface in _words(item, primary):
            if len(word) > MAX_SUGGEST_LENGTH or len(word) < 3:
                continue
            seen = df(word)
            # The corrector walks the vocabulary: only for words the index does not know, or
            # rare ones when the query found little.
            if seen >= RARE_WORD or (seen and total >= FEW_RESULTS):
                continue
            maxdist = 1 if lexicon.is_hangul(word) or len(word) <= 5 else 2
            candidates = set()
            for f in ("summary", "title"):
                # Typos rarely hit the first letter; requiring it cuts the search tenfold.
                candidates.update(searcher.corrector(f).suggest(word, limit=5, maxdist=maxdist, prefix=1))
            scored = sorted(((df(c), c) for c in candidates if c != word), reverse=True)
            if scored and scored[0][0] >= max(SUGGEST_MIN_DF, SUGGEST_RATIO * (seen + 1)):
                best = scored[0][1]
                if surface and surface in new:
                    new = new.replace(surface, best, 1)
    return new if new != query else None
