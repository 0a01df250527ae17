import dataclasses
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import Hit, get_paper, search
from helpers_updates import SEEDS as SEEDS_DIR
from helpers_updates import Terminal, papers_cmd, wait_until
from search import printing, terminal, update_index
from search.cli import main

DAY = """## Daily Papers ({date})

### [{title}](https://arxiv.org/abs/{arxiv_id})

Vote: {votes}

Authors: Minji Kim, Jae Park

- **What's New**: {summary}
"""

SUMMARY_LINE = re.compile(
    r"index (?:rebuilt|updated|unchanged): (\d+) added, (\d+) updated, (\d+) removed, (\d+) skipped; "
    r"(\d+) papers in (.+) \(\d+\.\ds\)\n"
)


def run(*args, env=None, **kwargs):
    # No COLUMNS: output that is not a terminal is not wrapped, whatever the caller's shell exports.
    env = {"COLUMNS": "", "NO_COLOR": None, "TERM": None, **(env or {})}
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env, **kwargs)


@pytest.fixture
def day_files(tmp_path):
    """Two good day-files and one with a header but no entries."""
    source = tmp_path / "days"
    source.mkdir()
    (source / "2024-07-01.md").write_text(
        DAY.format(date="2024-07-01", title="Tiny Planner: Search with Small Models",
                   arxiv_id="2407.00001", votes=12, summary="작은 모델로 탐색을 흉내 내는 방법을 제안합니다."),
        encoding="utf-8",
    )
    (source / "2024-07-03.md").write_text(
        DAY.format(date="2024-07-03", title="Quiet Critic: Reward Models for Search",
                   arxiv_id="2407.00003", votes=3, summary="보상 모델로 탐색 결과를 평가합니다."),
        encoding="utf-8",
    )
    (source / "2024-07-02.md").write_text("## Daily Papers (2024-07-02)\n\nno entries here\n", encoding="utf-8")
    return source


# -- search ------------------------------------------------------------------------------------


def test_search_prints_ranked_results_with_snippets(seeds_index):
    result = run("search", "멀티모달 벤치마크", "-n", "2", "--index-dir", str(seeds_index))
    assert result.stdout == (
        " 1. MMEvalPro: Calibrating Multimodal Benchmarks Towards Trustworthy and Efficient Evaluation\n"
        "    2407.00468  2024-07-02  votes 30  https://arxiv.org/abs/2407.00468\n"
        "    Yichi Zhang, Haozhe Zhao, Bohan Wu, Wei Ju … (16 authors)\n"
        "    논문에서는 주로 MMMU, ScienceQA 및 MathVista라는 세 가지 유명한 멀티모달 벤치마크를 분석했습니다.\n"
        # 멀티모달 also brings in multimodal, a loanword the seeds show in both spellings; a paper
        # matching both words through any of their forms ranks high (coordination, issue 14).
        " 2. We-Math: Does Your Large Multimodal Model Achieve Human-like Mathematical Reasoning?\n"
        "    2407.01284  2024-07-02  votes 56  https://arxiv.org/abs/2407.01284\n"
        "    Yifan Zhang, Muxi Diao, Runfeng Qiao, Xiao Zong … (18 authors)\n"
        "    트랜스포머(Transformers) 및 대형 언어 모델(LLMs)과 대형 다중 모달 모델(LMMs)이 사람 수준의 "
        "추론 능력을 보여주며, 알고리즘이 수학추론 과제에 있어 인간과 유사한 성과를 보이고 있습니다.\n"
    )
    found = search("멀티모달 벤치마크", index_dir=seeds_index, limit=1000)
    assert 0 < found.complete < len(found) == found.total
    assert result.stderr == f"2 of {found.total} matching papers; {found.complete} match the whole query\n"
    assert "\x1b[" not in result.output and "score" not in result.output and "**" not in result.output


def test_search_words_need_no_quotes(seeds_index):
    unquoted = run("search", "multimodal", "benchmark", "--json", "--index-dir", str(seeds_index))
    quoted = run("search", "multimodal benchmark", "--json", "--index-dir", str(seeds_index))
    assert unquoted.exit_code == 0
    assert json.loads(unquoted.stdout) == json.loads(quoted.stdout)
    assert json.loads(unquoted.stdout)["query"] == "multimodal benchmark"


