"""Hangul loanwords matched to the English words they transliterate (search.loanwords)."""

import pytest

from search import index, plan as plans, ranking, search
from search.loanwords import Loanword, Sounds, best_match, chance, is_sino_korean, similarity
from search.opened import open_index
from search.params import DEFAULT

from test_search import tiny_index


@pytest.mark.parametrize(
    "korean, english",
    [
        ("아레나", "arena"),
        ("챗봇", "chatbot"),
        ("미스트랄", "mistral"),
        ("플랫폼", "platform"),      # 플 + 랫: the l written twice
        ("클로드", "claude"),
        ("파이썬", "python"),        # th as 스
        ("머신", "machine"),         # ch as 시
        ("트랜스포머", "transformer"),
        ("스프레드시트", "spreadsheet"),
    ],
)
def test_a_transliteration_sounds_exactly_like_its_english_word(korean, english):
    assert similarity(korean, english) == 1.0


@pytest.mark.parametrize(
    "korean, english",
    [("아레나", "learning"), ("모델", "middle"), ("토큰", "ticket"), ("벤치마크", "bookmark"), ("챗봇", "chat")],
)
def test_words_that_only_share_consonants_are_not_a_match(korean, english):
    assert similarity(korean, english) < 0.9


def test_sino_korean_shape_is_every_syllable_a_hanja_reading():
    assert is_sino_korean("음성") and is_sino_korean("보안") and is_sino_korean("라마")
    assert not is_sino_korean("아레나") and not is_sino_korean("챗봇") and not is_sino_korean("스트")


def test_chance_is_the_poisson_tail():
    assert chance(0, 1.0) == 1.0
    assert chance(1, 0.5) == pytest.approx(1 - 2.718281828 ** -0.5)
    assert chance(3, 0.1) < 0.001


def match(korean, words, papers, total=1000, named=()):
    """best_match over a vocabulary of English words, a word → papers table and the words
    written as names (capitalized in every paper; the others never)."""
    sounds = Sounds({w: max(2, len(papers.get(w, ()))) for w in words})
    def written(word):
        count = len(papers.get(word, ()))
        return (count if word in named else 0), count

    return best_match(korean, sounds, lambda w: set(papers.get(w, ())), total, written)


def test_a_loanword_matches_when_the_papers_support_it():
    papers = {"아레나": {1, 2}, "arena": {1, 2, 3, 4, 5}}
    found = match("아레나", ["arena", "learning"], papers)
    assert (found.english, found.similarity, found.together) == ("arena", 1.0, 2)


def test_an_english_word_that_reaches_no_new_papers_is_not_used():
    # Every paper that says arena also says 아레나: the expansion would add nothing.
    assert match("아레나", ["arena"], {"아레나": {1, 2, 3}, "arena": {1, 2}}) is None


def test_a_single_shared_paper_of_a_common_word_is_chance():
    # 벤치 is in 355 of 5,487 papers; one of them also says pangea: expected by chance.
    papers = {"벤치": set(range(355)), "pangea": {0, 9001, 9002}}
    assert match("벤치", ["pangea"], papers, total=5487) is None
    # The same single shared paper is evidence when the word itself is rare.
    papers = {"챗봇": {0, 1}, "chatbot": {0, 9001, 9002}}
    assert match("챗봇", ["chatbot"], papers, total=5487).english == "chatbot"


def test_a_sino_korean_word_needs_the_english_word_in_most_of_its_papers():
    # 보안 sounds like phone; a few security papers about phones do not make it a loanword.
    papers = {"보안": set(range(40)), "phone": {0, 1, 2, 3, 9001, 9002, 9003, 9004}}
    assert similarity("보안", "phone") >= 0.9
    assert match("보안", ["phone"], papers, total=5487) is None
    # 라마 is Sino-Korean in shape, but Llama is in nearly every paper that writes 라마.
    papers = {"라마": {0, 1, 2, 3, 4}, "llama": {0, 1, 2, 3} | set(range(9000, 9400))}
    assert match("라마", ["llama"], papers, total=5487).english == "llama"


