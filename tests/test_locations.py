"""Where the index lives (issue 15): one default location, a typo'd location writes nothing,
the library never creates folders or prints, the bundled seeds are remembered by name."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from helpers_updates import ROOT, SEEDS, day, documents, kill, papers_cmd, wait_until, writing, copy_seeds
from search import index, locations, search
from search.cli import main
from search.errors import IndexMissingError


def papers(*args: str, env: dict | None = None):
    return CliRunner(env=env).invoke(main, list(map(str, args)), catch_exceptions=False)


def cli_env(tmp_path, **extra) -> dict:
    """The environment of a user with no index yet: their data folder in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if k != "PAPERS_INDEX_DIR"}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(ROOT), **extra)
    return env


def test_library_search_of_a_missing_index_raises_and_creates_nothing(tmp_path, capsys):
    for where in (tmp_path / "nowhere" / "index", "/nonexistent-papers-index"):
        with pytest.raises(IndexMissingError, match=r"^no index at .*; run `papers index --index-dir .* --source DIR`$"):
            search("x", index_dir=where)
        assert not os.path.exists(where)
    assert not (tmp_path / "nowhere").exists()
    assert capsys.readouterr() == ("", "")


def test_library_search_at_the_default_location_does_not_build_either(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PAPERS_INDEX_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with pytest.raises(IndexMissingError, match=r"run `papers index` to build one from the bundled seeds"):
        search("x")
    assert not (tmp_path / "data").exists()
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("how", ["option", "env"])
def test_typo_in_the_index_dir_is_one_line_and_writes_nothing(tmp_path, seeds_index, how):
    typo = tmp_path / "indx"
    for command in (["search", "멀티모달"], ["latest"], ["stats"], ["index"]):
        if how == "option":
            result = papers(*command, "--index-dir", typo)
        else:
            result = papers(*command, env={"PAPERS_INDEX_DIR": str(typo)})
        assert result.exit_code == 1, command
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert f"no index at {typo}" in result.stderr
        assert f"run `papers index --index-dir {typo} --source DIR`" in result.stderr
        assert not typo.exists()


def test_default_location_is_the_user_data_folder_whatever_the_install_mode(tmp_path, monkeypatch):
    # A checkout has an index/ folder (its README); it must not become a second default.
    assert (ROOT / "index").is_dir()
    monkeypatch.delenv("PAPERS_INDEX_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert index.default_index_dir() == tmp_path / "data" / "papers-search" / "index"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert index.default_index_dir() == tmp_path / "home" / ".local" / "share" / "papers-search" / "index"
    monkeypatch.setenv("PAPERS_INDEX_DIR", str(tmp_path / "mine"))
    assert index.default_index_dir() == tmp_path / "mine"


def test_first_cli_search_at_the_default_location_builds_the_seeds_and_stats_says_where(tmp_path):
    env = cli_env(tmp_path)
    done = subprocess.run([sys.executable, "-m", "search", "search", "멀티모달 벤치마크", "-n", "1"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=240)
    default = tmp_path / "data" / "papers-search" / "index"
    assert done.returncode == 0, done.stderr
    assert "2407.00468" in done.stdout  # MMEvalPro
    assert done.stderr.startswith(f"papers: no index at {default} yet; building one from the bundled seeds…\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]

    done = subprocess.run([sys.executable, "-m", "search", "stats", "--json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    stats = json.loads(done.stdout)
    assert (stats["index_dir"], stats["location"], stats["sources"]) == (str(default), "default", ["the bundled seeds"])
    meta = index.open_generation(default).meta
    assert meta["sources"] == [index.BUNDLED]
    assert all(key.startswith(index.BUNDLED + "/") for key in index.open_generation(default).manifest()["files"])


def test_two_first_searches_racing_at_the_default_location_both_answer(tmp_path):
    """The first search builds the seeds index; a second process waits for it instead of failing."""
    env = cli_env(tmp_path)
    procs = [
        subprocess.Popen([sys.executable, "-m", "search", "search", "멀티모달 벤치마크", "--jsonl", "-n", "1"],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert json.loads(out)["arxiv_id"] == "2407.00468"
    assert sum("building one from the bundled seeds" in err for _, err in outputs) >= 1


def test_seeds_remembered_as_a_removed_site_packages_path_update_from_the_bundled_seeds(tmp_path):
    """An index built by an older version recorded the seeds as a path into a virtual
    environment; the environment was recreated (as cron users do) and the path is gone."""
    venv_seeds = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "search" / "seeds"
    shutil.copytree(SEEDS, venv_seeds)
    ix = tmp_path / "ix"
    index.build_index([venv_seeds], ix)
    assert index.stats(ix)["sources"] == [str(venv_seeds)]
    shutil.rmtree(tmp_path / "venv")

    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 0, result.output
    assert "0 removed" in result.stdout and "81 papers" in result.stdout
    assert index.open_generation(ix).meta["sources"] == [index.BUNDLED]
    assert index.stats(ix)["sources"] == ["the bundled seeds"]
    assert index.update_index(ix).published is False


def test_first_build_that_was_killed_is_finished_from_the_requested_sources(tmp_path):
    src = tmp_path / "src"
    copy_seeds(src, 2)
    ix = tmp_path / "ix"
    writer = papers_cmd("index", "--source", str(src), "--index-dir", str(ix))
    try:
        wait_until(lambda: writing(ix), timeout=120, what="the first build writing")
    finally:
        kill(writer, signal.SIGKILL)
    assert index.current_name(ix) is None

    result = papers("index", "--index-dir", ix)   # what cron runs next
    assert result.exit_code == 0, result.output
    assert index.stats(ix)["sources"] == [str(src.resolve())]
    assert len(documents(ix)) == 162
    assert not (ix / index.REQUESTED).exists()


def test_failed_first_build_is_finished_from_the_requested_sources(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "2024-01-01.md").write_text("## Daily Papers (2024-01-01)\n\n", encoding="utf-8")   # an empty day
    ix = tmp_path / "ix"
    result = papers("index", "--source", src, "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no papers to index: the 1 day-files under {src.resolve()} hold no paper "
        "(0 could not be read or parsed); nothing was changed\n"
    )
    assert index.current_name(ix) is None

    (src / "2024-01-02.md").write_text(day("2024-01-02", "2401.00001"), encoding="utf-8")
    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 0, result.output
    assert index.stats(ix)["sources"] == [str(src.resolve())]
    assert set(documents(ix)) == {"2401.00001"}


def test_index_of_an_earlier_version_in_the_checkout_is_named_not_replaced_by_seeds(tmp_path, monkeypatch):
    """Earlier versions kept the index in a checkout's index/; the seeds must not be built over it."""
    monkeypatch.delenv("PAPERS_INDEX_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    legacy = tmp_path / "checkout" / "index"
    monkeypatch.setattr(locations, "legacy_index_dir", lambda: legacy)
    default = tmp_path / "data" / "papers-search" / "index"
    result = papers("search", "멀티모달")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no index at {default}, the default location; earlier versions kept it at {legacy}: "
        f"move it (`mv {legacy} {default}`) or use --index-dir {legacy}\n"
    )
    assert not (tmp_path / "data").exists()