def test_search_wraps_to_the_terminal_width_counting_hangul_as_two_columns(seeds_index):
    result = run("search", "멀티모달 벤치마크", "-n", "1", "--index-dir", str(seeds_index), env={"COLUMNS": "40"})
    assert result.stdout == (
        " 1. MMEvalPro: Calibrating Multimodal\n"
        "    Benchmarks Towards Trustworthy and\n"
        "    Efficient Evaluation\n"
        "    2407.00468  2024-07-02  votes 30\n"
        "    https://arxiv.org/abs/2407.00468\n"
        "    Yichi Zhang, Haozhe Zhao, Bohan Wu,\n"
        "    Wei Ju … (16 authors)\n"
        "    논문에서는 주로 MMMU, ScienceQA 및\n"
        "    MathVista라는 세 가지 유명한\n"
        "    멀티모달 벤치마크를 분석했습니다.\n"
    )
    assert all(text_width(line) <= 40 for line in result.stdout.splitlines())


def text_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_color_always_marks_adjacent_matches_as_one_and_never_marks_nothing(seeds_index):
    args = ["search", "멀티모달 벤치마크", "-n", "1", "--index-dir", str(seeds_index)]
    colored = run(*args, "--color", "always", env={"NO_COLOR": "1"}).stdout  # an explicit choice wins
    assert colored.startswith(" 1. \x1b[1mMMEvalPro: Calibrating Multimodal Benchmarks")
    assert "유명한 \x1b[1;33m멀티모달 벤치마크\x1b[0m를 분석했습니다." in colored
    assert "\x1b[" not in run(*args, "--color", "never").stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == run(*args).stdout


@pytest.mark.parametrize(
    "choice,tty,env,expected",
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # https://no-color.org: only a non-empty value counts
        ("auto", True, {"TERM": "dumb"}, False),
        ("always", False, {"NO_COLOR": "1", "TERM": "dumb"}, True),
        ("never", True, {}, False),
    ],
)
def test_colour_follows_the_option_the_terminal_and_the_environment(monkeypatch, choice, tty, env, expected):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert terminal.use_color(choice, tty) is expected


def test_search_shows_the_matched_author_beyond_the_first_four(seeds_index):
    result = run("search", "speech", "--author", "Yifan Peng", "--index-dir", str(seeds_index))
    assert result.stdout.splitlines()[2] == (
        "    Xinjian Li, Jinchuan Tian, Karen Livescu, Shinji Watanabe … Yifan Peng (9th of 10 authors)"
    )
    inline = run("search", 'author:"Yifan Peng"', "--index-dir", str(seeds_index))
    assert inline.stdout.splitlines()[2].endswith(" … Yifan Peng (9th of 10 authors)")


def test_search_json_is_an_object_with_the_query_totals_and_hits(seeds_index):
    result = run("search", "멀티모달 벤치마크", "--json", "-n", "3", "--index-dir", str(seeds_index))
    printed = json.loads(result.stdout)
    assert list(printed) == ["query", "total", "complete", "corrected", "suggestion", "notice", "hits"]
    expected = search("멀티모달 벤치마크", index_dir=seeds_index, limit=3)
    assert printed["query"] == "멀티모달 벤치마크"
    assert (printed["total"], printed["complete"], printed["suggestion"], printed["notice"], printed["corrected"]) == (
        expected.total, expected.complete, None, None, None)
    assert all(list(hit) == [f.name for f in dataclasses.fields(Hit)] for hit in printed["hits"])
    assert printed["hits"] == [hit.to_dict() for hit in expected]
    first = printed["hits"][0]
    assert first["arxiv_id"] == "2407.00468"
    # Plain text with offsets, no markup: the highlighted words are slices of the snippet.
    assert "**" not in first["snippet"]
    assert [first["snippet"][a:b] for a, b in first["highlights"]] == ["멀티모달", "벤치마크"]
    assert result.stderr == ""


def test_search_jsonl_prints_one_hit_per_line(seeds_index):
    result = run("search", "multimodal benchmark", "--jsonl", "-n", "3", "--index-dir", str(seeds_index))
    lines = result.stdout.splitlines()
    expected = search("multimodal benchmark", index_dir=seeds_index, limit=3)
    assert [json.loads(line) for line in lines] == [hit.to_dict() for hit in expected]
    assert lines == [hit.to_json() for hit in expected]


