"""The faults of issue 15's reliability pass, each a regression test: sources that vanish,
shrink or cannot be listed; index folders that cannot be written; a full disk; odd inputs.

Tests run as root here and in CI, where ``chmod 000`` stops nothing: an unreadable folder is
simulated at the OS boundary (``os.scandir`` raising ``PermissionError``), with the real
``chmod`` variant for other users; a read-only or full file system is a real tmpfs mount where
the test may mount one, else the write is failed at the OS boundary.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers_updates import day, documents
from search import index, search
from search import writing as index_writing
from search.cli import main
from search.errors import DayFileError, IndexWriteError, ShrinkError
from search.parse import read_dayfile

IS_ROOT = os.geteuid() == 0


def papers(*args: str):
    return CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)


def month(src: Path, ym: str, days: int, per_day: int, first: int) -> list[str]:
    """Day-files ``src/YYYY/MM/DD.md`` of ``per_day`` papers each; returns the arXiv ids."""
    year, mm = ym.split("-")
    ids = []
    for d in range(1, days + 1):
        day_ids = [f"{year[2:]}{mm}.{first + len(ids) + i:05d}" for i in range(per_day)]
        ids += day_ids
        path = src / year / mm / f"{d:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(day(f"{ym}-{d:02d}", *day_ids), encoding="utf-8")
    return ids


@pytest.fixture
def nested(tmp_path):
    """A nested source: May 2024 (2 papers) and June 2024 (4 days × 4 papers), indexed."""
    src = tmp_path / "paper_logs"
    may = month(src, "2024-05", 1, 2, 1)
    june = month(src, "2024-06", 4, 4, 1)
    ix = tmp_path / "ix"
    index.build_index([src], ix)
    return src, ix, may, june


@contextlib.contextmanager
def unlistable(monkeypatch, folder: Path):
    """``os.scandir(folder)`` fails as it does for a folder without read permission."""
    real = os.scandir

    def scandir(path="."):
        if Path(os.fspath(path)) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    with monkeypatch.context() as m:
        m.setattr(os, "scandir", scandir)
        yield


# -- sources that cannot be listed, vanish or shrink ---------------------------------------------


def test_unreadable_sub_folder_is_reported_and_its_papers_kept(nested, monkeypatch):
    src, ix, may, june = nested
    (src / "2024" / "05" / "02.md").write_text(day("2024-05-02", "2405.00099"), encoding="utf-8")
    with unlistable(monkeypatch, src / "2024" / "06"):
        result = papers("index", "--index-dir", ix)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"skipped {src / '2024' / '06'}: cannot be listed (Permission denied); "
        "the papers of its 4 indexed day-files are kept\n"
    )
    assert re.match(r"index updated: 1 added, 0 updated, 0 removed, 1 skipped; 19 papers", result.stdout)
    assert set(documents(ix)) == {*may, *june, "2405.00099"}
    # Readable again: nothing to do for June, its entries were kept as they were.
    report = index.update_index(ix)
    assert report.skipped == [] and report.published is False


@pytest.mark.skipif(IS_ROOT, reason="root reads a chmod-000 folder; the os.scandir variant covers root")
def test_chmod_000_sub_folder_is_reported_and_its_papers_kept(nested):
    src, ix, may, june = nested
    folder = src / "2024" / "06"
    folder.chmod(0)
    try:
        result = papers("index", "--index-dir", ix)
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 0
    assert "cannot be listed (Permission denied)" in result.stderr
    assert set(documents(ix)) == {*may, *june}


def test_unreadable_source_folder_stops_the_update(nested, monkeypatch):
    src, ix, may, june = nested
    generation = index.current_name(ix)
    with unlistable(monkeypatch, src):
        result = papers("index", "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot list {src} (Permission denied); check its permissions\n"
    assert index.current_name(ix) == generation


def test_vanished_source_folder_stops_the_update(nested):
    src, ix, may, june = nested
    generation = index.current_name(ix)
    src.rename(src.with_name("moved"))
    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {src} does not exist; check the path\n"
    assert index.current_name(ix) == generation and len(documents(ix)) == 18


@pytest.mark.parametrize("how", ["deleted", "broken symlink", "file"])
def test_source_that_lost_most_of_its_day_files_is_refused_without_allow_shrink(nested, how):
    src, ix, may, june = nested
    generation = index.current_name(ix)
    june_dir = src / "2024" / "06"
    for path in june_dir.iterdir():
        path.unlink()
    june_dir.rmdir()
    if how == "broken symlink":   # an unmounted disk behind a link
        june_dir.symlink_to(src / "mnt" / "june")
    elif how == "file":
        june_dir.write_text("", encoding="utf-8")

    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: refusing to remove 16 of the 18 papers in {ix} (more than 25%): "
        f"{src.resolve()} now holds 1 of the 5 day-files indexed from it; the published index is unchanged. "
        f"If the papers are really gone, run `papers index --index-dir {ix} --allow-shrink`\n"
    )
    assert index.current_name(ix) == generation and len(documents(ix)) == 18
    with pytest.raises(ShrinkError):
        index.update_index(ix)

    result = papers("index", "--allow-shrink", "--index-dir", ix)
    assert result.exit_code == 0, result.output
    assert "16 removed" in result.stdout
    assert set(documents(ix)) == set(may)


def test_small_deletions_need_no_flag(nested):
    src, ix, may, june = nested
    (src / "2024" / "06" / "04.md").unlink()
    report = index.update_index(ix)
    assert report.removed == 4


def test_explicitly_replaced_sources_are_not_a_shrink(nested, tmp_path):
    src, ix, may, june = nested
    other = tmp_path / "other"
    month(other, "2024-07", 1, 1, 1)
    report = index.update_index(ix, sources=[other])
    assert (report.added, report.removed) == (1, 18)


# -- first builds that cannot succeed ------------------------------------------------------------


def test_first_build_of_day_files_without_a_paper_is_one_line(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "2023-11-21.md").write_text("## Daily Papers (2023-11-21)\n\n### Exponentially Faster\n", encoding="utf-8")
    ix = tmp_path / "ix"
    result = papers("index", "--source", src, "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no papers to index: the 1 day-files under {src.resolve()} hold no paper (1 could not be read or "
        f"parsed, first {src.resolve() / '2023-11-21.md'}: line 3: entry heading is not '### [title](link)'); "
        "nothing was changed\n"
    )
    assert index.current_name(ix) is None


# -- index folders that cannot be written --------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs mounted at ``tmp_path/fs`` (skips where mounting is not allowed)."""
    mount = tmp_path / "fs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def small_source(tmp_path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "2024-01-01.md").write_text(day("2024-01-01", "2401.00001", "2401.00002"), encoding="utf-8")
    return src


