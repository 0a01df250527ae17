"""Finding day-files: the ``*.md`` and ``*.txt`` files under the given folders (any layout: flat
like ``seeds/`` or the upstream ``paper_logs/YYYY/MM/DD.md``), and the folders that could not be
listed. Parsing them is :mod:`search.parse`."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Iterable

from search.errors import SourceError

DAYFILE_SUFFIXES = (".md", ".txt")
# Documentation that commonly sits beside day-files; every other *.md/*.txt is parsed, so a
# broken day-file is reported instead of being mistaken for a document and skipped silently.
NON_DAYFILE_STEMS = frozenset(
    {
        "readme",
        "license",
        "licence",
        "source",
        "changelog",
        "contributing",
        "notice",
        "authors",
        "copying",
        "code_of_conduct",
        "security",
    }
)


@dataclasses.dataclass
class Scan:
    """The day-files found under some sources, and the folders that could not be listed."""

    files: list[Path]
    unreadable: list[tuple[Path, str]]


def find_dayfiles(paths: Iterable[str | Path]) -> list[Path]:
    """Return the day-files named by ``paths``, sorted and without duplicates.

    A file is taken as given, whatever its name. A folder is searched recursively for ``*.md``
    and ``*.txt`` files, which fits both the flat seeds folder and the nested
    ``paper_logs/YYYY/MM/DD.md`` tree; hidden files and folders and well-known documents
    (README, LICENSE, SOURCE, ...) are skipped. Everything else found is treated as a day-file,
    so a broken one is reported by :func:`parse_sources` rather than ignored.

    Raises :class:`SourceError` when a path does not exist or cannot be listed, a sub-folder
    cannot be listed (:func:`scan_dayfiles` reports those instead), or a folder holds no day-files.
    """
    scan = scan_dayfiles(paths)
    if scan.unreadable:
        folder, reason = scan.unreadable[0]
        raise SourceError(f"cannot list {folder} ({reason})")
    return scan.files


def scan_dayfiles(paths: Iterable[str | Path]) -> Scan:
    """Like :func:`find_dayfiles`, but a sub-folder that cannot be listed is reported in
    ``unreadable`` instead of being skipped silently (``Path.rglob`` skips it without an error,
    which would make its day-files look deleted)."""
    found: dict[Path, Path] = {}
    unreadable: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise SourceError(f"{path} does not exist; check the path")
        if path.is_dir():
            problems: list[tuple[Path, str]] = []
            candidates = _walk(path, problems)
            if problems and problems[0][0] == path:
                raise SourceError(f"cannot list {path} ({problems[0][1]}); check its permissions")
            unreadable.extend(problems)
            if not candidates and not problems:
                raise SourceError(f"{path} holds no day-files (*.md or *.txt)")
        else:
            candidates = [path]
        for candidate in candidates:
            found.setdefault(candidate.resolve(), candidate)
    return Scan(sorted(found.values()), unreadable)


def _walk(root: Path, problems: list[tuple[Path, str]]) -> list[Path]:
    def failed(error: OSError) -> None:
        problems.append((Path(error.filename), error.strerror or str(error)))

    files = []
    for folder, dirs, names in os.walk(root, onerror=failed):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(folder)
        for name in names:
            child = base / name
            if _is_dayfile_candidate(child.relative_to(root)) and child.is_file():
                files.append(child)
    return files


def _is_dayfile_candidate(relative: Path) -> bool:
    if any(part.startswith(".") for part in relative.parts):
        return False
    return (
        relative.suffix.lower() in DAYFILE_SUFFIXES
        and relative.stem.lower() not in NON_DAYFILE_STEMS
    )
