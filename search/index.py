"""Building, updating and opening the index.

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
import shutil
import time
from collections.abc import Callable, Iterable
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, STORED, Schema

from . import __version__, analysis, arrays, lexicon, loanwords, segments, words
from .errors import (
    DayFileError, IndexIncompatibleError, IndexMissingError, IndexVersionError, IndexWriteError,
    SearchError, SourceError,
)
from .generations import (  # noqa: F401  (CURRENT, LOCK, writer_*, index_size: re-exported)
    CURRENT, LOCK, REQUESTED, current_name, index_size, writer_lock, writer_running,
    damaged as _damaged, new_generation as _new_generation, next_number as _next_number, number as _number,
    read_json as _read_json, read_part as _read_part, remove_debris as _remove_debris,
    remove_old_generations as _remove_old_generations, share_files as _share_files,
    write_json as _write_json, write_json_atomically as _write_json_atomically,
)
from .parse import PARSER_VERSION, Paper, merge_papers, read_dayfile, scan_dayfiles
from .sources import (  # noqa: F401  (BUNDLED, SHRINK_*, seeds_dir: part of this module's surface)
    BUNDLED, SHRINK_MIN_PAPERS, SHRINK_SHARE, check_shrink, keep_unlisted, key_of, path_of, seeds_dir, shown,
    source_paths, symbolic,
)

#: Bumped whenever the fields or what is stored in them change.
SCHEMA_VERSION = 8

META = "meta.json"
MANIFEST = "manifest.json"
LEXICON = "lexicon.json"
#: The thresholded alias and split tables derived from the lexicon: all a search needs, small.
TABLES = "tables.arr"
#: The corpus's English words grouped by sound, for matching Hangul loanwords (:mod:`search.loanwords`).
SOUNDS = "sounds.arr"


def schema() -> Schema:
    """The Whoosh schema: the stored papers, looked up by ID, with filterable date and votes.

    Nothing is analyzed into Whoosh: every term (title, summary, authors, the Hangul bigram and
    literal views) lives in the array form alone (:mod:`search.arrays`), which ranking, prefixes
    and author look-ups read. Whoosh's pure-Python writer handling those postings was most of
    the build's cost over Kiwi's.
    """
    return Schema(
        arxiv_id=ID(stored=True, unique=True, sortable=True),
        title=STORED,
        summary=STORED,
        authors=STORED,
        date=ID(stored=True, sortable=True),
        # Papers without a vote count are stored as -1: NUMERIC columns cannot hold None.
        votes=NUMERIC(int, bits=32, signed=True, stored=True, sortable=True),
        url=STORED,
        sources=STORED,
        lex=STORED,
    )


def compatibility() -> dict:
    """What an index must have been written with to be opened by this version."""
    return {"schema_version": SCHEMA_VERSION, "parser_version": PARSER_VERSION, "analysis": analysis.settings()}


# -- locations ---------------------------------------------------------------------------------


def default_index_dir() -> Path:
    """``$PAPERS_INDEX_DIR``, else :func:`builtin_index_dir`."""
    env = os.environ.get("PAPERS_INDEX_DIR")
    if env:
        return Path(env).expanduser()
    return builtin_index_dir()


def builtin_index_dir() -> Path:
    """The one default location, whatever the install mode (a checkout, ``pip install .`` or
    ``-e``): ``$XDG_DATA_HOME/papers-search/index``, else ``~/.local/share/papers-search/index``."""
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data).expanduser() / "papers-search" / "index"


def is_builtin(index_dir: Path) -> bool:
    """Whether ``index_dir`` is the default location, the only one the seeds are indexed at
    without being asked for."""
    return Path(os.path.abspath(index_dir)) == Path(os.path.abspath(builtin_index_dir()))


def legacy_index_dir() -> Path | None:
    """``index/`` of this source checkout when it holds an index: the default location of
    earlier versions (which made the location depend on the install mode)."""
    checkout = Path(__file__).resolve().parents[1]
    found = checkout / "index"
    return found if (checkout / "pyproject.toml").is_file() and (found / CURRENT).is_file() else None


def missing(index_dir: Path) -> IndexMissingError:
    """The error for an index location that holds no index (a typo, most likely)."""
    legacy = legacy_index_dir() if is_builtin(index_dir) else None
    if legacy is not None:
        return IndexMissingError(
            f"no index at {index_dir}, the default location; earlier versions kept it at {legacy}: "
            f"move it (`mv {legacy} {index_dir}`) or use --index-dir {legacy}"
        )
    if is_builtin(index_dir):
        return IndexMissingError(
            f"no index at {index_dir}; run `papers index` to build one from the bundled seeds, "
            "or `papers index --source DIR` from your day-files"
        )
    return IndexMissingError(f"no index at {index_dir}; run `papers index --index-dir {index_dir} --source DIR`")


def resolve_dir(index_dir: str | os.PathLike | None) -> Path:
    return Path(index_dir).expanduser() if index_dir else default_index_dir()


# -- reading -----------------------------------------------------------------------------------


@dataclass
class Generation:
    """One published, immutable generation: its Whoosh index and the files beside it."""

    path: Path
    meta: dict
    ix: object

    @property
    def name(self) -> str:
        return self.path.name

    def manifest(self) -> dict:
        data = _read_part(self.path, MANIFEST)
        files = data.get("files")
        if not isinstance(files, dict) or not all(
            isinstance(e, dict) and isinstance(e.get("sha256"), str) and isinstance(e.get("papers"), list)
            for e in files.values()
        ):
            raise _damaged(self.path, f"{MANIFEST}: not a manifest of day-files")
        return data

    def lexicon(self) -> dict:
        return _read_part(self.path, LEXICON)

    def tables(self) -> lexicon.Tables:
        try:
            return lexicon.Tables.read(self.path / TABLES)
        except IndexVersionError as exc:
            raise _damaged(self.path, str(exc)) from None

    def sounds(self) -> loanwords.Sounds:
        try:
            return loanwords.Sounds.read(self.path / SOUNDS)
        except IndexVersionError as exc:
            raise _damaged(self.path, str(exc)) from None

    def arrays(self) -> arrays.Arrays:
        try:
            return arrays.Arrays(self.path)
        except IndexVersionError as exc:
            raise _damaged(self.path, str(exc)) from None

    def words(self) -> words.Table:
        try:
            return words.Table(self.path)
        except IndexVersionError as exc:
            raise _damaged(self.path, str(exc)) from None


def open_generation(index_dir: str | os.PathLike | None = None, check: bool = True) -> Generation:
    """Open the published generation; explain a missing, damaged or incompatible index."""
    index_dir = resolve_dir(index_dir)
    for _ in range(3):
        name = current_name(index_dir)
        if name is None:
            raise missing(index_dir)
        path = index_dir / name
        try:
            meta = _read_part(path, META)
            if check:  # before Whoosh unpickles a schema that may no longer exist
                _check_compatible(index_dir, meta)
            ix = whoosh_index.open_dir(str(path))
            break
        except Exception as exc:  # damaged Whoosh files fail in many ways (pickle, struct, EOF)
            if current_name(index_dir) != name:
                continue  # two writers published and pruned this generation meanwhile
            if isinstance(exc, IndexVersionError):
                raise
            raise _damaged(path, str(exc) or type(exc).__name__) from None
    else:
        raise IndexVersionError(f"the index at {index_dir} changed while being opened; try again")
    return Generation(path, meta, ix)


def _check_compatible(index_dir: Path, meta: dict) -> None:
    wanted = compatibility()
    found = {k: meta.get(k) for k in wanted}
    if found != wanted:
        if writer_running(index_dir):
            fix = "a rebuild is under way; try again when it has finished"
        else:
            fix = "run `papers index` to rebuild it from its sources (a scheduled update does it)"
        error = IndexIncompatibleError(
            f"the index at {index_dir} was written by papers-search {meta.get('package_version', '?')} "
            f"with other schema, parser or analysis settings ({_diff(found, wanted)}); {fix}"
        )
        error.difference = _diff(found, wanted)
        raise error


def _diff(found: dict, wanted: dict) -> str:
    parts = []
    for key, value in wanted.items():
        if isinstance(value, dict) and isinstance(found.get(key), dict):
            for k, v in value.items():
                if found[key].get(k) != v:
                    parts.append(f"{key}.{k}: {found[key].get(k)!r}, now {v!r}")
        elif found.get(key) != value:
            parts.append(f"{key}: {found.get(key)!r}, now {value!r}")
    return "; ".join(parts)


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
    if old is not None and _needs_merge(index_dir / report.generation):
        _merge_generation(index_dir, report)
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
        count, dates = _fill(tmp, old, *old_parts, plan, report, progress)
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


def _fill(tmp: Path, old, old_files: dict, old_lexicon: dict, plan: _Plan, report, progress) -> tuple[int, list[str]]:
    """Apply the plan to a copy of the old generation in ``tmp``; returns papers and dates."""
    if old is not None:
        _share_files(old.path, tmp)
        ix = whoosh_index.open_dir(str(tmp))
        lex = lexicon.Lexicon.from_json(old_lexicon)
    else:
        ix = whoosh_index.create_in(str(tmp), schema())
        lex = lexicon.Lexicon()

    owners: dict[str, list[str]] = {}
    for key, entry in plan.manifest.items():
        for arxiv_id in entry["papers"]:
            owners.setdefault(arxiv_id, []).append(key)
    # Which papers may change: every paper of a touched day-file, before and after.
    affected: set[str] = set()
    for key in plan.touched:
        affected.update(old_files.get(key, {}).get("papers", ()))
        affected.update(plan.manifest.get(key, {}).get("papers", ()))
    # A paper also listed in an unchanged day-file needs that file's copy too; a paper listed
    # in a day-file that cannot be read now keeps its indexed version until the file is fixed.
    unknown = set(plan.skipped)
    for arxiv_id in sorted(affected):
        for key in owners.get(arxiv_id, ()):
            if key not in plan.papers and key not in unknown:
                try:
                    plan.papers[key] = read_dayfile(path_of(key))
                except SearchError as exc:
                    report.skipped.append(exc)
                    unknown.add(key)
    affected = {a for a in affected if unknown.isdisjoint(owners.get(a, ()))}
    # Merged in file order, as a rebuild does, so ties between copies resolve the same way.
    new_papers = merge_papers(
        p for key in sorted(plan.papers, key=Path) for p in plan.papers[key] if p.arxiv_id in affected
    )

    segment, table = segments.SegmentBuilder(), words.Builder()
    writer = ix.writer(limitmb=256)
    try:
        with ix.searcher() as searcher:
            stored = {a: doc for a in affected if (doc := searcher.document(arxiv_id=a)) is not None}
        fresh = [
            p for a, p in new_papers.items()
            if a not in stored or _stored_fields(p, owners) != {k: stored[a].get(k) for k in _COMPARED}
        ]
        replaced = {p.arxiv_id for p in fresh} & set(stored)
        for arxiv_id in sorted(replaced | (set(stored) - set(new_papers))):
            lex.remove(stored[arxiv_id].get("lex") or {})
            writer.delete_by_term("arxiv_id", arxiv_id)
        report.removed = len(set(stored) - set(new_papers))
        report.updated = len(replaced)
        report.added = len(fresh) - len(replaced)
        _add_papers(writer, segment, table, fresh, owners, lex, progress)
        if progress is not None:  # committing a rebuild merges every segment: many seconds
            progress(len(fresh), len(fresh), "committing")
        if old is None:
            writer.commit(optimize=True)
        else:  # merged apart, once the new papers are published (_merge_generation)
            from whoosh.writing import NO_MERGE
            writer.commit(mergetype=NO_MERGE)
    except BaseException:
        # After a failed commit (a full disk) the writer is closed and cancel() raises "This
        # writer is closed", which would hide the real error.
        with contextlib.suppress(Exception):
            writer.cancel()
        raise

    if progress is not None:
        progress(len(fresh), len(fresh), "finishing")
    listing = arrays.read_listing(old.path) if old is not None else []
    listing = segments.delete(tmp, listing, replaced | (set(stored) - set(new_papers)))
    if len(segment):
        listing.append(segment.write(tmp))
    listing = segments.compact(tmp, listing)
    kept = {f"seg-{s['name']}.arr" for s in listing}
    for path in tmp.glob("seg-*.arr"):
        if path.name not in kept:
            path.unlink()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        count = searcher.doc_count()
        # The term list still holds the dates of deleted documents; the column, per live doc, not.
        dates = []
        if count:  # an empty index has no column to read
            deleted = _deleted(reader)
            dates = sorted({d for n, d in enumerate(reader.column_reader("date")) if n not in deleted})
    arrays.write_listing(tmp, listing, _whoosh_ids(ix))
    sounds = loanwords.Sounds(english_words(arrays.Arrays(tmp)), previous=old.sounds() if old is not None else None)
    table.write(tmp, old.words() if old is not None else None)
    _write_json(tmp / LEXICON, lex.to_json())
    lex.tables().write(tmp / TABLES)
    sounds.write(tmp / SOUNDS)
    return count, dates


#: Whoosh merges segments in Python (a hundred or so documents a second on a shared machine); its
#: own policy once merged 4,053 documents into an update of 20 papers (42 s). An update publishes
#: its papers without merging; then, in a generation of its own, the MERGE_AT smallest segments
#: are merged, only when they hold at most MERGE_BUDGET documents together, so a run's merge is
#: bounded and most runs merge nothing; larger segments are merged only by a rebuild (the array
#: form merges separately, in numpy).
MERGE_BUDGET = 500
MERGE_AT = 6


def bounded_merge(writer, segments):
    """Whoosh merge policy for updates: merge the :data:`MERGE_AT` smallest segments when they
    hold at most :data:`MERGE_BUDGET` documents together."""
    from whoosh.reading import SegmentReader

    if len(segments) < MERGE_AT:
        return segments
    chosen = sorted(segments, key=lambda s: s.doc_count_all())[:MERGE_AT]
    if sum(s.doc_count_all() for s in chosen) > MERGE_BUDGET:
        return segments
    for seg in chosen:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]


def _whoosh_ids(ix) -> list[str | None]:
    """The arXiv ID of every Whoosh document number (None if deleted), for the array form's map."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        deleted = _deleted(reader)
        return [None if n in deleted else a for n, a in enumerate(reader.column_reader("arxiv_id"))]


