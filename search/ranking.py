"""Ranking a query plan over the array form, in two phases.

Phase 1 scores every candidate at once: each scored term's BM25 is added into a dense vector of
all documents, required clauses, exclusions and filters are boolean masks, and the literal view
gets its own vector, so the total is exact. Phase 2 re-ranks only the best ``window``
candidates of each view: nearness of neighbouring query words from positions, reciprocal-rank
fusion of the analyzed and literal rankings, and the vote blend (Vespa's phased ranking,
Elasticsearch's rescore). No Python loop runs over postings.

Scores: ``bm25`` below is the one BM25 formula (Whoosh's, with its idf and quantized lengths,
over live documents only). The analyzed view sums it over the plan's terms in title, summary,
authors and the bigram view; the literal view over the literal terms; the two are fused by
rank; then ``× (1 + vote_weight × ln(1 + votes))``.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np

from .arrays import FIELDS, Arrays, gather
from .coordination import all_grams, coordination
from .params import Params
from .plan import Bool, Clause, Ids, Near, Plan, Range, Terms
from .results import SORTS  # noqa: F401  (the orders rank() takes)

#: Document and position packed into one integer key: doc × STRIDE + position.
STRIDE = 1 << 22


def bm25(idf, tf, length, avg: float, p: Params):
    """BM25 of term frequencies ``tf`` in fields of ``length`` (scalars or arrays alike)."""
    return _saturated(idf, tf, _length_norm(length, avg, p), p)


def _length_norm(length, avg: float, p: Params):
    """BM25's length part, ``k1 · (1 − b + b · length / avg)``: per field, the same for every term."""
    return p.k1 * (1 - p.b + p.b * length / avg)


def _saturated(idf, tf, norm, p: Params):
    return idf * tf * (p.k1 + 1) / (tf + norm)


#: Per opened generation, every document's :func:`_length_norm` in each field, one row a field
#: (a term's BM25 then costs a gather and three operations over its postings, bit for bit the
#: formula's value).
_norms: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _norm_table(view: Arrays, p: Params) -> tuple[dict[str, int], np.ndarray]:
    found = _norms.setdefault(view, {})
    key = (p.k1, p.b)
    table = found.get(key)
    if table is None:
        rows = {field: i for i, field in enumerate(FIELDS)}
        norms = np.empty((len(FIELDS), view.size))
        for field, i in rows.items():
            lengths, avg = view.lengths(field)
            norms[i] = _length_norm(lengths, avg, p)
        table = found[key] = rows, norms
    return table


@dataclass(frozen=True)
class Ranked:
    """The ranked page: (score, document) pairs best first, how many papers matched, and how
    many of those match every concept of the query (None for a query of one concept or none,
    or one with an explicit OR)."""

    top: list[tuple[float, int]]
    total: int
    complete: int | None = None


