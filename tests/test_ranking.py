"""The array engine against plain references: BM25 written out per document, Whoosh's own BM25F,
phase 2's window against re-ranking everything, and an updated index against a rebuild."""

from __future__ import annotations

import dataclasses
import math
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from helpers_index import day_index
from whoosh import query as Q
from whoosh.util.numeric import byte_to_length, length_to_byte

from search import analysis, arrays, index, plan, plan_parts, query, ranking, search, segments, why
from search.opened import open_index
from search.params import DEFAULT
from search.errors import IndexVersionError

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
QUERIES = [
    "멀티모달 벤치마크", "multimodal benchmark", "LoRA 미세 조정", "확산 모델", "음성 합성",
    "강화학습 보상 모델", '"mixture of experts"', "GPT-4o 성능 비교", "Yifan Zhang", "비디오 생성 AND 확산",
    "에이전트 NOT 멀티모달", "title:diffusion",
]


def reference_terms(field: str, stored: dict) -> list[str]:
    """A field's terms straight from the analysis functions, as the index defines them."""
    title, summary = stored["title"], stored.get("summary", "")
    if field == "title":
        return analysis.tokenize(title)
    if field == "summary":
        return analysis.tokenize(summary)
    if field == "authors":
        return [t.text for t in analysis.name_terms(stored.get("authors", "").split("\n"))]
    if field == "lit_title":
        return analysis.literal_terms(title)
    if field == "lit_summary":
        return analysis.literal_terms(summary)
    raise ValueError(field)


def reference_bm25(docs: list[list[str]], term: str, k1=1.2, b=0.75) -> list[float]:
    """BM25 as Whoosh defines it, one document at a time: idf ``log(N / (df + 1)) + 1``,
    one-byte quantized lengths, the exact mean length."""
    n = len(docs)
    df = sum(1 for d in docs if term in d)
    idf = math.log(n / (df + 1)) + 1
    avg = sum(len(d) for d in docs) / n
    out = []
    for d in docs:
        tf = Counter(d)[term]
        length = byte_to_length(length_to_byte(len(d)))
        out.append(idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg)) if tf else 0.0)
    return out


@pytest.mark.parametrize("field, term", [
    ("summary", "모델"), ("summary", "벤치마크"), ("title", "diffusion"), ("summary", "llm"),
    ("authors", "zhang"), ("lit_summary", "멀티"), ("lit_title", "models"),
])
def test_vectorized_bm25_matches_a_per_document_reference(seeds_index, field, term):
    gen = index.open_generation(seeds_index)
    view = gen.arrays()
    with gen.ix.searcher() as searcher:
        stored = [searcher.stored_fields(int(n)) for n in view.whoosh_docs]
    expected = reference_bm25([reference_terms(field, s) for s in stored], term)
    scores = np.zeros(view.size)
    ranking._add_term(view, field, term, 1.0, DEFAULT, scores, None)
    assert sum(1 for e in expected if e) >= 2
    assert np.allclose(scores, expected, rtol=1e-9, atol=0)


@pytest.mark.parametrize("field, term", [("summary", "모델"), ("title", "model"), ("authors", "yifan")])
def test_vectorized_bm25_matches_whoosh_bm25f(seeds_index, whoosh_seeds, field, term):
    view = index.open_generation(seeds_index).arrays()
    with whoosh_seeds.searcher() as searcher:
        found = {hit.docnum: hit.score for hit in searcher.search(Q.Term(field, term), limit=None)}
    scores = np.zeros(view.size)
    ranking._add_term(view, field, term, 1.0, DEFAULT, scores, None)
    ours = {int(view.whoosh_docs[d]): scores[d] for d in np.flatnonzero(scores)}
    assert ours.keys() == found.keys() and len(found) >= 2
    assert all(math.isclose(ours[d], found[d], rel_tol=1e-6) for d in found)


