"""The server's listing from the array columns equals ``browse.latest``."""

from __future__ import annotations

import pytest

from search import browse
from search.errors import QueryError
from search.listing import newest


@pytest.mark.parametrize("options", [
    {},
    {"sort": "votes"},
    {"since": "2024-06", "until": "2024-07", "min_votes": 10},
    {"min_votes": 0, "sort": "votes", "offset": 7},
    {"since": "2030"},
])
def test_newest_lists_what_browse_latest_lists(seeds_index, options):
    assert newest(seeds_index, limit=15, **options) == browse.latest(seeds_index, limit=15, **options)
    fast, slow = newest(seeds_index, **options), browse.latest(seeds_index, **options)
    assert (fast.total, fast.notice) == (slow.total, slow.notice)


@pytest.mark.parametrize("options", [{"sort": "relevance"}, {"limit": 0}, {"offset": -1}, {"min_votes": -2},
                                     {"since": "soon"}])
def test_newest_rejects_what_browse_latest_rejects(seeds_index, options):
    with pytest.raises(QueryError) as fast:
        newest(seeds_index, **options)
    with pytest.raises(QueryError) as slow:
        browse.latest(seeds_index, **options)
    assert str(fast.value) == str(slow.value)
