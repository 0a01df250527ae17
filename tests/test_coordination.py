"""Coordination (issue 14): papers matching every word of the query, through any of its forms,
rank above papers matching one word many times; sorted listings keep the complete matches."""

from __future__ import annotations

import dataclasses
import math

import pytest
from helpers_index import day_index

from search import plan as plans, ranking, search
from search.opened import open_index
from search.params import DEFAULT


@pytest.fixture(scope="module")
def coding(tmp_path_factory):
    base = tmp_path_factory.mktemp("coord")
    papers = [
        # Every word, once.
        ("2407.00001", "A Benchmark for Programs", 1, "코드 생성 벤치마크를 제안합니다."),
        # One word, over and over, with many votes.
        ("2407.00002", "Generation Everywhere", 900, "생성 생성 생성 모델로 생성하고 다시 생성합니다."),
        ("2407.00003", "Code Review", 300, "코드 리뷰 도구를 만듭니다."),
        ("2407.00004", "Speech", 5, "음성 합성을 합니다."),
        ("2407.00005", "Tokenizers", 5, "토크나이저를 개선합니다."),
    ] + [(f"2407.001{i:02d}", f"Filler {i}", 1, "음성 합성을 연구합니다.") for i in range(10)]
    return day_index(base, [(arxiv_id, title, "Ann Example", summary, votes)
                            for arxiv_id, title, votes, summary in papers])


def ranked(index_dir, query, params, sort="relevance"):
    opened = open_index(index_dir)
    plan = plans.build(query, opened.tables(), opened.loanword, params=params, words=opened.word)
    found = ranking.rank(opened.arrays, plan, params, sort, 10)
    return [opened.arrays.arxiv_id(doc) for _, doc in found.top], found.total


def test_every_word_matched_outranks_one_word_repeated(coding):
    ids, _ = ranked(coding, "코드 생성 벤치마크", DEFAULT)
    assert ids[0] == "2407.00001"
    # Without coordination, the fusion by rank and the votes lift the paper saying 생성 five times.
    plain = dataclasses.replace(DEFAULT, coord_power=0.0, coord_fused=0.0)
    assert ranked(coding, "코드 생성 벤치마크", plain)[0][0] == "2407.00002"


def test_a_sorted_listing_keeps_the_papers_matching_every_word(coding):
    hits = search("코드 생성 벤치마크", index_dir=coding, sort="votes")
    assert [h.arxiv_id for h in hits] == ["2407.00001"]
    assert hits.total == 1
    # By relevance, the partial matches follow.
    assert search("코드 생성 벤치마크", index_dir=coding).total == 3


def test_a_shared_syllable_pair_alone_is_no_match(coding):
    # 제미나이 and 토크나이저 share 나이; the word is not in this corpus at all.
    assert search("제미나이", index_dir=coding, correct=False).total == 0


def test_a_hard_minimum_drops_papers_below_it(coding):
    strict = dataclasses.replace(DEFAULT, coord_min=1.0)
    ids, total = ranked(coding, "코드 생성 벤치마크", strict)
    assert (ids, total) == (["2407.00001"], 1)


def test_stopword_pieces_of_a_joined_name_neither_score_nor_count(tmp_path):
    index_dir = day_index(tmp_path, [
        ("2407.00201", "LLM Judges Are Biased", "Ann Example", "LLM judge 모델의 편향을 봅니다.", 1),
        ("2407.00202", "LLM-as-a-Service for Data", "Ann Example", "LLM 데이터 플랫폼을 만듭니다.", 1),
        ("2407.00203", "Software-as-a-Product", "Ann Example", "소프트웨어 제품을 다룹니다.", 1),
    ] + [(f"2407.003{i:02d}", f"Filler {i}", "Ann Example", "음성 합성을 연구합니다.", 1) for i in range(10)])
    opened = open_index(index_dir)
    plan = plans.build("LLM-as-a-judge", opened.tables(), opened.loanword, words=opened.word)
    assert [c.text for c in plan.concepts] == ["llm", "judge"]
    assert not {"as", "a"} & {s.term for s in plan.scored}
    # "as" and "a" stand only in the joined names of the other papers: rare, so they outweighed
    # the real words.
    ids, _ = ranked(index_dir, "LLM-as-a-judge", DEFAULT)
    assert ids[0] == "2407.00201"
    # A query of stopwords alone keeps them.
    assert search("as-a", index_dir=index_dir).total >= 2


