"""What an index is built from: its sources as they are remembered, the day-files they hold
now, and what an update may do when they change.

A source is remembered as an absolute path, except the bundled seeds, remembered by name
(:data:`BUNDLED`): their path changes whenever the package is reinstalled or its virtual
environment recreated. Day-files are keyed in the manifest the same way (:func:`key_of`).
An update keeps the papers of a folder the scan cannot list (:func:`keep_unlisted`) and refuses
to remove more than :data:`SHRINK_SHARE` of the papers unless told (:func:`check_shrink`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from .errors import DayFileError, ShrinkError, SourceError

#: How the bundled seeds are remembered: a name, not a path, because the path changes when the
#: package is reinstalled or its virtual environment recreated.
BUNDLED = "bundled:seeds"
#: An update that would remove more than this share of the indexed papers (and more than
#: SHRINK_MIN_PAPERS of them) is refused without ``allow_shrink`` (``--allow-shrink``): an
#: unmounted disk or a failed ``git pull`` looks like mass deletion.
SHRINK_SHARE = 0.25
SHRINK_MIN_PAPERS = 10


@functools.lru_cache(maxsize=None)
def seeds_dir() -> Path:
    """The bundled day-files: ``seeds/`` of a checkout, or the copy installed in the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "seeds", here / "seeds"):
        if candidate.is_dir():
            return candidate
    raise SourceError("the bundled seeds/ folder is missing from this installation; reinstall the package")


def source_paths(sources: list[str]) -> list[Path]:
    """The folders (or files) the remembered sources name now."""
    return [seeds_dir() if s == BUNDLED else Path(s) for s in sources]


def shown(sources: list[str]) -> list[str]:
    return ["the bundled seeds" if s == BUNDLED else s for s in sources]


def key_of(path: Path) -> str:
    """A day-file's manifest key: its path, or for a bundled seed ``bundled:seeds/NAME``."""
    try:
        return f"{BUNDLED}/{path.relative_to(seeds_dir()).as_posix()}"
    except (ValueError, SourceError):
        return str(path)


def path_of(key: str) -> Path:
    if key.startswith(BUNDLED + "/"):
        return seeds_dir() / key[len(BUNDLED) + 1:]
    return Path(key)


def keep_unlisted(plan, unreadable: list[tuple[Path, str]], old_files: dict, report) -> None:
    """A folder the scan could not list keeps the papers of the day-files indexed from it:
    their entries of ``old_files`` go into the update's ``plan`` as skipped, and each folder
    is reported in ``report.skipped``."""
    for folder, reason in unreadable:
        kept = 0
        for key, entry in old_files.items():
            if key not in plan.manifest and path_of(key).is_relative_to(folder):
                plan.manifest[key] = entry
                plan.skipped.add(key)
                plan.touched.discard(key)
                kept += 1
        report.skipped.append(DayFileError(
            str(folder), f"cannot be listed ({reason}); the papers of its {kept} indexed day-files are kept"))


def check_shrink(index_dir: Path, old_files: dict, plan, sources: list[str]) -> None:
    """Raise :class:`ShrinkError`, naming the folders and counts, when the update's ``plan``
    would remove more than :data:`SHRINK_SHARE` (and :data:`SHRINK_MIN_PAPERS`) of the papers."""
    before = {a for entry in old_files.values() for a in entry.get("papers", ())}
    after = {a for entry in plan.manifest.values() for a in entry["papers"]}
    lost = before - after
    if len(lost) <= max(SHRINK_MIN_PAPERS, SHRINK_SHARE * len(before)):
        return
    folders = []
    for source in sources:
        root = source_paths([source])[0]
        had = sum(1 for key in old_files if path_of(key).is_relative_to(root))
        has = sum(1 for key in plan.manifest if key in old_files and path_of(key).is_relative_to(root))
        if has < had:
            folders.append(f"{shown([source])[0]} now holds {has} of the {had} day-files indexed from it")
    raise ShrinkError(
        f"refusing to remove {len(lost)} of the {len(before)} papers in {index_dir} "
        f"(more than {SHRINK_SHARE:.0%}): {'; '.join(folders) or 'their day-files no longer list them'}; "
        "the published index is unchanged. If the papers are really gone, run `papers index --allow-shrink`"
    )


def symbolic(source: str) -> str:
    """A remembered source as it is remembered now: the bundled seeds by name, also when an
    older version recorded them as a path that a reinstall has since removed."""
    if source == BUNDLED:
        return source
    path = Path(source)
    try:
        if path.resolve() == seeds_dir().resolve():
            return BUNDLED
    except SourceError:
        pass
    if not path.exists() and path.parts[-2:] == ("search", "seeds"):
        return BUNDLED
    return source
