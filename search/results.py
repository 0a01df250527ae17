"""What a search returns: typed, frozen hits and the list that carries totals and hints."""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: How snippets mark matched words (the CLI colours them on a terminal).
MARK = ("**", "**")


@dataclass(frozen=True)
class Hit:
    """One search result."""

    arxiv_id: str
    title: str
    url: str
    authors: list[str]
    votes: int | None
    date: str
    score: float
    snippet: str

    def to_dict(self) -> dict:
        return asdict(self)


class SearchResults(list):
    """A list of :class:`Hit` that also says how many papers matched and what to try instead."""

    def __init__(self, hits=(), total: int = 0, suggestion: str | None = None,
                 notice: str | None = None) -> None:
        super().__init__(hits)
        self.total = total
        self.suggestion = suggestion
        self.notice = notice
