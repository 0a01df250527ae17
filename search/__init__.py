"""Search Korean summaries of machine-learning papers (Hugging Face Daily Papers, in Korean).

The pipeline, one module per stage: :mod:`search.parse` (day-files → papers),
:mod:`search.analysis` (Korean/English text → terms), :mod:`search.index` (papers → index),
:mod:`search.syntax` (the query grammar), :mod:`search.query` (query → ranked hits),
:mod:`search.browse` (listing by date, authors, citations), :mod:`search.related` (more like
this), :mod:`search.prefix` (search as you type), :mod:`search.cli` (the ``papers`` command),
:mod:`search.server` (``papers serve``, optional).
"""

__version__ = "0.1.0"

from . import browse  # noqa: E402
from .browse import authors, bibtex, latest  # noqa: E402
from .errors import SearchError  # noqa: E402
from .index import build_index, update_index  # noqa: E402
from .prefix import complete  # noqa: E402
from .query import explain, get_paper, search, suggest  # noqa: E402
from .related import related  # noqa: E402
from .results import Hit, SearchResults  # noqa: E402

__all__ = [
    "Hit",
    "SearchError",
    "SearchResults",
    "authors",
    "bibtex",
    "browse",
    "build_index",
    "complete",
    "explain",
    "get_paper",
    "latest",
    "related",
    "search",
    "suggest",
    "update_index",
]
