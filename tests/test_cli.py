import dataclasses
import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from search import Hit, get_paper, search
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


def run(*args, **kwargs):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def without_scores(text: str) -> str:
    return re.sub(r"score \d+\.\d{4}", "score <n>", text)


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
    assert without_scores(result.stdout) == (
        " 1. MMEvalPro: Calibrating Multimodal Benchmarks Towards Trustworthy and Efficient Evaluation\n"
        "    2407.00468  2024-07-02  votes 30  score <n>  https://arxiv.org/abs/2407.00468\n"
        "    Yichi Zhang, Haozhe Zhao, Bohan Wu, Wei Ju …\n"
        "    논문에서는 주로 MMMU, ScienceQA 및 MathVista라는 세 가지 유명한 **멀티모달** **벤치마크**를 분석했습니다.\n"
        # 멀티모달 also brings in multimodal, a loanword the seeds show in both spellings.
        " 2. LLaVA-Gemma: Accelerating Multimodal Foundation Models with a Compact Language Model\n"
        "    2404.01331  2024-04-03  votes 17  score <n>  https://arxiv.org/abs/2404.01331\n"
        "    Matthew L. Olson, Shao-Yen Tseng, David Cobbley, Musashi Hinck …\n"
        "    LLaVA 프레임워크를 사용하여 대규모 언어 모델(Large Language Models, LLMS)인 Gemma 패밀리와 함께 "
        "다양한 **멀티모달** 파운데이션 모델(MMFM)을 훈련하였습니다.\n"
    )
    matching = len(search("멀티모달 벤치마크", index_dir=seeds_index, limit=1000))
    assert result.stderr == f"2 of {matching} matching papers\n"
    assert "\x1b[" not in result.output


def test_search_json_prints_the_hits_with_exactly_the_hit_fields(seeds_index):
    result = run("search", "multimodal benchmark", "--json", "-n", "3", "--index-dir", str(seeds_index))
    printed = json.loads(result.stdout)
    assert isinstance(printed, list) and len(printed) == 3
    assert all(list(hit) == [f.name for f in dataclasses.fields(Hit)] for hit in printed)
    expected = search("multimodal benchmark", index_dir=seeds_index, limit=3)
    assert printed == [hit.to_dict() for hit in expected]
    assert printed[0]["arxiv_id"] == "2407.00468"


def test_search_without_results_says_so_and_suggests_a_spelling(seeds_index):
    result = run("search", "diffusin", "--index-dir", str(seeds_index))
    assert result.stdout == ""
    assert result.stderr == 'No results.\nDid you mean: papers search "diffusion"\n'


def test_search_uses_the_index_dir_from_the_environment(seeds_index, monkeypatch):
    monkeypatch.setenv("PAPERS_INDEX_DIR", str(seeds_index))
    result = run("search", "GPT-4o", "--json", "-n", "2")
    assert {hit["arxiv_id"] for hit in json.loads(result.stdout)} == {"2407.01284", "2407.01231"}


# -- show, stats, aliases ----------------------------------------------------------------------


def test_show_prints_the_paper(seeds_index):
    result = run("show", "2407.00468", "--index-dir", str(seeds_index))
    paper = get_paper("2407.00468", index_dir=seeds_index)
    assert result.stdout == (
        "MMEvalPro: Calibrating Multimodal Benchmarks Towards Trustworthy and Efficient Evaluation\n"
        "2407.00468  2024-07-02  votes 30  https://arxiv.org/abs/2407.00468\n"
        + ", ".join(paper["authors"]) + "\n"
        "\n"
        + paper["summary"] + "\n"
    )
    assert result.stderr == ""


def test_show_json_prints_everything_stored(seeds_index):
    result = run("show", "2407.00468", "--json", "--index-dir", str(seeds_index))
    printed = json.loads(result.stdout)
    assert printed == get_paper("2407.00468", index_dir=seeds_index)
    assert set(printed) == {"arxiv_id", "title", "url", "authors", "votes", "date", "summary", "sources"}


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
        "규모 언어 모델\t(ko, 13 documents, confidence 0.50)\n"
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
                     "Error: no index at {missing}; run `papers index` to build one\n", id="show-no-index"),
        pytest.param(["stats", "--index-dir", MISSING],
                     "Error: no index at {missing}; run `papers index` to build one\n", id="stats-no-index"),
        pytest.param(["aliases", "LLM", "--index-dir", MISSING],
                     "Error: no index at {missing}; run `papers index` to build one\n", id="aliases-no-index"),
        pytest.param(["show", "9999.99999", "--index-dir", SEEDS],
                     "Error: no paper '9999.99999' in the index at {seeds}\n", id="unknown-paper"),
        pytest.param(["search", "diffusion", "--since", "2024-13-01", "--index-dir", SEEDS],
                     "Error: since must be a date like 2024-07-01, not '2024-13-01'\n", id="bad-since"),
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


def test_search_with_a_non_utf8_argument_does_not_crash(seeds_index):
    # Python decodes a non-UTF-8 byte in argv to a lone surrogate.
    result = run("search", "\udcff", "--index-dir", str(seeds_index))
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output