def rank(view: Arrays, plan: Plan, p: Params, sort: str = "relevance", count: int = 10) -> Ranked:
    """The best ``count`` candidates of ``plan`` in ``sort`` order."""
    analyzed, candidates, coverage, complete = _phase1(view, plan, p)
    whole = None
    if complete is not None:
        complete &= candidates  # a concept only implied is a likelihood, not a match
        # Only for a query of several concepts that asks for all of them: an explicit OR asks
        # for either, so neither the count nor the sorted listings below hold it to all.
        whole = int(np.count_nonzero(complete)) if len(plan.concepts) > 1 and not plan.alternatives else None
        if sort != "relevance" and not plan.alternatives and complete.any():
            # Sorted by votes or date, a paper sharing one common word would rank as high as one
            # about the query: such a listing keeps the papers that match every concept, if any.
            candidates = complete
    total = int(np.count_nonzero(candidates))
    if not total:
        return Ranked([], 0, whole)
    literal = None
    if plan.literal and not _names_an_author(view, plan, p):
        literal = np.zeros(view.size)
        matched = np.zeros(view.size, dtype=bool)
        _add_terms(view, [(field, text, weight, field_boost) for field, field_boost in p.literal_fields
                          for text, weight in plan.literal], p, literal, matched)
        literal[~(matched & candidates)] = 0.0
        if coverage is not None:
            literal *= coverage ** p.coord_power
    if sort == "relevance":
        size = max(p.window, count)  # a deep page (--offset 500) re-ranks as deep
        window = _best(analyzed, candidates, size)
        if literal is not None:
            both = np.zeros(view.size, dtype=bool)  # the union, sorted, without np.union1d's sort
            both[window] = True
            both[_best(literal, literal > 0, size)] = True
            window = np.flatnonzero(both)
    else:
        column = view.votes if sort == "votes" else view.dates
        window = _column_window(column, candidates, count)
    scores = _phase2(view, plan, p, analyzed, literal, candidates, window)
    if coverage is not None and p.coord_fused:
        scores = scores * coverage[window] ** p.coord_fused
    if sort == "relevance":
        order = np.lexsort((window, -scores))
    else:
        order = np.lexsort((window, -scores, -column[window]))
    order = order[:count]
    return Ranked([(float(scores[i]), int(window[i])) for i in order], total, whole)


def _phase1(view: Arrays, plan: Plan, p: Params):
    """Analyzed scores (without nearness) of every document, the candidate mask, each
    document's coverage of the query's concepts (:mod:`search.coordination`) and whether it
    matches all of them, both None when the query has no ranked words."""
    scores = np.zeros(view.size)
    matched = np.full(view.size, plan.listing)
    hits = np.zeros((len(plan.concepts), view.size), dtype=bool)
    written = _written_grams(view, plan, p)
    found = _add_terms(view, [(s.field, s.term, s.boost, 1.0) for s in plan.scored] + written, p, scores,
                       None if plan.concepts else matched)[: len(plan.scored)]
    for pair in plan.pairs:
        found.append(_add_near(view, pair, p, scores, None if plan.concepts else matched))
    # Which concepts each document matches: one scatter for every term and pair at once.
    owners = [(c, docs) for part, docs in zip(plan.scored + plan.pairs, found) if len(docs) for c in part.concepts]
    if owners:
        hits[np.repeat([c for c, _ in owners], [len(d) for _, d in owners]), np.concatenate([d for _, d in owners])] = True
    coverage = complete = None
    if plan.concepts:
        coverage, matched, complete = coordination(view, plan, p, hits)
        scores *= coverage ** p.coord_power
    if plan.required:
        matched = np.ones(view.size, dtype=bool)
        for clause in plan.required:
            found = np.zeros(view.size, dtype=bool)
            _add_clause(view, clause, p, scores, found)
            matched &= found
    for clause in plan.excluded:
        found = np.zeros(view.size, dtype=bool)
        _add_clause(view, clause, p, np.zeros(view.size), found)
        matched &= ~found
    return scores, matched & view.live & _filter_mask(view, plan, p), coverage, complete


def _written_grams(view: Arrays, plan: Plan, p: Params) -> list[tuple]:
    """The bigram view's own pairs of the query words (not the seam pairs across two words) in
    the papers that write them where the analysis read no content word there: scored from the
    literal summary, at ``Params.bigram_written`` × the pair's weight (entries for
    :func:`_add_terms`, each with the papers it must leave out: those of the bigram view).

    The bigram view holds the pairs of the words Kiwi reads as content, and Kiwi reads some
    words differently from paper to paper (스스로 as an adverb in 37 of the 42 papers writing
    it, 단안 cut into 단 + 안): without the written pairs, the papers it happened to read so
    outscore the others on a pair's inflated idf, which is about Kiwi and not the papers.
    The seam pair (성합 of 음성합성) stands in the bigram view only where both words are one
    compound, which is what it asks for; written, it is any 구성합니다.
    """
    if not p.bigram_written:
        return []
    own = {g for concept in plan.concepts for g in concept.grams}
    return [("lit_summary", s.term, s.boost * p.bigram_written, 1.0, view.postings("grams", s.term)[0])
            for s in plan.scored if s.field == "grams" and s.term in own]