def test_content_words_on_either_side_of_stopwords_count_as_neighbours(tmp_path):
    index_dir = day_index(tmp_path, [
        # Both words, scattered ...
        ("2407.00601", "Experts in Mixture Data", "Ann Example", "expert 분석과 mixture 모델링을 다룹니다.", 1),
        ("2407.00602", "Judge Models for LLM Safety", "Ann Example", "judge 모델로 LLM 안전을 평가합니다.", 1),
        # ... and standing together, with the stopwords between them or without them.
        ("2407.00603", "Mixture of Experts Data", "Ann Example", "expert 분석과 mixture 모델링을 다룹니다.", 1),
        ("2407.00604", "LLM Judges for Model Safety", "Ann Example", "judge 모델로 LLM 안전을 평가합니다.", 1),
    ] + [(f"2407.007{i:02d}", f"Filler {i}", "Ann Example", "음성 합성을 연구합니다.", 1) for i in range(10)])
    opened = open_index(index_dir)

    def near(query):
        plan = plans.build(query, opened.tables(), opened.loanword, words=opened.word)
        return {(n.a, n.b) for n in plan.near}

    # The analysis drops the "of" of the spaced form; the hyphenated form keeps its pieces, whose
    # pairs match only the same hyphenated form, so the words across them are neighbours too.
    assert near("mixture of experts") == {("mixture", "expert")}
    assert near("LLM-as-a-judge") >= {("llm", "judge"), ("llm", "as")}
    # Same words, same counts, same lengths: standing together decides (the scattered paper comes
    # first in the index, so a tie would rank it first).
    assert ranked(index_dir, "mixture of experts", DEFAULT)[0][:2] == ["2407.00603", "2407.00601"]
    assert ranked(index_dir, "LLM-as-a-judge", DEFAULT)[0][:2] == ["2407.00604", "2407.00602"]


def test_the_head_of_an_english_query_counts_as_written_in_korean(tmp_path):
    index_dir = day_index(tmp_path, [
        # The papers that teach 정렬 = alignment (a word-aligned gloss: Korean → English only).
        *[(f"2407.008{i:02d}", f"Glossed {i}", "Ann Example", "안전 정렬(safety alignment)을 연구합니다.", 1)
          for i in range(3)],
        # preference alone; then preference with the head word said in Korean (same lengths, so
        # a tie would rank the first one first).
        ("2407.00901", "Preference Data Study", "Ann Example", "preference 데이터 연구를 합니다.", 1),
        ("2407.00902", "Preference Data Tools", "Ann Example", "preference 데이터 정렬을 합니다.", 1),
        # The translation alone.
        ("2407.00903", "Speech Data Tools", "Ann Example", "음성 데이터 정렬을 합니다.", 1),
    ] + [(f"2407.010{i:02d}", f"Filler {i}", "Ann Example", "음성 합성을 연구합니다.", 1) for i in range(10)])
    opened = open_index(index_dir)
    assert opened.tables().ko_forms["alignment"] == ["정렬"]
    plan = plans.build("preference alignment", opened.tables(), opened.loanword, words=opened.word)
    # The head only: a modifier's translation is a common word of other phrases too.
    assert [(c.text, c.translations) for c in plan.concepts] == [("preference", ()), ("alignment", ("정렬",))]
    ids, _ = ranked(index_dir, "preference alignment", DEFAULT)
    assert ids[:2] == ["2407.00902", "2407.00901"]
    # It completes a paper's coverage but matches nothing by itself, and scores nothing.
    assert "2407.00903" not in ids
    assert not any(s.term == "정렬" for s in plan.scored)