def _deleted(reader) -> set[int]:
    """The deleted document numbers of a Whoosh reader: one set per segment, not a call per
    document (columns are read whole, in document order, by iterating them)."""
    return {base + n for leaf, base in reader.leaf_readers() if leaf.has_deletions() for n in leaf.deleted_docs_set}


def _needs_merge(path: Path) -> bool:
    """Whether :func:`bounded_merge` would merge segments of the generation at ``path``."""
    segments = whoosh_index.open_dir(str(path))._segments()
    smallest = sorted(s.doc_count_all() for s in segments)[:MERGE_AT]
    return len(segments) >= MERGE_AT and sum(smallest) <= MERGE_BUDGET


def _merge_generation(index_dir: Path, report: UpdateReport) -> None:
    """Publish a copy of the generation just published with its small Whoosh segments merged.

    Done apart from the update, after its papers are searchable, so a merge never delays them
    (one merged 4,053 documents into an update of 20 papers: 42 s); a writer killed here leaves
    the update published. Only Whoosh's document numbers change, so the array form's map is
    rewritten and every other file is shared."""
    source = index_dir / report.generation
    name = f"gen-{_next_number(index_dir):06d}"
    with _new_generation(index_dir, name) as tmp:
        _share_files(source, tmp)
        for part in source.glob("*.json"):  # rewritten in place below or later: never shared
            shutil.copy2(part, tmp / part.name)
        ix = whoosh_index.open_dir(str(tmp))
        writer = ix.writer()
        try:
            writer.commit(mergetype=bounded_merge)
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        arrays.write_listing(tmp, arrays.read_listing(tmp), _whoosh_ids(ix))
    report.generation = name


