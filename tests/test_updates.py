"""Incremental updates, atomic publication, the writer lock and `papers index --every`.

Most tests call the library or the CLI in-process on tiny corpora; the ones about other
processes (a killed writer, a searcher during an update, two writers, a stale lock, --every)
start real processes on copies of the seed day-files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest
from click.testing import CliRunner

from helpers_updates import (
    Lines,
    Terminal,
    copy_seeds,
    day,
    documents,
    generation_files,
    kill,
    papers_cmd,
    python,
    SEEDS,
    wait_until,
    writing,
)
from search import analysis, index, lexicon, search, terminal
from search import writing as index_writing
from search.parse import PARSER_VERSION
from search.cli import main, parse_duration
from search.errors import IndexLockedError, IndexVersionError

SUMMARY = r"index {verb}: {added} added, {updated} updated, {removed} removed, {skipped} skipped; {papers} papers in {ix} \(\d+\.\ds\)"


def papers(*args: str):
    return CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)


def summary_line(ix, verb, added=0, updated=0, removed=0, skipped=0, papers=0) -> str:
    return SUMMARY.format(verb=verb, added=added, updated=updated, removed=removed,
                          skipped=skipped, papers=papers, ix=re.escape(str(ix)))


@pytest.fixture
def src(tmp_path):
    """A source folder of three tiny day-files (2401.00001-5)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "2024-01-01.md").write_text(day("2024-01-01", "2401.00001", "2401.00002"), encoding="utf-8")
    (src / "2024-01-02.md").write_text(day("2024-01-02", "2401.00003", "2401.00004"), encoding="utf-8")
    (src / "2024-01-03.md").write_text(day("2024-01-03", "2401.00005"), encoding="utf-8")
    return src


@pytest.fixture
def ix(tmp_path, src):
    """An index of ``src``."""
    ix = tmp_path / "ix"
    index.build_index([src], ix)
    return ix


@pytest.fixture
def seeds_ix(tmp_path):
    """An index of a copy of the seed day-files (81 papers), and that copy."""
    src = tmp_path / "seeds"
    shutil.copytree(SEEDS, src)
    ix = tmp_path / "ix"
    index.build_index([src], ix)
    return src, ix


def total(ix, query="벤치마크") -> int:
    """How many papers match ``query``, checked against the hits (Whoosh's count is exact only
    when every match is collected)."""
    hits = search(query, index_dir=ix, limit=1000)
    assert len(hits) == hits.total
    return hits.total


# -- sources -------------------------------------------------------------------------------------


def test_index_remembers_its_sources_and_prints_one_summary_line(tmp_path, src):
    ix = tmp_path / "ix"
    result = papers("index", "--source", src, "--index-dir", ix)
    assert result.exit_code == 0
    assert re.fullmatch(summary_line(ix, "rebuilt", added=5, papers=5) + "\n", result.stdout)
    assert result.stderr == ""

    (src / "2024-01-04.md").write_text(day("2024-01-04", "2401.00006"), encoding="utf-8")
    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 0
    assert re.fullmatch(summary_line(ix, "updated", added=1, papers=6) + "\n", result.stdout)
    assert index.stats(ix)["sources"] == [str(src.resolve())]


def test_add_source_keeps_the_remembered_sources(tmp_path, src, ix):
    more = tmp_path / "more"
    more.mkdir()
    (more / "2024-02-01.md").write_text(day("2024-02-01", "2402.00001"), encoding="utf-8")
    result = papers("index", "--add-source", more, "--index-dir", ix)
    assert result.exit_code == 0, result.output
    assert index.stats(ix)["sources"] == [str(src.resolve()), str(more.resolve())]
    assert set(documents(ix)) == {f"2401.0000{n}" for n in range(1, 6)} | {"2402.00001"}
    assert re.fullmatch(summary_line(ix, "unchanged", papers=6) + "\n", papers("index", "--index-dir", ix).stdout)


# -- incremental updates -------------------------------------------------------------------------


def test_new_day_file_adds_its_papers(src, ix):
    (src / "2024-01-04.md").write_text(day("2024-01-04", "2401.00006", "2401.00007"), encoding="utf-8")
    report = index.update_index(ix)
    assert (report.added, report.updated, report.removed) == (2, 0, 0)
    assert set(documents(ix)) == {f"2401.0000{n}" for n in range(1, 8)}
    assert [h.arxiv_id for h in search("2401.00007", index_dir=ix)] == ["2401.00007"]


