"""Building and updating the index: what changed, what a new generation holds, publishing it.

Opening the published generation is :mod:`search.published`, where an index lives
:mod:`search.locations`, and filling a generation's files :mod:`search.writing`.

An index directory holds immutable *generations* and a pointer to the current one (the folders,
the lock and publishing are :mod:`search.generations`)::

    index/
      CURRENT          name of the published generation, replaced atomically
      gen-000007/      a complete Whoosh index + meta.json, manifest.json, lexicon.json,
                       tables.arr and sounds.arr
      gen-000006/      the previous generation, kept for searchers that still have it open
      .lock            held (flock) by the one process that writes

An update never touches a published generation. It hard-links the current generation's Whoosh
files into ``tmp-gen-…``, applies the changes there, and publishes by renaming the directory and
then replacing ``CURRENT``. Sharing the files is safe because Whoosh never writes to an existing
file: segments get fresh random names, deletions are recorded in the new TOC, and the TOC is
written to a temporary name and renamed to a new generation number (``safe=True`` refuses to
overwrite); obsolete files are only unlinked. A searcher therefore sees the old or the new
generation, never a half-written one, and a writer killed at any moment leaves the old
generation published. The next writer removes what it left (``tmp-*`` and a renamed but never
published ``gen-*``) and starts over from the published generation.

The manifest maps every day-file to its content hash and the papers it contributed, so an
update re-reads only new and changed files, re-indexes only the papers whose stored fields
changed, and an unchanged tree costs a few reads and hashes (no Kiwi). A day-file that cannot
be read or parsed keeps its manifest entry, so its papers stay indexed until it is fixed, and
so does every day-file under a folder the scan cannot list. A source folder that disappeared
stops the update, and so does one that would remove more than a quarter of the papers (more
likely an unmounted disk or a failed ``git pull`` than a wish to drop them; see
:mod:`search.sources`). A first build records the sources it was asked for (``sources.json``)
before it writes anything. An index written in another format is rebuilt by the next update
from its remembered sources; one that cannot be written (permissions, a read-only or full
disk) is reported in one line and left as it was.

A damaged published generation (unreadable or truncated ``meta.json``, ``manifest.json`` or
``lexicon.json``, or Whoosh files) is reported with a one-line error that names
``papers index --rebuild``; it is never repaired silently, because the manifest is also the
only record of papers kept for day-files that are currently broken. ``--rebuild`` takes the
sources from the newest generation whose ``meta.json`` is still readable.
"""

from __future__ import annotations

import errno
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, writing
from .errors import DayFileError, IndexIncompatibleError, IndexWriteError, SearchError, SourceError
from .generations import (  # noqa: F401  (CURRENT, LOCK, writer_*, index_size: re-exported)
    CURRENT, LOCK, REQUESTED, current_name, index_size, writer_lock, writer_running,
    new_generation as _new_generation, next_number as _next_number, number as _number,
    read_json as _read_json, remove_debris as _remove_debris, remove_old_generations as _remove_old_generations,
    write_json as _write_json, write_json_atomically as _write_json_atomically,
)
from .locations import (  # noqa: F401  (the locations, re-exported)
    builtin_index_dir, default_index_dir, is_builtin, legacy_index_dir, location_origin, missing, resolve_dir,
)
from .dayfiles import scan_dayfiles
from .parse import Paper, read_dayfile
from .published import (  # noqa: F401  (opening and reading a generation, re-exported)
    LEXICON, MANIFEST, META, SCHEMA_VERSION, SOUNDS, TABLES, Generation, aliases, compatibility, open_generation,
    stats,
)
from .sources import (  # noqa: F401  (BUNDLED, SHRINK_*, seeds_dir: part of this module's surface)
    BUNDLED, SHRINK_MIN_PAPERS, SHRINK_SHARE, check_shrink, keep_unlisted, key_of, seeds_dir, shown,
    source_paths, symbolic,
)
from .writing import english_words, schema  # noqa: F401  (re-exported)


# -- writing -----------------------------------------------------------------------------------


@dataclass
class UpdateReport:
    """What one `papers index` run did."""

    index_dir: Path
    generation: str | None = None
    added: int = 0
    updated: int = 0
    removed: int = 0
    files_read: int = 0
    skipped: list[SearchError] = field(default_factory=list)
    papers: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    published: bool = False
    #: Why an update rebuilt the index by itself (it was written in an older format).
    reason: str | None = None
    #: Seconds from the start until the new papers were searchable (before any merge).
    searchable_after: float | None = None
    started: float = field(default_factory=time.monotonic, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed) or self.rebuilt

    def summary(self) -> str:
        verb = "rebuilt" if self.rebuilt else "updated" if self.published else "unchanged"
        if self.reason:
            verb += f" ({self.reason})"
        return (
            f"index {verb}: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{len(self.skipped)} skipped; {self.papers} papers in {self.index_dir} "
            f"({self.seconds:.1f}s)"
        )