def english_words(view: arrays.Arrays) -> dict[str, int]:
    """Every Latin word of the literal view (titles and summaries as written) with its paper count.

    Summed over the two fields, so a word in both the title and the summary of a paper counts
    twice; the count only decides which one-off words are left out. Only live documents count,
    so an updated index counts what a rebuild counts.
    """
    return view.words(("lit_title", "lit_summary"), keep=str.isascii)


#: A paper whose stored fields are unchanged is not re-indexed, so these must cover every input
#: of a document (the analyzer itself is pinned by the compatibility check).
_COMPARED = ("title", "summary", "authors", "date", "votes", "url", "sources")


def _stored_fields(paper: Paper, owners: dict) -> dict:
    """The stored fields of a paper's document, except the analyzed ``lex``."""
    return {
        "title": paper.title,
        "summary": paper.summary,
        "authors": "\n".join(paper.authors),
        "date": paper.date,
        # Papers without a vote count are stored as -1: NUMERIC columns cannot hold None.
        "votes": -1 if paper.votes is None else paper.votes,
        "url": paper.url,
        "sources": sorted(owners.get(paper.arxiv_id, [paper.source])),
    }


def _add_papers(writer, segment: segments.SegmentBuilder, table: words.Builder, papers: list[Paper], owners, lex,
                progress) -> None:
    """Analyze titles and summaries in one Kiwi batch and add the documents, to Whoosh, to the
    array segment and to the word table, as results arrive."""
    texts = (text for p in papers for text in (p.title, p.summary))
    analyzed = analysis.analyze_many(texts, words=table)
    total = len(papers)
    for done, paper in enumerate(papers, 1):
        title_terms = next(analyzed)
        summary_terms = next(analyzed)
        doc_lex = lexicon.mine((paper.summary, summary_terms), (paper.title, title_terms))
        lex.add(doc_lex)
        names = analysis.name_terms(paper.authors)
        writer.add_document(arxiv_id=paper.arxiv_id, lex=doc_lex, **_stored_fields(paper, owners))
        grams = analysis.content_text(analysis.clean(paper.title), title_terms) + "\n" + analysis.content_text(
            analysis.clean(paper.summary), summary_terms)
        segment.add(paper.arxiv_id, paper.votes, paper.date, {
            "title": _texts_and_positions(title_terms),
            "summary": _texts_and_positions(summary_terms),
            "authors": _texts_and_positions(names),
            "grams": analysis.hangul_bigrams(grams),
            "lit_title": analysis.literal_terms(paper.title),
            "lit_summary": analysis.literal_terms(paper.summary),
        })
        if progress is not None:
            progress(done, total, "adding")


