"""Day-file parsing: markdown day-files in, typed :class:`Paper` values out.

A day-file is one day of Hugging Face Daily Papers summarised in Korean, as written by
l-yohai/daily_papers_ko::

    ## Daily Papers (2024-07-02)

    ### [Title](https://arxiv.org/abs/2407.01284)

    ![](https://cdn-thumbnails.huggingface.co/...png)

    Vote: 56

    Authors: Yifan Zhang, Muxi Diao

    - **What's New**: ...
    - **Technical Details**: ...

Only the standard library is used, so the parser can be tested and reused without the analyzer
or the index.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import re
from pathlib import Path
from typing import Iterable

from search.dayfiles import Scan, find_dayfiles, scan_dayfiles  # noqa: F401  (re-exported)
from search.errors import DayFileError

__all__ = [
    "Paper",
    "ParsedCorpus",
    "parse_dayfile",
    "read_dayfile",
    "find_dayfiles",
    "scan_dayfiles",
    "parse_sources",
    "merge_papers",
]

_HEADER = re.compile(r"^##\s+Daily Papers\s*\((?P<date>[^)]*)\)\s*$")
_ENTRY = re.compile(r"^###\s")
# Greedy title so that titles holding brackets ("an [IDK] Token") keep them.
_HEADING = re.compile(r"^###\s+\[(?P<title>.*)\]\((?P<url>[^()\s]+)\)\s*$")
# Upstream's first commits linked Hugging Face's paper pages, absolute or as ``/papers/ID``.
_ARXIV_ID = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)|huggingface\.co/papers|^/papers)/(?P<id>\d{4}\.\d{4,5})(?:v\d+)?",
    re.IGNORECASE,
)
#: The labels every summary repeats; they say nothing about the paper, so they are not indexed.
#: Any other label (``비전 인코더 (Vision Encoder)``, ``고찰``) is content and stays in the summary.
STRUCTURAL_LABELS = frozenset({"What's New", "Technical Details", "Performance Highlights"})
#: Bumped whenever the same day-file may give different papers; an index records it.
PARSER_VERSION = 2
_VOTE = re.compile(r"^Vote:\s*(?P<votes>.*?)\s*$")
_AUTHORS = re.compile(r"^Authors:\s*(?P<authors>.*?)\s*$")
_MEDIA = re.compile(r"^(?:!\[[^\]]*\]\(|\[Watch Video\]|<div><video|<video)")
_TOP_BULLET = re.compile(r"^[-*+]\s+")
_NESTED_BULLET = re.compile(r"^\s+[-*+]\s+")
# The closing emphasis may come before or after the colon, and the corpus has one unbalanced
# "***Technical Details*:".
_LABEL = re.compile(r"^\*{1,3}(?P<label>[^*:\n]+?)(?::\*{1,3}|\*{1,3}\s*:)\s*(?P<rest>.*)$")
# Single asterisks are literal in this corpus ("A*", "V*Bench", "1.84 * N"); only runs of two or
# more are emphasis.
_EMPHASIS = re.compile(r"\*{2,}")
_PATH_DATE = re.compile(r"(?P<y>\d{4})[/\\-](?P<m>\d{2})[/\\-](?P<d>\d{2})(?:\.\w+)?$")
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclasses.dataclass(frozen=True)
class Paper:
    """One paper entry of a day-file.

    ``arxiv_id`` has no version suffix; ``title`` is as written with whitespace collapsed (LaTeX
    is kept); ``votes`` is None when the entry has no count; ``date`` is ISO ``YYYY-MM-DD``.
    ``summary`` is plain text with one line per bullet, the labels every summary repeats
    (:data:`STRUCTURAL_LABELS`: "What's New", ...) and ``**`` emphasis removed (any other
    label, such as "비전 인코더 (Vision Encoder)", is content and kept as ``label: text``), dict
    literals as ``key: value`` lines and list literals as one line per item. ``sections`` holds
    ``(label, text)`` per top-level bullet, with label ``""`` when the bullet has none.
    ``source`` is the day-file path as given.
    """

    arxiv_id: str
    title: str
    url: str
    authors: tuple[str, ...]
    votes: int | None
    date: str
    summary: str
    sections: tuple[tuple[str, str], ...]
    source: str


@dataclasses.dataclass
class ParsedCorpus:
    """Papers of a set of day-files keyed by arXiv id, with the files read and the errors met."""

    papers: dict[str, Paper] = dataclasses.field(default_factory=dict)
    files: list[Path] = dataclasses.field(default_factory=list)
    errors: list[DayFileError] = dataclasses.field(default_factory=list)


def parse_dayfile(text: str, source: str = "<string>") -> list[Paper]:
    """Parse the text of one day-file into papers, in the order they appear.

    Each paper takes its date from the nearest ``## Daily Papers (YYYY-MM-DD)`` header above it,
    or from a ``YYYY/MM/DD`` or ``YYYY-MM-DD`` date at the end of ``source`` when there is none.
    The same arXiv id appearing twice in one text gives two papers; :func:`parse_sources` merges
    them.

    A text of ``## Daily Papers`` headers and blank lines only is a valid empty day (upstream
    wrote such files before filling them in): it gives no papers.

    Raises :class:`DayFileError` when the text is malformed, that is when it has no paper entry
    and is not such an empty day, an entry heading is not ``### [title](link)``, the title is
    empty, the link holds no arXiv id, a header date is not a valid date, or an entry has no date
    from either a header or the path.
    An entry without vote, authors or summary is accepted.
    """
    path_date = _date_from_path(source)
    header_date: str | None = None
    headers, other = 0, 0
    entries: list[tuple[int, str | None, list[str]]] = []
    for number, line in enumerate(_NEWLINE.split(text), start=1):
        header = _HEADER.match(line)
        if header:
            header_date = _checked_date(header.group("date"), source, number)
            headers += 1
        elif _ENTRY.match(line):
            entries.append((number, header_date or path_date, [line]))
        elif entries:
            entries[-1][2].append(line)
        elif line.strip():
            other += 1
    if not entries and headers and not other:
        return []
    if not entries:
        raise DayFileError(source, "no paper entries ('### [title](https://arxiv.org/abs/...)')")
    papers = []
    for number, date, lines in entries:
        if date is None:
            raise DayFileError(
                source,
                f"line {number}: no '## Daily Papers (YYYY-MM-DD)' header above the entry "
                "and no date in the file name",
            )
        papers.append(_parse_entry(lines, number, date, source))
    return papers


def read_dayfile(path: str | Path, data: bytes | None = None) -> list[Paper]:
    """Read one day-file as UTF-8 (a BOM is tolerated) and parse it with :func:`parse_dayfile`.

    ``data`` is the file's content when the caller has already read it (to hash it, say).
    """
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise DayFileError(str(path), f"cannot be read ({error.strerror or error})") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or _looks_utf16(data):
        raise DayFileError(
            str(path),
            "is UTF-16 text, not UTF-8; convert it, e.g. `iconv -f UTF-16 -t UTF-8 FILE > FILE.new`, "
            "then replace the file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DayFileError(
            str(path),
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})",
        ) from None
    return parse_dayfile(text, str(path))


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a zero byte after (or before) each."""
    head = data[:200]
    return len(head) >= 8 and (head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4)