def build_index(sources: Iterable[str | os.PathLike] | None, index_dir=None, **kwargs) -> UpdateReport:
    """Build the index from scratch from ``sources`` (default: the remembered ones; for a new
    index at the default location, the bundled seeds)."""
    return update_index(index_dir, sources=sources, rebuild=True, **kwargs)


def update_index(
    index_dir=None,
    sources: Iterable[str | os.PathLike] | None = None,
    *,
    add_sources: bool = False,
    rebuild: bool = False,
    allow_shrink: bool = False,
    wait: float = 0.0,
    progress: Callable[[int, int, str], None] | None = None,
) -> UpdateReport:
    """Bring the index up to date with its sources and publish a new generation if anything changed.

    ``sources`` replaces the remembered sources (``add_sources`` adds to them instead); with
    neither, the sources remembered from earlier runs are used, and a new index at the default
    location uses the bundled seeds (anywhere else, sources must be given). Day-files that
    cannot be read or parsed, and folders that cannot be listed, are reported in ``skipped``
    and the papers they contributed before are kept. An update that would remove more than
    :data:`SHRINK_SHARE` of the papers raises :class:`ShrinkError` unless ``allow_shrink``.
    An index written in an older format is rebuilt from its remembered sources (``reason``
    says so). ``wait`` is how long to wait for another writer. ``progress(done, total, phase)``
    is called as papers are added (phase ``"adding"``), then once as the index is committed
    (``"committing"``) and once as the lexicon and word sounds are written (``"finishing"``).

    Nothing is written before the sources are known; a folder that cannot be written, or a
    full disk, raises :class:`IndexWriteError` and leaves the published generation as it was.
    """
    index_dir = resolve_dir(index_dir)
    report = UpdateReport(index_dir)
    if sources is None and current_name(index_dir) is None and not is_builtin(index_dir) \
            and not _remembered_sources(index_dir, None):
        raise missing(index_dir)  # a typo'd --index-dir, most likely: write nothing there
    try:
        with writer_lock(index_dir, wait=wait):
            _update(index_dir, sources, add_sources, rebuild, allow_shrink, progress, report)
    except OSError as exc:
        raise _write_error(index_dir, exc) from None
    report.seconds = time.monotonic() - report.started
    return report


def _update(index_dir: Path, sources, add_sources, rebuild, allow_shrink, progress, report) -> None:
    _remove_debris(index_dir)
    published = current_name(index_dir)
    old = None
    if published is not None and not rebuild:
        try:
            old = open_generation(index_dir)
        except IndexIncompatibleError as exc:
            report.reason = f"it was written in another format: {exc.difference}"
    remembered = _remembered_sources(index_dir, old)
    source_list = _choose_sources(index_dir, sources, add_sources, remembered, published)
    if published is None:
        _write_json_atomically(index_dir / REQUESTED, {"sources": source_list})
    old_files = old.manifest()["files"] if old is not None else {}
    # Read even when nothing changed, so a damaged lexicon is reported here, not by searches.
    old_lexicon = old.lexicon() if old is not None else {}
    scan = scan_dayfiles(source_paths(source_list))
    if old is None and scan.unreadable:
        # A rebuild has no previous generation to keep the folder's papers from.
        folder, reason = scan.unreadable[0]
        raise SourceError(
            f"cannot list {folder} ({reason}); a rebuild would drop its papers, so nothing was changed; "
            "fix its permissions and run `papers index` again"
        )
    plan = _plan(scan.files, old_files, report)
    keep_unlisted(plan, scan.unreadable, old_files if old is not None else _published_files(index_dir), report)
    if not any(entry["papers"] for entry in plan.manifest.values()):
        problems = f"{len(report.skipped)} could not be read or parsed"
        if report.skipped:
            problems += f", first {report.skipped[0]}"
        raise SourceError(
            f"no papers to index: the {len(scan.files)} day-files under {', '.join(shown(source_list))} "
            f"hold no paper ({problems}); nothing was changed"
        )
    if not allow_shrink and (sources is None or set(source_list) == set(remembered or ())):
        check_shrink(index_dir, old_files if old is not None else _published_files(index_dir), plan, source_list)
    if old is not None and not plan.touched and source_list == remembered:
        report.generation = old.name
        report.papers = old.meta.get("papers", 0)
        return
    report.rebuilt = old is None
    _write_generation(index_dir, old, (old_files, old_lexicon), plan, source_list, report, progress)
    report.searchable_after = time.monotonic() - report.started
    keep = {report.generation, published}
    if old is not None and writing.needs_merge(index_dir / report.generation):
        writing.merge_generation(index_dir, report)
        keep.add(report.generation)  # and the update's, still open in searchers for a moment
    (index_dir / REQUESTED).unlink(missing_ok=True)
    _remove_old_generations(index_dir, keep)