def _filter_mask(view: Arrays, plan: Plan, p: Params) -> np.ndarray:
    f = plan.filters
    mask = np.ones(view.size, dtype=bool)
    if f.since is not None:
        mask &= view.dates >= f.since
    if f.until is not None:
        mask &= view.dates <= f.until
    if f.min_votes is not None:
        mask &= view.votes >= f.min_votes
    if f.max_votes is not None:
        mask &= view.votes <= f.max_votes
    if f.author is not None:
        found = np.zeros(view.size, dtype=bool)
        _add_clause(view, f.author, p, np.zeros(view.size), found)
        mask &= found
    return mask


def _phase2(view, plan, p, analyzed, literal, candidates, window) -> np.ndarray:
    """Final scores of the ``window`` documents: nearness, fusion, votes."""
    near = np.zeros(view.size)
    for pair in plan.near:
        _add_near(view, pair, p, near, None, only=window)
    full = analyzed[window] + near[window]
    # Ranks among all candidates; outside the window the phase-1 score stands in.
    outside = candidates.copy()
    outside[window] = False
    others = analyzed[outside]
    ranks_a = _ranks_among(full, np.concatenate([full, others]))
    if literal is None:
        fused = full
    else:
        top = max(full.max(), others.max(initial=0.0)) or 1.0
        fused = 1.0 / (p.rrf_k + ranks_a) + p.tie_break * full / top
        lit = literal[window]
        bonus = np.zeros(len(window))
        ranked = lit > 0
        bonus[ranked] = p.literal_weight / (p.rrf_k + _ranks_among(lit[ranked], literal[literal > 0]))
        fused = fused + bonus
    votes = np.maximum(view.votes[window], 0)
    return fused * (1.0 + p.vote_weight * np.log1p(votes))


def _ranks_among(values: np.ndarray, population: np.ndarray) -> np.ndarray:
    """1 + how many of ``population`` score higher: equal scores share the better rank."""
    if len(values):  # what scores below every value outranks none of them: it is not sorted
        population = population[population > values.min()]
    ordered = np.sort(population)
    return 1 + len(ordered) - np.searchsorted(ordered, values, side="right")