def test_search_offset_pages_through_one_ranking(seeds_index):
    first = run("search", "diffusion", "-n", "4", "--json", "--index-dir", str(seeds_index))
    second = run("search", "diffusion", "-n", "2", "--offset", "2", "--index-dir", str(seeds_index))
    titles = [hit["title"] for hit in json.loads(first.stdout)["hits"]]
    assert second.stdout.startswith(f" 3. {titles[2]}\n")
    assert f"\n 4. {titles[3]}\n" in second.stdout
    total = json.loads(first.stdout)["total"]
    assert second.stderr == f"results 3-4 of {total} matching papers\n"


def test_search_corrects_an_unknown_word_and_says_how_to_search_it_as_typed(seeds_index):
    result = run("search", "diffusin", "-n", "1", "--index-dir", str(seeds_index))
    assert result.stdout.startswith(" 1. ")
    assert "Diffusion" in result.stdout.splitlines()[0]
    total = search("diffusion", index_dir=seeds_index).total
    assert result.stderr == (
        f"1 of {total} matching papers\n"
        'Showing results for "diffusion"; search instead for "diffusin": papers search --exact diffusin\n'
    )


def test_search_exact_searches_as_typed_and_suggests_a_spelling(seeds_index):
    result = run("search", "diffusin", "--exact", "--index-dir", str(seeds_index))
    assert result.stdout == ""
    assert result.stderr == 'No results.\nDid you mean: papers search "diffusion"\n'


def test_search_json_says_what_was_searched_instead(seeds_index):
    printed = json.loads(run("search", "ajfxlahekf", "--json", "--index-dir", str(seeds_index)).stdout)
    assert (printed["query"], printed["corrected"]) == ("ajfxlahekf", "멀티모달")
    assert printed["hits"][0]["arxiv_id"] == "2407.00468"


def test_search_uses_the_index_dir_from_the_environment(seeds_index, monkeypatch):
    monkeypatch.setenv("PAPERS_INDEX_DIR", str(seeds_index))
    result = run("search", "GPT-4o", "--json", "-n", "2")
    assert {hit["arxiv_id"] for hit in json.loads(result.stdout)["hits"]} == {"2407.01284", "2407.01231"}


# -- show, stats, aliases ----------------------------------------------------------------------


def test_show_prints_the_paper_with_its_section_labels(seeds_index):
    result = run("show", "2407.00468", "--index-dir", str(seeds_index))
    paper = get_paper("2407.00468", index_dir=seeds_index)
    assert [s["label"] for s in paper["sections"]] == ["What's New", "Technical Details", "Performance Highlights"]
    assert result.stdout == (
        "MMEvalPro: Calibrating Multimodal Benchmarks Towards Trustworthy and Efficient Evaluation\n"
        "2407.00468  2024-07-02  votes 30  https://arxiv.org/abs/2407.00468\n"
        + terminal.long_authors(paper["authors"]) + "\n"
        + "".join(f"\n{s['label']}\n{s['text']}\n" for s in paper["sections"])
    )
    assert "\n".join(s["text"] for s in paper["sections"]) == paper["summary"]
    assert result.stderr == ""


def test_show_finds_a_paper_by_its_link(seeds_index):
    by_id = run("show", "2407.00468", "--index-dir", str(seeds_index)).stdout
    for link in ("https://arxiv.org/abs/2407.00468v2", "https://huggingface.co/papers/2407.00468", "arXiv:2407.00468"):
        assert run("show", link, "--index-dir", str(seeds_index)).stdout == by_id


def test_show_shortens_a_long_author_list_with_a_count():
    names = [f"Author{n} Name" for n in range(200)]
    assert terminal.long_authors(names) == ", ".join(names[:12]) + " … and 188 more (200 authors)"
    assert terminal.long_authors(names[:14]) == ", ".join(names[:14])


def test_show_without_its_day_file_prints_the_summary_unlabelled(seeds_index, tmp_path):
    import shutil

    from search.index import build_index
    source = tmp_path / "days"
    shutil.copytree(Path(__file__).resolve().parents[1] / "seeds", source)
    index_dir = tmp_path / "idx"
    build_index([source], index_dir)
    shutil.rmtree(source)
    paper = get_paper("2407.00468", index_dir=index_dir)
    assert paper["sections"] == [{"label": "", "text": paper["summary"]}]


