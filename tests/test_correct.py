"""Typo tolerance that acts (issue 14): misspellings and the wrong keyboard layout are searched
as corrected, and the results say so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers_index import day_index

from search import search
from search.correct import compose, distance, from_english_layout, from_korean_layout, jamo
from search.index import build_index

CORPUS = Path(os.environ.get("PAPERS_CORPUS") or Path(__file__).resolve().parents[2] / "shared/corpus/daily_papers_ko/paper_logs")
needs_corpus = pytest.mark.skipif(not (CORPUS / "2024" / "06").is_dir(), reason=f"no corpus at {CORPUS}")


@pytest.mark.parametrize("typed, meant", [
    ("ajfxlahekf", "멀티모달"),          # Korean typed on the English layout
    ("rkdghkgkrtmq", "강화학습"),
    ("tkfkd", "사랑"),                   # a consonant before a vowel opens the next syllable
    ("qkfgoT", "발했"),                  # shift gives the double consonants
    ("ekfr", "닭"),                      # a compound final
])
def test_english_layout_keys_compose_the_hangul_they_type(typed, meant):
    assert from_english_layout(typed) == meant


def test_korean_layout_hangul_gives_the_english_keys_it_typed():
    assert from_korean_layout("ㅅㄱ무ㄴ래그ㄷㄱ") == "transformer"
    assert from_korean_layout("ㅣㅣㅡ") == "llm"
    assert from_korean_layout("transformer") is None


@pytest.mark.parametrize("word", ["왔다", "닭고기", "없어", "멀티모달", "뷁"])
def test_jamo_compose_back_into_the_same_syllables(word):
    assert compose(jamo(word)) == word


def test_jamo_distance_sees_a_dropped_final_as_one_edit():
    # Syllable by syllable, 멀티모다 is as far from 멀티다 as from 멀티모달; by jamo it is not.
    assert distance(jamo("멀티모다"), jamo("멀티모달"), 3) == 1
    assert distance(jamo("멀티모다"), jamo("멀티다"), 3) == 2
    assert distance("transfomer", "transformer", 2) == 1
    assert distance("abcdef", "badcfe", 2) == 3  # three transpositions: past the limit


def tiny_index(tmp_path, *papers: tuple[str, str, str, str]):
    """An index of one day-file of (arxiv_id, title, authors, summary) papers."""
    return day_index(tmp_path, papers)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Twelve transformer papers (a correction must be common), one tokenizer paper, one on speech."""
    base = tmp_path_factory.mktemp("correct")
    papers = [(f"2407.000{i}", f"Transformer Study {i}", "Ann Example, Bo Kim",
               "멀티모달 트랜스포머(transformer) 모델을 제안합니다.") for i in range(10, 22)]
    papers.append(("2407.00001", "Better Tokenizers", "Ann Example", "토크나이저를 개선합니다."))
    papers.append(("2407.00002", "Speech Synthesis", "Cy Lee", "음성 합성 모델을 제안합니다."))
    return tiny_index(base, *papers)


def test_an_unknown_english_word_is_searched_as_corrected(small):
    hits = search("transfomer", index_dir=small)
    assert hits.corrected == "transformer"
    assert hits.total == 12 and hits.suggestion is None
    assert hits.to_dict("transfomer")["corrected"] == "transformer"


def test_correct_false_searches_as_typed_and_only_suggests(small):
    hits = search("transfomer", index_dir=small, correct=False)
    assert (len(hits), hits.corrected, hits.suggestion) == (0, None, "transformer")


def test_korean_typed_on_the_english_layout_is_searched_in_korean(small):
    hits = search("ajfxlahekf", index_dir=small)
    assert hits.corrected == "멀티모달"
    assert hits.total == 12


def test_english_typed_on_the_korean_layout_is_searched_in_english(small):
    hits = search("ㅅㄱ무ㄴ래그ㄷㄱ", index_dir=small)
    assert (hits.corrected, hits.total) == ("transformer", 12)


def test_a_hangul_word_one_jamo_off_is_corrected(small):
    hits = search("멀티모다를", index_dir=small)
    assert hits.corrected == "멀티모달를"
    assert hits.total == 12


def test_a_correction_inside_a_phrase_or_title_field_keeps_the_syntax(small):
    assert search('"멀티모달 transfomer"', index_dir=small).corrected == '"멀티모달 transformer"'
    assert search("title:transfomer", index_dir=small).corrected == "title:transformer"


