"""Did-you-mean: the query with the corrections that were not searched (see :mod:`search.correct`).

A word in no paper at all is corrected in the search itself when the correction is confident;
what remains to suggest is a rare word (in a paper or two) close to a much more common one, and
names in ``author:``, which may be right although the index lacks them.
"""

from __future__ import annotations

from .correct import Correction, rewrite

#: A rare (but known) word is only questioned when the query found fewer papers than this.
FEW_RESULTS = 5


def suggest(query: str, fixes: list[tuple[int, int, Correction]], total: int, searched: str | None = None) -> str | None:
    """The did-you-mean for ``query`` (its spans ``fixes``), or None; ``searched`` is the query
    that was searched, when corrections acted."""
    pending = [f for f in fixes if not (searched and searched != query and f[2].act)]
    if not pending or (total >= FEW_RESULTS and all(f[2].seen for f in pending)):
        return None
    # The query to type instead, without the spaces the user's query happened to end with.
    suggestion = rewrite(query, fixes, acting=False).strip()
    return None if suggestion in (query.strip(), (searched or "").strip()) else suggestion
