"""The search façade: a user's query → ranked, snippet-bearing hits.

The stages, one module each: :mod:`search.syntax` (string → items) → :mod:`search.plan` (items →
a frozen plan, analyzed once) → :mod:`search.ranking` (plan → ranked documents, over the array
form of :mod:`search.arrays`) → :mod:`search.snippets` → :mod:`search.suggestions`. The parameters
of all of them are one frozen :class:`search.params.Params`.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from . import analysis, arrays, browse, correct as correcting, lexicon, locations, loanwords, plan as plans, plan_parts, ranking, snippets, syntax
from . import suggestions as suggesting
from . import why as explaining
from .errors import NotFoundError, QueryError, SearchError
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
    filters = plan_parts.filters(since, until, min_votes, author)
    opened = open_index(index_dir)
    query, capped = _capped(query)
    fixes = _corrections(opened, query)
    searched = correcting.rewrite(query, fixes, acting=True) if correct else query
    plan = plans.build(searched, opened.tables(), _loanword(opened), filters, params, opened.word,
                       lambda fields, stem: _expand(opened, fields, stem), _spellings(opened))
    notes = list(plan.notes)
    if plan.empty and not plan.listing and not plan.ids:
        if plan.only_operators:
            notes = []
        return SearchResults(notice="; ".join([*notes, _nothing_to_search(plan)]))
    if plan.listing and sort == "relevance":
        sort = "date"  # nothing to rank by: newest first
    pinned = _pinned(opened, plan, notes)
    out = SearchResults(pinned[offset : offset + limit], total=len(pinned),
                        corrected=searched.strip() if searched != query else None)
    if not plan.empty or plan.listing:
        ranked = ranking.rank(opened.arrays, plan, params, sort, offset + limit + len(pinned))
        pattern = snippets.term_pattern(plan.highlight)
        ids = {hit.arxiv_id for hit in pinned}
        rest = [(score, doc) for score, doc in ranked.top if opened.arrays.arxiv_id(doc) not in ids]
        skip = max(0, offset - len(pinned))
        room = limit - len(out)
        out.extend(_hit(opened.stored(doc), score, pattern) for score, doc in rest[skip : skip + room])
        out.total = ranked.total + _not_candidates(opened, plan, params, pinned)
        out.complete = ranked.complete
        out.suggestion = suggesting.suggest(query, fixes, ranked.total, searched)
    if capped:
        notes.append(f"the query was long; only its first {len(query):,} characters were used")
    elif plan.truncated:
        notes.append(f"the query was long; only its first {plans.MAX_QUERY_TERMS} terms were used")
    if not out.total and not plan.ids:
        meta = opened.generation.meta
        beyond = browse.beyond_index((meta.get("first_date"), meta.get("last_date")), plan.filters.since_date,
                                     plan.filters.until_date)
        if beyond:
            notes.append(beyond)
    out.notice = "; ".join(notes) or None
    return out


def explain(query: str, hits, *, index_dir=None, since=None, until=None, min_votes=None, author=None,
            vote_weight: float | None = None, correct: bool = True) -> dict:
    """Why each of ``hits`` (from :func:`search` with the same arguments) matched: the parsed
    query (as corrected, when :func:`search` corrected it), and per arXiv ID the terms, views and
    expansions that scored, largest first (a list of :class:`search.why.Part`)."""
    params = DEFAULT if vote_weight is None else dataclasses.replace(DEFAULT, vote_weight=float(vote_weight))
    opened = open_index(index_dir)
    query = _capped(query)[0]
    if correct:
        query = correcting.rewrite(query, _corrections(opened, query), acting=True)
    plan = plans.build(query, opened.tables(), _loanword(opened), plan_parts.filters(since, until, min_votes, author),
                       params, opened.word, lambda fields, stem: _expand(opened, fields, stem), _spellings(opened))
    view = opened.arrays
    wanted = {hit.arxiv_id for hit in hits}
    docs = {view.arxiv_id(d): d for d in range(view.size) if view.live[d] and view.arxiv_id(d) in wanted}
    aliases = explaining.alias_terms(plan, opened.tables())
    parts = {a: explaining.contributions(view, plan, params, d, aliases) for a, d in docs.items()}
    return {"parsed": syntax.describe(syntax.parse(query).parts), "hits": parts, "ids": plan.ids}


def _nothing_to_search(plan) -> str:
    if plan.only_operators:
        return "the query is only operators (AND, OR, NOT); put words around them, like LoRA AND 양자화"
    if plan.only_excludes:
        return ("the query only excludes (NOT or -word) and has nothing to search for; add words to search, "
                "or a filter like year:2024 to list papers without the excluded ones")
    return "the query has no searchable words (particles, punctuation and symbols are not indexed)"


def _pinned(opened, plan, notes: list) -> list[Hit]:
    """The papers the query names by arXiv ID, in the order named; missing ones noted."""
    hits = []
    pattern = snippets.term_pattern(plan.highlight)
    for arxiv_id in plan.ids:
        fields = opened.document(arxiv_id)
        if fields is None:
            meta = opened.generation.meta
            notes.append(f"arXiv {arxiv_id} is not in the index (it covers {meta.get('first_date')} to "
                         f"{meta.get('last_date')}): https://arxiv.org/abs/{arxiv_id}")
        else:
            hits.append(_hit(fields, 0.0, pattern))
    return hits


def _not_candidates(opened, plan, params, pinned) -> int:
    """How many of the pinned papers the rest of the query does not match (for an exact total)."""
    if not pinned:
        return 0
    _, candidates, _, _ = ranking._phase1(opened.arrays, plan, params)
    view = opened.arrays
    named = {hit.arxiv_id for hit in pinned}
    return len(named) - sum(1 for d in np.flatnonzero(candidates) if view.arxiv_id(int(d)) in named)


def _spellings(opened):
    """``word → its spellings among the index's author name words``: ``yifan`` and ``yi-fan``
    (hyphens, dots and apostrophes ignored), read on the first call per opened index generation
    (a query without an author's name never reads them: 20,000 terms cost a cold search 0.1 s)."""
    def lookup(word: str) -> list[str]:
        table = getattr(opened, "author_spellings", None)
        if table is None:
            table = {}
            for term in sorted(opened.arrays.words(("authors",))):  # in order, as Whoosh listed them
                table.setdefault(_bare(term), []).append(term)
            opened.author_spellings = table
        return table.get(_bare(word), [])
    return lookup


def _bare(word: str) -> str:
    return re.sub(r"['’.-]", "", word)


#: ``lo*`` asks for at most this many of the index terms that start with ``lo``, the most common.
MAX_PREFIX_TERMS = 50


def _expand(opened, fields, stem: str) -> list[str]:
    """The most common terms of ``fields`` that start with ``stem``."""
    counts = opened.arrays.words([f for f in fields if f in arrays.FIELDS], prefix=stem)
    best = sorted(counts, key=lambda t: (-counts[t], t))
    return best[:MAX_PREFIX_TERMS]


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
    """Everything stored about one paper, by arXiv ID or link (``2501.12948v2``,
    ``https://arxiv.org/abs/…``, ``https://huggingface.co/papers/…``)."""
    opened = open_index(index_dir, build_if_missing=False)
    arxiv_id = syntax.arxiv_id(arxiv_id) or arxiv_id.strip()
    fields = opened.document(arxiv_id)
    if fields is None:
        raise NotFoundError(f"no paper {arxiv_id!r} in the index at {locations.resolve_dir(index_dir)}", arxiv_id)
    data = _hit(fields, 0.0, None).to_dict()
    del data["score"], data["snippet"], data["highlights"]
    data["summary"] = fields.get("summary", "")
    data["sources"] = fields.get("sources", [])
    data["sections"] = _sections(arxiv_id, data["sources"], data["summary"])
    return data


def _sections(arxiv_id: str, sources, summary: str) -> list[dict]:
    """The summary's labelled sections (What's New, Technical Details, …) as ``{"label", "text"}``,
    read again from the paper's day-file, which the index does not store; when the file is gone
    or has changed since it was indexed, the summary as one section without a label."""
    from .parse import read_dayfile
    from .sources import path_of

    for source in reversed(list(sources)):
        try:
            papers = read_dayfile(path_of(source))
        except SearchError:
            continue
        for paper in papers:
            if paper.arxiv_id == arxiv_id and paper.summary == summary:
                return [{"label": label, "text": text} for label, text in paper.sections]
    return [{"label": "", "text": summary}]


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
    query = _capped(query)[0]
    fixes = _corrections(open_index(index_dir), query)
    return suggesting.suggest(query, fixes, 0)
