"""Browsing without a query: recent papers, author names, date bounds and citations.

A daily digest is read by date, so listing needs no ranking: the array form's ``date`` and
``votes`` columns of the opened generation are filtered and sorted with numpy, and only the shown
page's stored fields are read (a walk over every stored document took 0.1 s on the full corpus,
on every page load of the server's empty search box).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date as Date
from datetime import timedelta

import numpy as np

from . import arrays, snippets, syntax
from .errors import QueryError
from .opened import open_index
from .results import Hit, SearchResults

LISTING_SORTS = ("date", "votes")
DEFAULT_DAYS = 7

def date_bound(value, option: str, end: bool = False) -> str | None:
    """``2024-07-01``, ``2024-07`` or ``2024`` → an ISO day; a month or year means its first
    day, or with ``end`` its last (``--until 2024-06`` includes June 30)."""
    if value is None:
        return None
    bound = syntax.calendar_day(str(value).strip(), end)
    if bound is None:
        raise QueryError(
            f"{option} must be a day like 2024-07-01, a month like 2024-07 or a year like 2024, not {value!r}"
        )
    return bound.isoformat()


def index_span(index_dir=None) -> tuple[str | None, str | None]:
    """The first and last listing day in the index (from the opened generation, which a listing
    opens anyway: ``papers latest`` asks for it up to three times)."""
    meta = open_index(index_dir, build_if_missing=False).generation.meta
    return meta.get("first_date"), meta.get("last_date")


def beyond_index(span: tuple[str | None, str | None], since: str | None, until: str | None) -> str | None:
    """A notice when the asked dates lie outside the index (``since``/``until`` as ISO days)."""
    first, last = span
    if first is None or last is None:
        return None
    covers = f"the index covers {first} to {last}"
    if since and since > last:
        return f"{covers}; nothing is listed from {since} on (run `papers index` to update it)"
    if until and until < first:
        return f"{covers}; nothing is listed up to {until}"
    return None


def window(index_dir=None, days: int | None = None, since=None, until=None) -> tuple[str | None, str | None]:
    """The ``(since, until)`` days of a listing; ``days`` counts back from the newest day in the
    index (not from today, so a listing of an index updated last week still shows its last week)."""
    if days is not None and since is not None:
        raise QueryError("give either days or since, not both")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise QueryError(f"days must be a whole number ≥ 1, not {days!r}")
    since = date_bound(since, "since")
    until = date_bound(until, "until", end=True)
    if days is not None:
        last = index_span(index_dir)[1]
        end = min(until, last) if until and last else (until or last)
        if end is not None:
            since = (Date.fromisoformat(end) - timedelta(days=days - 1)).isoformat()
    if since and until and since > until:
        raise QueryError(f"since ({since}) is after until ({until}); nothing can match")
    return since, until


def check_listing(sort, limit, offset, min_votes) -> None:
    """Raise :class:`QueryError` for a listing's sort, page or vote bound out of range."""
    if sort not in LISTING_SORTS:
        raise QueryError(f"sort must be one of {', '.join(LISTING_SORTS)}, not {sort!r}")
    if not isinstance(limit, int) or limit < 1:
        raise QueryError(f"limit must be a whole number ≥ 1, not {limit!r}")
    if not isinstance(offset, int) or offset < 0:
        raise QueryError(f"offset must be a whole number ≥ 0, not {offset!r}")
    if min_votes is not None and (not isinstance(min_votes, int) or min_votes < 0):
        raise QueryError(f"min_votes must be a whole number ≥ 0, not {min_votes!r}")


