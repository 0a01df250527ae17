"""Building, updating and opening the index.

An index directory holds immutable *generations* and a pointer to the current one::

    index/
      CURRENT          name of the published generation, replaced atomically
      gen-000007/      a complete Whoosh index + meta.json + manifest.json + lexicon.json
      .lock            held (flock) by the one process that writes

An update never touches a published generation. It hard-links the current generation's files
into a fresh directory (Whoosh segment files are write-once, so sharing them is safe), applies
the changes there, and publishes by renaming the directory and then replacing ``CURRENT``. A
searcher therefore sees the old or the new generation, never a half-written one, and a writer
killed at any moment leaves the old generation published; the next run starts over from it.

The manifest maps every day-file to its content hash and the papers it contributed, so an
update re-reads only new and changed files and an unchanged tree costs a few stats and hashes
(no Kiwi).
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from . import __version__, analysis, lexicon
from .errors import DayFileError, IndexLockedError, IndexMissingError, IndexVersionError, SearchError, SourceError
from .parse import Paper, find_dayfiles, merge_papers, read_dayfile

#: Bumped whenever the fields or what is stored in them change.
SCHEMA_VERSION = 1

CURRENT = "CURRENT"
LOCK = ".lock"
META = "meta.json"
MANIFEST = "manifest.json"
LEXICON = "lexicon.json"
#: Generations kept besides the current one, so searchers that opened the previous one finish.
KEEP_OLD = 1


def schema() -> Schema:
    """The Whoosh schema: analyzed title/summary/authors, filterable date and votes."""
    text = analysis.KiwiTokenizer()
    return Schema(
        arxiv_id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, stored=True, phrase=True),
        summary=TEXT(analyzer=text, stored=True, phrase=True),
        authors=TEXT(analyzer=analysis.KiwiTokenizer(names=True), stored=True, phrase=True),
        date=ID(stored=True, sortable=True),
        # Papers without a vote count are stored as -1: NUMERIC columns cannot hold None.
        votes=NUMERIC(int, bits=32, signed=True, stored=True, sortable=True),
        url=STORED,
        sources=STORED,
        lex=STORED,
    )


def compatibility() -> dict:
    """What an index must have been written with to be opened by this version."""
    return {"schema_version": SCHEMA_VERSION, "analysis": analysis.settings()}


# -- locations ---------------------------------------------------------------------------------


def default_index_dir() -> Path:
    """``$PAPERS_INDEX_DIR``, else ``index/`` of a source checkout, else a per-user data dir."""
    env = os.environ.get("PAPERS_INDEX_DIR")
    if env:
        return Path(env).expanduser()
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "index").is_dir():
        return checkout / "index"
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "papers-search" / "index"


def seeds_dir() -> Path:
    """The bundled day-files: ``seeds/`` of a checkout, or the copy installed in the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "seeds", here / "seeds"):
        if candidate.is_dir():
            return candidate
    raise SourceError("the bundled seeds/ folder is missing from this installation; reinstall the package")


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
        return _read_json(self.path / MANIFEST)

    def lexicon(self) -> dict:
        return _read_json(self.path / LEXICON)


def current_name(index_dir: Path) -> str | None:
    """Name of the published generation, or None when nothing was ever published."""
    try:
        return (index_dir / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def open_generation(index_dir: str | os.PathLike | None = None, check: bool = True) -> Generation:
    """Open the published generation; explain a missing or incompatible index."""
    index_dir = resolve_dir(index_dir)
    name = current_name(index_dir)
    if name is None:
        raise IndexMissingError(f"no index at {index_dir}; run `papers index` to build one")
    path = index_dir / name
    try:
        meta = _read_json(path / META)
        ix = whoosh_index.open_dir(str(path))
    except (OSError, ValueError, whoosh_index.IndexError) as exc:
        raise IndexVersionError(
            f"the index at {index_dir} is damaged ({exc}); rebuild it with `papers index --rebuild`"
        ) from None
    if check:
        _check_compatible(index_dir, meta)
    return Generation(path, meta, ix)


def _check_compatible(index_dir: Path, meta: dict) -> None:
    wanted = compatibility()
    found = {k: meta.get(k) for k in wanted}
    if found != wanted:
        raise IndexVersionError(
            f"the index at {index_dir} was written by papers-search {meta.get('package_version', '?')} "
            f"with other schema or analysis settings ({_diff(found, wanted)}); "
            "rebuild it with `papers index --rebuild`"
        )


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

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed) or self.rebuilt

    def summary(self) -> str:
        verb = "rebuilt" if self.rebuilt else "updated" if self.changed else "unchanged"
        line = (
            f"index {verb}: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{len(self.skipped)} skipped; {self.papers} papers in {self.index_dir} "
            f"({self.seconds:.1f}s)"
        )
        return line


