"""Hand-computed cases for the relevance metrics."""

import math

import pytest

from metrics import (
    dcg,
    evaluate,
    jaccard,
    judged_at_k,
    mean,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
)

GRADES = {"a": 2, "b": 1, "c": 0, "d": 1}


def test_dcg_uses_exponential_gain_and_log2_rank_plus_one_discount():
    # (2^2-1)/log2(2) + (2^1-1)/log2(3) + 0/log2(4) + (2^1-1)/log2(5)
    assert dcg([2, 1, 0, 1]) == pytest.approx(3 + 1 / math.log2(3) + 1 / math.log2(5))


def test_ndcg_is_one_for_the_ideal_order():
    assert ndcg_at_k(["a", "b", "d"], GRADES) == pytest.approx(1.0)
    assert ndcg_at_k(["a", "d", "b", "c"], GRADES) == pytest.approx(1.0)


def test_ndcg_of_swapped_order():
    # ranked b, a: 1/1 + 3/log2(3); ideal a, b, d: 3 + 1/log2(3) + 1/2
    expected = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3) + 0.5)
    assert ndcg_at_k(["b", "a"], GRADES) == pytest.approx(expected)


def test_unjudged_papers_count_as_not_relevant():
    assert ndcg_at_k(["x", "a"], GRADES) == pytest.approx(
        (3 / math.log2(3)) / (3 + 1 / math.log2(3) + 0.5)
    )


def test_ndcg_ideal_is_cut_at_k():
    grades = {f"p{i}": 1 for i in range(12)}
    ranking = [f"p{i}" for i in range(10)]
    assert ndcg_at_k(ranking, grades) == pytest.approx(1.0)
    assert ndcg_at_k(ranking[:1], grades, k=1) == pytest.approx(1.0)


def test_ndcg_ignores_results_below_k():
    ranking = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at_k(ranking, GRADES) == 0.0


def test_ndcg_is_zero_without_relevant_judgments():
    assert ndcg_at_k(["c"], {"c": 0}) == 0.0


def test_mrr_is_reciprocal_rank_of_first_grade_one_or_more():
    assert mrr_at_k(["c", "x", "d", "a"], GRADES) == pytest.approx(1 / 3)
    assert mrr_at_k(["a"], GRADES) == 1.0
    assert mrr_at_k(["c", "x"], GRADES) == 0.0


def test_mrr_only_looks_at_top_k():
    assert mrr_at_k(["x"] * 10 + ["a"], GRADES) == 0.0


def test_recall_divides_by_relevant_count_when_below_k():
    # relevant: a, b, d
    assert recall_at_k(["a", "c", "x"], GRADES) == pytest.approx(1 / 3)
    assert recall_at_k(["d", "b", "a"], GRADES) == pytest.approx(1.0)


def test_recall_divides_by_k_when_more_are_relevant():
    grades = {f"p{i}": 2 for i in range(20)}
    ranking = [f"p{i}" for i in range(5)] + [f"x{i}" for i in range(5)]
    assert recall_at_k(ranking, grades) == pytest.approx(0.5)


def test_judged_counts_any_grade_including_zero_over_k_slots():
    assert judged_at_k(["a", "c", "x", "y"], GRADES) == pytest.approx(2 / 10)
    assert judged_at_k(["a", "b", "c", "d"] + ["x"] * 6, GRADES) == pytest.approx(0.4)


def test_evaluate_returns_all_four_metrics():
    result = evaluate(["c", "a"], GRADES)
    assert list(result) == ["nDCG@10", "MRR@10", "Recall@10", "judged@10"]
    assert result["MRR@10"] == 0.5
    assert result["Recall@10"] == pytest.approx(1 / 3)
    assert result["judged@10"] == pytest.approx(0.2)


def test_mean_of_nothing_is_nan():
    assert math.isnan(mean([]))
    assert mean([1.0, 0.0, 0.5]) == 0.5


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard({"a"}, {"a"}) == 1.0
    assert jaccard(set(), set()) == 0.0
