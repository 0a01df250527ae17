"""Ranking metrics over graded judgments, as defined in ``shared/eval/README.md``.

Every function takes a ranking (arXiv ids, best first) and ``grades``, the judgments of one
query (arXiv id -> grade, 0 judged not relevant, 1 partly, 2 highly). A paper with no judgment
counts as not relevant. Pure functions: no I/O, no Whoosh.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "METRICS",
    "dcg",
    "ndcg_at_k",
    "mrr_at_k",
    "recall_at_k",
    "judged_at_k",
    "evaluate",
    "mean",
    "jaccard",
    "relevant",
]

K = 10
RELEVANT_GRADE = 1
#: Report order; also the keys of :func:`evaluate`.
METRICS = ("nDCG@10", "MRR@10", "Recall@10", "judged@10")


def relevant(grades: Mapping[str, int]) -> set[str]:
    """The judged papers with grade >= 1."""
    return {paper for paper, grade in grades.items() if grade >= RELEVANT_GRADE}


def dcg(gains: Iterable[int]) -> float:
    """Discounted cumulative gain of grades in rank order: sum (2^g - 1) / log2(rank + 1)."""
    return sum((2**grade - 1) / math.log2(rank + 1) for rank, grade in enumerate(gains, start=1))


def ndcg_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """DCG of the top k divided by the DCG of the k best judged papers; 0 when none is relevant."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(grades.get(paper, 0) for paper in ranking[:k]) / ideal


def mrr_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """1 / rank of the first paper with grade >= 1 in the top k, else 0."""
    for rank, paper in enumerate(ranking[:k], start=1):
        if grades.get(paper, 0) >= RELEVANT_GRADE:
            return 1.0 / rank
    return 0.0


def recall_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """Relevant papers in the top k divided by min(k, relevant papers); 0 when none is relevant."""
    wanted = relevant(grades)
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranking[:k])) / min(k, len(wanted))


def judged_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """Fraction of the k slots filled by a judged paper (any grade); empty slots count as unjudged.

    Dividing by k rather than by the number returned keeps a ranker that returns fewer results
    from looking better judged than one that fills the page.
    """
    return sum(1 for paper in ranking[:k] if paper in grades) / k


def evaluate(ranking: Sequence[str], grades: Mapping[str, int], k: int = K) -> dict[str, float]:
    """All metrics of one query, keyed as in :data:`METRICS`."""
    return {
        "nDCG@10": ndcg_at_k(ranking, grades, k),
        "MRR@10": mrr_at_k(ranking, grades, k),
        "Recall@10": recall_at_k(ranking, grades, k),
        "judged@10": judged_at_k(ranking, grades, k),
    }


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; NaN for no values, so an empty group is visible rather than zero."""
    values = list(values)
    return sum(values) / len(values) if values else math.nan


def jaccard(a: set[str], b: set[str]) -> float:
    """|a & b| / |a | b|; 0 when both are empty."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0
