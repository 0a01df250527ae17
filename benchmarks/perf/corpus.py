"""The corpora of the benchmark: seeds, the shared corpus, and synthetic copies of it.

Synthetic day-files are real day-files with new arXiv IDs and dates, written to a temporary
folder. An ID keeps its shape (``\\d{4}\\.\\d{5}``, what ``search.parse`` accepts) and gets a
new first digit per copy: real IDs all start with ``2`` (2023–2025), so ``2407.01284`` becomes
``0407.01284``, ``1407.01284``, ``3407.01284`` … and no copy collides with another. Dates move
back by four years per copy (a multiple of four keeps 29 February valid). Vote counts of the
copies are scaled by a seeded factor in [0.7, 1.3] so that ``min_votes`` filters do not select
the same papers in every copy; titles, authors and summaries stay as written, so the vocabulary
does not grow with the copies (an optimistic case for the term dictionary).
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_ROOT / "seeds"
#: The real corpus: $PAPERS_CORPUS, else where the development set-up keeps it.
FULL = Path(os.environ.get("PAPERS_CORPUS") or PROJECT_ROOT.parent / "shared" / "corpus" / "daily_papers_ko" / "paper_logs")
DAYFILE_SUFFIXES = (".md", ".txt")

#: First digit of the IDs of copy k; copy 0 is the real corpus unchanged.
COPY_DIGITS = "2013456789"
YEARS_PER_COPY = 4
#: The first digits of the IDs of the new day-file of the update measurement.
NEW_DAY_DIGITS = "99"

_ID = re.compile(r"(arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/)2(\d{3}\.\d{4,5})", re.IGNORECASE)
_HEADER_DATE = re.compile(r"^(## Daily Papers \()(\d{4})(-\d{2}-\d{2}\))", re.MULTILINE)
_VOTE = re.compile(r"^Vote: (\d+)$", re.MULTILINE)
_PATH_YEAR = re.compile(r"^(\d{4})$")


def dayfiles(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in DAYFILE_SUFFIXES and p.is_file())


def rewrite(text: str, digit: str, year_shift: int, seed: int) -> str:
    """A day-file's text with IDs starting with ``digit`` (one or two digits in place of the
    first ones), years moved and votes scaled."""
    rng = random.Random(seed)
    text = _ID.sub(lambda m: f"{m[1]}{digit}{m[2][len(digit) - 1:]}", text)
    text = _HEADER_DATE.sub(lambda m: f"{m[1]}{int(m[2]) + year_shift}{m[3]}", text)
    return _VOTE.sub(lambda m: f"Vote: {round(int(m[1]) * rng.uniform(0.7, 1.3))}", text)


def _shifted(relative: Path, year_shift: int) -> Path:
    """``2024/07/02.md`` moved by ``year_shift`` years (the parser also reads dates from paths)."""
    parts = [str(int(p) + year_shift) if _PATH_YEAR.match(p) else p for p in relative.parts]
    return Path(*parts)


def make_copies(src: Path, dst: Path, copies: int = 10) -> Path:
    """Write ``copies`` copies of every day-file under ``src`` into ``dst`` (copy 0 unchanged)."""
    files = dayfiles(src)
    for k in range(copies):
        shift = -YEARS_PER_COPY * k
        for n, path in enumerate(files):
            text = path.read_text(encoding="utf-8")
            if k:
                text = rewrite(text, COPY_DIGITS[k], shift, seed=k * 100_003 + n)
            out = dst / f"copy{k}" / _shifted(path.relative_to(src), shift)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
    return dst


def mirror(src: Path, dst: Path) -> Path:
    """A folder tree of symlinks to the day-files under ``src``, to which new files can be added."""
    for path in dayfiles(src):
        link = dst / path.relative_to(src)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path)
    return dst


def typical_dayfile(src: Path) -> Path:
    """The day-file with the median number of papers (the first such in path order)."""
    counts = [(len(re.findall(r"^### ", p.read_text(encoding="utf-8"), re.MULTILINE)), p) for p in dayfiles(src)]
    median = sorted(c for c, _ in counts)[len(counts) // 2]
    return next(p for c, p in counts if c == median)


def add_new_day(src: Path, mirrored: Path) -> tuple[Path, Path]:
    """Add to ``mirrored`` a typical real day-file with fresh IDs (starting ``99``, found in no
    copy), dated a year after the corpus (``src``: the real corpus).

    Returns the original day-file and the new one.
    """
    original = typical_dayfile(src)
    relative = original.relative_to(src)
    last_year = max(int(p.relative_to(src).parts[0]) for p in dayfiles(src) if p.relative_to(src).parts[0].isdigit())
    shift = last_year + 1 - int(relative.parts[0])
    new = mirrored / _shifted(relative, shift)
    new.parent.mkdir(parents=True, exist_ok=True)
    # IDs 99xx.xxxxx: every copy of x10 has a first digit of its own (9 included), but real IDs
    # have a second digit of 3-5 (2023-2025), so none collides with the new day's.
    new.write_text(rewrite(original.read_text(encoding="utf-8"), NEW_DAY_DIGITS, shift, seed=1), encoding="utf-8")
    return original, new
