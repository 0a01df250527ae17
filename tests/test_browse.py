"""Browsing without a query (search.browse) and the result types of the library."""

import json
import math

import pytest

from search import Hit, SearchResults, browse, get_paper, search
from search.errors import QueryError
from search.index import build_index

# -- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,end,expected",
    [
        ("2024-07-01", False, "2024-07-01"),
        ("2024-07-01", True, "2024-07-01"),
        ("2024-06", False, "2024-06-01"),
        ("2024-06", True, "2024-06-30"),
        ("2024-02", True, "2024-02-29"),
        ("2023-02", True, "2023-02-28"),
        ("2025", False, "2025-01-01"),
        ("2025", True, "2025-12-31"),
        ("2024-6", False, "2024-06-01"),
        (" 2024-07 ", False, "2024-07-01"),
        (None, True, None),
    ],
)
def test_a_date_bound_is_a_day_month_or_year(value, end, expected):
    assert browse.date_bound(value, "since", end=end) == expected


@pytest.mark.parametrize("value", ["2024-13", "2024-02-30", "June", "24-06", "", "2024/06", "2024-06-01T00:00"])
def test_a_bad_date_bound_names_the_forms_it_accepts(value):
    with pytest.raises(QueryError, match="^until must be a day like 2024-07-01, a month like 2024-07 or a year"):
        browse.date_bound(value, "until", end=True)


def test_search_until_a_month_includes_its_last_day(seeds_index):
    by_month = search("diffusion", index_dir=seeds_index, until="2024-06", limit=100)
    by_day = search("diffusion", index_dir=seeds_index, until="2024-06-30", limit=100)
    assert [h.arxiv_id for h in by_month] == [h.arxiv_id for h in by_day]
    assert "2024-06-12" in {h.date for h in by_month} and max(h.date for h in by_month) <= "2024-06-30"
    assert [h.arxiv_id for h in search("diffusion", index_dir=seeds_index, since="2024", limit=100)] == [
        h.arxiv_id for h in search("diffusion", index_dir=seeds_index, limit=100)
    ]


def test_search_beyond_the_index_says_where_it_ends(seeds_index):
    hits = search("diffusion", index_dir=seeds_index, since="2025-02")
    assert hits == [] and hits.total == 0
    assert hits.notice == ("the index covers 2024-02-12 to 2024-07-15; nothing is listed from 2025-02-01 on "
                           "(run `papers index` to update it)")
    early = search("diffusion", index_dir=seeds_index, until="2023")
    assert early.notice == "the index covers 2024-02-12 to 2024-07-15; nothing is listed up to 2023-12-31"
    # A range inside the index that matches nothing is not beyond it.
    assert search("diffusion", index_dir=seeds_index, since="2024-05", until="2024-05").notice is None


# -- latest ----------------------------------------------------------------------------------------


def test_latest_orders_by_date_then_votes_and_pages_with_offset(seeds_index):
    listed = browse.latest(seeds_index, limit=100)
    assert listed.total == len(listed) == 81
    keys = [(h.date, h.votes or -1) for h in listed]
    assert keys == sorted(keys, reverse=True)
    assert all(type(h) is Hit and h.score == 0.0 and h.highlights == () and h.snippet for h in listed)
    page = browse.latest(seeds_index, limit=5, offset=10)
    assert list(page) == listed[10:15] and page.total == 81


def test_latest_by_votes_with_a_floor_and_a_window(seeds_index):
    listed = browse.latest(seeds_index, since="2024-07", min_votes=20, sort="votes", limit=100)
    assert [h.votes for h in listed] == sorted((h.votes for h in listed), reverse=True)
    assert all(h.votes >= 20 and h.date >= "2024-07-01" for h in listed)
    everything = browse.latest(seeds_index, limit=100)
    assert {h.arxiv_id for h in listed} == {
        h.arxiv_id for h in everything if h.date >= "2024-07-01" and (h.votes or 0) >= 20
    }


def test_latest_days_count_back_from_the_newest_day_of_the_index(seeds_index):
    assert browse.window(seeds_index, days=1) == ("2024-07-15", None)
    assert browse.window(seeds_index, days=14) == ("2024-07-02", None)
    assert browse.window(seeds_index, days=7, until="2024-06") == ("2024-06-24", "2024-06-30")
    assert {h.date for h in browse.latest(seeds_index, days=14, limit=100)} == {"2024-07-02", "2024-07-15"}


@pytest.mark.parametrize(
    "options,message",
    [
        ({"sort": "relevance"}, "sort must be one of date, votes"),
        ({"limit": 0}, "limit must be a whole number"),
        ({"offset": -1}, "offset must be a whole number"),
        ({"min_votes": -2}, "min_votes must be a whole number"),
        ({"days": 0}, "days must be a whole number"),
        ({"days": 3, "since": "2024"}, "give either days or since, not both"),
        ({"since": "2024-07", "until": "2024-06"}, r"since \(2024-07-01\) is after until \(2024-06-30\)"),
        ({"author": "--"}, "author '--' has no letters"),
    ],
)
def test_latest_rejects_bad_options_with_one_line(seeds_index, options, message):
    with pytest.raises(QueryError, match=message):
        browse.latest(seeds_index, **options)


