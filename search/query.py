"""The search façade: a user's query → ranked, snippet-bearing hits.

The stages, one module each: :mod:`search.syntax` (string → items) → :mod:`search.plan` (items →
a frozen plan, analyzed once) → :mod:`search.ranking` (plan → ranked documents, over the array
form of :mod:`search.arrays`) → :mod:`search.snippets` → :mod:`search.suggest`. The parameters
of all of them are one frozen :class:`search.params.Params`.
"""

from __future__ import annotations

import dataclasses

from . import browse, index, lexicon, plan as plans, ranking, snippets
from . import suggest as suggesting
from .errors import NotFoundError, QueryError
from .opened import open_index
from .params import DEFAULT
from .results import Hit, SearchResults

SORTS = ranking.SORTS
#: Default blend weight of votes (see :class:`search.params.Params`).
VOTE_WEIGHT = DEFAULT.vote_weight
MAX_VOTE_WEIGHT = 1.0    # at 1, a paper with 1,000 votes already scores ×8: votes would rank alone
#: Only this much of a query is analyzed: Kiwi took 8 s for a 100,000-character query, and no
#: one types more than a paragraph.
MAX_QUERY_CHARS = 1000


def _capped(query: str) -> tuple[str, bool]:
    """The first :data:`MAX_QUERY_CHARS` of ``query``, cut at a space when there is one."""
    if len(query) <= MAX_QUERY_CHARS:
        return query, False
    cut = query.rfind(" ", 0, MAX_QUERY_CHARS + 1)
    return query[:cut if cut > MAX_QUERY_CHARS // 2 else MAX_QUERY_CHARS], True


def search(
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    index_dir=None,
    since: str | None = None,
    until: str | None = None,
    min_votes: int | None = None,
    author: str | None = None,
    sort: str = "relevance",
    vote_weight: float | None = None,
) -> SearchResults:
    """Search the index; returns a list of :class:`Hit` (a :class:`SearchResults`)."""
    if not isinstance(query, str):
        raise QueryError(f"the query must be text, not {type(query).__name__}")
    if not query.strip():
        raise QueryError("the query is empty; give some words to search for")
    if not isinstance(limit, int) or limit < 1:
        raise QueryError(f"limit must be a whole number ≥ 1, not {limit!r}")
    if not isinstance(offset, int) or offset < 0:
        raise QueryError(f"offset must be a whole number ≥ 0, not {offset!r}")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    params = DEFAULT
    if vote_weight is not None:
        weight = vote_weight
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= MAX_VOTE_WEIGHT:
            raise QueryError(f"vote_weight must be a number from 0 to {MAX_VOTE_WEIGHT:g}, not {vote_weight!r}")
        params = dataclasses.replace(DEFAULT, vote_weight=float(weight))
    filters = plans.filters(since, until, min_votes, author)
    opened = open_index(index_dir)
    query, capped = _capped(query)
    plan = plans.build(query, opened.tables(), opened.loanword, filters, params, opened.word)
    if plan.empty:
        note = "the query has no searchable words (particles, punctuation and symbols are not indexed)"
        return SearchResults(notice=note)
    ranked = ranking.rank(opened.arrays, plan, params, sort, offset + limit)
    pattern = snippets.term_pattern(plan.highlight)
    hits = [_hit(opened.stored(doc), score, pattern) for score, doc in ranked.top[offset:]]
    out = SearchResults(hits, total=ranked.total)
    if capped:
        out.notice = f"the query was long; only its first {len(query):,} characters were used"
    elif plan.truncated:
        out.notice = f"the query was long; only its first {plans.MAX_QUERY_TERMS} terms were used"
    out.suggestion = suggesting.suggest(opened.searcher, plan, query, ranked.total)
    if not ranked.total and not out.notice:
        meta = opened.generation.meta
        out.notice = browse.beyond_index((meta.get("first_date"), meta.get("last_date")), plan.filters.since_date,
                                         plan.filters.until_date)
    return out


def _hit(fields: dict, score: float, pattern) -> Hit:
    return Hit.from_stored(fields, score, *snippets.make_snippet(fields.get("summary", ""), pattern))


def get_paper(arxiv_id: str, index_dir=None) -> dict:
    """Everything stored about one paper, by arXiv ID."""
    opened = open_index(index_dir, build_if_missing=False)
    fields = opened.searcher.document(arxiv_id=arxiv_id.strip())
    if fields is None:
        raise NotFoundError(f"no paper {arxiv_id!r} in the index at {index.resolve_dir(index_dir)}")
    data = _hit(fields, 0.0, None).to_dict()
    del data["score"], data["snippet"], data["highlights"]
    data["summary"] = fields.get("summary", "")
    data["sources"] = fields.get("sources", [])
    return data


def loanword(word: str, index_dir=None) -> dict | None:
    """The English word that the Hangul ``word`` transliterates, with its evidence, or None.

    What a query containing ``word`` adds (see :mod:`search.loanwords`): ``similarity`` of the
    sounds, papers with ``both`` words, and papers with each.
    """
    word = word.strip()
    if not lexicon.is_hangul(word):
        return None
    match = open_index(index_dir).loanword(word)
    if match is None:
        return None
    return {"alias": match.english, "language": "en", "match": "sound", "similarity": round(match.similarity, 3),
            "both": match.together, "korean_papers": match.korean_papers, "english_papers": match.english_papers}


def suggest(query: str, index_dir=None) -> str | None:
    """A did-you-mean correction for ``query`` from the index vocabulary, or None."""
    if not isinstance(query, str) or not query.strip():
        return None
    opened = open_index(index_dir)
    query = _capped(query)[0]
    return suggesting.suggest(opened.searcher, plans.build(query, opened.tables(), words=opened.word), query)
