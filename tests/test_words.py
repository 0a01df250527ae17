"""The word table: queries whose words the corpus knows are analyzed without Kiwi, the same way."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from search import analysis, index, search, words
from search.opened import open_index
from search.errors import IndexVersionError

GOLDEN = Path(__file__).parent / "data" / "golden_words.tsv"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def golden() -> list[str]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def golden_index(tmp_path_factory):
    """The seeds plus a day-file that uses every golden query in a sentence."""
    src = tmp_path_factory.mktemp("golden-src")
    for seed in SEEDS.iterdir():
        shutil.copy(seed, src)
    body = " ".join(f"이 논문은 {q} 문제를 다룹니다." for q in golden())
    (src / "2024-09-01.md").write_text(
        "## Daily Papers (2024-09-01)\n\n"
        "### [Golden Words](https://arxiv.org/abs/2409.00001)\n\n"
        "- **Authors**: Ann Example\n- **Vote**: 3\n\n"
        f"- **What's New**: {body}\n", encoding="utf-8")
    ix = tmp_path_factory.mktemp("golden-ix")
    index.build_index([src], ix)
    return ix


@pytest.mark.parametrize("query", golden())
def test_the_table_analyzes_golden_queries_as_kiwi_does(golden_index, query):
    table = index.open_generation(golden_index).words()
    from_table = words.compose(query, table.lookup)
    assert from_table is not None, f"{query!r} should be covered"
    assert from_table == analysis.analyze(query)


def test_the_table_keeps_the_analysis_a_word_gets_in_the_corpus(golden_index):
    """Kiwi keeps 멀티모달 whole when it stands alone, but splits it in the corpus's sentences,
    which is what the index holds; the table gives the corpus's analysis (parts and join)."""
    terms = words.compose("멀티모달", index.open_generation(golden_index).words().lookup)
    assert [(t.text, t.primary) for t in terms] == [("멀티", True), ("모달", True), ("멀티모달", False)]


def test_a_known_word_with_particles_is_that_word():
    """``로블록스의`` never written in the corpus is still 로블록스: particles are no terms; a
    known word with an unknown tail is not known."""
    table = {"로블록스": (1, [("로블록스", 0, 0, 4, True, "noun")])}
    alone = words.compose("로블록스", table.get)
    assert [t.text for t in alone] == ["로블록스"]
    assert words.compose("로블록스의", table.get) == alone
    assert words.compose("로블록스에서는", table.get) == alone
    assert words.compose("로블록스뷁", table.get) is None


def test_a_word_the_corpus_read_as_a_fragment_goes_to_kiwi():
    """모 + 달 (the second half of a spaced 멀티 모달) is no analysis to trust; 대 + 규모 is."""
    table = {"모달": (1, [("달", 0, 1, 2, True, "noun")]),
             "대규모": (1, [("규모", 0, 1, 3, True, "noun")]),
             "깊이": (0, [])}
    assert words.compose("모달", table.get) is None
    assert words.compose("깊이", table.get) is None
    assert [t.text for t in words.compose("대규모", table.get)] == ["규모"]


def run(script: str, *args) -> str:
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          check=True).stdout


KIWI_USED = (
    "import sys\n"
    "from search import analysis, search\n"
    "hits = search(sys.argv[1], index_dir=sys.argv[2])\n"
    "print(analysis.kiwi_loaded(), hits.total)\n"
)


def test_a_covered_query_never_creates_kiwi_and_an_uncovered_one_does(golden_index):
    assert run(KIWI_USED, "멀티모달 벤치마크", golden_index).split()[0] == "False"
    assert run(KIWI_USED, "멀티모달 벤치마크를 뷁뷁했다", golden_index).split()[0] == "True"


def test_both_paths_rank_the_same(golden_index):
    covered = search("대규모 언어 모델", index_dir=golden_index, limit=20)
    opened = open_index(golden_index)
    opened._words = None
    real = opened.word
    try:
        opened.word = lambda written: None  # every word unknown: the Kiwi path
        kiwi = search("대규모 언어 모델", index_dir=golden_index, limit=20)
    finally:
        opened.word = real
    assert [(h.arxiv_id, h.score) for h in covered] == [(h.arxiv_id, h.score) for h in kiwi]


