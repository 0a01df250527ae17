"""Alias mining keeps glosses and rejects cut pieces and tails of longer terms (issue 14)."""

from __future__ import annotations

import pytest

from search import analysis, lexicon


def mined(*summaries: str) -> lexicon.Tables:
    lex = lexicon.Lexicon()
    for text in summaries:
        text = analysis.clean(text)
        lex.add(lexicon.mine((text, analysis.analyze(text))))
    return lex.tables()


def test_a_gloss_seen_in_enough_papers_becomes_an_alias():
    tables = mined(*["우리는 대형 언어 모델(LLM)을 평가합니다."] * 3)
    # Its tails (언어 모델, 모델) only ever stand inside it: they are not glosses of their own.
    assert [a.text for a in tables.en_to_ko["llm"]] == ["대형 언어 모델"]
    assert [a.text for a in tables.ko_to_en["대형언어모델"]] == ["llm"]


def test_a_side_starting_inside_a_written_word_is_no_gloss():
    # 대규모 is 대 + 규모 to Kiwi; 규모 언어 모델 is a piece of the word, not a term.
    tables = mined(*["우리는 대규모 언어 모델(LLM)을 평가합니다."] * 3)
    assert "규모언어모델" not in tables.ko_to_en
    # 텍스트-비디오(T2V): 비디오 alone is not T2V.
    tables = mined(*["텍스트-비디오(T2V) 생성을 다룹니다."] * 3)
    assert "비디오" not in tables.ko_to_en


def test_a_tail_mostly_seen_inside_one_longer_gloss_is_that_term():
    # 언어 모델(LLM) comes from 대형 언어 모델(LLM) in most papers: the tail is the longer term.
    tables = mined(*(["대형 언어 모델(LLM)을 씁니다."] * 3 + ["언어 모델(LLM)을 씁니다."] * 2))
    assert [a.text for a in tables.en_to_ko["llm"]] == ["대형 언어 모델"]
    assert "언어모델" not in tables.ko_to_en


def test_a_gloss_with_a_one_syllable_piece_is_kiwi_guessing():
    assert lexicon._truncated("디 퓨전 모델", [analysis.Term("디", 0, 0, 1, True, "noun"),
                                             analysis.Term("퓨전", 1, 2, 4, True, "noun")])
    assert not lexicon._truncated("확산 모델", [analysis.Term("확산", 0, 0, 2, True, "noun"),
                                            analysis.Term("모델", 1, 3, 5, True, "noun")])


def test_word_aligned_glosses_give_aliases_of_single_words():
    # 정렬 is never glossed alone here, but 안전 정렬(safety alignment) and its kin pair it,
    # word by word, with alignment.
    tables = mined("안전 정렬(safety alignment)을 연구합니다.", "선호 정렬(preference alignment)을 씁니다.",
                   "의미 정렬(semantic alignment)을 봅니다.")
    assert "alignment" in [a.text for a in tables.ko_to_en["정렬"]]
    # Each prefix word is in one paper only: not enough evidence.
    assert "안전" not in tables.ko_to_en


def test_an_aligned_pair_needs_a_share_of_the_english_words_glosses():
    lex = lexicon.Lexicon()
    # 대형 멀티 모달 모델(large multimodal model): Kiwi's cut of 멀티모달 shifts the words.
    lex.pairs[("멀티모달모델", "멀티 모달 모델", "large multimodal model")] = 3
    lex.pairs[("대형언어모델", "대형 언어 모델", "large language model")] = 30
    aligned = lex._aligned()
    assert [a.text for a in aligned["대형"]] == ["large"]
    # 멀티 with large: 3 of large's 33 aligned glosses, under MIN_ALIGNED_REVERSE.
    assert "멀티" not in aligned
    assert [a.text for a in aligned["모델"]] == ["model"]


def test_a_word_kiwi_cuts_into_a_one_syllable_piece_is_one_word_of_the_gloss():
    # In a sentence Kiwi reads 인코딩 as 인 + 코딩; the gloss is still 위치 인코딩, two words.
    tables = mined("이 모델은 위치 인코딩(positional encoding)을 씁니다.",
                   "그들의 위치 인코딩(positional encoding)을 제안합니다.",
                   "학습된 위치 인코딩(positional encoding)을 분석합니다.")
    assert [a.text for a in tables.ko_to_en["위치인코딩"]] == ["positional encoding"]
    assert [a.text for a in tables.en_to_ko["positional encoding"]] == ["위치 인코딩"]
    # And its words align: 인코딩 = encoding.
    assert "encoding" in [a.text for a in tables.ko_to_en["인코딩"]]


def test_the_spellings_of_one_english_term_pool_their_glosses():
    lex = lexicon.Lexicon()
    lex.pairs[("위치인코딩", "위치 인코딩", "positional encoding")] = 2
    lex.pairs[("위치인코딩", "위치 인코딩", "position encoding")] = 1
    lex.korean["위치인코딩"] = 3
    lex.english.update({"positional encoding": 2, "position encoding": 1})
    tables = lex.tables()
    # Neither spelling alone is seen in MIN_COUNT papers; the term is, and keeps both spellings.
    (alias,) = tables.ko_to_en["위치인코딩"]
    assert (alias.text, alias.forms, alias.count, alias.confidence) == ("positional encoding", ("position encoding",), 3, 1.0)
    assert [a.text for a in tables.en_to_ko["position encoding"]] == ["위치 인코딩"]


def test_a_spelling_seen_in_a_small_share_of_the_glosses_is_not_expanded_to():
    lex = lexicon.Lexicon()
    lex.pairs[("모델", "모델", "model")] = 30
    lex.pairs[("모델", "모델", "modeling")] = 1
    lex.korean["모델"] = 31
    lex.english.update({"model": 30, "modeling": 1})
    (alias,) = lex.tables().ko_to_en["모델"]
    assert (alias.text, alias.forms, alias.count) == ("model", (), 31)


def test_aligned_words_pool_their_english_forms():
    lex = lexicon.Lexicon()
    # 위치 is position in two glosses and positional in two: neither alone reaches MIN_COUNT.
    lex.pairs[("위치편향", "위치 편향", "position bias")] = 2
    lex.pairs[("위치인코딩", "위치 인코딩", "positional encoding")] = 2
    (alias,) = lex._aligned()["위치"]
    assert (alias.text, alias.forms, alias.count) == ("position", ("positional",), 4)


@pytest.mark.parametrize("words", [("position", "positional", "positioning"),
                                   ("evaluate", "evaluation", "evaluating", "evaluated"),
                                   ("encode", "encoding", "encoded"), ("embed", "embedding", "embedded"),
                                   ("condition", "conditional", "conditioned", "conditioning")])
def test_english_forms_of_one_word_share_a_form(words):
    assert len({lexicon.english_form(w) for w in words}) == 1


@pytest.mark.parametrize("a, b", [("vision", "vis"), ("action", "act"), ("generative", "generation"),
                                  ("encoder", "encoding"), ("causal", "cause"), ("positive", "position"),
                                  ("tuning", "tune"), ("string", "str")])
def test_english_words_that_mean_other_things_keep_their_own_form(a, b):
    assert lexicon.english_form(a) != lexicon.english_form(b)