def _best(scores: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """The documents of ``mask`` with the ``k`` highest scores (any order)."""
    docs = np.flatnonzero(mask)
    if len(docs) <= k:
        return docs
    return np.sort(docs[np.argpartition(-scores[docs], k - 1)[:k]])


def _column_window(column: np.ndarray, mask: np.ndarray, count: int) -> np.ndarray:
    """The candidates that can be among the first ``count`` by ``column``, ties included."""
    docs = np.flatnonzero(mask)
    if len(docs) <= count:
        return docs
    values = column[docs]
    bound = np.partition(values, len(values) - count)[len(values) - count]
    return docs[values >= bound]


# -- the clauses -------------------------------------------------------------------------------------


def _add_term(view: Arrays, field: str, text: str, boost: float, p: Params, scores: np.ndarray,
              matched: np.ndarray | None, tf_boost: float = 1.0) -> None:
    """Add one term's BM25 in ``field`` into ``scores`` (``tf_boost`` scales the term frequency,
    as a Whoosh field boost does; ``boost`` the score)."""
    docs, tfs = view.postings(field, text)
    if not len(docs):
        return docs
    if tf_boost != 1.0:
        tfs = tfs * tf_boost
    rows, norms = _norm_table(view, p)
    scores[docs] += boost * _saturated(_idf(view, docs), tfs, norms[rows[field]][docs], p)
    if matched is not None:
        matched[docs] = True
    return docs


def _add_terms(view: Arrays, terms, p: Params, scores: np.ndarray, matched: np.ndarray | None) -> list[np.ndarray]:
    """:func:`_add_term` for each of ``terms`` (field, text, boost, tf_boost, and optionally the
    documents where the term must not score, its idf unchanged) into ``scores``, all postings
    in one pass; returns each term's documents (where it scored).

    ``scores`` must be all zero: ``np.bincount`` sums every document's values in the order of
    the terms, as one ``+=`` per term does, so the totals are the same bit for bit.
    """
    lists = [view.postings(t[0], t[1]) for t in terms]
    idfs = [_idf(view, d) for d, _ in lists]
    for i, t in enumerate(terms):
        if len(t) > 4 and len(lists[i][0]):
            skip = np.zeros(view.size, dtype=bool)
            skip[t[4]] = True
            docs, tfs = lists[i]
            keep = ~skip[docs]
            lists[i] = (docs[keep], tfs[keep])
    sizes = [len(docs) for docs, _ in lists]
    if not sum(sizes):
        return [docs for docs, _ in lists]
    rows, norms = _norm_table(view, p)
    docs = np.concatenate([docs for docs, _ in lists])
    tfs = np.concatenate([tfs for _, tfs in lists])
    if any(t[3] != 1.0 for t in terms):
        tfs = tfs * np.repeat([t[3] for t in terms], sizes)
    idf = np.repeat(idfs, sizes)
    norm = norms[np.repeat([rows[t[0]] for t in terms], sizes), docs]
    boost = np.repeat([t[2] for t in terms], sizes)
    scores += np.bincount(docs, weights=boost * _saturated(idf, tfs, norm, p), minlength=len(scores))
    if matched is not None:
        matched[docs] = True
    return [docs for docs, _ in lists]


def _idf(view: Arrays, docs: np.ndarray) -> float:
    """Whoosh's BM25 idf, ``log(N / (df + 1)) + 1``, over live documents."""
    # A term's documents are distinct: with nothing deleted, df is their number.
    df = len(docs) if view.live_count == view.size else int(np.count_nonzero(view.live[docs]))
    return math.log(view.live_count / (df + 1)) + 1 if view.live_count else 0.0


def _add_clause(view: Arrays, clause: Clause, p: Params, scores: np.ndarray, found: np.ndarray) -> None:
    """Score ``clause`` into ``scores`` and mark the documents it matches in ``found``."""
    if not isinstance(clause, Clause):
        found |= _matches(view, clause, p)
        return
    if clause.kind == "phrase":
        for field, boost in clause.fields:
            docs, tf, idf = _sequence(view, field, clause.words, clause.slop)
            if len(docs):
                lengths, avg = view.lengths(field)
                scores[docs] += boost * bm25(idf, tf, lengths[docs], avg, p)
                found[docs] = True
        return
    every = None
    for word in clause.words:
        has = np.zeros(view.size, dtype=bool)
        for field, boost in clause.fields:
            _add_term(view, field, word, boost, p, scores, has)
        if clause.kind == "any":
            found |= has
        else:
            every = has if every is None else every & has
    if every is not None:
        found |= every


def _matches(view: Arrays, element, p: Params) -> np.ndarray:
    """The documents a match element (a clause, :class:`Terms`, range, IDs or group) matches;
    scores nothing: the plan's scored terms did that."""
    found = np.zeros(view.size, dtype=bool)
    if isinstance(element, Clause):
        _add_clause(view, element, p, np.zeros(view.size), found)
    elif isinstance(element, Terms):
        # A word with concepts matches as coordination counts it (a stray bigram alone is no match).
        counted = any(s.concepts for s in element.scored) or bool(element.grams)
        for s in element.scored:
            if s.concepts or not counted:
                found[view.postings(s.field, s.term)[0]] = True
        for pair in element.pairs:
            if pair.concepts or not counted:
                found[_sequence(view, pair.field, (pair.a, pair.b), p.near_slop)[0]] = True
        for grams in element.grams:
            found |= all_grams(view, grams, p)
    elif isinstance(element, Range):
        column = view.votes if element.column == "votes" else view.dates
        found[:] = True
        if element.low is not None:
            found &= column >= element.low
        if element.high is not None:
            found &= column <= element.high
    elif isinstance(element, Ids):
        wanted = set(element.ids)
        found[[d for d in range(view.size) if view.arxiv_id(d) in wanted]] = True
    elif isinstance(element, Bool):
        if element.must:
            found[:] = True
            for part in element.must:
                found &= _matches(view, part, p)
        elif element.should:
            for part in element.should:
                found |= _matches(view, part, p)
        else:
            found[:] = True  # only exclusions: everything else
        for part in element.must_not:
            found &= ~_matches(view, part, p)
    return found


def _add_near(view: Arrays, pair: Near, p: Params, scores: np.ndarray, matched: np.ndarray | None,
              only: np.ndarray | None = None) -> None:
    """Reward documents where ``pair.b`` follows ``pair.a`` within ``near_slop`` positions; the
    number of such places is scored like a term frequency (idf of the rarer word)."""
    docs, tf, idf = _sequence(view, pair.field, (pair.a, pair.b), p.near_slop, only)
    if not len(docs):
        return docs
    lengths, avg = view.lengths(pair.field)
    scores[docs] += pair.boost * bm25(idf, tf, lengths[docs], avg, p)
    if matched is not None:
        matched[docs] = True
    return docs


def _sequence(view: Arrays, field: str, words, slop: int, only: np.ndarray | None = None):
    """Documents where ``words`` stand in order, each within ``slop`` positions of the one
    before; with the number of places each sequence starts at, and the highest idf of the words.
    ``only`` (document numbers) limits the search to those documents.

    Worked backwards: a position of the last word ends a sequence; a position of an earlier word
    starts one if the next valid position of the next word lies 1..slop after it (one binary
    search per position, not one per step of the slop).
    """
    lists = [view.positions(field, w) for w in words]
    empty = np.zeros(0, np.int64)
    if any(not len(docs) for docs, _, _, _ in lists):
        return empty, empty, 0.0
    idf = max(_idf(view, docs) for docs, _, _, _ in lists)
    common = np.zeros(view.size, dtype=bool)
    common[lists[0][0] if only is None else only] = True
    for docs, _, _, _ in lists[1 if only is None else 0 :]:
        both = docs[common[docs]]
        if not len(both):
            return empty, empty, 0.0
        common = np.zeros(view.size, dtype=bool)
        common[both] = True
    keys = []
    for docs, starts, counts, where in lists:
        keep = common[docs]
        owner = np.repeat(docs[keep].astype(np.int64), counts[keep])
        # Already in order (documents ascending, each one's positions ascending): the sort is a check.
        keys.append(np.sort(owner * STRIDE + where[gather(starts[keep], counts[keep])], kind="stable"))
    ok = keys[-1]
    for key in reversed(keys[:-1]):
        # The first place of the next word after each position: a hit when it is ``slop`` or nearer.
        after = np.append(ok, np.iinfo(np.int64).max)[np.searchsorted(ok, key + 1)]
        ok = key[after - key <= slop]
    # ``ok`` is sorted: each document's starts are one run.
    owners = ok // STRIDE
    first = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1]))) if len(ok) else empty
    return owners[first], np.diff(np.append(first, len(ok))).astype(np.float64), idf


def _member(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in the sorted array ``ordered``."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(ordered, values)
    at[at == len(ordered)] = 0
    return ordered[at] == values


def _names_an_author(view: Arrays, plan: Plan, p: Params) -> bool:
    """True when the whole query is Latin words that some paper lists as one author's name.

    Such a query asks for a person, and the literal view (titles and summaries) only adds
    papers that happen to mention one of the names.
    """
    words = plan.author_words()
    if not words:
        return False
    docs, _, _ = _sequence(view, "authors", words, 1)
    return bool(np.count_nonzero(view.live[docs])) if len(docs) else False