@contextmanager
def writer_lock(index_dir: Path, wait: float = 0.0):
    """Hold the index's writer lock; a lock left by a killed process is released by the kernel."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
                    raise IndexLockedError(
                        f"another `papers index` ({holder}) is updating {index_dir}; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        yield
    finally:
        os.close(fd)


def build_index(sources: Iterable[str | os.PathLike] | None, index_dir=None, **kwargs) -> UpdateReport:
    """Build the index from scratch from ``sources`` (default: the bundled seeds)."""
    return update_index(index_dir, sources=sources, rebuild=True, **kwargs)


def update_index(
    index_dir=None,
    sources: Iterable[str | os.PathLike] | None = None,
    *,
    add_sources: bool = False,
    rebuild: bool = False,
    wait: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
) -> UpdateReport:
    """Bring the index up to date with its sources and publish a new generation if anything changed.

    ``sources`` replaces the remembered sources (``add_sources`` adds to them instead); with
    neither, the sources remembered from earlier runs are used, and a new index uses the seeds.
    Day-files that cannot be read or parsed are reported in ``skipped`` and the papers they
    contributed before are kept.
    """
    index_dir = resolve_dir(index_dir)
    started = time.monotonic()
    report = UpdateReport(index_dir)
    with writer_lock(index_dir, wait=wait):
        _remove_debris(index_dir)
        remembered = _remembered_sources(index_dir)
        old = open_generation(index_dir) if remembered is not None and not rebuild else None
        remembered = remembered or []
        if sources is None:
            source_list = remembered or [str(seeds_dir())]
        else:
            given = [str(Path(s).expanduser().resolve()) for s in sources]
            source_list = list(dict.fromkeys((remembered if add_sources else []) + given))
        files = find_dayfiles(source_list)
        old_manifest = old.manifest() if old else {"files": {}}
        plan = _plan(files, old_manifest["files"], report)
        report.rebuilt = old is None
        if old is not None and not plan.touched and source_list == remembered:
            report.generation = old.name
            report.papers = old.meta["papers"]
            report.seconds = time.monotonic() - started
            return report
        _write_generation(index_dir, old, plan, source_list, report, progress)
    report.seconds = time.monotonic() - started
    return report


def _remembered_sources(index_dir: Path) -> list[str] | None:
    """The sources of the published generation (None when there is none), even if incompatible."""
    name = current_name(index_dir)
    if name is None:
        return None
    try:
        return list(_read_json(index_dir / name / META).get("sources", []))
    except (OSError, ValueError):
        return []


@dataclass
class _Plan:
    manifest: dict                      # the new manifest's "files"
    touched: set[str]                   # day-files that are new, changed or deleted
    papers: dict[str, list[Paper]]      # papers of every day-file read this run


def _plan(files: list[Path], old_files: dict, report: UpdateReport) -> _Plan:
    """Hash every day-file, read the new and changed ones, and work out the new manifest."""
    manifest: dict = {}
    touched: set[str] = set()
    papers: dict[str, list[Paper]] = {}
    for path in files:
        key = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.skipped.append(DayFileError(key, f"cannot be read ({exc.strerror or exc})"))
            if key in old_files:
                manifest[key] = old_files[key]
            continue
        digest = hashlib.sha256(data).hexdigest()
        previous = old_files.get(key)
        if previous is not None and previous["sha256"] == digest:
            manifest[key] = previous
            continue
        try:
            found = read_dayfile(path, data=data)
        except SearchError as exc:
            report.skipped.append(exc)
            if previous is not None:
                manifest[key] = previous  # keep its old papers until the file is fixed
            continue
        report.files_read += 1
        papers[key] = found
        manifest[key] = {"sha256": digest, "papers": [p.arxiv_id for p in found]}
        touched.add(key)
    touched.update(set(old_files) - set(manifest))
    return _Plan(manifest, touched, papers)


def _write_generation(index_dir, old, plan: _Plan, sources, report, progress) -> None:
    """Write the next generation next to the published one, then publish it."""
    number = _next_number(index_dir)
    name = f"gen-{number:06d}"
    tmp = index_dir / f"tmp-{name}-{os.getpid()}"
    tmp.mkdir()
    if old is not None:
        for item in old.path.iterdir():
            if item.suffix != ".json" and "LOCK" not in item.name:
                os.link(item, tmp / item.name)
        ix = whoosh_index.open_dir(str(tmp))
        lex = lexicon.Lexicon.from_json(old.lexicon())
    else:
        ix = whoosh_index.create_in(str(tmp), schema())
        lex = lexicon.Lexicon()

    # Which papers change: every paper of a touched day-file, before and after.
    old_files = old.manifest()["files"] if old else {}
    affected: set[str] = set()
    for key in plan.touched:
        affected.update(old_files.get(key, {}).get("papers", ()))
        affected.update(plan.manifest.get(key, {}).get("papers", ()))
    owners: dict[str, list[str]] = {}
    for key, entry in plan.manifest.items():
        for arxiv_id in entry["papers"]:
            owners.setdefault(arxiv_id, []).append(key)

    # A paper also listed in an unchanged day-file needs that file's copy too.
    for arxiv_id in affected:
        for key in owners.get(arxiv_id, ()):
            if key not in plan.papers:
                try:
                    plan.papers[key] = read_dayfile(key)
                except SearchError as exc:
                    report.skipped.append(exc)
                    plan.papers[key] = []
    new_papers = merge_papers(
        p for key in plan.papers for p in plan.papers[key] if p.arxiv_id in affected
    )

    writer = ix.writer(limitmb=256)
    try:
        existing: set[str] = set()
        if old is not None:
            with ix.searcher() as searcher:
                for arxiv_id in affected:
                    stored = searcher.document(arxiv_id=arxiv_id)
                    if stored is not None:
                        existing.add(arxiv_id)
                        lex.remove(stored.get("lex") or {})
                        writer.delete_by_term("arxiv_id", arxiv_id)
        report.removed = len(existing - set(new_papers))
        report.updated = len(existing & set(new_papers))
        report.added = len(set(new_papers) - existing)
        _add_papers(writer, list(new_papers.values()), owners, lex, progress)
        writer.commit(optimize=old is None)
    except BaseException:
        writer.cancel()
        raise

    with ix.searcher() as searcher:
        count = searcher.doc_count()
        dates = sorted(searcher.lexicon("date"))
    meta = {
        "package_version": __version__,
        **compatibility(),
        "sources": sources,
        "papers": count,
        "days": len(plan.manifest),
        "first_date": dates[0].decode() if dates else None,
        "last_date": dates[-1].decode() if dates else None,
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    _write_json(tmp / LEXICON, lex.to_json())
    _write_json(tmp / MANIFEST, {"files": plan.manifest})
    _write_json(tmp / META, meta)
    _fsync_tree(tmp)
    os.rename(tmp, index_dir / name)
    _publish(index_dir, name)
    report.generation = name
    report.papers = count
    _remove_old_generations(index_dir, name)


def _add_papers(writer, papers: list[Paper], owners, lex, progress) -> None:
    """Analyze titles and summaries in one Kiwi batch and add the documents as results arrive."""
    texts = (text for p in papers for text in (p.title, p.summary))
    analyzed = analysis.analyze_many(texts)
    total = len(papers)
    for done, paper in enumerate(papers, 1):
        title_terms = next(analyzed)
        summary_terms = next(analyzed)
        doc_lex = lexicon.mine((paper.summary, summary_terms), (paper.title, title_terms))
        lex.add(doc_lex)
        writer.add_document(
            arxiv_id=paper.arxiv_id,
            title=analysis.Analyzed(paper.title, title_terms),
            _stored_title=paper.title,
            summary=analysis.Analyzed(paper.summary, summary_terms),
            _stored_summary=paper.summary,
            authors="\n".join(paper.authors),
            date=paper.date,
            votes=-1 if paper.votes is None else paper.votes,
            url=paper.url,
            sources=sorted(owners.get(paper.arxiv_id, [paper.source])),
            lex=doc_lex,
        )
        if progress is not None:
            progress(done, total)


def _next_number(index_dir: Path) -> int:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return max(numbers, default=0) + 1


def _publish(index_dir: Path, name: str) -> None:
    tmp = index_dir / f"{CURRENT}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)


def _remove_debris(index_dir: Path) -> None:
    """Remove what a killed writer left behind (only called while holding the lock)."""
    for item in index_dir.iterdir():
        if item.name.startswith("tmp-") or item.name.startswith(f"{CURRENT}.tmp"):
            shutil.rmtree(item, ignore_errors=True) if item.is_dir() else item.unlink(missing_ok=True)


def _remove_old_generations(index_dir: Path, current: str) -> None:
    gens = sorted(p for p in index_dir.glob("gen-*") if p.is_dir() and p.name != current)
    for old in gens[: max(0, len(gens) - KEEP_OLD)]:
        shutil.rmtree(old, ignore_errors=True)


def _fsync_tree(path: Path) -> None:
    for item in path.iterdir():
        fd = os.open(item, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_json(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _write_json(path: Path, data) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))


def index_size(path: Path) -> int:
    """Bytes on disk of one generation."""
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def stats(index_dir=None) -> dict:
    """What `papers stats` shows: counts, date range, size, sources and where the index is."""
    gen = open_generation(index_dir, check=False)
    meta = gen.meta
    return {
        "papers": meta.get("papers"),
        "days": meta.get("days"),
        "first_date": meta.get("first_date"),
        "last_date": meta.get("last_date"),
        "index_dir": str(resolve_dir(index_dir)),
        "generation": gen.name,
        "index_bytes": index_size(gen.path),
        "written": meta.get("written"),
        "package_version": meta.get("package_version"),
        "sources": meta.get("sources", []),
    }


def aliases(word: str, index_dir=None) -> list[dict]:
    """The learned Korean ↔ English aliases of ``word`` (see :mod:`search.lexicon`)."""
    gen = open_generation(index_dir)
    tables = lexicon.Lexicon.from_json(gen.lexicon()).tables()
    return [
        {"alias": a.text, "language": lang, "documents": a.count, "confidence": round(a.confidence, 3)}
        for lang, a in tables.lookup(word)
    ]
