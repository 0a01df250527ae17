"""``browse.latest`` lists from the array columns what a walk over every stored document lists.

The walk is the algorithm ``browse.latest`` had before (and the server's listing never had: it
took 0.1 s per page load on the full corpus); it stays here as the oracle.
"""

from __future__ import annotations

import pytest

from search import browse, published
from search.results import Hit, SearchResults
from search.snippets import make_snippet


def walked(index_dir, *, since=None, until=None, min_votes=None, author=None, sort="date", limit=20, offset=0):
    """Every stored paper read from Whoosh, filtered and sorted in Python."""
    since, until = browse.window(index_dir, None, since, until)
    wanted = None if author is None else browse.name_key(author)
    generation = published.open_generation(index_dir)
    with generation.ix.searcher() as searcher:
        reader = searcher.reader()
        dates, votes = reader.column_reader("date"), reader.column_reader("votes")
        low, high = since or "", until or "\uffff"
        found = [d for d in reader.all_doc_ids()
                 if low <= dates[d] <= high and (min_votes is None or votes[d] >= min_votes)]
        if wanted is not None:
            found = [d for d in found if any(wanted <= browse.name_key(a)
                                             for a in reader.stored_fields(d)["authors"].split("\n") if a)]
        if sort == "date":
            found.sort(key=lambda d: (dates[d], votes[d], -d), reverse=True)
        else:
            found.sort(key=lambda d: (votes[d], dates[d], -d), reverse=True)
        hits = [Hit.from_stored(fields, 0.0, *make_snippet(fields.get("summary", ""), None))
                for fields in (reader.stored_fields(d) for d in found[offset : offset + limit])]
    return SearchResults(hits, total=len(found))


@pytest.mark.parametrize("options", [
    {},
    {"sort": "votes"},
    {"since": "2024-06", "until": "2024-07", "min_votes": 10},
    {"min_votes": 0, "sort": "votes", "offset": 7},
    {"since": "2030"},
    {"author": "Zhang"},
    {"author": "Zhang", "sort": "votes", "offset": 2},
])
def test_latest_lists_what_a_walk_over_the_stored_papers_lists(seeds_index, options):
    assert browse.latest(seeds_index, limit=15, **options) == walked(seeds_index, limit=15, **options)
    assert browse.latest(seeds_index, **options).total == walked(seeds_index, **options).total
    if options.get("author"):
        assert walked(seeds_index, **options).total > 2  # the author case lists something to compare
