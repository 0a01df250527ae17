"""Why a paper matched: each term, view and expansion of the plan that contributed to its score.

Read from the same plan and arrays as :mod:`search.ranking`, for the few papers shown; ranking
itself never computes this.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import lexicon
from .arrays import Arrays
from .params import Params
from .plan import Plan
from .ranking import _idf, _sequence, _written_grams, bm25


@dataclass(frozen=True)
class Part:
    """One contribution: a ``term`` (or word pair) in a ``field``, of a ``kind`` — ``word`` (a
    query word), ``bigram``, ``alias``, ``expansion`` (compound join or part, model-name piece,
    loanword, prefix), ``near`` (query words side by side) or ``literal`` (the literal view)."""

    kind: str
    term: str
    field: str
    score: float

    def to_dict(self) -> dict:
        return {"kind": self.kind, "term": self.term, "field": self.field, "score": round(self.score, 4)}


def contributions(view: Arrays, plan: Plan, p: Params, doc: int, aliases: set[str]) -> list[Part]:
    """The scored parts of ``plan`` that ``doc`` matches, largest first."""
    words = {t.text for _, terms in plan.ranked for t in terms}
    words |= {w.lower() for item, _ in plan.ranked for w in item.text.split()}
    parts: list[Part] = []
    for s in plan.scored:
        value = _term(view, s.field, s.term, doc, p) * s.boost
        if value:
            parts.append(Part(_kind(s.field, s.term, words, aliases), s.term, s.field, value))
    for field, term, boost, _, read in _written_grams(view, plan, p):
        value = 0.0 if doc in read else _term(view, field, term, doc, p) * boost
        if value:  # a query word's pair that the bigram view lacks here, as written
            parts.append(Part("bigram", term, field, value))
    for pair in (*plan.pairs, *plan.near):
        docs, tf, idf = _sequence(view, pair.field, (pair.a, pair.b), p.near_slop, np.array([doc]))
        if len(docs):
            lengths, avg = view.lengths(pair.field)
            value = pair.boost * float(bm25(idf, tf[0], lengths[doc], avg, p))
            kind = "near" if pair in plan.near else "alias"
            parts.append(Part(kind, f"{pair.a} {pair.b}", pair.field, value))
    for field, field_boost in p.literal_fields:
        for text, weight in plan.literal:
            docs, tfs = view.postings(field, text)
            at = np.flatnonzero(docs == doc)
            if len(at):
                lengths, avg = view.lengths(field)
                value = weight * float(bm25(_idf(view, docs), tfs[at[0]] * field_boost, lengths[doc], avg, p))
                parts.append(Part("literal", text, field, value))
    return sorted(parts, key=lambda part: -part.score)


def _term(view: Arrays, field: str, term: str, doc: int, p: Params) -> float:
    docs, tfs = view.postings(field, term)
    at = np.flatnonzero(docs == doc)
    if not len(at):
        return 0.0
    lengths, avg = view.lengths(field)
    return float(bm25(_idf(view, docs), tfs[at[0]], lengths[doc], avg, p))


def _kind(field: str, term: str, words: set[str], aliases: set[str]) -> str:
    if field == "grams":
        return "bigram"
    if term in words:
        return "word"
    if term in aliases:
        return "alias"
    return "expansion"


def alias_terms(plan: Plan, tables: lexicon.Tables) -> set[str]:
    """The words of the learned aliases of the plan's query words."""
    found: set[str] = set()
    for _, terms in plan.ranked:
        words = [t.text for t in terms]
        keys = set(words) | {"".join(words), " ".join(words)}
        for key in keys:
            for alias in tables.ko_to_en.get(key, []) + tables.en_to_ko.get(key, []):
                found.update(alias.text.split())
    return found


def summary(parts: list[Part], limit: int = 8) -> str:
    """One line for a terminal: ``멀티모달 title 2.31 · multimodal (alias) summary 0.41 · …``."""
    totals: dict[tuple[str, str], list] = {}
    for part in parts:
        entry = totals.setdefault((part.kind, part.term), [0.0, []])
        entry[0] += part.score
        entry[1].append(part.field)
    ranked = sorted(totals.items(), key=lambda item: -item[1][0])
    shown = []
    for (kind, term), (score, fields) in ranked[:limit]:
        label = "" if kind == "word" else f"{kind} "
        shown.append(f"{label}{term} {score:.2f} ({', '.join(fields)})")
    more = f" · {len(ranked) - limit} more" if len(ranked) > limit else ""
    return " · ".join(shown) + more