def test_english_words_of_a_mixed_query_count_less_in_titles(tmp_path):
    index_dir = day_index(tmp_path, [
        (f"2407.004{i:02d}", f"VLM Paper {i}", "Ann Example", "VLM의 공간(spatial) 추론을 분석합니다.", 1)
        for i in range(4)
    ] + [(f"2407.005{i:02d}", f"Filler {i}", "Ann Example", "음성 합성을 연구합니다.", 1) for i in range(6)])
    opened = open_index(index_dir)

    def title_boosts(query, params=DEFAULT):
        plan = plans.build(query, opened.tables(), opened.loanword, params=params, words=opened.word)
        return {s.term: s.boost for s in plan.scored if s.field == "title"}

    mixed = title_boosts("VLM 공간 추론")
    # Titles are English: the Korean words reach them only through aliases, so the English
    # word's title boost is lowered to keep it from outweighing them ...
    assert mixed["vlm"] == pytest.approx(DEFAULT.title_boost * DEFAULT.mixed_title)
    assert DEFAULT.mixed_title < 1.0
    # ... while the Korean word's alias keeps its own weight, and an English query is unchanged.
    alias = next(a for a in opened.tables().ko_to_en["공간"] if a.text == "spatial")
    assert mixed["spatial"] == pytest.approx(DEFAULT.title_boost * DEFAULT.alias_boost * alias.confidence)
    assert title_boosts("VLM spatial")["vlm"] == pytest.approx(DEFAULT.title_boost)
    assert title_boosts("VLM 공간 추론", dataclasses.replace(DEFAULT, mixed_title=1.0))["vlm"] == DEFAULT.title_boost


@pytest.fixture(scope="module")
def implying(tmp_path_factory):
    base = tmp_path_factory.mktemp("implied")
    papers = [
        # RLHF alone (many votes), RLHF with 정렬, 정렬 alone, and neither.
        *[(f"2407.006{i:02d}", f"RLHF Study {i}", 500, "RLHF 보상 모델을 학습합니다.") for i in range(2)],
        *[(f"2407.007{i:02d}", f"Aligned {i}", 5, "RLHF로 언어 모델을 정렬하는 연구입니다.") for i in range(3)],
        *[(f"2407.008{i:02d}", f"Sorting {i}", 5, "데이터를 정렬합니다.") for i in range(4)],
        *[(f"2407.009{i:02d}", f"Filler {i}", 1, "음성 합성을 연구합니다.") for i in range(10)],
    ]
    return day_index(base, [(arxiv_id, title, "Ann Example", summary, votes)
                            for arxiv_id, title, votes, summary in papers])


def coverage_of(index_dir, query, params=DEFAULT):
    opened = open_index(index_dir)
    view = opened.arrays
    plan = plans.build(query, opened.tables(), opened.loanword, params=params, words=opened.word)
    _, _, coverage, _ = ranking._phase1(view, plan, params)
    return {view.arxiv_id(d): float(coverage[d]) for d in range(view.size)}


def idf(n, df):
    return math.log(n / (df + 1)) + 1


def test_a_missed_broader_concept_that_the_matched_one_implies_counts_by_its_likelihood(implying):
    covered = coverage_of(implying, "RLHF 정렬")
    n, rlhf, align, both = 19, 5, 7, 3
    w_rlhf, w_align = idf(n, rlhf), idf(n, align)
    # P(정렬 | RLHF) = 3/5 against P(정렬) = 7/19: the words go together, and 정렬 is the broader
    # word, so a paper saying only RLHF counts 정렬 by that likelihood, pulled towards the base rate.
    implied = (both + DEFAULT.coord_prior * align / n) / (rlhf + DEFAULT.coord_prior)
    assert covered["2407.00600"] == pytest.approx((w_rlhf + w_align * implied) / (w_rlhf + w_align))
    assert covered["2407.00700"] == pytest.approx(1.0)
    # The narrower word is a qualifier the paper lacks: a paper saying only 정렬 gets no credit.
    assert covered["2407.00800"] == pytest.approx(w_align / (w_rlhf + w_align))
    off = coverage_of(implying, "RLHF 정렬", dataclasses.replace(DEFAULT, coord_implied=0.0))
    assert off["2407.00600"] == pytest.approx(w_rlhf / (w_rlhf + w_align))
    # Three shared papers are the evidence; asking for more, there is none.
    assert DEFAULT.coord_shared <= both
    scarce = coverage_of(implying, "RLHF 정렬", dataclasses.replace(DEFAULT, coord_shared=both + 1))
    assert scarce["2407.00600"] == pytest.approx(w_rlhf / (w_rlhf + w_align))