def test_show_json_prints_everything_stored_and_a_citation(seeds_index):
    result = run("show", "2407.00468", "--json", "--index-dir", str(seeds_index))
    printed = json.loads(result.stdout)
    assert printed.pop("bibtex") == run("show", "2407.00468", "--bibtex", "--index-dir", str(seeds_index)).stdout
    assert printed == get_paper("2407.00468", index_dir=seeds_index)
    assert set(printed) == {"arxiv_id", "title", "url", "authors", "votes", "date", "summary", "sources", "sections"}


def test_show_bibtex_prints_an_entry_to_paste(seeds_index):
    result = run("show", "2407.00468", "--bibtex", "--index-dir", str(seeds_index))
    assert result.stdout == (
        "@misc{zhang2024mmevalpro,\n"
        "  title = {{MMEvalPro: Calibrating Multimodal Benchmarks Towards Trustworthy and Efficient Evaluation}},\n"
        "  author = {Yichi Zhang and Haozhe Zhao and Bohan Wu and Wei Ju and Fu Zeng and Tianyu Liu and "
        "Jinsheng Huang and Baobao Chang and Ming Zhang and Zhihui Guo and Luchen Liu and Jingyang Yuan and "
        "Liang Chen and Yusheng Zhao and Taian Guo and Ye Yuan},\n"
        "  year = {2024},\n"
        "  eprint = {2407.00468},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2407.00468},\n"
        "}\n"
    )


# -- browsing: latest, search with only filters, authors -----------------------------------------


def test_latest_lists_the_newest_day_of_the_index_by_votes(seeds_index):
    result = run("latest", "--days", "1", "-n", "2", "--sort", "votes", "--index-dir", str(seeds_index))
    assert result.stdout == (
        " 1. SpreadsheetLLM: Encoding Spreadsheets for Large Language Models\n"
        "    2407.09025  2024-07-15  votes 60  https://arxiv.org/abs/2407.09025\n"
        "    Haoyu Dong, José Cambronero, Mengyu Zhou, Jianbo Zhao … (11 authors)\n"
        "    새로운 프레임워크 SpreadsheetLLM을 소개합니다.\n"
        " 2. Human-like Episodic Memory for Infinite Context LLMs\n"
        "    2407.09450  2024-07-15  votes 34  https://arxiv.org/abs/2407.09450\n"
        "    Martin A Benfeghoul, Adnan Oomerjee, Fenia Christopoulou, Haitham Bou-Ammar … (7 authors)\n"
        "    본 논문에서는 기존의 Transformer 기반의 대규모 언어 모델(LLM)이 긴 문맥을 처리하는 데 있어 "
        "겪는 한계점들을 극복하기 위해 새로운 아키텍처 EM-LLM을 제안했습니다.\n"
    )
    assert result.stderr == "2 of 16 papers listed 2024-07-15 to 2024-07-15\n"


def test_latest_by_default_lists_the_last_week_of_the_index_newest_first(seeds_index):
    printed = json.loads(run("latest", "--json", "-n", "100", "--index-dir", str(seeds_index)).stdout)
    # The seeds' last week (2024-07-09..15) holds one day-file of 16 papers.
    assert printed["total"] == 16 and {hit["date"] for hit in printed["hits"]} == {"2024-07-15"}
    assert printed["query"] is None and all(hit["score"] == 0.0 for hit in printed["hits"])
    week = json.loads(run("latest", "--days", "14", "--json", "-n", "100", "--index-dir", str(seeds_index)).stdout)
    dates = [hit["date"] for hit in week["hits"]]
    assert week["total"] == 42 and dates == sorted(dates, reverse=True) and dates[-1] == "2024-07-02"


def test_months_and_years_are_accepted_as_dates(seeds_index):
    def listed(*args):
        return json.loads(run("latest", *args, "--json", "-n", "100", "--index-dir", str(seeds_index)).stdout)

    june = listed("--since", "2024-06", "--until", "2024-06")
    assert june["total"] == 16 and {hit["date"] for hit in june["hits"]} == {"2024-06-12"}
    assert listed("--since", "2024")["total"] == 81
    assert listed("--until", "2024-04")["total"] == 23  # the end of April: 2024-02-12 and 2024-04-03


