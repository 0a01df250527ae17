"""Output shared by the benchmark runners: Markdown tables that also line up in a terminal."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]],
                   cell: Callable[[object], str] = str) -> str:
    """A Markdown table of ``rows`` under ``header``; ``cell`` formats each value."""
    cells = [list(header), *([cell(value) for value in row] for row in rows)]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]

    def line(row):
        return "| " + " | ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *map(line, cells[1:])])


def _width(text: str) -> int:
    # Hangul syllables take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
