"""Search as you type: the last word read as a prefix, including a Hangul syllable being composed."""

from __future__ import annotations

import pytest

import search
from search.prefix import jamo


@pytest.mark.parametrize("text, spelled", [
    ("멀티", "ㅁㅓㄹㅌㅣ"),
    ("과", "ㄱㅗㅏ"),          # a compound vowel is typed in two strokes
    ("읽", "ㅇㅣㄹㄱ"),        # and so is a final cluster
    ("ㅘ", "ㅗㅏ"),
    ("벤치ㅁ", "ㅂㅔㄴㅊㅣㅁ"),
    ("\u1106\u1161", "ㅁㅏ"),  # conjoining jamo (NFD) as typed ones
    ("LoRA", "LoRA"),
])
def test_jamo_spells_syllables_as_typed(text, spelled):
    assert jamo(text) == spelled


@pytest.mark.parametrize("typed, expected", [
    ("멀티모", "멀티모달"),
    ("멀티ㅁ", "멀티모달"),
    ("멀티몯", "멀티모달"),        # ㄷ still at the end of 모 before 달's vowel comes
    ("벤치ㅁ", "벤치마크"),
    ("벤치맠", "벤치마크"),
    ("diff", "diffusion"),        # a rare word that a far commoner one starts
    ("Transf", "transformer"),
    ("LoRA 미세 조", "LoRA 미세 조정"),  # the completion that goes with the other words
    ("강화 학", "강화 학습"),
])
def test_the_last_word_is_completed(seeds_index, typed, expected):
    assert search.complete(typed, seeds_index).query == expected


@pytest.mark.parametrize("typed", ["멀티모달 ", "모델", '"멀티모', "title:멀티모", "멀티모 NOT", "xqzw"])
def test_finished_or_unknown_words_are_kept(seeds_index, typed):
    completion = search.complete(typed, seeds_index)
    assert completion.query == typed and completion.word is None


def test_a_word_nothing_completes_loses_its_lone_jamo(seeds_index):
    completion = search.complete("멀티모달ㅇ", seeds_index)
    assert completion.query == "멀티모달" and completion.word is None


def test_completed_query_finds_the_papers_of_the_whole_word(seeds_index):
    completed = search.complete("벤치ㅁ", seeds_index).query
    found = search.search(completed, index_dir=seeds_index, limit=3)
    assert found.total == search.search("벤치마크", index_dir=seeds_index).total > 0