def parse_sources(paths: Iterable[str | Path]) -> ParsedCorpus:
    """Parse every day-file under ``paths``, collecting a :class:`DayFileError` per bad file.

    A paper that appears on several days becomes one paper: its content (title, summary, votes,
    authors, source) comes from the latest day, when the vote count is final and the summary is
    the newest, and its date is the earliest day, when it first appeared. Papers are ordered by
    that date, then by the order of files and entries. :class:`SourceError` from
    :func:`find_dayfiles` is not caught.
    """
    corpus = ParsedCorpus(files=find_dayfiles(paths))
    found: list[Paper] = []
    for path in corpus.files:
        try:
            found.extend(read_dayfile(path))
        except DayFileError as error:
            corpus.errors.append(error)
    corpus.papers = merge_papers(found)
    return corpus


def merge_papers(papers: Iterable[Paper]) -> dict[str, Paper]:
    """Merge copies of the same paper from several days into one (rules: :func:`parse_sources`)."""
    first_date: dict[str, str] = {}
    latest: dict[str, Paper] = {}
    for paper in papers:
        known = first_date.get(paper.arxiv_id)
        if known is None or paper.date < known:
            first_date[paper.arxiv_id] = paper.date
        if paper.arxiv_id not in latest or paper.date >= latest[paper.arxiv_id].date:
            latest[paper.arxiv_id] = paper
    order = sorted(first_date, key=first_date.__getitem__)
    return {
        arxiv_id: dataclasses.replace(latest[arxiv_id], date=first_date[arxiv_id])
        for arxiv_id in order
    }


