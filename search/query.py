"""The search façade: a user's query → ranked, snippet-bearing hits.

The stages, one module each: :mod:`search.syntax` (string → items) → :mod:`search.plan` (items →
a frozen plan, analyzed once) → :mod:`search.ranking` (plan → ranked documents, over the array
form of :mod:`search.arrays`) → :mod:`search.snippets` → :mod:`search.suggest`. The parameters
of all of them are one frozen :class:`search.params.Params`.
"""

from __future__ import annotations

import dataclasses

from . import analysis, browse, correct as correcting, index, lexicon, loanwords, plan as plans, ranking, snippets
from . import suggest as suggesting
from .errors import NotFoundError, QueryError
from .opened import open_index
from .params import DEFAULT
from .results import Hit, SearchResults

SORTS = ranking.SORTS
#: Default blend weight of votes (see :class:`search.params.Params`).
VOTE_WEIGHT = DEFAULT.vote_weight
MAX_VOTE_WEIGHT = 1.0    # at 1, a paper with 1,000 votes already scores ×8: votes would rank alone


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
    correct: bool = True,
) -> SearchResults:
    """Search the index; returns a list of :class:`Hit` (a :class:`SearchResults`).

    A word the index does not know, with a confident correction (a misspelling, or the wrong
    keyboard layout), is searched as corrected, and ``corrected`` says so; ``correct=False``
    searches the words as typed.
    """
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
    fixes = _corrections(opened, query)
    searched = correcting.rewrite(query, fixes, acting=True) if correct else query
    plan = plans.build(searched, opened.tables(), _loanword(opened), filters, params, opened.word)
    if plan.empty:
        note = "the query has no searchable words (particles, punctuation and symbols are not indexed)"
        return SearchResults(notice=note)
    ranked = ranking.rank(opened.arrays, plan, params, sort, offset + limit)
    pattern = snippets.term_pattern(plan.highlight)
    hits = [_hit(opened.stored(doc), score, pattern) for score, doc in ranked.top[offset:]]
    out = SearchResults(hits, total=ranked.total, corrected=searched if searched != query else None)
    if plan.truncated:
        out.notice = f"the query was long; only its first {plans.MAX_QUERY_TERMS} terms were used"
    out.suggestion = suggesting.suggest(query, fixes, ranked.total, searched)
    if not ranked.total and not out.notice:
        meta = opened.generation.meta
        out.notice = browse.beyond_index((meta.get("first_date"), meta.get("last_date")), plan.filters.since_date,
                                         plan.filters.until_date)
    return out


def _loanword(opened):
    """The loanword matcher of ``opened`` with the reverse check of :func:`loanwords.glossed`."""
    def find(korean: str):
        match = opened.loanword(korean)
        if match is not None and loanwords.weakly_supported(match):
            if not loanwords.glossed(opened.arrays, korean, analysis.normalize_english(match.english)):
                return None
        return match
    return find


def _corrections(opened, query: str):
    vocab, names = correcting.vocabularies(opened.arrays)
    return correcting.corrections(query, vocab, names, lambda word: opened.word(word) is not None)


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
    match = _loanword(open_index(index_dir))(word)
    if match is None:
        return None
    return {"alias": match.english, "language": "en", "match": "sound", "similarity": round(match.similarity, 3),
            "both": match.together, "korean_papers": match.korean_papers, "english_papers": match.english_papers}


def suggest(query: str, index_dir=None) -> str | None:
    """A did-you-mean correction for ``query`` from the index vocabulary, or None."""
    if not isinstance(query, str) or not query.strip():
        return None
    fixes = _corrections(open_index(index_dir), query)
    return suggesting.suggest(query, fixes, 0)