def test_a_broader_concept_unrelated_to_the_matched_one_is_not_implied(implying):
    # 연구 stands in 13 of the 19 papers, and in 3 of the 5 that say RLHF: less than chance.
    covered = coverage_of(implying, "RLHF 연구")
    w_rlhf, w_research = idf(19, 5), idf(19, 13)
    assert covered["2407.00600"] == pytest.approx(w_rlhf / (w_rlhf + w_research))


def test_implied_credit_ranks_but_does_not_make_a_complete_match(implying):
    # A listing by votes keeps only the papers matching both words, though the RLHF-only papers
    # have a hundred times their votes: an implied word is a likelihood, not a match ...
    hits = search("RLHF 정렬", index_dir=implying, sort="votes")
    assert sorted(h.arxiv_id for h in hits) == ["2407.00700", "2407.00701", "2407.00702"]
    assert hits.total == 3
    # ... even where the credit alone would bring a paper's coverage to 1.
    generous = dataclasses.replace(DEFAULT, coord_implied=3.0)
    assert coverage_of(implying, "RLHF 정렬", generous)["2407.00600"] >= 1.0
    ids, total = ranked(implying, "RLHF 정렬", generous, sort="votes")
    assert (sorted(ids), total) == (["2407.00700", "2407.00701", "2407.00702"], 3)


def test_total_counts_papers_matching_a_word_and_complete_those_matching_every_word(tmp_path, capsys):
    from search.cli import main

    papers = [
        ("2401.00001", "Code Generation Benchmark", "Ann Example", "코드 생성 벤치마크를 제안합니다."),
        ("2401.00002", "Code Generation", "Ann Example", "코드 생성 방법을 제안합니다."),
        ("2401.00003", "A Benchmark", "Ann Example", "새 벤치마크를 제안합니다."),
        ("2401.00004", "Speech Synthesis", "Ann Example", "음성 합성 방법을 제안합니다."),
    ]
    index_dir = day_index(tmp_path, papers)
    found = search("코드 생성 벤치마크", index_dir=index_dir)
    assert (found.total, found.complete) == (3, 1)
    assert found[:1].complete == 1 and found.to_dict()["complete"] == 1
    # Sorted by votes, only the complete papers are listed, and counted.
    by_votes = search("코드 생성 벤치마크", index_dir=index_dir, sort="votes")
    assert (by_votes.total, by_votes.complete) == (1, 1)
    # One word has nothing to be complete in, and an explicit OR asks for either word.
    assert search("벤치마크", index_dir=index_dir).complete is None
    assert search("코드 OR 벤치마크", index_dir=index_dir).complete is None
    with pytest.raises(SystemExit):
        main(["search", "코드 생성 벤치마크", "--index-dir", str(index_dir), "--color", "never"])
    assert "3 of 3 matching papers; 1 match the whole query" in capsys.readouterr().err


def test_a_listing_sorted_by_votes_keeps_papers_saying_every_word_but_either_for_an_explicit_or(tmp_path):
    papers = [
        ("2401.00001", "Diffusion Models", "Ann Example", "diffusion 모델을 제안합니다.", 50),
        ("2401.00002", "Transformers", "Ann Example", "transformer 구조를 제안합니다.", 40),
        ("2401.00003", "Diffusion Transformers", "Ann Example", "diffusion transformer 구조입니다.", 10),
        ("2401.00004", "Speech Synthesis", "Ann Example", "음성 합성 방법입니다.", 90),
    ]
    index_dir = day_index(tmp_path, papers)
    both = search("diffusion transformer", index_dir=index_dir, sort="votes")
    assert [h.arxiv_id for h in both] == ["2401.00003"] and both.total == 1
    either = search("diffusion OR transformer", index_dir=index_dir, sort="votes")
    assert [h.arxiv_id for h in either] == ["2401.00001", "2401.00002", "2401.00003"] and either.total == 3
    assert either.complete is None