def test_an_update_adds_new_words_and_keeps_known_ones(tmp_path):
    src, ix = tmp_path / "src", tmp_path / "ix"
    src.mkdir()
    shutil.copy(sorted(SEEDS.iterdir())[0], src)
    index.build_index([src], ix)
    before = index.open_generation(ix).words()
    assert before.lookup("뷁뷁모델") is None
    known = before.entries()
    (src / "2024-09-02.md").write_text(
        "## Daily Papers (2024-09-02)\n\n### [New Words](https://arxiv.org/abs/2409.00002)\n\n"
        "- **Authors**: Ann Example\n- **Vote**: 1\n\n- **What's New**: 뷁뷁모델 연구를 소개합니다.\n",
        encoding="utf-8")
    index.update_index(ix)
    after = index.open_generation(ix).words()
    assert after.lookup("뷁뷁모델") is not None
    assert {w: a for w, a in after.entries().items() if w in known} == known


def test_a_damaged_word_table_is_a_one_line_rebuild_error(tmp_path):
    ix = tmp_path / "ix"
    index.build_index([SEEDS], ix)
    (index.open_generation(ix).path / words.FILE).write_bytes(b"nothing")
    with pytest.raises(IndexVersionError, match=r"words.arr.*papers index --rebuild"):
        search("멀티모달", index_dir=ix)


def reference_word_analyses(text, terms, marks, wanted=None):
    """``analysis.word_analyses`` as first written: one walk over every word, term and mark."""
    units = list(analysis._UNIT.finditer(text))
    at_unit, k = [], 0
    for m in units:
        while marks[k][0] < m.start():
            k += 1
        at_unit.append(marks[k][1])
    at_unit.append(marks[-1][1])
    out, j = [], 0
    for n, m in enumerate(units):
        start, end, base = m.start(), m.end(), at_unit[n]
        first = j
        while j < len(terms) and terms[j].start < end:
            j += 1
        if wanted is not None and not wanted(m.group()):
            continue
        own = tuple((t.text, t.pos - base, t.start - start, t.end - start, t.primary, t.kind)
                    for t in terms[first:j] if t.start >= start)
        out.append((m.group(), (at_unit[n + 1] - base, own)))
    return out


def test_word_analyses_by_binary_search_match_the_walk_over_every_word():
    from search.parse import parse_sources

    texts = [t for p in parse_sources([SEEDS]).papers.values() for t in (p.title, p.summary)]
    texts += ["멀티모달 LLM을  GPT-4o는\n  Qwen2.5-VL 모델 ", "  앞 공백 멀티모달벤치마크", "단어"]
    kiwi = analysis.get_kiwi()
    cleaned = [analysis.clean(t) for t in texts]
    checked = 0
    for n, (text, tokens) in enumerate(zip(cleaned, analysis._tokenize_all(kiwi, cleaned))):
        marks: list = []
        terms = analysis.terms_from_tokens(text, tokens, marks)
        skip = {w for w in text.split() if len(w) % 2} if n % 2 else set()  # every word, or some of them
        expected = reference_word_analyses(text, terms, marks, lambda w: w not in skip)
        assert analysis.word_analyses(text, terms, marks, skip) == expected
        checked += len(expected)
    assert checked > 5000


def test_an_update_writes_the_table_a_sorted_merge_writes(tmp_path):
    import numpy as np

    from search.arrays import ArrayFile, string_arrays

    first, second = words.Builder(), words.Builder()
    first.add([(w, (1, ((w, 0, 0, len(w), True, "noun"),))) for w in ("나", "모델", "benchmark", "zeta")])
    # Before the first known word, between, after the last, a known word with another analysis, twice at one place.
    second.add([(w, (2, ())) for w in ("0", "가", "모델", "모델링", "모듈", "힣", "나", "alpha")])
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first.write(tmp_path / "a")
    previous = words.Table(tmp_path / "a")
    second.write(tmp_path / "b", previous)
    merged = previous.entries()
    for w in ("0", "가", "모델링", "모듈", "힣", "alpha"):
        merged[w] = '[2,[]]'
    expected = {**string_arrays("words", sorted(merged)), **string_arrays("analyses", [merged[w] for w in sorted(merged)])}
    found = ArrayFile(tmp_path / "b" / words.FILE)
    for name, arr in expected.items():
        assert found.array(name).dtype == arr.dtype and np.array_equal(found.array(name), arr), name
    assert words.Table(tmp_path / "b").lookup("모델") == previous.lookup("모델")