def _parse_entry(lines: list[str], number: int, date: str, source: str) -> Paper:
    heading = _HEADING.match(lines[0].rstrip())
    if not heading:
        raise DayFileError(source, f"line {number}: entry heading is not '### [title](link)'")
    title = " ".join(heading.group("title").split())
    url = heading.group("url")
    if not title:
        raise DayFileError(source, f"line {number}: entry has an empty title")
    arxiv_id = _ARXIV_ID.search(url)
    if not arxiv_id:
        raise DayFileError(source, f"line {number}: no arXiv id in the link {url!r}")

    votes: int | None = None
    authors: tuple[str, ...] = ()
    sections: list[tuple[str, list[str]]] = []
    for line in lines[1:]:
        if not line.strip():
            continue
        if not sections:
            vote = _VOTE.match(line)
            if vote:
                value = vote.group("votes")
                votes = int(value) if value.isascii() and value.isdigit() else None
                continue
            author_line = _AUTHORS.match(line)
            if author_line:
                authors = _parse_authors(author_line.group("authors"))
                continue
            if _MEDIA.match(line):
                continue
        bullet = _TOP_BULLET.match(line)
        if bullet:
            label, text = _split_label(line[bullet.end() :])
            sections.append((label, _render(text)))
        else:
            # Continuation, nested or numbered lines belong to the bullet above; text before any
            # bullet is a summary written without bullets.
            nested = _NESTED_BULLET.match(line)
            text = line[nested.end() :] if nested else line
            if not sections:
                sections.append(("", []))
            sections[-1][1].extend(_render(text))

    rendered = tuple((label, "\n".join(text)) for label, text in sections)
    return Paper(
        arxiv_id=arxiv_id.group("id"),
        title=title,
        url=url,
        authors=authors,
        votes=votes,
        date=date,
        summary="\n".join(line for section in rendered if (line := _summary_text(*section))),
        sections=rendered,
        source=source,
    )


def _summary_text(label: str, text: str) -> str:
    """A section as the summary holds it: a label that carries content is kept before its text."""
    if not label or label in STRUCTURAL_LABELS:
        return text
    label = _plain(label)
    if not text:
        return label
    return f"{label}:\n{text}" if "\n" in text else f"{label}: {text}"


def _split_label(text: str) -> tuple[str, str]:
    labelled = _LABEL.match(text)
    if not labelled:
        return "", text
    label = " ".join(labelled.group("label").replace("\u2019", "'").split())
    return label, labelled.group("rest")


def _render(text: str) -> list[str]:
    """Turn one line of summary into plain-text lines, expanding dict and list literals."""
    text = text.strip()
    if text[:1] in ("[", "{") and text[-1:] in ("]", "}"):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
        if isinstance(value, (dict, list, tuple)):
            return [line for line in _literal_lines(value) if line]
    line = _plain(text)
    return [line] if line else []


def _literal_lines(value: object) -> list[str]:
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            inner = _literal_lines(item)
            if len(inner) == 1:
                lines.append(f"{_plain(str(key))}: {inner[0]}")
            else:
                lines.append(f"{_plain(str(key))}:")
                lines.extend(inner)
        return lines
    if isinstance(value, (list, tuple)):
        return [line for item in value for line in _literal_lines(item)]
    return [_plain(str(value))]


def _plain(text: str) -> str:
    return " ".join(_EMPHASIS.sub("", text).split())


def _parse_authors(text: str) -> tuple[str, ...]:
    names: list[str] = []
    if text.startswith("["):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
        if isinstance(value, list):
            names = [str(name) for name in value]
        else:
            names = [name.strip(" '\"") for name in text.strip("[]").split(",")]
    else:
        names = text.split(",")
    # "+" stands for authors Hugging Face folded away; a name repeated in one list is a scraping
    # artefact, not a second author.
    cleaned = (" ".join(name.split()) for name in names)
    return tuple(dict.fromkeys(name for name in cleaned if name and name != "+"))


def _checked_date(text: str, source: str, number: int) -> str:
    try:
        return datetime.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        reason = f"line {number}: header date {text!r} is not YYYY-MM-DD"
        raise DayFileError(source, reason) from None


def _date_from_path(source: str) -> str | None:
    found = _PATH_DATE.search(source)
    if not found:
        return None
    try:
        return datetime.date(int(found["y"]), int(found["m"]), int(found["d"])).isoformat()
    except ValueError:
        return None
