"""The published generation: what an index must have been written with, opening it (and explaining
a missing, damaged or incompatible one), and what `papers stats` and `papers aliases` read from it.

The files of a generation (see :mod:`search.index` for how they are written and published)::

    gen-000007/   a Whoosh index (the stored papers) + meta.json, manifest.json, lexicon.json,
                  tables.arr, sounds.arr, the word table and the array form's segments
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from . import analysis, arrays, lexicon, loanwords, words
from .errors import IndexIncompatibleError, IndexVersionError
from .generations import current_name, damaged as _damaged, index_size, read_part as _read_part, writer_running
from .locations import location_origin, missing, resolve_dir
from .parse import PARSER_VERSION
from .sources import shown, symbolic

#: Bumped whenever the fields or what is stored in them change.
SCHEMA_VERSION = 9

META = "meta.json"
MANIFEST = "manifest.json"
LEXICON = "lexicon.json"
#: The thresholded alias and split tables derived from the lexicon: all a search needs, small.
TABLES = "tables.arr"
#: The corpus's English words grouped by sound, for matching Hangul loanwords (:mod:`search.loanwords`).
SOUNDS = "sounds.arr"


def compatibility() -> dict:
    """What an index must have been written with to be opened by this version."""
    return {"schema_version": SCHEMA_VERSION, "parser_version": PARSER_VERSION, "miner_version": lexicon.MINER_VERSION,
            "analysis": analysis.settings()}



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


def aliases(word: str, index_dir=None) -> list[dict]:
    """The learned Korean ↔ English aliases of ``word`` (see :mod:`search.lexicon`)."""
    gen = open_generation(index_dir)
    tables = gen.tables()
    return [
        {"alias": a.text, "language": lang, "documents": a.count, "confidence": round(a.confidence, 3),
         **({"spellings": list(a.spellings())} if a.forms else {})}
        for lang, a in tables.lookup(word)
    ]
