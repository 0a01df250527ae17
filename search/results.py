"""What a search returns: typed, frozen hits and the list that carries totals and hints."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

#: The orders of a result list: by relevance, by votes or by date (newest first).
SORTS = ("relevance", "votes", "date")


@dataclass(frozen=True)
class Hit:
    """One search result; hashable, so hits can be collected in sets and used as keys.

    ``snippet`` is plain text; ``highlights`` are the ``(start, end)`` character offsets of the
    matched words in it (Python string indices, end exclusive), in order and not overlapping.
    """

    arxiv_id: str
    title: str
    url: str
    authors: tuple[str, ...]
    votes: int | None
    date: str
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...] = ()

    @classmethod
    def from_stored(cls, fields: dict, score: float, snippet: str = "", highlights=()) -> "Hit":
        """A hit from a paper's stored index fields (papers without a vote count store -1)."""
        votes = fields.get("votes")
        return cls(
            arxiv_id=fields["arxiv_id"],
            title=fields["title"],
            url=fields.get("url", ""),
            authors=tuple(a for a in fields.get("authors", "").split("\n") if a),
            votes=None if votes is None or votes < 0 else int(votes),
            date=fields["date"],
            score=round(float(score), 6),
            snippet=snippet,
            highlights=tuple(highlights),
        )

    def to_dict(self) -> dict:
        """The fields as JSON-ready values (tuples become lists)."""
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["highlights"] = [list(span) for span in self.highlights]
        return data

    def to_json(self) -> str:
        """One line of JSON (UTF-8 text, not ``\\u`` escapes)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


class SearchResults(list):
    """A list of :class:`Hit` that also says how many papers matched and what to try instead.

    ``total`` counts the papers that match at least one query word through one of its forms;
    ``complete`` how many of them match the whole query, every part of every word (None when the
    query has one part, none (a listing, an arXiv ID), or an explicit OR). ``corrected`` is the query that was searched instead of the one
    typed (a misspelling or the wrong keyboard layout corrected), or None. A slice is a
    :class:`SearchResults` too and keeps all of these.
    """

    def __init__(self, hits=(), total: int = 0, suggestion: str | None = None,
                 notice: str | None = None, corrected: str | None = None, complete: int | None = None) -> None:
        super().__init__(hits)
        self.total = total
        self.suggestion = suggestion
        self.notice = notice
        self.corrected = corrected
        self.complete = complete

    def __getitem__(self, key):
        if isinstance(key, slice):
            return SearchResults(super().__getitem__(key), self.total, self.suggestion, self.notice, self.corrected,
                                 self.complete)
        return super().__getitem__(key)

    def to_dict(self, query: str | None = None) -> dict:
        """The shape of ``papers search --json``: the query, totals, hints and the hits."""
        return {"query": query, "total": self.total, "complete": self.complete, "corrected": self.corrected,
                "suggestion": self.suggestion, "notice": self.notice, "hits": [hit.to_dict() for hit in self]}
