"""The one error hierarchy of the package.

Every exception meant to reach a user derives from :class:`SearchError` and carries a one-line
message that names the fix. The CLI turns these into one-line errors in one place; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations


class SearchError(Exception):
    """Base class for every error the package reports to a user."""


class DayFileError(SearchError):
    """A day-file could not be read or parsed; it is skipped and the rest is indexed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SourceError(SearchError):
    """A source path given for indexing does not exist or holds no day-files."""


class ShrinkError(SourceError):
    """An update would remove more of the indexed papers than an update may without --allow-shrink."""


class IndexWriteError(SearchError):
    """The index folder cannot be written (permissions, a read-only file system, a full disk)."""


class IndexMissingError(SearchError):
    """There is no index where one was expected."""


class IndexVersionError(SearchError):
    """The index was written by an incompatible version (schema or analyzer settings differ)."""


class IndexIncompatibleError(IndexVersionError):
    """The index was written with other schema, parser or analysis settings; `papers index` rebuilds it."""


class IndexLockedError(SearchError):
    """Another process is updating the index."""


class QueryError(SearchError):
    """A query or a search option cannot be used as given."""


class NotFoundError(SearchError):
    """A requested paper is not in the index."""

    def __init__(self, message: str, arxiv_id: str | None = None) -> None:
        super().__init__(message)
        #: The ID asked for, so a server can say so without naming its own paths.
        self.arxiv_id = arxiv_id