def test_a_range_beyond_the_index_says_where_the_index_ends(seeds_index):
    result = run("latest", "--since", "2025", "--index-dir", str(seeds_index))
    assert result.stdout == ""
    assert result.stderr == (
        "No results.\n"
        "note: the index covers 2024-02-12 to 2024-07-15; nothing is listed from 2025-01-01 on "
        "(run `papers index` to update it)\n"
    )
    searched = run("search", "diffusion", "--since", "2025-03", "--index-dir", str(seeds_index))
    assert "note: the index covers 2024-02-12 to 2024-07-15; nothing is listed from 2025-03-01 on" in searched.stderr


def test_search_with_only_filters_lists_the_papers_they_select(seeds_index):
    result = run("search", "--min-votes", "50", "--json", "--index-dir", str(seeds_index))
    printed = json.loads(result.stdout)
    assert printed["query"] is None
    assert [(hit["date"], hit["votes"] >= 50) for hit in printed["hits"]] == [
        (hit["date"], True) for hit in printed["hits"]
    ]
    assert printed["total"] == len(printed["hits"]) == 3
    by_author = run("search", "--author", "Yifan Peng", "--index-dir", str(seeds_index))
    assert by_author.stdout.startswith(" 1. Towards Robust Speech Representation Learning")
    assert by_author.stderr == "1 of 1 papers\n"


def test_authors_lists_the_matching_names_with_paper_counts(seeds_index):
    result = run("authors", "zhang", "-n", "3", "--index-dir", str(seeds_index))
    assert result.stdout == "    2  Ge Zhang\n    1  Ceyao Zhang\n    1  Di Zhang\n"
    assert result.stderr == "3 of 29 names; more with --limit 29\n"
    # Any order of the words, without quotes.
    assert run("authors", "Peng", "Yifan", "--index-dir", str(seeds_index)).stdout == "    1  Yifan Peng\n"
    printed = json.loads(run("authors", "Yifan Peng", "--json", "--index-dir", str(seeds_index)).stdout)
    assert printed == [{"name": "Yifan Peng", "papers": 1}]
    missing = run("authors", "Nobody Atall", "--index-dir", str(seeds_index))
    assert (missing.stdout, missing.stderr) == ("", "no author matches 'Nobody Atall'\n")



def test_stats_json_counts_the_seed_papers(seeds_index):
    result = run("stats", "--json", "--index-dir", str(seeds_index))
    stats = json.loads(result.stdout)
    assert stats["papers"] == 81
    assert stats["days"] == 5
    assert (stats["first_date"], stats["last_date"]) == ("2024-02-12", "2024-07-15")
    assert stats["index_dir"] == str(seeds_index)


def test_aliases_lists_the_korean_names_of_an_english_term(seeds_index):
    result = run("aliases", "LLM", "--index-dir", str(seeds_index))
    assert result.stdout == (
        "언어 모델\t(ko, 26 documents, confidence 1.00)\n"
        # 규모 언어 모델 (of 대규모 언어 모델) is a cut piece, not a gloss (issue 14).
        "대형 언어 모델\t(ko, 11 documents, confidence 0.42)\n"
    )


@pytest.mark.parametrize("word", ["언어모델", "언어 모델"])
def test_aliases_lists_the_english_name_of_a_korean_compound(seeds_index, word):
    result = run("aliases", word, "--index-dir", str(seeds_index))
    assert result.stdout == "llm\t(en, 26 documents, confidence 0.93)\n"


def test_aliases_lists_the_english_word_a_hangul_loanword_spells(seeds_index):
    result = run("aliases", "멀티모달", "--index-dir", str(seeds_index))
    assert result.stdout.endswith(
        "multimodal\t(en, loanword: sounds alike 1.00, 2 papers with both words, 4 with multimodal)\n"
    )
    printed = json.loads(run("aliases", "멀티모달", "--json", "--index-dir", str(seeds_index)).stdout)
    assert printed[-1] == {"alias": "multimodal", "language": "en", "match": "sound", "similarity": 1.0,
                           "both": 2, "korean_papers": 3, "english_papers": 4}