def _write_error(index_dir: Path, exc: OSError) -> Exception:
    """One line for what stops an index from being written; anything else keeps its traceback."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return IndexWriteError(
            f"the disk is full: cannot write the index at {index_dir}{where}: {exc.strerror}; "
            "the published index is unchanged; free some space and run `papers index` again"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR):
        return IndexWriteError(
            f"cannot write the index at {index_dir}{where}: {exc.strerror}; "
            "check the folder's owner and permissions, or choose another with --index-dir"
        )
    return exc


def _published_files(index_dir: Path) -> dict:
    """The manifest of the published generation, read without opening it (it may be in an
    older format); empty when there is none or it cannot be read."""
    name = current_name(index_dir)
    try:
        files = _read_json(index_dir / name / MANIFEST).get("files") if name else None
    except (OSError, ValueError, AttributeError):
        return {}
    return files if isinstance(files, dict) else {}


def _remembered_sources(index_dir: Path, old: Generation | None) -> list[str] | None:
    """The sources recorded by the published generation, else by the newest readable one, else
    those a first build was asked for."""
    if old is not None:
        return _sources_of(old.meta)
    name = current_name(index_dir)
    # The published generation first, then the others from the newest.
    try:
        generations = sorted(index_dir.glob("gen-*"), key=lambda p: (p.name != name, -(_number(p) or 0)))
    except OSError:
        generations = []
    for path in [*generations, index_dir / REQUESTED]:
        try:
            data = _read_json(path / META if path.name != REQUESTED else path)
        except (OSError, ValueError):
            continue
        if found := _sources_of(data):
            return found
    return None


def _sources_of(meta) -> list[str] | None:
    found = meta.get("sources") if isinstance(meta, dict) else None
    if isinstance(found, list) and found and all(isinstance(s, str) for s in found):
        return [symbolic(s) for s in found]
    return None


def _choose_sources(index_dir, sources, add_sources, remembered, published) -> list[str]:
    if sources is None:
        if remembered:
            return remembered
        if published is None:
            return [BUNDLED]
        raise SourceError(
            f"the index at {index_dir} does not record its sources (its meta.json is damaged); "
            "rebuild it with `papers index --rebuild --source DIR`"
        )
    given = [symbolic(str(Path(s).expanduser().resolve())) for s in sources]
    chosen = list(dict.fromkeys(((remembered or []) if add_sources else []) + given))
    if not chosen:
        raise SourceError("no sources given; name a day-file folder with --source DIR")
    return chosen


@dataclass
class _Plan:
    manifest: dict                      # the new manifest's "files"
    touched: set[str]                   # day-files that are new, changed or deleted
    papers: dict[str, list[Paper]]      # papers of every day-file read this run
    skipped: set[str]                   # day-files that could not be read or parsed


def _plan(files: list[Path], old_files: dict, report: UpdateReport) -> _Plan:
    """Hash every day-file, read the new and changed ones, and work out the new manifest."""
    plan = _Plan({}, set(), {}, set())
    for path in files:
        key = key_of(path)
        previous = old_files.get(key)
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.skipped.append(DayFileError(key, f"cannot be read ({exc.strerror or exc})"))
            plan.skipped.add(key)
            if previous is not None:
                plan.manifest[key] = previous
            continue
        digest = hashlib.sha256(data).hexdigest()
        if previous is not None and previous["sha256"] == digest:
            plan.manifest[key] = previous
            continue
        try:
            found = read_dayfile(path, data=data)
        except SearchError as exc:
            report.skipped.append(exc)
            plan.skipped.add(key)
            if previous is not None:
                plan.manifest[key] = previous  # keep its old papers until the file is fixed
            continue
        report.files_read += 1
        plan.papers[key] = found
        plan.manifest[key] = {"sha256": digest, "papers": list(dict.fromkeys(p.arxiv_id for p in found))}
        plan.touched.add(key)
    plan.touched.update(set(old_files) - set(plan.manifest))
    return plan


def _write_generation(index_dir, old, old_parts, plan: _Plan, sources, report, progress) -> None:
    """Write the next generation beside the published one, then publish it."""
    name = f"gen-{_next_number(index_dir):06d}"
    with _new_generation(index_dir, name) as tmp:
        count, dates = writing.fill(tmp, old, *old_parts, plan, report, progress)
        meta = {
            "package_version": __version__,
            **compatibility(),
            "sources": sources,
            "papers": count,
            "days": len(plan.manifest),
            "first_date": dates[0] if dates else None,
            "last_date": dates[-1] if dates else None,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "skipped": [str(problem) for problem in report.skipped],
        }
        _write_json(tmp / MANIFEST, {"files": plan.manifest})
        _write_json(tmp / META, meta)
    report.generation = name
    report.papers = meta["papers"]
    report.published = True