def test_index_on_a_read_only_file_system_is_one_line(tmp_path, tmpfs):
    src = small_source(tmp_path)
    ix = tmpfs / "ix"
    index.build_index([src], ix)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    (src / "2024-01-02.md").write_text(day("2024-01-02", "2401.00003"), encoding="utf-8")
    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write the index at {ix} ({ix / '.lock'}): Read-only file system; "
        "check the folder's owner and permissions, or choose another with --index-dir\n"
    )
    assert search("2401.00001", index_dir=ix).total == 1   # searching needs no writing

    result = papers("index", "--source", src, "--index-dir", tmpfs / "new")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write the index at {tmpfs / 'new'} (")
    assert "Read-only file system" in result.stderr and len(result.stderr.splitlines()) == 1


def test_index_folder_the_user_may_not_write_is_one_line(tmp_path, monkeypatch):
    """Owned by another user (simulated at the OS boundary: root may write anywhere)."""
    src = small_source(tmp_path)
    ix = tmp_path / "ix"
    index.build_index([src], ix)
    real = os.open

    def denied(path, flags, *args, **kwargs):
        if Path(os.fspath(path)) == ix / ".lock":
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write the index at {ix} ({ix / '.lock'}): Permission denied; "
        "check the folder's owner and permissions, or choose another with --index-dir\n"
    )


def test_new_index_under_a_file_is_one_line(tmp_path):
    src = small_source(tmp_path)
    (tmp_path / "afile").write_text("", encoding="utf-8")
    ix = tmp_path / "afile" / "ix"
    result = papers("index", "--source", src, "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write the index at {ix} ({ix}): Not a directory; "
        "check the folder's owner and permissions, or choose another with --index-dir\n"
    )


def _fill_up(folder: Path) -> None:
    """Fill the file system of ``folder`` to the last few kilobytes."""
    with open(folder / "ballast", "wb") as fh:
        chunk = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                fh.write(chunk)
                fh.flush()
    st = os.statvfs(folder)
    assert st.f_bavail * st.f_frsize < 65536