@pytest.mark.parametrize("words, slop", [(("언어", "모델"), 3), (("언어", "모델"), 1), (("확산", "모델"), 2)])
def test_phrase_and_nearness_count_what_a_per_document_scan_counts(seeds_index, words, slop):
    gen = index.open_generation(seeds_index)
    view = gen.arrays()
    docs, tf, _ = ranking._sequence(view, "summary", words, slop)
    with gen.ix.searcher() as searcher:
        expected = {}
        for d in range(view.size):
            terms = analysis.analyze(searcher.stored_fields(int(view.whoosh_docs[d]))["summary"])
            first = {t.pos for t in terms if t.text == words[0]}
            second = {t.pos for t in terms if t.text == words[1]}
            n = sum(1 for p in first if any(p + k in second for k in range(1, slop + 1)))
            if n:
                expected[d] = n
    assert dict(zip(docs.tolist(), tf.tolist())) == expected and len(expected) >= 3
    # Limited to some documents (phase 2's window), the same counts for those only.
    only = np.array(sorted(expected)[::2] + [d for d in range(view.size) if d not in expected][:5])
    docs, tf, _ = ranking._sequence(view, "summary", words, slop, only)
    assert dict(zip(docs.tolist(), tf.tolist())) == {d: n for d, n in expected.items() if d in set(only.tolist())}


def test_a_string_list_finds_every_string_and_nothing_else():
    words = sorted({f"{a}{b}" for a in "ab가나다" for b in ("", "a", "가", "ab", "나다", "zz", "b", "c")})
    assert len(words) > arrays.SAMPLE + 1
    for size in (0, 1, arrays.SAMPLE - 1, arrays.SAMPLE, arrays.SAMPLE + 1, len(words)):
        part = words[:size]
        strings = arrays._Strings(*arrays.string_arrays("w", part).values())
        assert [strings.find(w) for w in part] == list(range(len(part)))
        assert [strings.find(w) for w in ("", "0", "aaa", "가가가", "힣", words[-1] + "x")] == [
            part.index(w) if w in part else -1 for w in ("", "0", "aaa", "가가가", "힣", words[-1] + "x")]


@pytest.mark.parametrize("text", QUERIES)
def test_a_small_phase_two_window_keeps_the_top_five(seeds_index, text, monkeypatch):
    everything = search(text, index_dir=seeds_index, limit=5)
    monkeypatch.setattr(query, "DEFAULT", dataclasses.replace(DEFAULT, window=25))
    windowed = search(text, index_dir=seeds_index, limit=5)
    assert [(h.arxiv_id, h.score) for h in windowed] == [(h.arxiv_id, h.score) for h in everything]
    assert windowed.total == everything.total


def ranked(ix, text: str) -> list[tuple[str, float]]:
    return [(h.arxiv_id, h.score) for h in search(text, index_dir=ix, limit=20)]


def replay_seeds(src: Path, ix: Path) -> None:
    """Index the seed days one by one, then change one paper and delete one day."""
    seeds = sorted(SEEDS.glob("*"))
    for seed in seeds:
        shutil.copy(seed, src)
        index.update_index(ix, sources=[src])
    first = src / seeds[0].name
    first.write_text(first.read_text(encoding="utf-8").replace("다.", "다!", 3), encoding="utf-8")
    index.update_index(ix)
    (src / seeds[2].name).unlink()
    index.update_index(ix)


def test_an_updated_index_ranks_exactly_like_a_rebuild(tmp_path):
    src, ix, fresh = tmp_path / "src", tmp_path / "ix", tmp_path / "fresh"
    src.mkdir()
    replay_seeds(src, ix)
    assert any(s["deleted"] for s in arrays.read_listing(index.open_generation(ix).path))
    index.build_index([src], fresh)
    for text in QUERIES:
        assert ranked(ix, text) == ranked(fresh, text), text
        assert search(text, index_dir=ix).total == search(text, index_dir=fresh).total


def test_segments_are_merged_when_there_are_too_many(tmp_path, monkeypatch):
    monkeypatch.setattr(segments, "MAX_SEGMENTS", 2)
    src, ix, fresh = tmp_path / "src", tmp_path / "ix", tmp_path / "fresh"
    src.mkdir()
    replay_seeds(src, ix)
    listing = arrays.read_listing(index.open_generation(ix).path)
    assert len(listing) <= 3
    assert sorted(p.name for p in index.open_generation(ix).path.glob("seg-*.arr")) == sorted(
        f"seg-{s['name']}.arr" for s in listing)
    index.build_index([src], fresh)
    for text in QUERIES:
        assert ranked(ix, text) == ranked(fresh, text), text


