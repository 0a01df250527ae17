"""Related papers: "more like this" from a paper's own distinctive terms.

The paper's title and summary are read back as the index analyzed them: each written word's
analysis from the word table (:mod:`search.words`), so Kiwi is never loaded. Each term weighs its frequency in the paper, a title
occurrence counting :data:`TITLE_WEIGHT` times, by its idf; the :data:`TERMS` heaviest form a
weighted query, scored with BM25 over titles and summaries like a search (title ×2), and the
paper itself is left out. Terms found in no other paper say nothing about relatedness and are
skipped, so a paper's unique model name does not crowd out its topic.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections import Counter

import numpy as np

from . import analysis, snippets
from .words import compose
from .errors import NotFoundError, QueryError
from .opened import Opened, open_index
from .params import DEFAULT
from .ranking import bm25
from .results import Hit, SearchResults

TITLE_WEIGHT = 3.0
#: Derived terms (compound joins, parts of model names) count this much of a written term.
DERIVED_WEIGHT = 0.5
#: How many of the paper's terms make up the query.
TERMS = 30
MAX_LIMIT = 100
_NUMBER = re.compile(r"[\d.,%]+")

_ids: "weakref.WeakKeyDictionary[Opened, dict[str, int]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def related(arxiv_id: str, *, limit: int = 10, index_dir=None) -> SearchResults:
    """The papers most like ``arxiv_id``, best first (a :class:`SearchResults` of :class:`Hit`,
    whose snippets mark the shared terms); raises :class:`NotFoundError` for an unknown paper."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    opened = open_index(index_dir, build_if_missing=False)
    doc = _doc_of(opened, str(arxiv_id).strip())
    if doc is None:
        raise NotFoundError(f"no paper {arxiv_id!r} in the index; check the arXiv ID (like 2407.01284)", arxiv_id)
    fields = opened.stored(doc)
    weights = distinctive_terms(opened, fields.get("title", ""), fields.get("summary", ""))
    view = opened.arrays
    scores = np.zeros(view.size)
    for term, weight in weights.items():
        for field, boost in (("title", DEFAULT.title_boost), ("summary", 1.0)):
            docs, tfs = view.postings(field, term)
            if len(docs):
                lengths, avg = view.lengths(field)
                scores[docs] += weight * boost * bm25(1.0, tfs, lengths[docs], avg, DEFAULT)
    scores[~view.live] = 0
    scores[doc] = 0
    matched = int(np.count_nonzero(scores))
    count = min(limit, matched)
    if not count:
        return SearchResults()
    top = np.argpartition(-scores, count - 1)[:count]
    top = top[np.lexsort((top, -scores[top]))]
    pattern = snippets.term_pattern(weights)
    hits = []
    for d in top.tolist():
        stored = opened.stored(d)
        hits.append(Hit.from_stored(stored, float(scores[d]), *snippets.make_snippet(stored.get("summary", ""), pattern)))
    return SearchResults(hits, total=matched)


def distinctive_terms(opened: Opened, title: str, summary: str, count: int = TERMS) -> dict[str, float]:
    """The ``count`` terms of a paper with the highest tf-idf (title counted more), with their
    tf-idf as query weights."""
    tf: Counter = Counter()
    for text, weight in ((title, TITLE_WEIGHT), (summary, 1.0)):
        for term in _terms(opened, text):
            tf[term.text] += weight * (1.0 if term.primary else DERIVED_WEIGHT)
    view = opened.arrays
    n = view.live_count
    scored = {}
    seen = np.zeros(view.size, dtype=bool)  # the papers with a term in title or summary, term by term
    for term, freq in tf.items():
        if _NUMBER.fullmatch(term):  # a score or a size ("43.3", "7b" stays) says nothing of the topic
            continue
        title, summary = view.postings("title", term)[0], view.postings("summary", term)[0]
        seen[title] = seen[summary] = True
        df = int(np.count_nonzero(seen & view.live))
        seen[title] = seen[summary] = False
        if df < 2:  # in this paper alone
            continue
        scored[term] = math.log(1 + freq) * math.log(n / df)
    best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:count]
    return {term: weight for term, weight in best if weight > 0}


def _terms(opened: Opened, text: str) -> list[analysis.Term]:
    """The terms of an indexed text, word by word from the word table. A word missing there
    (about one in 40,000: the table keeps a word's commonest analysis, not every spelling) is
    put together from its parts if it can be, else left out."""
    out: list[analysis.Term] = []
    for word in text.split():
        found = opened.word(word)
        if found is not None:
            out.extend(analysis.Term(t[0], 0, 0, 0, t[4], t[5]) for t in found[1])
        else:
            out.extend(compose(word, opened.word) or ())
    return out


def _doc_of(opened: Opened, arxiv_id: str) -> int | None:
    with _lock:
        ids = _ids.get(opened)
        if ids is None:
            view = opened.arrays
            ids = _ids[opened] = {view.arxiv_id(d): d for d in np.flatnonzero(view.live).tolist()}
    return ids.get(arxiv_id)