def test_the_closest_sound_is_chosen_before_the_evidence_is_read():
    # emotion shares more papers with 모션 than motion does, but motion is what 모션 spells.
    papers = {"모션": {1, 2, 3}, "motion": {3, 9001, 9002}, "emotion": {1, 2, 9003, 9004}}
    assert similarity("모션", "motion") > similarity("모션", "emotion")
    assert match("모션", ["motion", "emotion"], papers).english == "motion"


def test_a_hangul_word_the_corpus_never_writes_matches_a_name_by_exact_sound_alone():
    papers = {"mistral": set(range(5)), "mist": set(range(10, 20))}
    assert match("미스트랄", ["mistral", "mist"], papers, named={"mistral", "mist"}).english == "mistral"
    # Sound alone is not enough: the sound must be exact, and the English word a name. What a
    # user spells in Hangul that the corpus never does is a name (소라 is Sora); a common word
    # that sounds alike to the coarse model (런웨이 ~ linear, 바드 ~ bad) is a coincidence.
    assert match("보안", ["phone"], {"phone": {1, 2}}) is None
    assert match("미스트랄", ["mistral"], papers) is None
    assert match("런웨이", ["linear"], {"linear": set(range(50))}) is None
    # A name few papers write is a coincidence of sound too; more papers for two syllables that
    # may be a native word.
    assert match("미스트랄", ["mistral"], {"mistral": {1, 2, 3, 4}}, named={"mistral"}) is None
    assert match("보리", ["fourier"], {"fourier": set(range(13))}, named={"fourier"}) is None
    # Of two names that sound the same, the one more papers write.
    papers = {"sora": set(range(30)), "solar": set(range(100, 106))}
    assert match("소라", ["sora", "solar"], papers, named={"sora", "solar"}).english == "sora"


def filler(n):
    return [(f"2402.{i:05d}", f"Method {i} for Data Processing", "Ann Example", "새로운 데이터 처리 방법을 제안합니다.")
            for i in range(n)]


def test_a_korean_query_finds_the_paper_that_writes_the_name_only_in_english(tmp_path):
    arena = "2403.04132"
    index_dir = tiny_index(
        tmp_path,
        (arena, "Chatbot Arena: An Open Platform for Evaluating LLMs by Human Preference", "Wei-Lin Chiang",
         "인간 선호로 LLM을 평가하는 오픈 플랫폼입니다. Chatbot Arena는 크라우드소싱 투표를 사용합니다."),
        ("2401.00001", "Arena Learning for Chatbots", "Ann Example", "챗봇 아레나 방식으로 학습 데이터를 만듭니다."),
        ("2401.00002", "GenAI Arena: Evaluating Generative Models", "Ann Example", "생성 모델을 평가하는 아레나를 제안합니다."),
        ("2401.00003", "Arena-Hard: A Benchmark", "Ann Example", "어려운 프롬프트로 모델을 비교합니다."),
        *filler(80),
    )
    hits = search("챗봇 아레나", index_dir=index_dir)
    assert arena in [h.arxiv_id for h in hits][:3]
    hit = next(h for h in hits if h.arxiv_id == arena)
    marked = {hit.snippet[a:b] for a, b in hit.highlights}
    assert {"Chatbot", "Arena"} <= marked


def test_the_sound_vocabulary_is_every_latin_word_the_papers_write(tmp_path):
    # Terms are read in sorted order up to the Hangul ones; a word with an accent (für) sorts
    # among the Latin words and must not end the reading early.
    index_dir = tiny_index(
        tmp_path,
        ("2401.00001", "Für Elise and the Zebra Arena", "Ann Example", "für zebra arena 모델을 제안합니다."),
        ("2401.00002", "Zebra Arena Again", "Ann Example", "zebra arena 모델입니다."),
    )
    words = index.english_words(index.open_generation(index_dir).arrays())
    assert {"zebra", "arena", "again", "elise"} <= words.keys()
    assert not any("\uac00" <= ch <= "\ud7a3" for w in words for ch in w)
    assert set(index.open_generation(index_dir).sounds().df) == {w for w, n in words.items() if n >= 2 and w.isalpha()
                                                                  and len(w) >= 3}