def test_a_damaged_segment_file_is_a_one_line_rebuild_error(tmp_path):
    ix = tmp_path / "ix"
    index.build_index([SEEDS], ix)
    segment = next(index.open_generation(ix).path.glob("seg-*.arr"))
    segment.write_bytes(b"garbage")
    with pytest.raises(IndexVersionError, match=r"damaged .*papers index --rebuild"):
        search("멀티모달", index_dir=ix)


def test_filters_are_masks_over_every_candidate(seeds_index):
    everything = search("모델", index_dir=seeds_index, limit=200)
    recent = search("모델", index_dir=seeds_index, limit=200, since="2024-07-01", min_votes=10)
    expected = [h.arxiv_id for h in everything if h.date >= "2024-07-01" and (h.votes or 0) >= 10]
    # The same papers; their order may differ, since fusion ranks among the papers that match.
    assert {h.arxiv_id for h in recent} == set(expected) and recent.total == len(expected) > 0
    f = plan_parts.filters(since="2024-07-01", until="2024-07-31")
    assert (f.since, f.until) == (20240701, 20240731)


def test_a_page_deeper_than_the_window_is_still_filled(seeds_index, monkeypatch):
    everything = search("모델", index_dir=seeds_index, limit=100)
    monkeypatch.setattr(query, "DEFAULT", dataclasses.replace(DEFAULT, window=10))
    page = search("모델", index_dir=seeds_index, limit=10, offset=30)
    assert len(page) == 10 and page.total == everything.total > 40
    assert [h.arxiv_id for h in page] == [h.arxiv_id for h in everything[30:40]]


@pytest.fixture(scope="module")
def readings(tmp_path_factory):
    """Kiwi reads 스스로의 as a noun and 스스로 alone as an adverb."""
    papers = [
        ("2407.00001", "Critique", "Ann Example", "모델이 스스로의 답을 검토합니다."),
        ("2407.00002", "Refine", "Ann Example", "모델이 스스로 답을 고치고 스스로 검토합니다."),
        ("2407.00003", "Review", "Ann Example", "사람이 답을 검토합니다."),
    ] + [(f"2407.001{i:02d}", f"Filler {i}", "Ann Example", "음성 합성을 연구합니다.") for i in range(10)]
    return day_index(tmp_path_factory.mktemp("readings"), papers)


def test_a_query_words_pair_counts_in_the_bigram_view_however_kiwi_read_the_paper(readings):
    """Issue 14: the bigram view (content words) holds 스스 only in the paper Kiwi read as a
    noun; the pair still counts, from the literal summary, in the paper that writes 스스로
    twice, which then ranks first."""
    opened = open_index(readings)
    view = opened.arrays
    assert [view.arxiv_id(d) for d in view.postings("grams", "스스")[0]] == ["2407.00001"]

    def ranked(params):
        built = plan.build("스스로 검토", opened.tables(), opened.loanword, params=params, words=opened.word)
        return built, [view.arxiv_id(d) for _, d in ranking.rank(view, built, params, "relevance", 10).top]

    assert ranked(dataclasses.replace(DEFAULT, bigram_written=0.0))[1][:2] == ["2407.00001", "2407.00002"]
    built, ids = ranked(DEFAULT)
    assert ids[:2] == ["2407.00002", "2407.00001"]
    parts = why.contributions(view, built, DEFAULT, 1, set())
    assert [(p.kind, p.term, p.field) for p in parts if p.term == "스스"] == [
        ("bigram", "스스", "lit_summary"), ("literal", "스스", "lit_summary")]
    # The seam pair across two words is not filled in: 성합 of 음성 합성 is any 구성합니다.
    seams = plan.build("음성 합성", opened.tables(), opened.loanword, params=DEFAULT, words=opened.word)
    assert {t[1] for t in ranking._written_grams(view, seams, DEFAULT)} == {"음성", "합성"}


def test_a_query_of_words_read_as_no_content_still_searches_them(readings):
    # 스스로 alone is an adverb to the analysis: no primary term, yet a word the user typed.
    assert [h.arxiv_id for h in search("스스로", index_dir=readings)] == ["2407.00002", "2407.00001"]
    assert [h.arxiv_id for h in search("검토 NOT 스스로", index_dir=readings)] == ["2407.00003"]
    assert search("을", index_dir=readings, correct=False).total == 0