def test_full_disk_is_one_line_naming_the_cause_and_keeps_the_index(tmp_path, tmpfs):
    src = small_source(tmp_path)
    ix = tmpfs / "ix"
    index.build_index([src], ix)
    generation = index.current_name(ix)
    for n in range(2, 5):
        (src / f"2024-01-0{n}.md").write_text(day(f"2024-01-0{n}", f"2401.0000{n + 1}"), encoding="utf-8")
    _fill_up(tmpfs)

    result = papers("index", "--index-dir", ix)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert re.fullmatch(
        rf"Error: the disk is full: cannot write the index at {re.escape(str(ix))}( \(.*\))?: No space left on device; "
        rf"the published index is unchanged; free some space and run `papers index --index-dir {re.escape(str(ix))}` again\n",
        result.stderr)
    assert index.current_name(ix) == generation
    assert set(documents(ix)) == {"2401.00001", "2401.00002"}
    assert not list(ix.glob("tmp-*"))

    (tmpfs / "ballast").unlink()
    assert papers("index", "--index-dir", ix).exit_code == 0
    assert len(documents(ix)) == 5


def test_full_disk_during_the_whoosh_commit_is_not_hidden_by_cancel(tmp_path, monkeypatch):
    """Root-valid variant of the full disk: Whoosh's segment files fail as on a full disk."""
    from whoosh.filedb import filestore

    src = small_source(tmp_path)
    ix = tmp_path / "ix"
    index.build_index([src], ix)
    generation = index.current_name(ix)
    (src / "2024-01-02.md").write_text(day("2024-01-02", "2401.00003"), encoding="utf-8")
    real = filestore.FileStorage.create_file

    def full(self, name, **kwargs):
        if name.endswith(".seg") or "_" in name:
            raise OSError(errno.ENOSPC, "No space left on device", os.path.join(self.folder, name))
        return real(self, name, **kwargs)

    monkeypatch.setattr(filestore.FileStorage, "create_file", full)
    with pytest.raises(IndexWriteError, match=r"^the disk is full: cannot write the index at .*No space left on device"):
        index.update_index(ix)
    monkeypatch.undo()
    assert index.current_name(ix) == generation and len(documents(ix)) == 2
    assert not list(ix.glob("tmp-*"))


# -- historical and odd inputs -------------------------------------------------------------------


def test_early_hugging_face_paper_links_are_taken(tmp_path):
    text = (
        "## Daily Papers (2023-11-21)\n\n"
        "### [Exponentially Faster Language Modelling](/papers/2311.10770)\n\nAuthors: Peter Belcak\n\n- 요약입니다.\n\n"
        "### [Orca 2](https://huggingface.co/papers/2311.11045)\n\n- 요약입니다.\n"
    )
    path = tmp_path / "21.md"
    path.write_text(text, encoding="utf-8")
    assert [p.arxiv_id for p in read_dayfile(path)] == ["2311.10770", "2311.11045"]


def test_header_only_day_file_is_a_valid_empty_day(tmp_path):
    path = tmp_path / "2023" / "11" / "22.md"
    path.parent.mkdir(parents=True)
    path.write_text("## Daily Papers (2023-11-22)\n\n", encoding="utf-8")
    assert read_dayfile(path) == []
    (tmp_path / "2023" / "11" / "21.md").write_text(day("2023-11-21", "2311.00001"), encoding="utf-8")
    report = index.build_index([tmp_path / "2023"], tmp_path / "ix")
    assert (report.papers, report.skipped) == (1, [])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_day_file_says_so_and_how_to_convert_it(tmp_path, encoding):
    path = tmp_path / "01.md"
    path.write_bytes(day("2024-01-01", "2401.00001").encode(encoding))
    with pytest.raises(DayFileError) as raised:
        read_dayfile(path)
    assert str(raised.value) == (
        f"{path}: is UTF-16 text, not UTF-8; convert it, e.g. `iconv -f UTF-16 -t UTF-8 FILE > FILE.new`, "
        "then replace the file"
    )


def test_bullet_labels_that_carry_content_are_indexed(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "2024-02-01.md").write_text(
        "## Daily Papers (2024-02-01)\n\n### [A VLM](https://arxiv.org/abs/2402.00001)\n\n"
        "- **What's New**: 새 모델입니다.\n"
        "- **비전 인코더 (Vision Encoder)**: 이미지를 읽습니다.\n"
        "- **고찰**:\n  - 한계가 있습니다.\n",
        encoding="utf-8",
    )
    (paper,) = read_dayfile(src / "2024-02-01.md")
    assert paper.summary == "새 모델입니다.\n비전 인코더 (Vision Encoder): 이미지를 읽습니다.\n고찰: 한계가 있습니다."
    ix = tmp_path / "ix"
    index.build_index([src], ix)
    for query in ("비전 인코더", "Vision Encoder", "고찰"):
        assert [h.arxiv_id for h in search(query, index_dir=ix)] == ["2402.00001"], query
    assert search("What's New", index_dir=ix).total == 0


