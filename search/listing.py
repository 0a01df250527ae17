"""The newest papers from the array columns: :func:`search.browse.latest` without an author,
for the server's empty search box and its feeds.

``browse.latest`` walks every stored document of a freshly opened Whoosh generation (about
0.1 s on the full corpus), which is right for a one-off command; a server lists on every page
load, so here the date and vote columns of the warm generation are filtered and sorted with
numpy and only the shown page's stored fields are read. The order is the same: date, then
votes, newest and most voted first, then index order.
"""

from __future__ import annotations

import numpy as np

from . import browse, snippets
from .opened import open_index
from .results import Hit, SearchResults


def newest(index_dir=None, *, since=None, until=None, min_votes: int | None = None, sort: str = "date",
           limit: int = 20, offset: int = 0) -> SearchResults:
    """The papers of a date window, newest (or most voted) first; options as in ``browse.latest``."""
    since, until = browse.window(index_dir, None, since, until)
    browse.check_listing(sort, limit, offset, min_votes)
    opened = open_index(index_dir, build_if_missing=False)
    view = opened.arrays
    keep = view.live.copy()
    if since:
        keep &= view.dates >= int(since.replace("-", ""))
    if until:
        keep &= view.dates <= int(until.replace("-", ""))
    if min_votes is not None:
        keep &= view.votes >= min_votes
    docs = np.flatnonzero(keep)
    whoosh = np.asarray(view.whoosh_docs)[docs]
    dates, votes = view.dates[docs].astype(np.int64), view.votes[docs].astype(np.int64)
    order = np.lexsort((whoosh, -dates, -votes) if sort == "votes" else (whoosh, -votes, -dates))
    hits = []
    for d in docs[order[offset : offset + limit]].tolist():
        fields = opened.stored(d)
        hits.append(Hit.from_stored(fields, 0.0, *snippets.make_snippet(fields.get("summary", ""), None)))
    notice = None
    if not len(docs):
        meta = opened.generation.meta
        notice = browse.beyond_index((meta.get("first_date"), meta.get("last_date")), since, until)
    return SearchResults(hits, total=len(docs), notice=notice)