def test_changed_day_file_replaces_exactly_its_papers(src, ix):
    before = documents(ix)
    (src / "2024-01-01.md").write_text(
        day("2024-01-01", {"arxiv_id": "2401.00001", "summary": "새로 요약한 확산 모델입니다.", "votes": 9},
            "2401.00008"),
        encoding="utf-8",
    )
    report = index.update_index(ix)
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    after = documents(ix)
    assert set(after) == {"2401.00001", "2401.00003", "2401.00004", "2401.00005", "2401.00008"}
    assert (after["2401.00001"]["summary"], after["2401.00001"]["votes"]) == ("새로 요약한 확산 모델입니다.", 9)
    assert all(after[a] == before[a] for a in ("2401.00003", "2401.00004", "2401.00005"))
    assert [h.arxiv_id for h in search("확산", index_dir=ix)] == ["2401.00001"]
    assert search("2401.00002", index_dir=ix).total == 0


def test_the_map_to_whoosh_numbers_leaves_out_deleted_documents(src, ix):
    (src / "2024-01-01.md").write_text(day("2024-01-01", {"arxiv_id": "2401.00001", "summary": "바뀐 요약입니다."}),
                                       encoding="utf-8")
    index.update_index(ix)
    gen = index.open_generation(ix)
    with gen.ix.searcher() as searcher:
        reader = searcher.reader()
        ids = reader.column_reader("arxiv_id")
        expected = [None if reader.is_deleted(n) else ids[n] for n in range(reader.doc_count_all())]
    assert expected.count(None) == 2 and index_writing._whoosh_ids(gen.ix) == expected  # one replaced, one removed
    view = gen.arrays()
    assert sorted(expected[int(n)] for n in view.whoosh_docs if n >= 0) == sorted(a for a in expected if a)


def test_deleted_day_file_removes_its_papers(src, ix):
    (src / "2024-01-02.md").unlink()
    report = index.update_index(ix)
    assert (report.added, report.updated, report.removed) == (0, 0, 2)
    assert set(documents(ix)) == {"2401.00001", "2401.00002", "2401.00005"}
    assert index.stats(ix)["days"] == 2


def test_paper_on_two_days_is_one_document_and_survives_deleting_either_day(src, ix):
    later = src / "2024-01-09.md"
    later.write_text(day("2024-01-09", {"arxiv_id": "2401.00001", "summary": "다시 요약한 내용입니다.", "votes": 30}),
                     encoding="utf-8")
    index.update_index(ix)
    doc = documents(ix)["2401.00001"]
    assert len(documents(ix)) == 5
    # Content from the latest day, date from the first.
    assert (doc["date"], doc["votes"], doc["summary"]) == ("2024-01-01", 30, "다시 요약한 내용입니다.")
    assert doc["sources"] == [str(src.resolve() / "2024-01-01.md"), str(later.resolve())]

    (src / "2024-01-01.md").unlink()
    index.update_index(ix)
    doc = documents(ix)["2401.00001"]
    assert (doc["date"], doc["summary"], doc["sources"]) == ("2024-01-09", "다시 요약한 내용입니다.", [str(later.resolve())])
    assert "2401.00002" not in documents(ix)

    later.unlink()
    (src / "2024-01-01.md").write_text(day("2024-01-01", "2401.00001"), encoding="utf-8")
    index.update_index(ix)
    assert documents(ix)["2401.00001"]["summary"] == "대형 언어 모델(LLMs)로 2401.00001 문제를 풉니다."