# -- updates: bounded merges, rankings equal to a rebuild -----------------------------------------


from whoosh import index as whoosh_index  # noqa: E402


def whoosh_segments(ix: Path) -> dict[str, int]:
    gen = index.open_generation(ix)
    return {seg.segment_id(): seg.doc_count_all() for seg in gen.ix._segments()}


def test_an_update_never_merges_more_than_the_merge_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(index_writing, "MERGE_BUDGET", 3)
    monkeypatch.setattr(index_writing, "MERGE_AT", 3)
    src = tmp_path / "src"
    month(src, "2024-01", 2, 3, 1)          # the first build: one segment of 6 documents
    ix = tmp_path / "ix"
    index.build_index([src], ix)
    (big,) = whoosh_segments(ix)
    seen, merges = [], 0
    for n in range(2, 10):                  # eight updates of one paper each
        path = src / "2024" / "02" / f"{n:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(day(f"2024-02-{n:02d}", f"2402.{n:05d}"), encoding="utf-8")
        before = whoosh_segments(ix)
        report = index.update_index(ix)
        after = whoosh_segments(ix)
        merged = sum(count for seg, count in before.items() if seg not in after)
        assert merged <= 3
        seen.append(len(after))
        merges += bool(merged)
        if merged:  # merged apart: the update's own generation published the paper unmerged
            update = sorted(p.name for p in ix.glob("gen-*"))[-2]
            assert index.current_name(ix) == report.generation != update
            segments = whoosh_index.open_dir(str(ix / update))._segments()
            assert len(segments) == len(before) + 1
    assert merges >= 2
    assert whoosh_segments(ix)[big] == 6    # the large segment was never rewritten
    assert max(seen) <= 5                   # and the small ones pile up slowly
    assert len(documents(ix)) == 14


QUERIES = ["멀티모달 벤치마크", "LoRA 미세 조정", "diffusion", "대형 언어 모델", "강화 학습 reward", "비디오 생성",
           "Mixture of Experts", "에이전트", "\"language model\"", "title:벤치마크", "코드 생성 LLM", "음성"]


def test_an_updated_index_ranks_exactly_like_a_rebuild(tmp_path):
    """Adds, changes, deletions and re-listed papers spread over many generations and merges;
    every query then gives the same papers in the same order with the same scores."""
    from helpers_updates import copy_seeds

    src = tmp_path / "src"
    files = copy_seeds(src, 3)              # 15 day-files, 243 papers
    for path in files[10:]:
        path.rename(path.with_suffix(".later"))
    ix = tmp_path / "ix"
    index.build_index([src], ix)
    for path in files[10:]:                 # new days, one update each
        path.with_suffix(".later").rename(path)
        index.update_index(ix)
    for path in files[1:4]:                 # rewritten days (summaries and votes change)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("Vote: 1", "Vote: 7").replace("다.", "다!", 5), encoding="utf-8")
        index.update_index(ix)
    files[5].unlink()                       # a deleted day
    index.update_index(ix)
    head = files[6].read_text(encoding="utf-8").split("\n### ")[:3]   # papers listed again later
    (src / "2021" / "01").mkdir(parents=True, exist_ok=True)
    (src / "2021" / "01" / "01.md").write_text("\n### ".join(head).replace(
        head[0].split("\n", 1)[0], "## Daily Papers (2021-01-01)"), encoding="utf-8")
    index.update_index(ix)
    assert len(index.open_generation(ix).ix._segments()) > 1

    fresh = tmp_path / "fresh"
    index.build_index([src], fresh)
    assert set(documents(ix)) == set(documents(fresh))
    for query in QUERIES:
        updated = search(query, index_dir=ix, limit=1000)
        rebuilt = search(query, index_dir=fresh, limit=1000)
        assert updated.total == rebuilt.total == len(rebuilt), query
        # The copies of a seed have the same text, so ties are many; compare orders up to ties.
        assert ranked(updated) == ranked(rebuilt), query
        assert [h.score for h in updated] == pytest.approx([h.score for h in rebuilt], rel=1e-9), query


