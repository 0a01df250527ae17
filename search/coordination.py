"""Coordination: how much of the query a paper covers (Lucene's coordination factor).

Each ranked query word is a concept (:class:`search.plan_parts.Concept`); ``hits`` says which
papers match which concept, through any of its forms. A paper's coverage is the idf-weighted
share of the concepts it matches, plus, for a concept it misses, partial credit when a concept
it does match implies it (below); ranking multiplies both views' scores and the fused score by
it (``Params.coord_power``, ``coord_fused``).

*Implied concepts.* A paper can be about a word it never writes: two thirds of the papers that
say 한국어 also say LLM (against half of all papers), and one that evaluates generative models
against Korean educational standards without writing LLM is still about `한국어 LLM`. So when
a paper matches concept A and misses a broader concept B (more papers match B than A) that goes
with A more often than chance (``P(B | A) > P(B)`` over the live papers, in at least
``coord_shared`` papers), B counts by ``P(B | A)``, the best such A deciding, times
``coord_implied``. The estimate comes from ``hits`` itself (a k × k popcount, microseconds) and
is pulled towards ``P(B)`` by ``coord_prior`` papers, so a rare word implies little by chance. A
narrower missing concept is a qualifier the paper lacks (the 한국어 of `한국어 LLM` in a paper
saying only LLM) and gets none, nor does a broader one the matched word does not go with. The
credit is a likelihood, not a match: sorted listings still keep the papers that match every
concept. It is large only for a concept half the corpus matches anyway (LLM, *model*), and
it cannot rescue a paper whose topic implies a word its corpus seldom writes with it: 18 % of
the papers saying RLHF say 정렬 or *alignment* (17 % smoothed, against 11 % overall), so for
`RLHF 정렬` an RLHF-only paper's coverage rises only from 0.54 to 0.62 (`한국어` alone for
`한국어 LLM`: 0.79 to 0.91).
"""

from __future__ import annotations

import numpy as np

from .arrays import Arrays
from .params import Params


def coordination(view: Arrays, plan, p: Params, hits: np.ndarray):
    """Each document's coverage of the query's concepts (with implied credit), the documents
    that match enough of them (``Params.coord_min`` of the weight, at least one concept), and
    those that match every one of them (implied credit does not make a match).

    A concept also matches where all of its own Hangul bigrams stand, in the bigram view or
    the literal one (where Kiwi read the paper's words differently: 단안 as 단 + 안); a stray
    bigram alone scores but matches nothing, so ``제미나이`` does not find 토크나이저.
    """
    for c, concept in enumerate(plan.concepts):
        if concept.grams:
            hits[c] |= all_grams(view, concept.grams, p)
    hits &= view.live
    found = hits.any(axis=0)
    # Translations complete a paper's coverage, but alone match nothing.
    for c, concept in enumerate(plan.concepts):
        for form in concept.translations:
            hits[c, view.postings("summary", form)[0]] = True
    hits &= view.live
    df = hits.sum(axis=1)
    weights = np.log(max(view.live_count, 1) / (df + 1)) + 1 if p.coord_idf else np.ones(len(df))
    weights = np.maximum(weights, 1e-3)
    share = weights @ hits
    matched = found & (share / weights.sum() >= p.coord_min - 1e-9)
    complete = hits.all(axis=0)
    credit = implied(hits, df, view.live_count, p)
    if credit is not None:
        papers = {a: np.flatnonzero(hits[a]) for a in np.flatnonzero(credit.max(axis=1) > 0)}
        for b in np.flatnonzero(credit.max(axis=0) > 0):
            # The best credit of a concept the paper matches: the implying concepts from the
            # strongest down (narrow ones, so few papers each), each paper taking the first.
            given = credit[:, b]
            order = np.flatnonzero(given > 0)
            open_ = ~hits[b]
            for a in order[np.argsort(-given[order], kind="stable")]:
                docs = papers[a][open_[papers[a]]]
                share[docs] += weights[b] * given[a]
                open_[docs] = False
    return share / weights.sum(), matched, complete


def implied(hits: np.ndarray, df: np.ndarray, live: int, p: Params) -> np.ndarray | None:
    """``credit[a, b]``: how much a paper matching concept ``a`` counts concept ``b`` when it
    misses it, ``coord_implied × P(b | a)`` (smoothed), for ``b`` broader than ``a``, else 0;
    None when nothing can be implied."""
    if not p.coord_implied or len(df) < 2 or not live:
        return None
    together = _shared(hits)
    base = df / live
    given = (together + p.coord_prior * base[None, :]) / np.maximum(df[:, None] + p.coord_prior, 1)
    credit = p.coord_implied * np.minimum(given, 1.0)
    # Only a broader concept, never the word itself, and only one that goes with ``a`` more
    # often than chance, in enough papers to tell (one or two shared papers are chance).
    credit[(df[:, None] >= df[None, :]) | (given <= base[None, :]) | (together < p.coord_shared)] = 0.0
    return credit if credit.any() else None


def _shared(hits: np.ndarray) -> np.ndarray:
    """``shared[a, b]``: how many documents match both concepts ``a`` and ``b``, counted as the
    popcount of their packed rows in 64-bit words."""
    k, n = hits.shape
    packed = np.zeros((k, -(-n // 64) * 8), dtype=np.uint8)
    packed[:, : -(-n // 8)] = np.packbits(hits, axis=1)
    words = packed.view(np.uint64)
    return np.bitwise_count(words[:, None, :] & words[None, :, :]).sum(axis=2, dtype=np.int64)


def all_grams(view: Arrays, grams: tuple[str, ...], p: Params) -> np.ndarray:
    """The documents holding every one of ``grams``, each in the bigram view or a literal one."""
    if not grams:
        return np.ones(view.size, dtype=bool)
    fields = ("grams",) + tuple(field for field, _ in p.literal_fields)
    lists = [(i, view.postings(field, g)[0]) for i, g in enumerate(grams) for field in fields]
    has = np.zeros((len(grams), view.size), dtype=bool)
    has[np.repeat([i for i, _ in lists], [len(d) for _, d in lists]), np.concatenate([d for _, d in lists])] = True
    return has.all(axis=0)