def test_aliases_shows_every_spelling_of_a_pooled_alias(tmp_path):
    from helpers_index import day_index

    glosses = ["위치 편향(position bias)", "위치 편향(position bias)", "위치 인코딩(positional encoding)",
               "위치 인코딩(positional encoding)"]
    ix = day_index(tmp_path, [(f"2407.0000{i}", f"Paper {i}", "A. Author", f"이 논문은 {g}을 분석합니다.")
                              for i, g in enumerate(glosses)])
    result = run("aliases", "위치", "--index-dir", str(ix))
    assert result.stdout == "position / positional\t(en, 4 documents, confidence 1.00)\n"
    printed = json.loads(run("aliases", "위치", "--json", "--index-dir", str(ix)).stdout)
    assert printed[0]["spellings"] == ["position", "positional"]


def test_aliases_of_an_unknown_word_says_none_were_learned(seeds_index):
    result = run("aliases", "zzqx", "--index-dir", str(seeds_index))
    assert result.stdout == ""
    assert result.stderr == "no aliases learned for 'zzqx'\n"


# -- index -------------------------------------------------------------------------------------


def test_index_reports_a_bad_day_file_and_indexes_the_rest(day_files, tmp_path):
    index_dir = tmp_path / "ix"
    result = run("index", "--source", str(day_files), "--index-dir", str(index_dir))
    assert result.stderr == (
        f"skipped {day_files / '2024-07-02.md'}: no paper entries ('### [title](https://arxiv.org/abs/...)')\n"
    )
    summary = SUMMARY_LINE.fullmatch(result.stdout)
    assert summary is not None, result.stdout
    assert summary.groups() == ("2", "0", "0", "1", "2", str(index_dir))
    assert {hit.arxiv_id for hit in search("탐색", index_dir=index_dir)} == {"2407.00001", "2407.00003"}


def test_a_long_build_off_a_terminal_reports_progress_and_its_phases(day_files, tmp_path, monkeypatch):
    # Every few seconds in real use; at every paper here, so that a two-paper build is "long".
    monkeypatch.setattr(printing, "PROGRESS_EVERY", 0.0)
    result = run("index", "--source", str(day_files), "--index-dir", str(tmp_path / "ix"))
    assert result.exit_code == 0
    assert result.stderr.splitlines()[:5] == [
        "indexing: 1/2 papers (50%)",
        "indexing: 2/2 papers (100%)",
        "writing the index…",
        "writing the lexicon and word sounds…",
        f"skipped {day_files / '2024-07-02.md'}: no paper entries ('### [title](https://arxiv.org/abs/...)')",
    ]


def test_on_a_terminal_the_bar_is_followed_by_the_named_write_phases(tmp_path):
    terminal_ = Terminal()
    writer = papers_cmd("index", "--source", str(SEEDS_DIR), "--index-dir", str(tmp_path / "ix"),
                        stderr=terminal_.slave)
    terminal_.start()
    assert writer.wait(timeout=120) == 0
    wait_until(lambda: "writing the lexicon" in terminal_.text, timeout=10, what="the last phase")
    drawn = terminal_.text.replace("\r", "\n")
    assert re.search(r"indexing +\[#+\] +100%", drawn)
    after = drawn[drawn.index("100%"):]
    assert after.index("writing the index…") < after.index("writing the lexicon and word sounds…")


def test_index_progress_names_every_phase(day_files, tmp_path):
    calls = []
    update_index(tmp_path / "ix", sources=[day_files], progress=lambda *args: calls.append(args))
    assert calls == [(1, 2, "adding"), (2, 2, "adding"), (2, 2, "committing"), (2, 2, "finishing")]


def test_index_again_without_changes_is_unchanged(day_files, tmp_path):
    index_dir = tmp_path / "ix"
    run("index", "--source", str(day_files), "--index-dir", str(index_dir))
    result = run("index", "--index-dir", str(index_dir))
    assert result.stdout.startswith("index unchanged: 0 added, 0 updated, 0 removed, 1 skipped; 2 papers in ")
    assert SUMMARY_LINE.fullmatch(result.stdout)


# -- help and errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"papers {command}" in result.stdout


def test_main_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    for command in main.commands:
        assert f"  {command} " in result.stdout


