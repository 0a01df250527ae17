"""The query language end to end (issue 16): exclusions that exclude everything a word matches,
groups, required and excluded words, prefixes, inline filters and arXiv lookups."""

import os
import shutil
from pathlib import Path

import pytest

from search import get_paper, search
from search.index import build_index

WE_MATH = "2407.01284"
CORPUS = Path(os.environ.get("PAPERS_CORPUS") or Path(__file__).resolve().parents[2] / "shared/corpus/daily_papers_ko/paper_logs")


def ids(query, index_dir, **options) -> set[str]:
    return {hit.arxiv_id for hit in search(query, index_dir=index_dir, limit=1000, **options)}


# -- NOT excludes every paper the word would match (issue 16's regressions) -------------------------


@pytest.mark.parametrize("word", ["멀티모달", "벤치마크", "diffusion", "LLM", "멀티 모달", '"강화 학습"', "title:LLM"])
def test_a_word_not_itself_finds_nothing(seeds_index, word):
    hits = search(f"{word} NOT ({word})", index_dir=seeds_index)
    assert hits == [] and hits.total == 0


@pytest.mark.parametrize(
    "query,excluded",
    [("에이전트", "멀티모달"), ("모델", "벤치마크"), ("benchmark", "벤치마크"), ("LLM", "강화 학습"), ("확산", "diffusion")],
)
def test_not_removes_every_paper_the_excluded_word_finds(seeds_index, query, excluded):
    kept = ids(f"{query} NOT ({excluded})", seeds_index)
    assert kept and not kept & ids(excluded, seeds_index)
    assert kept | (ids(query, seeds_index) & ids(excluded, seeds_index)) == ids(query, seeds_index)


def test_minus_is_not_and_plus_is_and(seeds_index):
    assert ids("diffusion -확산", seeds_index) == ids("diffusion NOT 확산", seeds_index)
    # +확산 requires the word; diffusion beside it only ranks (the plain word also finds its
    # alias, diffusion, so it is compared with +확산 alone).
    assert ids("diffusion +확산", seeds_index) == ids("+확산", seeds_index)
    assert ids("+diffusion +확산", seeds_index) == ids("diffusion AND 확산", seeds_index)


def test_an_excluded_phrase_excludes_the_phrase_not_its_words(seeds_index):
    phrase = ids('"Mixture of Experts"', seeds_index)
    kept = ids('experts -"Mixture of Experts"', seeds_index)
    assert phrase and not kept & phrase
    assert kept == ids("experts", seeds_index) - phrase


# -- groups ----------------------------------------------------------------------------------------


def test_a_group_matches_as_a_whole(seeds_index):
    either = ids("diffusion AND 비디오", seeds_index) | ids("확산 AND 비디오", seeds_index)
    assert either and ids("(diffusion OR 확산) AND 비디오", seeds_index) == either
    assert ids("diffusion AND (비디오)", seeds_index) == ids("diffusion AND 비디오", seeds_index)
    assert ids("비디오 NOT (diffusion OR 확산)", seeds_index) == ids("비디오", seeds_index) - ids("diffusion 확산", seeds_index)


def test_group_hits_are_ranked_by_all_their_words(seeds_index):
    hits = search("(diffusion OR 확산) AND 비디오", index_dir=seeds_index)
    assert all(hit.score > 0 for hit in hits)
    assert hits[0].highlights


# -- prefixes and inline filters ---------------------------------------------------------------------


def test_a_prefix_finds_the_words_that_start_with_it(seeds_index):
    assert ids("multimod*", seeds_index) == ids("multimodal", seeds_index) | ids("multimodality", seeds_index)
    hits = search("diffus*", index_dir=seeds_index)
    assert hits.total == len(ids("diffusion", seeds_index) | ids("diffuse", seeds_index) | ids("diffusers", seeds_index))


@pytest.mark.parametrize(
    "query,options",
    [
        ("diffusion votes:>15", {"min_votes": 16}),
        ("diffusion votes:>=16", {"min_votes": 16}),
        ("diffusion date:2024-06", {"since": "2024-06-01", "until": "2024-06-30"}),
        ("diffusion date:2024-04..2024-06", {"since": "2024-04", "until": "2024-06"}),
        ("diffusion date:>=2024-06-12", {"since": "2024-06-12"}),
        ("diffusion year:2024", {"since": "2024"}),
        ('diffusion author:"Ge Zhang"', {"author": "Ge Zhang"}),
    ],
)
def test_inline_filters_select_what_the_options_select(seeds_index, query, options):
    assert ids(query, seeds_index) == ids("diffusion", seeds_index, **options)


def test_votes_below_and_filters_in_groups(seeds_index):
    low = ids("diffusion votes:<5", seeds_index)
    assert low and all(h.votes is None or h.votes < 5 for h in search("diffusion votes:<5", index_dir=seeds_index))
    assert ids("diffusion -votes:<5", seeds_index) == ids("diffusion", seeds_index) - low
    either = ids("diffusion (votes:>30 OR date:2024-02)", seeds_index)
    assert either == ids("diffusion votes:>30", seeds_index) | ids("diffusion date:2024-02", seeds_index)