BAD_FILES = {
    "undecodable": (b"## Daily Papers (2024-01-02)\n\n### [T\xff](https://arxiv.org/abs/2401.00003)\n", "not UTF-8 text"),
    "malformed": ("## Daily Papers (2024-01-02)\n\n### no link here\n".encode(), "entry heading is not"),
    "truncated": (b"## Daily Pap", "no paper entries"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_day_file_is_reported_skipped_and_keeps_its_papers(src, ix, kind):
    content, reason = BAD_FILES[kind]
    bad = src / "2024-01-02.md"
    good = bad.read_bytes()
    bad.write_bytes(content)
    (src / "2024-01-04.md").write_text(day("2024-01-04", "2401.00006"), encoding="utf-8")
    for _ in range(2):  # reported again until fixed
        result = papers("index", "--index-dir", ix)
        assert result.exit_code == 0
        assert result.stderr.startswith(f"skipped {bad.resolve()}: ") and reason in result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert set(documents(ix)) == {f"2401.0000{n}" for n in range(1, 7)}

    bad.write_bytes(good.replace(b"2401.00004", b"2401.00009"))
    assert index.update_index(ix).skipped == []
    assert set(documents(ix)) == {f"2401.0000{n}" for n in (1, 2, 3, 5, 6, 9)}


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux /proc")
def test_unreadable_day_file_is_reported_skipped_and_keeps_its_papers(src, ix):
    bad = src / "2024-01-02.md"
    bad.unlink()
    # Reading /proc/self/mem at offset 0 fails with EIO, even for root (who ignores chmod 0).
    bad.symlink_to("/proc/self/mem")
    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 0
    assert result.stderr == f"skipped {src.resolve() / bad.name}: cannot be read (Input/output error)\n"
    assert len(documents(ix)) == 5


def test_unchanged_tree_is_a_no_op_that_does_not_load_kiwi(ix):
    generation = index.current_name(ix)
    proc = python(
        "import sys\n"
        "from search import analysis, index\n"
        "report = index.update_index(sys.argv[1])\n"
        "print(report.summary().split(';')[0], report.generation, analysis.kiwi_loaded())\n",
        str(ix),
    )
    out, _ = proc.communicate(timeout=60)
    assert out.split() == ["index", "unchanged:", "0", "added,", "0", "updated,", "0", "removed,", "0",
                           "skipped", generation, "False"]


def test_change_that_touches_no_paper_still_records_the_manifest(src, ix):
    path = src / "2024-01-01.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    report = index.update_index(ix)
    assert (report.added, report.updated, report.removed, report.published) == (0, 0, 0, True)
    entry = index.open_generation(ix).manifest()["files"][str(path.resolve())]
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert index.update_index(ix).published is False


def test_incremental_updates_equal_a_rebuild(tmp_path):
    src = tmp_path / "seeds"
    src.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds[:3]:
        shutil.copy(seed, src)
    ix = tmp_path / "ix"
    index.build_index([src], ix)

    shutil.copy(seeds[3], src)                                          # a new day
    first = src / seeds[0].name                                         # a changed day
    text = first.read_text(encoding="utf-8")
    entries = text.split("\n### ")
    first.write_text("\n### ".join(entries[:3] + entries[4:]).replace("최근의 연구는", "요즘 연구는", 1),
                     encoding="utf-8")
    index.update_index(ix)
    (src / seeds[1].name).unlink()                                      # a deleted day
    index.update_index(ix)
    duplicate = "\n### ".join(seeds[2].read_text(encoding="utf-8").split("\n### ")[:3])
    (src / "2024-08-01.md").write_text(                                 # papers listed again later
        duplicate.replace("(2024-04-03)", "(2024-08-01)").replace("다.", "다!"), encoding="utf-8")
    shutil.copy(seeds[4], src)
    index.update_index(ix)

    fresh = tmp_path / "fresh"
    index.build_index([src], fresh)
    assert documents(ix) == documents(fresh)
    assert index.open_generation(ix).lexicon() == index.open_generation(fresh).lexicon()
    assert index.open_generation(ix).manifest() == index.open_generation(fresh).manifest()
    sounds, fresh_sounds = index.open_generation(ix).sounds(), index.open_generation(fresh).sounds()
    assert sounds.df == fresh_sounds.df
    assert {k: set(v) for k, v in sounds.buckets.items()} == {k: set(v) for k, v in fresh_sounds.buckets.items()}
    keys = ("papers", "days", "first_date", "last_date", "sources")
    assert {k: index.stats(ix)[k] for k in keys} == {k: index.stats(fresh)[k] for k in keys}


# -- generations on disk -------------------------------------------------------------------------


def test_update_never_modifies_the_files_of_the_published_generation(src, ix):
    old = index.open_generation(ix).path
    before = generation_files(ix)
    (src / "2024-01-01.md").write_text(day("2024-01-01", {"arxiv_id": "2401.00001", "summary": "바뀐 요약"}),
                                       encoding="utf-8")
    index.update_index(ix)
    new = index.open_generation(ix).path
    shared = [p.name for p in new.iterdir() if p.suffix == ".seg" and (old / p.name).exists()]
    assert shared and all((new / name).stat().st_ino == (old / name).stat().st_ino for name in shared)
    assert {p.name: p.read_bytes() for p in old.iterdir()} == before


def test_old_generations_are_pruned_but_the_previous_one_kept(src, ix):
    for n in range(6, 9):
        (src / f"2024-01-0{n}.md").write_text(day(f"2024-01-0{n}", f"2401.0000{n}"), encoding="utf-8")
        index.update_index(ix)
    assert sorted(p.name for p in ix.iterdir()) == [".lock", "CURRENT", "gen-000003", "gen-000004"]
    assert index.current_name(ix) == "gen-000004"


def test_next_writer_removes_what_a_killed_writer_left(src, ix):
    published = index.open_generation(ix).path
    (ix / "tmp-gen-000002-99999").mkdir()
    (ix / "tmp-gen-000002-99999" / "MAIN_abc.seg").write_bytes(b"half")
    (ix / "CURRENT.tmp-99999").write_text("gen-000002\n")
    shutil.copytree(published, ix / "gen-000003")  # renamed into place, never published
    report = index.update_index(ix)
    assert report.published is False
    assert sorted(p.name for p in ix.iterdir()) == [".lock", "CURRENT", published.name]


def test_writer_killed_before_its_first_publication_leaves_its_sources_to_the_next(src, ix):
    (ix / "CURRENT").unlink()  # gen-000001 renamed into place, CURRENT never written
    report = index.update_index(ix)
    assert report.rebuilt and index.stats(ix)["sources"] == [str(src.resolve())]
    assert sorted(p.name for p in ix.iterdir()) == [".lock", "CURRENT", "gen-000002"]


# -- damaged and incompatible indexes ------------------------------------------------------------


def test_damaged_current_pointer_is_explained_and_nothing_is_removed(ix):
    (ix / "CURRENT").write_text("garbage\n", encoding="utf-8")
    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the index at {ix} is damaged (garbage/meta.json: No such file or directory); "
        f"rebuild it with `papers index --index-dir {ix} --rebuild`\n"
    )
    assert (ix / "gen-000001" / "meta.json").is_file()


@pytest.mark.parametrize("part", ["manifest.json", "meta.json", "lexicon.json"])
def test_truncated_json_is_explained_and_rebuild_fixes_it(src, ix, part):
    (src / "2024-01-04.md").write_text(day("2024-01-04", "2401.00006"), encoding="utf-8")
    index.update_index(ix)  # so a previous generation remembers the sources too
    path = index.open_generation(ix).path / part
    path.write_bytes(path.read_bytes()[:20])

    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the index at {ix} is damaged ({path.parent.name}/{part}: "
        f"{_json_error(path)}); rebuild it with `papers index --index-dir {ix} --rebuild`\n"
    )
    result = papers("index", "--rebuild", "--index-dir", ix)
    assert result.exit_code == 0, result.output
    assert re.fullmatch(summary_line(ix, "rebuilt", added=6, papers=6) + "\n", result.stdout)
    assert index.update_index(ix).published is False
    assert total(ix, "2401.00006") == 1


@pytest.mark.parametrize("name, query", [("sounds.arr", "아레나"), ("tables.arr", "멀티모달")])
def test_truncated_sounds_or_tables_are_explained_by_the_search_that_needs_them(ix, name, query):
    path = index.open_generation(ix).path / name
    path.write_bytes(path.read_bytes()[:20])
    result = papers("search", query, "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: the index at {ix} is damaged ({path.parent.name}/{name}: ")
    assert result.stderr.endswith(f"; rebuild it with `papers index --index-dir {ix} --rebuild`\n")


def _json_error(path) -> str:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return str(exc)
    raise AssertionError("the JSON is not damaged")


def test_rebuild_without_a_readable_meta_asks_for_the_sources(src, ix):
    meta = index.open_generation(ix).path / "meta.json"
    meta.write_text("{", encoding="utf-8")
    result = papers("index", "--rebuild", "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the index at {ix} does not record its sources (its meta.json is damaged); "
        f"rebuild it with `papers index --index-dir {ix} --rebuild --source DIR`\n"
    )
    assert papers("index", "--rebuild", "--source", src, "--index-dir", ix).exit_code == 0
    assert len(documents(ix)) == 5


INCOMPATIBLE = {
    "schema_version": (lambda m: m.update(schema_version=0), f"schema_version: 0, now {index.SCHEMA_VERSION}"),
    "parser_version": (lambda m: m.pop("parser_version"), f"parser_version: None, now {PARSER_VERSION}"),
    "miner_version": (lambda m: m.update(miner_version=0), f"miner_version: 0, now {lexicon.MINER_VERSION}"),
    "analyzer_version": (lambda m: m["analysis"].update(analyzer_version=0),
                         f"analysis.analyzer_version: 0, now {analysis.ANALYZER_VERSION}"),
    "kiwi_options": (lambda m: m["analysis"].update(kiwi_options={}), "analysis.kiwi_options: {}, now {"),
}


@pytest.mark.parametrize("setting", INCOMPATIBLE)
def test_incompatible_index_is_explained_and_the_next_update_rebuilds_it(src, ix, setting):
    edit, difference = INCOMPATIBLE[setting]
    old = index.current_name(ix)
    meta_path = ix / old / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    edit(meta)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    (src / "2024-01-04.md").write_text(day("2024-01-04", "2401.00006"), encoding="utf-8")

    result = papers("search", "모델", "--index-dir", ix)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert difference in result.stderr
    assert result.stderr.endswith(f"run `papers index --index-dir {ix}` to rebuild it from its sources (a scheduled update does it)\n")
    with pytest.raises(IndexVersionError):
        index.open_generation(ix)
    assert index.stats(ix)["state"].startswith("written in another format (")

    result = papers("index", "--index-dir", ix)   # what cron runs
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("index rebuilt (it was written in another format: ")
    assert difference in result.stdout and "6 added" in result.stdout
    assert index.open_generation(ix).meta["schema_version"] == index.SCHEMA_VERSION
    assert index.stats(ix)["sources"] == [str(src.resolve())]
    assert len(documents(ix)) == 6
    assert (ix / old).is_dir()  # kept as the previous generation until the next update


# -- other processes -----------------------------------------------------------------------------


def test_sigkill_during_an_update_keeps_the_old_index_and_the_next_run_finishes(seeds_ix):
    src, ix = seeds_ix
    old_total, generation = total(ix), index.current_name(ix)
    copy_seeds(src / "more", 3)
    terminal = Terminal()
    writer = papers_cmd("index", "--index-dir", str(ix), stderr=terminal.slave)
    terminal.start()
    try:
        # On a terminal the update draws a progress bar; kill it while documents are being added.
        wait_until(lambda: 10 <= terminal.percent() < 90, timeout=60, what="a progress bar at 10-90%")
    finally:
        kill(writer)
    assert writer.returncode == -signal.SIGKILL
    assert index.current_name(ix) == generation
    assert total(ix) == old_total and len(documents(ix)) == 81
    assert list(ix.glob("tmp-gen-*"))
    assert f"pid {writer.pid} " in (ix / ".lock").read_text()

    report = index.update_index(ix)  # does not wait: the kernel released the killed writer's lock
    assert (report.added, report.updated, report.removed, report.papers) == (243, 0, 0, 324)
    assert not list(ix.glob("tmp-*"))
    # Three copies of the same text; a total may grow past 4x when the copies make a loanword
    # pair look supported by more papers (issue 14: the expansions count as matches).
    assert total(ix) >= 4 * old_total


SEARCH_LOOP = """
import sys, time
from search import search
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    hits = search("벤치마크", index_dir=sys.argv[1], limit=1000)
    print(time.time(), hits.total, len(hits), flush=True)
"""


def test_searches_during_an_update_see_the_old_or_the_new_index(seeds_ix):
    src, ix = seeds_ix
    old_total = total(ix)
    copy_seeds(src / "more", 2)
    searcher = python(SEARCH_LOOP, str(ix))
    lines = Lines(searcher)
    try:
        lines.wait_for(r"^\d", timeout=60)
        started = time.time()
        index.update_index(ix)
        finished = time.time()
        new_total = total(ix)
        assert new_total >= 3 * old_total  # past 3x when copies support a loanword (see below)
        lines.wait_for(rf" {new_total} {new_total}$", timeout=30)  # the long-lived process picks it up
    finally:
        kill(searcher)
    answers = [line.split() for line in lines.seen]
    assert all(len(a) == 3 and a[1] == a[2] for a in answers), lines.seen[-5:]
    assert {int(a[1]) for a in answers} == {old_total, new_total}
    assert sum(started <= float(a[0]) <= finished for a in answers) > 10  # searched during the update


def test_second_writer_fails_naming_the_first_or_waits_for_it(seeds_ix):
    src, ix = seeds_ix
    copy_seeds(src / "more", 2)
    # Its progress lines (stderr, when the update takes a few seconds) are not part of the summary.
    first = papers_cmd("index", "--index-dir", str(ix), stderr=subprocess.PIPE)
    try:
        wait_until(lambda: (ix / ".lock").read_text().startswith(f"pid {first.pid} "), what="the first writer's lock")
        result = papers("index", "--index-dir", ix)
        assert result.exit_code == 1
        assert re.fullmatch(
            rf"Error: another `papers index` \(pid {first.pid} since [-\d: ]+\) is updating {re.escape(str(ix))}; "
            r"try again when it has finished, or wait for it with --wait SECONDS\n",
            result.stderr,
        )
        result = papers("index", "--wait", "60", "--index-dir", ix)
        # It found the first writer's update published: it waited for it.
        assert re.fullmatch(summary_line(ix, "unchanged", papers=243) + "\n", result.stdout)
        out, _ = first.communicate(timeout=30)
    finally:
        kill(first)
    assert first.returncode == 0
    assert re.fullmatch(summary_line(ix, "updated", added=162, papers=243) + "\n", out)


HOLD_LOCK = """
import sys, time
from pathlib import Path
from search.index import writer_lock
with writer_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_lock_of_a_killed_writer_is_released(src, ix):
    holder = python(HOLD_LOCK, str(ix))
    try:
        Lines(holder).wait_for("locked")
        with pytest.raises(IndexLockedError, match=f"pid {holder.pid} "):
            index.update_index(ix)
    finally:
        kill(holder)
    assert (ix / ".lock").read_text().startswith(f"pid {holder.pid} ")  # the stale text stays
    (src / "2024-01-04.md").write_text(day("2024-01-04", "2401.00006"), encoding="utf-8")
    assert index.update_index(ix).added == 1


def test_every_logs_each_round_survives_a_failing_one_and_stops_on_sigterm(src, ix):
    daemon = papers_cmd("index", "--every", "0.2s", "--index-dir", str(ix))
    lines = Lines(daemon)
    try:
        stamp = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
        lines.wait_for(stamp + summary_line(ix, "unchanged", papers=5) + "$")
        src.rename(src.with_name("away"))
        lines.wait_for(stamp + rf"update failed: {re.escape(str(src.resolve()))} does not exist; check the path$")
        src.with_name("away").rename(src)
        lines.wait_for(stamp + summary_line(ix, "unchanged", papers=5) + "$")
        (src / "2024-01-04.md").write_text(day("2024-01-04", "2401.00006"), encoding="utf-8")
        lines.wait_for(stamp + summary_line(ix, "updated", added=1, papers=6) + "$", timeout=60)
        daemon.send_signal(signal.SIGTERM)
        rest = lines.rest()
    finally:
        kill(daemon)
    assert daemon.returncode == 0
    assert rest[-1] == "stopped" and not any("Traceback" in line for line in rest)


PROGRESS_LINES = ("indexing: ", *(f"{phase}…" for phase in terminal.PHASES.values()))


def test_sigterm_during_a_round_abandons_it_cleanly(src, ix):
    documents_before, generation = documents(ix), index.current_name(ix)
    copy_seeds(src / "more", 1)
    daemon = papers_cmd("index", "--every", "1h", "--index-dir", str(ix))
    try:
        wait_until(lambda: writing(ix), timeout=60, what="the round writing")
        daemon.send_signal(signal.SIGTERM)
        out, _ = daemon.communicate(timeout=30)
    finally:
        kill(daemon)
    # A round that runs for a few seconds also logs its progress.
    logged = [line for line in out.splitlines() if not line.startswith(PROGRESS_LINES)]
    assert (daemon.returncode, logged) == (0, ["stopped"])
    assert index.current_name(ix) == generation and documents(ix) == documents_before
    index.update_index(ix)
    assert not list(ix.glob("tmp-*")) and len(documents(ix)) == 5 + 81


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("30m", 1800), ("1h", 3600), ("1h30m", 5400),
                                           ("0.5s", 0.5), ("45", 45), ("2d", 172800)])
def test_every_accepts_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0s", "soon", "5ms", "-1m"])
def test_every_rejects_what_is_not_a_duration(ix, text):
    result = papers("index", "--every", text, "--index-dir", ix)
    assert result.exit_code == 2
    assert "Invalid value for --every" in result.stderr
