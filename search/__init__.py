"""Search Korean summaries of machine-learning papers (Hugging Face Daily Papers, in Korean).

The pipeline, one module per stage: :mod:`search.parse` (day-files → papers),
:mod:`search.analysis` (Korean/English text → terms), :mod:`search.index` (papers → index),
:mod:`search.syntax` (the query grammar), :mod:`search.query` (query → ranked hits),
:mod:`search.browse` (listing by date, authors, citations), :mod:`search.similar` (more like
this), :mod:`search.prefix` (search as you type), :mod:`search.cli` (the ``papers`` command),
:mod:`search.server` (``papers serve``, optional).

The public names below are imported on first use (PEP 562), so a command imports only the
stages it runs: ``papers stats`` never loads the query planner, a search never the builder's
parser.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Each public name and the module that defines it.
_EXPORTS = {
    "Hit": "results",
    "SearchError": "errors",
    "SearchResults": "results",
    "authors": "browse",
    "bibtex": "browse",
    "build_index": "index",
    "complete": "prefix",
    "explain": "query",
    "get_paper": "query",
    "latest": "browse",
    "related": "similar",
    "search": "query",
    "suggest": "query",
    "update_index": "index",
}

__all__ = sorted([*_EXPORTS, "browse"])


def __getattr__(name: str):
    if name == "browse":
        return importlib.import_module(".browse", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