def test_only_filters_lists_the_papers_they_select_newest_first(seeds_index):
    hits = search("votes:>15", index_dir=seeds_index, limit=100)
    assert hits.total == len(hits) > 0 and all(hit.votes > 15 for hit in hits)
    assert [hit.date for hit in hits] == sorted((hit.date for hit in hits), reverse=True)
    assert ids("votes:>15 -diffusion", seeds_index) == ids("votes:>15", seeds_index) - ids("diffusion", seeds_index)


def test_a_filter_beyond_the_index_says_where_it_ends(seeds_index):
    hits = search("diffusion date:2026-01", index_dir=seeds_index)
    assert hits == [] and "the index covers 2024-02-12 to 2024-07-15" in hits.notice


# -- arXiv IDs and links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [WE_MATH, f"{WE_MATH}v2", f"arXiv:{WE_MATH}", f"https://arxiv.org/abs/{WE_MATH}",
     f"https://huggingface.co/papers/{WE_MATH}"],
)
def test_an_arxiv_id_or_link_finds_that_paper(seeds_index, query):
    hits = search(query, index_dir=seeds_index)
    assert [hit.arxiv_id for hit in hits] == [WE_MATH] and hits.total == 1
    assert get_paper(query, index_dir=seeds_index)["arxiv_id"] == WE_MATH


def test_an_arxiv_id_with_words_comes_first(seeds_index):
    hits = search(f"diffusion {WE_MATH}", index_dir=seeds_index, limit=100)
    assert hits[0].arxiv_id == WE_MATH
    assert {hit.arxiv_id for hit in hits[1:]} == ids("diffusion", seeds_index)
    assert hits.total == len(hits)
    page = search(f"diffusion {WE_MATH}", index_dir=seeds_index, limit=3, offset=1)
    assert [hit.arxiv_id for hit in page] == [hit.arxiv_id for hit in hits[1:4]]


def test_an_arxiv_id_missing_from_the_index_says_so(seeds_index):
    hits = search("2501.12948", index_dir=seeds_index)
    assert hits == []
    assert hits.notice == ("arXiv 2501.12948 is not in the index (it covers 2024-02-12 to 2024-07-15): "
                           "https://arxiv.org/abs/2501.12948")


# -- explanations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,notice",
    [
        ("NOT diffusion", "the query only excludes (NOT or -word) and has nothing to search for"),
        ("-diffusion -확산", "the query only excludes (NOT or -word) and has nothing to search for"),
        ("AND OR", "the query is only operators (AND, OR, NOT)"),
        ("title:에이전트", "titles are in English, so title:에이전트 matches only English words"),
        ("foo:bar diffusion", "foo: is not a field"),
    ],
)
def test_the_notice_explains_the_query(seeds_index, query, notice):
    assert search(query, index_dir=seeds_index).notice.startswith(notice)


def test_a_korean_title_word_is_pointed_to_its_english_word(seeds_index):
    assert search("title:멀티모달", index_dir=seeds_index).notice.endswith("; try title:multimodal")


# -- the real corpus ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_week(tmp_path_factory):
    """Five real day-files around 2024-11-28, where 에이전트 NOT 멀티모달 used to return a paper
    whose summary says 멀티모달 생성 모델 (2411.17188)."""
    days = [CORPUS / "2024" / "11" / f"{d}.md" for d in ("25", "26", "27", "28", "29")]
    if not all(day.is_file() for day in days):
        pytest.skip("the real corpus is not here; set $PAPERS_CORPUS to its paper_logs/ folder")
    source = tmp_path_factory.mktemp("week")
    for day in days:
        shutil.copy(day, source / f"2024-11-{day.stem}.md")
    index_dir = tmp_path_factory.mktemp("week-index")
    build_index([source], index_dir)
    return index_dir


@pytest.mark.parametrize("query,excluded", [("에이전트", "멀티모달"), ("모델", "벤치마크"), ("LLM", "멀티모달")])
def test_real_corpus_not_leaves_no_paper_that_mentions_the_word(real_week, query, excluded):
    hits = search(f"{query} NOT {excluded}", index_dir=real_week, limit=1000)
    assert hits
    for hit in hits:
        paper = get_paper(hit.arxiv_id, index_dir=real_week)
        assert excluded not in paper["summary"] and excluded not in paper["title"]
    assert "2411.17188" not in {hit.arxiv_id for hit in hits}


@pytest.mark.parametrize("word", ["멀티모달", "벤치마크", "에이전트"])
def test_real_corpus_a_word_not_itself_finds_nothing(real_week, word):
    assert search(f"{word} NOT {word}", index_dir=real_week).total == 0


def test_a_named_paper_that_the_words_also_find_is_counted_once(seeds_index):
    diffusion = ids("diffusion", seeds_index)
    named = sorted(diffusion)[-1]
    hits = search(f"diffusion {named}", index_dir=seeds_index, limit=100)
    assert hits[0].arxiv_id == named and hits.total == len(hits) == len(diffusion)


def test_filters_that_cannot_overlap_say_so(seeds_index):
    hits = search("diffusion year:2024 year:2023", index_dir=seeds_index)
    assert hits == [] and hits.notice.startswith("the filters do not overlap, so nothing can match")
    assert ids("diffusion (year:2024 OR year:2023)", seeds_index) == ids("diffusion", seeds_index)