def _texts_and_positions(terms: list[analysis.Term]) -> tuple[list[str], list[int]]:
    return [t.text for t in terms], [t.pos for t in terms]


def stats(index_dir=None) -> dict:
    """What `papers stats` shows: counts, date range, size, sources and where the index is."""
    gen = open_generation(index_dir, check=False)
    meta = gen.meta
    try:
        _check_compatible(gen.path.parent, meta)
        state = "ready"
    except IndexIncompatibleError as exc:
        state = f"written in another format ({exc.difference}); the next `papers index` rebuilds it"
    return {
        "papers": meta.get("papers"),
        "days": meta.get("days"),
        "first_date": meta.get("first_date"),
        "last_date": meta.get("last_date"),
        "index_dir": str(resolve_dir(index_dir)),
        "location": location_origin(index_dir),
        "state": state,
        "generation": gen.name,
        "index_bytes": index_size(gen.path),
        "written": meta.get("written"),
        "package_version": meta.get("package_version"),
        "sources": shown([symbolic(s) for s in meta.get("sources", [])]),
        "skipped": meta.get("skipped", []),
    }


def location_origin(index_dir=None) -> str:
    """Why the index is where it is: ``given``, ``$PAPERS_INDEX_DIR`` or ``default``."""
    env = os.environ.get("PAPERS_INDEX_DIR")
    if index_dir is not None and not (env and str(index_dir) == env):
        return "given"
    return "$PAPERS_INDEX_DIR" if env else "default"


def aliases(word: str, index_dir=None) -> list[dict]:
    """The learned Korean ↔ English aliases of ``word`` (see :mod:`search.lexicon`)."""
    gen = open_generation(index_dir)
    tables = gen.tables()
    return [
        {"alias": a.text, "language": lang, "documents": a.count, "confidence": round(a.confidence, 3),
         **({"spellings": list(a.spellings())} if a.forms else {})}
        for lang, a in tables.lookup(word)
    ]