def test_python_dash_m_search_shows_help():
    done = subprocess.run([sys.executable, "-m", "search", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: python -m search [OPTIONS] COMMAND [ARGS]...\n")
    assert done.stderr == ""


MISSING = "{missing}"
SEEDS = "{seeds}"


@pytest.mark.parametrize(
    "args,expected_error",
    [
        pytest.param(["show", "2407.00468", "--index-dir", MISSING],
                     "Error: no index at {missing}; run `papers index --index-dir {missing} --source DIR`\n", id="show-no-index"),
        pytest.param(["stats", "--index-dir", MISSING],
                     "Error: no index at {missing}; run `papers index --index-dir {missing} --source DIR`\n", id="stats-no-index"),
        pytest.param(["aliases", "LLM", "--index-dir", MISSING],
                     "Error: no index at {missing}; run `papers index --index-dir {missing} --source DIR`\n", id="aliases-no-index"),
        pytest.param(["show", "9999.99999", "--index-dir", SEEDS],
                     "Error: no paper '9999.99999' in the index at {seeds}\n", id="unknown-paper"),
        pytest.param(["search", "diffusion", "--since", "2024-13-01", "--index-dir", SEEDS],
                     "Error: since must be a day like 2024-07-01, a month like 2024-07 or a year like 2024, "
                     "not '2024-13-01'\n", id="bad-since"),
        pytest.param(["latest", "--until", "June", "--index-dir", SEEDS],
                     "Error: until must be a day like 2024-07-01, a month like 2024-07 or a year like 2024, "
                     "not 'June'\n", id="bad-until"),
        pytest.param(["latest", "--days", "3", "--since", "2024-06", "--index-dir", SEEDS],
                     "Error: give either days or since, not both\n", id="days-and-since"),
        pytest.param(["authors", "--index-dir", SEEDS, "--", "-"],
                     "Error: author '-' has no letters to match\n", id="author-without-letters"),
        pytest.param(["search", "diffusion", "--since", "2024-07-01", "--until", "2024-06-01", "--index-dir", SEEDS],
                     "Error: since (2024-07-01) is after until (2024-06-01); nothing can match\n",
                     id="since-after-until"),
        pytest.param(["search", "", "--index-dir", SEEDS],
                     "Error: the query is empty; give some words to search for\n", id="empty-query"),
        pytest.param(["index", "--source", "{missing}/days", "--index-dir", MISSING],
                     "Error: {missing}/days does not exist; check the path\n", id="missing-source"),
    ],
)
def test_error_is_one_line_naming_the_fix(seeds_index, tmp_path, args, expected_error):
    where = {"missing": str(tmp_path / "nowhere"), "seeds": str(seeds_index)}
    result = run(*[arg.format(**where) for arg in args])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == expected_error.format(**where)
    assert not (tmp_path / "nowhere" / "CURRENT").exists()


@pytest.mark.parametrize(
    "args,option",
    [
        (["search", "x", "--limit", "0"], "'--limit' / '-n'"),
        (["search", "x", "--sort", "x"], "'--sort'"),
        (["search", "x", "--min-votes", "-1"], "'--min-votes'"),
    ],
)
def test_bad_option_value_is_a_usage_error_naming_the_option(args, option):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(f"Error: Invalid value for {option}: ")


@pytest.mark.parametrize(
    "args,error,code",
    [
        (["search", "diffusion", "--since", "2024-13"],
         {"error": "since must be a day like 2024-07-01, a month like 2024-07 or a year like 2024, not '2024-13'",
          "type": "QueryError"}, 1),
        (["search", "", "--jsonl"], {"error": "the query is empty; give some words to search for",
                                     "type": "QueryError"}, 1),
        (["search", "x", "--limit", "0"],
         {"error": "Invalid value for '--limit' / '-n': 0 is not in the range x>=1.", "type": "UsageError"}, 2),
        (["show", "9999.99999"], {"error": "no paper '9999.99999' in the index at {seeds}", "type": "NotFoundError"}, 1),
    ],
)
def test_errors_under_json_are_json_on_stderr(seeds_index, args, error, code):
    result = run(*args, *([] if "--jsonl" in args else ["--json"]), "--index-dir", str(seeds_index))
    assert result.exit_code == code
    assert result.stdout == ""
    assert json.loads(result.stderr) == {k: v.format(seeds=seeds_index) for k, v in error.items()}


def test_search_with_a_non_utf8_argument_does_not_crash(seeds_index):
    # Python decodes a non-UTF-8 byte in argv to a lone surrogate.
    result = run("search", "\udcff", "--index-dir", str(seeds_index))
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output


# -- the query language at the terminal ----------------------------------------------------------


def test_what_the_grammar_does_not_know_is_noted_once_on_stderr(seeds_index):
    result = run("search", "foo:bar", "diffusion", "(video", "--index-dir", str(seeds_index))
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == ["note: foo: is not a field (title, author, votes, date, year); foo:bar was searched as text; "
                     "a '(' without its ')' runs to the end of the query"]
    assert result.stdout.startswith(" 1. ")


def test_only_exclusions_are_explained_not_listed(seeds_index):
    result = run("search", "NOT", "diffusion", "--index-dir", str(seeds_index))
    assert result.exit_code == 0 and result.stdout == ""
    assert "note: the query only excludes (NOT or -word) and has nothing to search for" in result.stderr


def test_an_arxiv_link_is_looked_up(seeds_index):
    result = run("search", "https://huggingface.co/papers/2407.00468", "--json", "--index-dir", str(seeds_index))
    printed = json.loads(result.stdout)
    assert [hit["arxiv_id"] for hit in printed["hits"]] == ["2407.00468"] and printed["total"] == 1


def test_inline_filters_alone_list_papers_newest_first(seeds_index):
    result = run("search", "votes:>50", "--jsonl", "--index-dir", str(seeds_index))
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert hits and all(hit["votes"] > 50 for hit in hits)
    assert [hit["date"] for hit in hits] == sorted((hit["date"] for hit in hits), reverse=True)


def test_explain_shows_the_parse_and_what_scored_per_hit(seeds_index):
    # The phrase: 확산 alone also finds its alias diffusion, and -확산 would exclude every hit.
    result = run("search", "diffusion", '-"확산"', "--explain", "-n", "2", "--index-dir", str(seeds_index))
    assert 'parsed as: diffusion -"확산"\n' in result.stderr
    why = [line for line in result.stdout.splitlines() if line.startswith("    why: ")]
    assert len(why) == 2 and all("diffusion" in line and "(title" in line or "(summary" in line for line in why)


def test_explain_in_json_lists_each_contribution(seeds_index):
    printed = json.loads(run("search", "멀티모달 벤치마크", "--explain", "--json", "-n", "1",
                             "--index-dir", str(seeds_index)).stdout)
    assert printed["parsed"] == "'멀티모달 벤치마크'"
    parts = printed["hits"][0]["explain"]
    assert {part["kind"] for part in parts} >= {"word", "bigram", "literal"}
    assert all(set(part) == {"kind", "term", "field", "score"} and part["score"] > 0 for part in parts)


def test_stats_prints_sizes_for_people(seeds_index):
    result = run("stats", "--index-dir", str(seeds_index))
    assert re.search(r"^     index_size: \d+\.\d (kB|MB)$", result.stdout, re.M)
    assert "        skipped: 0 day-files at the last update\n" in result.stdout


def test_stats_lists_the_day_files_skipped_at_the_last_update(day_files, tmp_path):
    run("index", "--source", str(day_files), "--index-dir", str(tmp_path / "idx"))
    result = run("stats", "--index-dir", str(tmp_path / "idx"))
    assert "        skipped: 1 day-files at the last update:\n" in result.stdout
    assert "2024-07-02.md" in result.stdout.split("skipped:")[1]


@pytest.mark.parametrize("size,text", [(0, "0 bytes"), (999, "999 bytes"), (43_600_000, "43.6 MB"), (1_234, "1.2 kB"),
                                       (5_000_000_000, "5.0 GB")])
def test_human_sizes(size, text):
    assert terminal.human_size(size) == text


def test_unquoted_minus_word_is_an_exclusion_not_an_option(seeds_index):
    quoted = run("search", "diffusion -확산", "--json", "--index-dir", str(seeds_index)).stdout
    assert run("search", "diffusion", "-확산", "--json", "--index-dir", str(seeds_index)).stdout == quoted
    assert json.loads(quoted)["total"] == len(search("diffusion NOT 확산", index_dir=seeds_index, limit=100))


def test_a_mistyped_long_option_is_still_an_error(seeds_index):
    result = run("search", "diffusion", "--limt", "3", "--index-dir", str(seeds_index))
    assert result.exit_code == 2 and "No such option '--limt'" in result.stderr
