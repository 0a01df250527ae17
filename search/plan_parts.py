"""What a query plan is made of: the frozen parts that :mod:`search.plan` builds from a query and
that :mod:`search.ranking`, :mod:`search.snippets` and :mod:`search.why` read.

A plan says what to score (:class:`Scored` terms in their fields, :class:`Near` pairs), which
query words are concepts for coordination (:class:`Concept`), and what must, may and must not
match (:class:`Clause`, :class:`Terms`, :class:`Range`, :class:`Ids` and :class:`Bool` groups,
:class:`Filters`).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import analysis, browse, lexicon
from .errors import QueryError
from .analysis import Term
from .syntax import Item


@dataclass(frozen=True)
class Scored:
    """A term's BM25 in one field, times ``boost``."""

    field: str
    term: str
    boost: float
    #: The query concepts a paper matches by containing this term (see :class:`Concept`).
    concepts: tuple[int, ...] = ()


@dataclass(frozen=True)
class Concept:
    """One word of the ranked query, matched through any of its forms: the term itself, a join
    that contains it, an alias or loanword of it, or all of its own Hangul bigrams together (one
    stray syllable pair is not the word). Coordination counts the concepts a paper matches."""

    text: str
    grams: tuple[str, ...] = ()
    #: Korean words that also count as the concept, for coordination only (they score nothing
    #: and match no paper that the rest of the query does not): the head of an English query
    #: written in a paper's Korean summary (``model`` as 모델).
    translations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Near:
    """Reward ``b`` standing within a few positions after ``a`` in ``field``."""

    field: str
    a: str
    b: str
    boost: float
    concepts: tuple[int, ...] = ()


@dataclass(frozen=True)
class Clause:
    """Words matched in any of ``fields``: ``all`` of them, ``any`` of them, or as a ``phrase``
    (in order, each within ``slop`` positions of the one before)."""

    kind: str
    fields: tuple[tuple[str, float], ...]
    words: tuple[str, ...]
    slop: int = 1


@dataclass(frozen=True)
class Terms:
    """Matches where any of ``scored`` or ``pairs`` does: everything one query word asks for,
    in every view and expansion (an excluded word excludes exactly what it would match)."""

    scored: tuple[Scored, ...]
    pairs: tuple[Near, ...] = ()
    #: The Hangul bigrams of each of the word's concepts: a paper holding all of one concept's
    #: bigrams matches (as coordination counts it), so an exclusion removes it too.
    grams: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Range:
    """A column (``votes``, ``dates``) between ``low`` and ``high`` inclusive."""

    column: str
    low: int | None
    high: int | None


@dataclass(frozen=True)
class Ids:
    """Papers by arXiv ID."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class Bool:
    """A parenthesized group: every ``must``, else (with no ``must``) any ``should``, and no
    ``must_not``. Parts are clauses, :class:`Terms`, ranges, IDs or groups."""

    must: tuple = ()
    should: tuple = ()
    must_not: tuple = ()


@dataclass(frozen=True)
class Filters:
    """Restrictions on which papers may match."""

    since: int | None = None        # dates as 20240701
    until: int | None = None
    min_votes: int | None = None
    author: Clause | None = None
    max_votes: int | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.since, self.until, self.min_votes, self.author, self.max_votes))

    @property
    def since_date(self) -> str | None:
        return None if self.since is None else _iso(self.since)

    @property
    def until_date(self) -> str | None:
        return None if self.until is None else _iso(self.until)


def filters(since=None, until=None, min_votes=None, author=None) -> Filters:
    """Check the search options and turn them into :class:`Filters`."""
    since = browse.date_bound(since, "since")
    until = browse.date_bound(until, "until", end=True)
    if since and until and since > until:
        raise QueryError(f"since ({since}) is after until ({until}); nothing can match")
    if min_votes is not None and (not isinstance(min_votes, int) or min_votes < 0):
        raise QueryError(f"min_votes must be a whole number ≥ 0, not {min_votes!r}")
    clause = None
    if author is not None:
        words = tuple(t.text for t in analysis.name_terms([author]))
        if not words:
            raise QueryError(f"author {author!r} has no letters to match")
        clause = Clause("phrase", (("authors", 1.0),), words, 1)
    number = lambda d: None if d is None else int(d.replace("-", ""))  # noqa: E731
    return Filters(number(since), number(until), min_votes, clause)


def _iso(number: int) -> str:
    text = f"{number:08d}"
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


@dataclass(frozen=True)
class Plan:
    scored: tuple[Scored, ...]
    #: Neighbouring query words standing together: re-ranks the best candidates (phase 2).
    near: tuple[Near, ...]
    #: The word pairs of multi-word aliases: scored, and matching, like terms (phase 1).
    pairs: tuple[Near, ...]
    required: tuple[Clause, ...]
    excluded: tuple[Clause, ...]
    #: Literal-view terms with their query weights.
    literal: tuple[tuple[str, float], ...]
    highlight: frozenset[str]
    #: The ranked (unfielded, not excluded) items with their primary terms.
    ranked: tuple[tuple[Item, tuple[Term, ...]], ...]
    filters: Filters
    truncated: bool
    #: arXiv IDs the query names: those papers come first.
    ids: tuple[str, ...] = ()
    #: No words, only filters: every paper they select matches (listed newest first).
    listing: bool = False
    #: What the query said that was read differently, for the user.
    notes: tuple[str, ...] = ()
    #: The query only excludes (``NOT LoRA``), or is only operators (``AND OR``).
    only_excludes: bool = False
    only_operators: bool = False
    #: The concepts of the ranked words, for coordination (``Scored.concepts`` index them).
    concepts: tuple[Concept, ...] = ()
    #: An explicit OR joined parts of the query (``syntax.Query.alternatives``).
    alternatives: bool = False

    @property
    def empty(self) -> bool:
        return not (self.scored or self.required or self.pairs)

    def author_words(self) -> tuple[str, ...] | None:
        """Name words of the whole query when it is only Latin words, two or more, with no
        operators: such a query may be a person's name."""
        if self.required or self.excluded:
            return None
        primary = [t for _, terms in self.ranked for t in terms]
        if len(primary) < 2 or not all(lexicon.is_latin(t.text) for t in primary):
            return None
        text = " ".join(item.text for item, _ in self.ranked)
        return tuple(t.text for t in analysis.name_terms([text]))