def latest(
    index_dir=None,
    *,
    days: int | None = None,
    since=None,
    until=None,
    min_votes: int | None = None,
    author: str | None = None,
    sort: str = "date",
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Papers listed in a date window, newest (or most voted) first, as :class:`Hit` values with
    ``score`` 0 and the summary's first sentence as the snippet.

    ``days`` counts back from the newest day in the index (``papers latest`` asks for the last
    :data:`DEFAULT_DAYS`); without days or dates, every paper is listed.
    """
    check_listing(sort, limit, offset, min_votes)
    wanted = None if author is None else _query_words(author)
    if wanted is not None and not wanted:
        raise QueryError(f"author {author!r} has no letters to match")
    since, until = window(index_dir, days, since, until)

    opened = open_index(index_dir, build_if_missing=False)
    view = opened.arrays
    keep = view.live.copy()
    if since:
        keep &= view.dates >= arrays.date_number(since)
    if until:
        keep &= view.dates <= arrays.date_number(until)
    if min_votes is not None:
        keep &= view.votes >= min_votes
    if wanted is not None:  # the postings narrow the papers; their stored names decide
        maybe = np.zeros(view.size, dtype=bool)
        maybe[list(_author_candidates(view, wanted))] = True
        keep &= maybe
    docs = np.flatnonzero(keep)
    if wanted is not None:
        docs = np.array([d for d in docs.tolist() if any(_matches(wanted, a) for a in _authors(opened.stored(d)))],
                        dtype=np.int64)
    # Newest (or most voted) first, then index order: the Whoosh numbers, in which papers were added.
    whoosh = np.asarray(view.whoosh_docs)[docs]
    dates, votes = view.dates[docs].astype(np.int64), view.votes[docs].astype(np.int64)
    order = np.lexsort((whoosh, -dates, -votes) if sort == "votes" else (whoosh, -votes, -dates))
    hits = []
    for d in docs[order[offset : offset + limit]].tolist():
        fields = opened.stored(d)
        hits.append(Hit.from_stored(fields, 0.0, *snippets.make_snippet(fields.get("summary", ""), None)))
    meta = opened.generation.meta
    notice = None if len(docs) else beyond_index((meta.get("first_date"), meta.get("last_date")), since, until)
    return SearchResults(hits, total=len(docs), notice=notice)


# -- authors -----------------------------------------------------------------------------------------


def name_key(name: str) -> frozenset[str]:
    """The words of a name, folded, in any order; a hyphenated or dotted word also counts joined
    (``Yi-Fan`` gives ``yi``, ``fan`` and ``yifan``), so spellings of one name share words."""
    words: set[str] = set()
    for m in re.finditer(r"[^\W_]+(?:['’.-][^\W_]+)*", name):
        folded = "".join(c for c in unicodedata.normalize("NFKD", m.group().lower())
                         if not unicodedata.combining(c))
        parts = re.split(r"['’.-]", folded)
        words.update(parts)
        words.add("".join(parts))
    return frozenset(words)


def _query_words(name: str) -> frozenset[str]:
    return frozenset(w for w in name_key(name) if w)


def _matches(wanted: frozenset[str], author: str) -> bool:
    """Every word of the wanted name is a word of ``author``, in any order."""
    return wanted <= name_key(author)


def matching_authors(wanted: str, authors) -> list[str]:
    """The names in ``authors`` that ``wanted`` names (``Zhang Yifan`` names ``Yifan Zhang``)."""
    key = _query_words(wanted)
    return [a for a in authors if key and _matches(key, a)]


def _author_candidates(view, wanted: frozenset[str]) -> set[int]:
    """The live array documents whose ``authors`` terms hold every wanted word (``yi-fan``
    holds ``yifan``): a superset of the matches, read from the postings so that only these
    papers' names are checked."""
    found: dict[str, set[int]] = {word: set() for word in wanted}
    for term in view.words(("authors",)):
        for word in wanted & name_key(term):
            docs = view.postings("authors", term)[0]
            found[word].update(docs[view.live[docs]].tolist())
    return set.intersection(*found.values()) if found else set()


def _authors(fields: dict) -> list[str]:
    return [a for a in fields.get("authors", "").split("\n") if a]


def authors(name: str, index_dir=None, limit: int | None = None) -> list[tuple[str, int]]:
    """Author names written in the index that ``name`` matches, with their paper counts, most
    papers first."""
    if not isinstance(name, str) or not _query_words(name):
        raise QueryError(f"author {name!r} has no letters to match")
    wanted = _query_words(name)
    counts: Counter[str] = Counter()
    opened = open_index(index_dir, build_if_missing=False)
    for d in sorted(_author_candidates(opened.arrays, wanted)):
        # A paper lists a name once; counting distinct names per paper guards against repeats.
        counts.update({a for a in _authors(opened.stored(d)) if _matches(wanted, a)})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked if limit is None else ranked[:limit]


# -- citations ---------------------------------------------------------------------------------------

_ARXIV_NEW = re.compile(r"(\d{2})(\d{2})\.\d{4,5}(?:v\d+)?")
_LATEX_SPECIAL = re.compile(r"([&%$#_{}])")
_STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "is", "are", "do", "does"}


def _latex(text: str) -> str:
    text = text.replace("\\", r"\textbackslash{}")
    text = _LATEX_SPECIAL.sub(r"\\\1", text)
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", folded.encode("ascii", "ignore").decode().lower())


def bibtex(paper: dict) -> str:
    """A BibTeX ``@misc`` entry for a paper (as :func:`search.get_paper` returns it), in arXiv's
    own form: eprint, archivePrefix and the year of the arXiv ID."""
    arxiv_id = paper["arxiv_id"]
    m = _ARXIV_NEW.fullmatch(arxiv_id)
    year = f"20{m[1]}" if m else str(paper.get("date", ""))[:4]
    authors = list(paper.get("authors") or [])
    family = _ascii_word(authors[0].split()[-1]) if authors and authors[0].split() else "anon"
    words = [w for w in (_ascii_word(w) for w in paper["title"].split()) if w and w not in _STOPWORDS]
    key = f"{family or 'anon'}{year}{words[0] if words else ''}"
    fields = [
        ("title", "{" + _latex(paper["title"]) + "}"),
        ("author", " and ".join(_latex(a) for a in authors)),
        ("year", year),
        ("eprint", arxiv_id),
        ("archivePrefix", "arXiv"),
        ("url", paper.get("url") or f"https://arxiv.org/abs/{arxiv_id}"),
    ]
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields if value)
    return f"@misc{{{key},\n{body}}}\n"