@pytest.mark.parametrize("summary, expected", [
    ("로컬리제이션(localization) 방법을 제안합니다.", "localization"),
    ("로컬리제이션 방법을 제안합니다. 다른 문장에서 여러 단어를 지나 마지막에 localization 을 씁니다.", None),
])
def test_one_shared_paper_and_sounds_only_alike_need_a_gloss(tmp_path, summary, expected):
    # Issue 14's reverse check: one shared paper is evidence for a pair that only sounds alike
    # when the two words stand together there (a gloss), a coincidence when they do not.
    from search.query import loanword as found

    assert similarity("로컬리제이션", "localization") < 1.0
    papers = [("2407.00001", "A Study", "Ann Example", summary)]
    papers += [(f"2407.001{i:02d}", f"Localization Method {i}", "Ann Example", "위치 추정을 합니다.") for i in range(2)]
    papers += [(f"2407.02{i:03d}", f"Filler {i}", "Ann Example", "음성 합성을 합니다.") for i in range(200)]
    match = found("로컬리제이션", tiny_index(tmp_path, *papers))
    assert (match and match["alias"]) == expected


def test_a_name_spelled_in_hangul_that_no_paper_writes_finds_the_papers_writing_it_in_english(tmp_path):
    # 소라 and 런웨이 appear in no paper. Sora is written as a name (capitalized) wherever it is
    # written; linear, which 런웨이 sounds like to the coarse sound model, mostly is not.
    sora = [(f"2405.{i:05d}", f"Video Model {i}", "Ann Example", f"Sora와 같은 비디오 생성 모델 {i}을 분석합니다.")
            for i in range(20)]
    linear = [(f"2403.{i:05d}", f"Attention Study {i}", "Ann Example",
               f"linear attention 구조와 {'Linear' if i % 2 else 'linear'} 계층 {i}을 사용합니다.") for i in range(10)]
    index_dir = tiny_index(tmp_path, *sora, *linear, *filler(40))
    from search.query import loanword as found

    assert found("소라", index_dir)["alias"] == "sora"
    assert {h.arxiv_id for h in search("소라", index_dir=index_dir, limit=50)} == {p[0] for p in sora}
    assert found("런웨이", index_dir) is None
    assert not search("런웨이", index_dir=index_dir)


def test_the_english_spelling_of_a_loanword_weighs_what_the_hangul_one_does_in_every_written_form(tmp_path):
    index_dir = tiny_index(
        tmp_path,
        # The word only in English, and as the plural the titles write.
        ("2401.00001", "Autoencoders Explained", "Ann Example", "Autoencoders 구조를 분석합니다."),
        ("2401.00002", "Image Compression", "Ann Example", "오토인코더 기반 이미지 압축 연구를 합니다."),
        ("2401.00003", "Image Denoising", "Ann Example", "오토인코더 기반 이미지 잡음 제거 연구를 합니다."),
        *filler(20),
    )
    opened = open_index(index_dir)
    sound = lambda korean: Loanword(korean, "autoencoder", 1.0, 0, 2, 1) if korean == "오토인코더" else None  # noqa: E731
    plan = plans.build("오토인코더", opened.tables(), sound, words=opened.word)
    literal = dict(plan.literal)
    # Four syllable pairs in Hangul (오토, 토인, 인코, 코더), so four for the English spelling,
    # in each form that reads as the word.
    assert [literal[g] for g in ("오토", "토인", "인코", "코더")] == [1.0] * 4
    assert literal["autoencoder"] == literal["autoencoders"] == 4.0
    found = ranking.rank(opened.arrays, plan, DEFAULT, count=3)
    ids = [opened.arrays.arxiv_id(doc) for _, doc in found.top]
    # The literal view finds the English-only paper too, so the fusion does not leave it last.
    assert ids.index("2401.00001") < 2