def test_a_misspelt_author_name_is_suggested_not_searched(small):
    hits = search('author:"Ann Exampel"', index_dir=small)
    assert (hits.total, hits.corrected, hits.suggestion) == (0, None, 'author:"Ann Example"')


def test_a_suggestion_or_correction_is_the_query_to_type_without_stray_spaces(small):
    assert search('author:"Ann Exampel"  ', index_dir=small).suggestion == 'author:"Ann Example"'
    assert search(" transfomer ", index_dir=small).corrected == "transformer"


def test_a_known_word_and_an_authors_name_are_never_corrected(small):
    assert search("transformer", index_dir=small).corrected is None
    assert search("Example transformer", index_dir=small).corrected is None


def test_a_word_neither_known_nor_correctable_matches_no_stray_syllable_pair(small):
    # 제미나이 shares only 나이 with 토크나이저: one syllable pair is not the word.
    hits = search("제미나이", index_dir=small)
    assert (hits.total, hits.corrected) == (0, None)


# -- on the real corpus (one month of it) -----------------------------------------------------


@pytest.fixture(scope="module")
def june(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("june") / "index"
    build_index([CORPUS / "2024" / "06"], index_dir)
    return index_dir


@needs_corpus
@pytest.mark.parametrize("typed, searched", [
    ("transfomer", "transformer"),
    ("difusion model", "diffusion model"),
    ("멀티모다", "멀티모달"),
    ("ajfxlahekf", "멀티모달"),
    ("단안 깊이 추청", "단안 깊이 추정"),
    ('"difusion model"', '"diffusion model"'),
])
def test_real_misspellings_are_searched_as_corrected(june, typed, searched):
    hits = search(typed, index_dir=june, limit=3)
    assert hits.corrected == searched
    assert [h.arxiv_id for h in hits] == [h.arxiv_id for h in search(searched, index_dir=june, limit=3)]


@needs_corpus
def test_real_gemini_in_hangul_finds_gemini_not_tokenizers(june):
    hits = search("제미나이", index_dir=june)
    assert hits and all("gemini" in (h.title + h.snippet).lower() or "제미나이" in h.snippet for h in hits[:3])
    assert not any("토크나이저" in h.snippet and "gemini" not in h.title.lower() for h in hits)


@needs_corpus
def test_real_author_typo_is_suggested(june):
    assert search('author:"Yifan Zhagn"', index_dir=june).suggestion == 'author:"Yifan Zhang"'


# -- the close-word lookup against a scan of the whole vocabulary (its oracle) ----------------


def _scan(arrays, word: str, fields=("title", "summary"), min_df: int = 5) -> list[tuple[int, int, str]]:
    """What ``Vocabulary.close`` must find, by reading every word and measuring every distance."""
    from search import lexicon
    from search.correct import MAX_LENGTH

    hangul = lexicon.is_hangul(word)
    spelled = jamo(word) if hangul else word
    limit = 1 if len(spelled) <= (6 if hangul else 5) else 2
    found = []
    for other, n in arrays.words(fields, keep=lambda w: 2 <= len(w) <= MAX_LENGTH).items():
        if n < min_df or other == word or lexicon.is_hangul(other) != hangul:
            continue
        other_spelled = jamo(other) if hangul else other
        if other_spelled[:1] != spelled[:1]:
            continue
        if hangul and other.startswith(word) and len(other) == len(word) + 1:
            d = 1
        else:
            d = distance(spelled, other_spelled, limit)
        if d <= limit:
            found.append((d, -n, other))
    return sorted(found)


@needs_corpus
def test_close_words_read_by_letter_range_and_count_bound_equal_a_full_scan(june):
    from search.correct import Vocabulary
    from search.opened import open_index

    arrays = open_index(june).arrays
    vocab = Vocabulary(arrays)
    common = sorted(arrays.words(("title", "summary"), keep=lambda w: len(w) >= 3).items(), key=lambda wn: -wn[1])
    typed = ["transfomer", "difusion", "멀티모다", "강화학", "추청", "benchmrak", "언어모", "xyzzy", "ㅋㅋ모델"]
    for word, _ in common[:400:7]:
        typed += [word[:-1], word[1:2] + word[0] + word[2:], word + word[-1]]  # cut, swapped, doubled
    for word in typed:
        assert vocab.close(word) == _scan(arrays, word), word
