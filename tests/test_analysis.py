import csv
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

import search.index
from search import analysis
from search.analysis import tokenize

GOLDEN = Path(__file__).parent / "golden" / "analysis.tsv"


def golden_rows():
    with open(GOLDEN, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [pytest.param(row["text"], row["expected"].split(), id=row["note"]) for row in rows]


@pytest.mark.parametrize("text,expected", golden_rows())
def test_tokenize_gives_the_golden_terms(text, expected):
    assert tokenize(text) == expected


def test_golden_file_covers_korean_english_and_mixed_text():
    rows = golden_rows()
    texts = [row.values[0] for row in rows]
    has_hangul = [any("\uac00" <= c <= "\ud7a3" for c in t) for t in texts]
    has_latin = [any(c.isascii() and c.isalpha() for c in t) for t in texts]
    assert any(h and not l for h, l in zip(has_hangul, has_latin))
    assert any(l and not h for h, l in zip(has_hangul, has_latin))
    assert any(h and l for h, l in zip(has_hangul, has_latin))
    assert 20 <= len(rows) <= 40


@pytest.mark.parametrize(
    "spaced,joined",
    [("멀티 모달", "멀티모달"), ("강화 학습", "강화학습"), ("미세 조정", "미세조정"), ("오픈 소스", "오픈소스")],
)
def test_spacing_variants_of_a_compound_share_their_parts_and_solid_gives_the_join(spaced, joined):
    assert set(tokenize(spaced)) <= set(tokenize(joined))
    assert joined in tokenize(joined)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   \t\n ", id="whitespace"),
        pytest.param("\u3000", id="ideographic-space"),
        pytest.param("😀😀", id="emoji"),
        pytest.param("🚀 🤖", id="spaced-emoji"),
        pytest.param("...!!!", id="punctuation"),
        pytest.param("을를이가", id="particles-joined"),
        pytest.param("을 를 이 가", id="particles-spaced"),
        pytest.param("은는", id="topic-particles"),
        pytest.param("에서", id="locative-particle"),
        pytest.param("으로", id="instrumental-particle"),
    ],
)
def test_text_without_content_words_gives_no_terms(text):
    assert tokenize(text) == []


def test_text_with_a_lone_surrogate_is_analyzed():
    # Python decodes a non-UTF-8 byte in argv to a lone surrogate ("\udcff").
    assert tokenize("LLM \udcff") == ["llm"]


def test_schema_pickles_small_without_kiwi():
    data = pickle.dumps(search.index.schema())
    assert len(data) < 4096
    assert b"Kiwi(" not in data and b"kiwipiepy" not in data


def test_unpickling_the_schema_and_opening_an_index_do_not_create_kiwi(seeds_index):
    script = (
        "import pickle, sys\n"
        "import search.analysis, search.index\n"
        "from whoosh import index\n"
        "schema = pickle.loads(sys.stdin.buffer.read())\n"
        "generation = search.index.open_generation(sys.argv[1])\n"
        "assert set(generation.ix.schema.names()) == set(schema.names())\n"
        "print(search.analysis.kiwi_loaded())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(seeds_index)],
        input=pickle.dumps(search.index.schema()),
        capture_output=True,
        check=True,
    )
    assert done.stdout.decode() == "False\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("LLMs는 멀티모달", ["llms", "는", "멀티", "티모", "모달"]),
        ("multi-modal Reward Models", ["multi", "modal", "reward", "models"]),
        ("ＧＰＴ-4o와 음성합성", ["gpt", "4o", "와", "음성", "성합", "합성"]),
        ("(", []),
    ],
)
def test_literal_view_keeps_words_as_written_and_hangul_as_bigrams(text, expected):
    assert analysis.literal_terms(text) == expected
    # The query side reads the same terms run by run, each run at its offset in the clean text.
    runs = analysis.literal_runs(text)
    assert [t for _, run in runs for t in run] == expected
    clean = analysis.clean(text)
    assert all(clean[start:].lower().startswith(run[0][:1].lower()) for start, run in runs)


def test_clean_text_is_not_copied():
    # Indexing holds every text while Kiwi works: a copy of each was 150 MB at 55,000 papers.
    text = "멀티모달 벤치마크 LLM " * 10
    assert search.analysis.clean(text) is text
    assert search.analysis.clean("ＬＬＭ \udcff") == "LLM ?"


@pytest.mark.parametrize("package", ["kiwipiepy", "whoosh3", "numpy", "click"])
def test_installed_version_is_what_importlib_metadata_says(package):
    from importlib.metadata import version

    assert search.analysis.installed_version(package) == version(package)


@pytest.mark.parametrize("text", ["멀티모달 벤치마크", "LLMs는 멀티모달", "가 나다 라마바사", "x", "GPT-4o와 Qwen2.5-VL, 한국어!"])
def test_bigram_views_are_the_pairs_of_neighbouring_syllables(text):
    def pairs(run):
        return [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]

    runs = re.findall(r"[\uac00-\ud7a3]+|[^\W\uac00-\ud7a3]+", text)
    assert search.analysis.literal_terms(text) == [
        g for r in runs for g in (pairs(r) if re.match(r"[\uac00-\ud7a3]", r) else [r.lower()])]
    assert search.analysis.hangul_bigrams(text) == [g for r in runs if re.match(r"[\uac00-\ud7a3]", r) for g in pairs(r)]
