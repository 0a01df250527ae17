"""Text for people at a terminal: display widths, wrapping with an indent, highlights, colour.

No click here: the CLI decides where text goes, this module only decides what it looks like.
"""

from __future__ import annotations

import os
import shutil
import time
import unicodedata

BOLD, MATCH, DIM, RESET = "\x1b[1m", "\x1b[1;33m", "\x1b[2m", "\x1b[0m"
#: Authors shown before the list is shortened.
SHOWN_AUTHORS = 4


def use_color(choice: str, isatty: bool) -> bool:
    """``--color always|never|auto``; auto means a terminal without ``NO_COLOR`` (https://no-color.org)
    and whose ``TERM`` is not ``dumb``. An explicit ``always`` wins over the environment."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return isatty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def width(isatty: bool) -> int | None:
    """Columns to wrap to: ``$COLUMNS`` if set, else the terminal's; None (no wrapping) when
    the output is not a terminal, so pipes and files get one line per field."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if not isatty:
        return None
    return shutil.get_terminal_size().columns


def human_size(count: int | None) -> str:
    """Bytes for people: ``43.6 MB`` (powers of 1000, as ``ls -h --si`` and file managers)."""
    if count is None:
        return "-"
    size = float(count)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def char_width(ch: str) -> int:
    """Columns a character takes: two for wide East Asian characters (Hangul), none for marks."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def line_spans(text: str, columns: int | None) -> list[tuple[int, int]]:
    """Where to cut ``text`` into lines of at most ``columns`` display columns: (start, end)
    offsets. Lines break at spaces (which are dropped); a word wider than a line is cut."""
    if columns is None or text_width(text) <= columns:
        return [(0, len(text))]
    columns = max(columns, 2)
    lines: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        used, end, last_space = 0, start, None
        while end < len(text) and used + char_width(text[end]) <= columns:
            if text[end] == " ":
                last_space = end
            used += char_width(text[end])
            end += 1
        if end < len(text):
            if text[end] == " ":
                last_space = end
            if last_space is not None and last_space > start:
                end = last_space
            elif end == start:  # a single character wider than the line
                end += 1
        next_start = end
        while end > start + 1 and text[end - 1] == " ":
            end -= 1
        lines.append((start, end))
        start = next_start
        while start < len(text) and text[start] == " ":
            start += 1
    return lines


def merge_spans(text: str, spans) -> list[tuple[int, int]]:
    """Highlights with only spaces between them become one (``멀티모달 벤치마크`` is one match)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def paint(text: str, spans, style: str | None) -> str:
    """``text`` with ``spans`` in ``style`` (no style: the text unchanged)."""
    if not style or not spans:
        return text
    out, pos = [], 0
    for start, end in spans:
        out += [text[pos:start], style, text[start:end], RESET]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def block(text: str, indent: str, columns: int | None, spans=(), style: str | None = None,
          first: str | None = None) -> list[str]:
    """``text`` wrapped to ``columns`` with ``indent`` before each line (``first`` before the
    first, if given), the ``spans`` painted in ``style``."""
    lead = indent if first is None else first
    room = None if columns is None else max(columns - max(text_width(lead), text_width(indent)), 10)
    spans = merge_spans(text, spans)
    lines = []
    for n, (start, end) in enumerate(line_spans(text, room)):
        inside = [(max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start]
        lines.append((lead if n == 0 else indent) + paint(text[start:end], inside, style))
    return lines


def hit_lines(hit, rank: int, columns: int | None, colored: bool, matched=()) -> list[str]:
    """One numbered hit: its title, where to find it, its authors and its snippet, wrapped."""
    bold, match = (BOLD, MATCH) if colored else (None, None)
    lines = block(hit.title, "    ", columns, [(0, len(hit.title))], bold, first=f"{rank:>2}. ")
    votes = "-" if hit.votes is None else hit.votes
    lines += block(f"{hit.arxiv_id}  {hit.date}  votes {votes}  {hit.url}", "    ", columns)
    line, spans = authors_line(hit.authors, matched)
    if line:
        lines += block(line, "    ", columns, spans, bold)
    if hit.snippet:
        lines += block(hit.snippet, "    ", columns, hit.highlights, match)
    return lines


def authors_line(authors, matched=()) -> tuple[str, list[tuple[int, int]]]:
    """The first authors, shortened with a count, and any matched author beyond them; returns
    the line and the spans of the matched names in it."""
    authors = list(authors)
    text, spans = "", []

    def add(piece: str, is_match: bool = False) -> None:
        nonlocal text
        if is_match:
            spans.append((len(text), len(text) + len(piece)))
        text += piece

    for n, name in enumerate(authors[:SHOWN_AUTHORS]):
        add(", " if n else "")
        add(name, name in matched)
    if len(authors) > SHOWN_AUTHORS:
        add(" …")
        beyond = [a for a in authors[SHOWN_AUTHORS:] if a in matched]
        for name in beyond:
            add(" ")
            add(name, True)
            add(f" ({_ordinal(authors.index(name) + 1)} of {len(authors)} authors)")
        if not beyond:
            add(f" ({len(authors)} authors)")
    return text, spans


#: ``papers show`` lists this many authors of a longer list, then the count.
SHOWN_IN_FULL = 12


def long_authors(authors, shown: int = SHOWN_IN_FULL) -> str:
    """All authors, or for a long list the first ``shown`` and how many more (the JSON has all)."""
    authors = list(authors)
    if len(authors) <= shown + 2:
        return ", ".join(authors)
    return f"{', '.join(authors[:shown])} … and {len(authors) - shown} more ({len(authors)} authors)"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


#: What each phase of :func:`search.index.update_index` is called in progress reports.
PHASES = {"adding": "indexing", "committing": "writing the index", "finishing": "writing the lexicon and word sounds"}


class ProgressLog:
    """Progress of a build as lines (for cron logs and CI): one every ``every`` seconds while
    papers are added, then one per later phase; silent for a build shorter than ``every``."""

    def __init__(self, write, every: float) -> None:
        self.write, self.every = write, every
        self.at, self.phase, self.said = time.monotonic(), "adding", False

    def __call__(self, done: int, total: int, phase: str = "adding") -> None:
        now = time.monotonic()
        if phase != self.phase:
            self.phase = phase
            if self.said:
                self.write(f"{PHASES.get(phase, phase)}…")
        elif phase == "adding" and now - self.at >= self.every:
            self.at, self.said = now, True
            self.write(f"indexing: {done}/{total} papers ({100 * done // max(total, 1)}%)")