# -- authors ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def names_index(tmp_path_factory):
    """Four papers by spellings of one name and one by a namesake."""
    root = tmp_path_factory.mktemp("names")
    authors = ["Yifan Zhang, Ann Lee", "Yi-Fan Zhang", "Zhang Yifan, Bo Li", "Yifan Zhang", "Yifan Zhao"]
    entries = "\n".join(
        f"### [Paper {i}](https://arxiv.org/abs/2401.0000{i})\n\nVote: {i}\n\nAuthors: {names}\n\n"
        f"- **What's New**: 방법 {i}을 제안합니다.\n"
        for i, names in enumerate(authors)
    )
    (root / "days").mkdir()
    (root / "days" / "2024-01-02.md").write_text(f"## Daily Papers (2024-01-02)\n\n{entries}", encoding="utf-8")
    build_index([root / "days"], root / "index")
    return root / "index"


def test_authors_finds_every_spelling_of_a_name_with_counts(names_index):
    expected = [("Yifan Zhang", 2), ("Yi-Fan Zhang", 1), ("Zhang Yifan", 1)]
    assert browse.authors("Yifan Zhang", names_index) == expected
    assert browse.authors("zhang yifan", names_index) == expected
    assert browse.authors("Yi Fan Zhang", names_index) == [("Yi-Fan Zhang", 1)]
    assert browse.authors("yifan", names_index, limit=1) == [("Yifan Zhang", 2)]
    assert browse.authors("Nobody", names_index) == []


def test_latest_by_author_matches_any_order_of_the_name(names_index):
    assert [h.arxiv_id for h in browse.latest(names_index, author="Zhang Yifan", sort="votes")] == [
        "2401.00003", "2401.00002", "2401.00001", "2401.00000",
    ]


def test_matching_authors_picks_the_names_a_query_named():
    authors = ("Ann Lee", "Yi-Fan Zhang", "Yifan Zhao", "José Núñez")
    assert browse.matching_authors("yifan zhang", authors) == ["Yi-Fan Zhang"]
    assert browse.matching_authors("Jose Nunez", authors) == ["José Núñez"]
    assert browse.matching_authors("Lee", authors) == ["Ann Lee"]
    assert browse.matching_authors("", authors) == []


# -- citations -------------------------------------------------------------------------------------


def test_bibtex_is_an_arxiv_misc_entry(seeds_index):
    entry = browse.bibtex(get_paper("2407.09025", index_dir=seeds_index))
    assert entry.startswith("@misc{dong2024spreadsheetllm,\n")
    assert "  title = {{SpreadsheetLLM: Encoding Spreadsheets for Large Language Models}},\n" in entry
    assert "  author = {Haoyu Dong and José Cambronero and Mengyu Zhou and " in entry
    assert "  year = {2024},\n  eprint = {2407.09025},\n  archivePrefix = {arXiv},\n" in entry
    assert entry.endswith("  url = {https://arxiv.org/abs/2407.09025},\n}\n")


def test_bibtex_escapes_what_latex_would_read_as_commands():
    paper = {"arxiv_id": "2312.00001", "title": "Q&A at 100% for $5: {x}_1 #1", "authors": ["Ann O'Neil"],
             "date": "2024-01-02", "url": ""}
    entry = browse.bibtex(paper)
    assert r"title = {{Q\&A at 100\% for \$5: \{x\}\_1 \#1}}," in entry
    assert entry.startswith("@misc{oneil2023qa,\n")  # the year of the arXiv ID, not of the listing
    assert "url = {https://arxiv.org/abs/2312.00001}" in entry


# -- the result types ------------------------------------------------------------------------------


def test_hits_are_hashable_and_serialize_to_json(seeds_index):
    hits = search("diffusion", index_dir=seeds_index, limit=5)
    again = search("diffusion", index_dir=seeds_index, limit=5)
    assert set(hits) == set(again) and len(set(hits)) == 5
    assert {hit: hit.arxiv_id for hit in hits}[again[0]] == hits[0].arxiv_id
    for hit in hits:
        data = json.loads(hit.to_json())
        assert data == hit.to_dict()
        assert isinstance(data["authors"], list) and isinstance(data["highlights"], list)
        assert Hit(**{**data, "authors": tuple(data["authors"]),
                      "highlights": tuple(map(tuple, data["highlights"]))}) == hit


def test_slicing_results_keeps_the_total_and_the_hints(seeds_index):
    found = search("diffusion", index_dir=seeds_index, limit=5)
    hits = SearchResults(found, found.total, suggestion="diffusion model", notice="a note")
    first = hits[:2]
    assert isinstance(first, SearchResults)
    assert (first.total, first.suggestion, first.notice) == (found.total, "diffusion model", "a note")
    assert list(first) == list(found)[:2] and found.total > 5
    assert hits[0] == found[0] and type(hits[0]) is Hit


@pytest.mark.parametrize("weight", [-0.01, 1.5, math.nan, math.inf, "0.1", True])
def test_vote_weight_outside_0_to_1_is_rejected(seeds_index, weight):
    with pytest.raises(QueryError, match="^vote_weight must be a number from 0 to 1, not "):
        search("diffusion", index_dir=seeds_index, vote_weight=weight)


@pytest.mark.parametrize("weight", [0, 0.0, 0.5, 1])
def test_vote_weight_inside_0_to_1_is_accepted(seeds_index, weight):
    assert search("diffusion", index_dir=seeds_index, vote_weight=weight)