def ranked(hits) -> list[tuple[float, str]]:
    return sorted((-round(h.score, 9), h.arxiv_id) for h in hits)


# -- huge texts ----------------------------------------------------------------------------------


def test_long_text_is_analyzed_in_pieces_with_true_offsets():
    from search import analysis

    sentence = "대형 언어 모델(LLMs)은 GPT-4o처럼 멀티모달 벤치마크에서 평가됩니다. "
    text = sentence * (3 * analysis.MAX_PIECE // len(sentence))
    cut = analysis.pieces(text)
    assert len(cut) >= 3 and "".join(p for _, p in cut) == text
    assert all(len(p) <= analysis.MAX_PIECE and p.endswith(". ") for _, p in cut[:-1])
    terms = analysis.analyze(text)
    assert [t.text for t in terms[:8]] == [t.text for t in analysis.analyze(sentence)][:8]
    assert all(text[t.start:t.end].lower().startswith(t.text[:1].lower()) for t in terms if t.kind == "noun")
    positions = [t.pos for t in terms if t.primary]
    assert positions == sorted(positions) and positions[-1] > 3 * len(analysis.analyze(sentence)) // 2


def test_sigterm_stops_an_index_of_a_huge_summary_promptly(tmp_path):
    from helpers_updates import papers_cmd, wait_until, writing, kill
    import signal
    import time

    src = tmp_path / "src"
    src.mkdir()
    # 1,000,000 characters: long enough that the build is still analyzing it seconds after it
    # starts writing (200,000 took under 3 s once the build got faster, and the test raced it).
    line = "이 논문은 대형 언어 모델의 추론 능력을 새로운 벤치마크로 평가합니다. " * 25000
    (src / "2024-01-01.md").write_text(day("2024-01-01", {"arxiv_id": "2401.00001", "summary": line}), encoding="utf-8")
    ix = tmp_path / "ix"
    writer = papers_cmd("index", "--source", str(src), "--index-dir", str(ix))
    try:
        wait_until(lambda: writing(ix), timeout=120, what="the build writing")
        time.sleep(2)                       # Kiwi loaded and deep in the summary
        sent = time.monotonic()
        writer.send_signal(signal.SIGTERM)
        out, _ = writer.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        kill(writer)
    assert writer.returncode == 143, out
    assert "interrupted; the index was left as it was" in out
    assert took < 10, f"took {took:.1f}s to stop"
    assert index.current_name(ix) is None and not list(ix.glob("tmp-*"))


def test_a_huge_query_analyzes_only_its_first_characters(seeds_index, monkeypatch):
    from search import plan, query

    seen = []
    real = plan.build
    monkeypatch.setattr(plan, "build", lambda text, *a, **k: seen.append(len(text)) or real(text, *a, **k))
    hits = search("멀티모달 벤치마크 " * 10_000, index_dir=seeds_index)
    assert seen == [query.MAX_QUERY_CHARS - 1] or max(seen) <= query.MAX_QUERY_CHARS
    assert hits.notice == f"the query was long; only its first {seen[0]:,} characters were used"
    assert hits and hits[0].arxiv_id == "2407.00468"


def test_search_of_an_index_being_rebuilt_says_a_rebuild_is_under_way(tmp_path):
    import json
    import sys

    src = small_source(tmp_path)
    ix = tmp_path / "ix"
    index.build_index([src], ix)
    meta_path = ix / index.current_name(ix) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["schema_version"] = 0
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (ix / ".lock").write_text(f"pid {writer.pid} since 2026-01-01 00:00:00", encoding="utf-8")
        result = papers("search", "모델", "--index-dir", ix)
    finally:
        writer.kill()
        writer.wait()
    assert result.exit_code == 1
    assert result.stderr.endswith("; a rebuild is under way; try again when it has finished\n")
    assert len(result.stderr.splitlines()) == 1


def test_rebuild_with_an_unlistable_sub_folder_is_refused(nested, monkeypatch):
    src, ix, may, june = nested
    generation = index.current_name(ix)
    with unlistable(monkeypatch, src / "2024" / "06"):
        result = papers("index", "--rebuild", "--index-dir", ix)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot list {src.resolve() / '2024' / '06'} (Permission denied); a rebuild would drop its papers, "
        f"so nothing was changed; fix its permissions and run `papers index --index-dir {ix}` again\n"
    )
    assert index.current_name(ix) == generation
