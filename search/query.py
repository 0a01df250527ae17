"""Queries: user string → Whoosh query → ranked, snippet-bearing hits.

Query syntax (anything else is searched as text, never rejected):

* words are analyzed together, so Kiwi sees them in context, and ranked with BM25F over
  title, summary and authors; papers matching more of them rank higher;
* ``"quoted phrase"`` must occur as a phrase (an unclosed quote runs to the end);
* ``title:WORD`` / ``title:"a phrase"`` and ``author:NAME`` / ``author:"Yifan Zhang"``
  restrict a word or phrase to a field and require it;
* ``AND`` between two words requires both, ``NOT WORD`` excludes, ``OR`` is the default.

Ranking: ``score = bm25f × (1 + vote_weight × ln(1 + votes))`` — the Elasticsearch
``field_value_factor`` with ``log1p`` idea, multiplied in so votes reorder papers of comparable
relevance but cannot lift a weak match over a strong one.
"""

from __future__ import annotations

import heapq
import math
import os
import re
import sys
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

from whoosh import query as Q
from whoosh import scoring

from . import analysis, browse, index, lexicon, loanwords
from .analysis import Term
from .errors import NotFoundError, QueryError
from .results import Hit, SearchResults

#: Default blend weight of votes, chosen with benchmarks/relevance (see README).
VOTE_WEIGHT = 0.02
MAX_VOTE_WEIGHT = 1.0    # at 1, a paper with 1,000 votes already scores ×8: votes would rank alone
TITLE_BOOST = 2.0
AUTHORS_BOOST = 1.0
JOIN_WEIGHT = 1.0        # a query compound the corpus writes as one word
PART_WEIGHT = 0.3        # ... and each of its parts
DERIVED_BOOST = 0.3      # compounds, joined model names, compound parts
ALIAS_BOOST = 0.5        # learned Korean ↔ English aliases, times their confidence
LOANWORD_BOOST = 0.5     # the English word a Hangul loanword transliterates, times its similarity
LOANWORD_LITERAL = 1.0   # ... and its weight in the literal view (a query word counts 1)
PROXIMITY_BOOST = 0.3    # neighbouring query words found near each other
BIGRAM_BOOST = 2.0       # the Hangul bigram view of the same words
NAME_BOOST = 2.0         # neighbouring query words found as one author's name
MAX_QUERY_TERMS = 48
#: Fusion of the analyzed and the literal rankings: a paper scores sum(weight / (RRF_K + rank)).
RRF_K = 40
LITERAL_WEIGHT = 1.0
TIE_BREAK = 1e-7
#: The literal view scores like Whoosh's BM25F, the field boost inside the term frequency.
LITERAL_FIELDS = (("lit_title", 2.0), ("lit_summary", 1.0))
EXPANSION_FIELDS = (("title", TITLE_BOOST), ("summary", 1.0))  # where aliases and loanwords count
POSTINGS_CACHE = 512       # decoded posting lists kept per open index
BM25_B, BM25_K1 = 0.75, 1.2
NEAR_SLOP = 3              # how far apart two neighbouring query words may stand to count as near
BUILD_WAIT = 300.0         # seconds a first search waits for another process building the seeds index
MAX_ALIASES = 2
MAX_SUGGEST_LENGTH = 40
RARE_WORD = 3             # a query word in fewer papers than this is spell-checked
SUGGEST_MIN_DF = 5
FEW_RESULTS = 5
SUGGEST_RATIO = 10        # ... and replaced by a close word in this many times more papers
SORTS = ("relevance", "votes", "date")


# -- opening the index, once per generation ------------------------------------------------------


@dataclass
class _Opened:
    generation: index.Generation
    searcher: object
    votes: list[int]
    stamp: tuple[int, int] | None
    tables: lexicon.Tables | None = None
    sounds: loanwords.Sounds | None = None
    _dates: list[str] | None = None
    _lengths: dict = dataclass_field(default_factory=dict)
    _postings: OrderedDict = dataclass_field(default_factory=OrderedDict)
    _deleted: set[int] | None = None
    _loanwords: dict = dataclass_field(default_factory=dict)

    def lengths(self, fieldname: str) -> list[int]:
        """Every document's length in ``fieldname`` (Whoosh's stored, quantized lengths)."""
        if fieldname not in self._lengths:
            reader = self.searcher.reader()
            self._lengths[fieldname] = [
                reader.doc_field_length(n, fieldname, 0) for n in range(reader.doc_count_all())
            ]
        return self._lengths[fieldname]

    def deleted(self) -> set[int]:
        if self._deleted is None:
            reader = self.searcher.reader()
            self._deleted = {n for n in range(reader.doc_count_all()) if reader.is_deleted(n)}
        return self._deleted

    def postings(self, fieldname: str, text: str, kind: str = "weight") -> tuple[list[int], list]:
        """(docnums, term frequencies or positions) of one term, decoded once, kept in an LRU."""
        key = (fieldname, text, kind)
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        ids: list[int] = []
        weights: list[float] = []
        reader = self.searcher.reader()
        for leaf, offset in reader.leaf_readers():
            if (fieldname, text) not in leaf:
                continue
            for docnum, weight in leaf.postings(fieldname, text).items_as(kind):
                ids.append(docnum + offset)
                weights.append(weight)
        self._postings[key] = (ids, weights)
        if len(self._postings) > POSTINGS_CACHE:
            self._postings.popitem(last=False)
        return ids, weights

    def papers(self, word: str) -> set[int]:
        """The papers whose title or summary contains ``word`` (analyzed like the index)."""
        if not lexicon.is_hangul(word):
            word = analysis.normalize_english(word)
        found = set(self.postings("summary", word)[0]) | set(self.postings("title", word)[0])
        return found - self.deleted()

    def loanword(self, korean: str) -> loanwords.Loanword | None:
        """The English word the Hangul ``korean`` transliterates, when the corpus supports it."""
        if korean not in self._loanwords:
            if self.sounds is None:
                self.sounds = self.generation.sounds()
            total = self.searcher.doc_count()
            self._loanwords[korean] = loanwords.best_match(korean, self.sounds, self.papers, total)
        return self._loanwords[korean]

    def dates(self) -> list[str]:
        if self._dates is None:
            self._dates = [
                d.decode() if isinstance(d, bytes) else d
                for d in self.searcher.reader().column_reader("date")
            ]
        return self._dates

    def lexicon_tables(self) -> lexicon.Tables:
        if self.tables is None:
            self.tables = self.generation.tables()
        return self.tables


_opened: dict[Path, _Opened] = {}


def _open(index_dir, build_if_missing: bool = True) -> _Opened:
    """The searcher for the published generation, reopened when a newer one is published.

    Publishing replaces the ``CURRENT`` file, so its inode and mtime identify the generation
    even when an index folder is deleted and rebuilt under the same generation names; one
    ``stat`` per search is the whole cost of noticing an update.
    """
    path = index.resolve_dir(index_dir)
    stamp = _stamp(path)
    if stamp is None and build_if_missing:
        print(f"papers: no index at {path} yet; building one from the bundled seeds…", file=sys.stderr)
        # Not a rebuild: a process that loses the race waits for the winner, then finds the
        # seeds already indexed and has nothing to do.
        index.update_index(path, wait=BUILD_WAIT)
        stamp = _stamp(path)
    cached = _opened.get(path)
    if cached is not None and cached.stamp == stamp:
        return cached
    generation = index.open_generation(path)
    searcher = generation.ix.searcher()
    votes = list(searcher.reader().column_reader("votes"))
    opened = _Opened(generation, searcher, votes, stamp)
    if cached is not None:
        cached.searcher.close()
    _opened[path] = opened
    return opened


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path / index.CURRENT)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


# -- parsing the user's string -------------------------------------------------------------------

_TOKEN = re.compile(r'(?P<field>(?:title|author|authors):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_OPERATORS = ("AND", "OR", "NOT")


@dataclass
class _Item:
    kind: str            # "text", "phrase"
    text: str
    field: str | None = None
    mode: str = "should"  # "should", "must", "not"


def parse_query(text: str) -> list[_Item]:
    """Split a user string into text runs, phrases and fielded items with their operators."""
    raw = [(m.group("field"), m.group("phrase"), m.group("word")) for m in _TOKEN.finditer(text)]
    items: list[_Item] = []
    pending: str | None = None  # operator waiting for its right-hand item
    run: list[str] = []

    def flush_run():
        if run:
            items.append(_Item("text", " ".join(run)))
            run.clear()

    for i, (field, phrase, word) in enumerate(raw):
        has_next = i + 1 < len(raw)
        if field is None and phrase is None and word in _OPERATORS and has_next and (word == "NOT" or items or run):
            if word == "AND" and run:
                # AND binds the word right before it, not the whole run.
                last = run.pop()
                flush_run()
                items.append(_Item("text", last, mode="must"))
            elif word == "AND" and items:
                items[-1].mode = "must" if items[-1].mode == "should" else items[-1].mode
            flush_run()
            pending = word
            continue
        if field is not None or phrase is not None or pending is not None:
            flush_run()
            name = None if field is None else ("author" if field.startswith("author") else "title")
            value = phrase if phrase is not None else word
            mode = {"AND": "must", "NOT": "not", "OR": "should"}.get(pending, "should")
            if name is not None and mode == "should":
                mode = "must"
            if phrase is None and name is None:
                items.append(_Item("text", value, mode=mode))
            else:
                items.append(_Item("phrase" if phrase is not None else "text", value, name, mode))
            pending = None
        else:
            run.append(word)
    flush_run()
    return [item for item in items if item.text.strip()]


# -- building the Whoosh query -------------------------------------------------------------------


def _fields_for(item: _Item) -> list[tuple[str, float]]:
    if item.field == "title":
        return [("title", 1.0)]
    if item.field == "author":
        return [("authors", 1.0)]
    return [("title", TITLE_BOOST), ("summary", 1.0), ("authors", AUTHORS_BOOST)]


def _term_query(text: str, fields, boost: float = 1.0):
    return Q.Or([Q.Term(f, text, boost=b * boost) for f, b in fields])


def _item_terms(item: _Item) -> list[Term]:
    if item.field == "author":
        return analysis.name_terms([item.text])
    return analysis.analyze(item.text)


def _content_bigrams(text: str, primary: list[Term]) -> tuple[dict[str, float], set[str]]:
    """Hangul bigrams of the query's content words with their weights, and those across a space
    between two content words.

    Only the Hangul nouns and stems count, so particles and endings (``LLM을``, ``평가했다``)
    ask for nothing. The bigrams of a word share that word's weight (``아레나`` has two, each
    worth a half), so a long loanword does not outweigh the rest of the query; a solid compound
    shares the weight of the words Kiwi found in it, which keeps ``음성합성`` and ``음성 합성``
    alike. A bigram across a space between two content words counts half, so "음성 합성" also
    asks, softly, for the "성합" of "음성합성", whichever way papers spaced it.
    """
    spans = analysis.content_spans(text, primary)
    grams: dict[str, float] = {}
    joined: set[str] = set()
    for i, (start, end) in enumerate(spans):
        bigrams = analysis.hangul_bigrams(text[start:end])
        words = sum(1 for t in primary if start <= t.start < end and t.kind in ("noun", "verb"))
        share = min(1.0, max(words, 1) / len(bigrams))
        for g in bigrams:
            grams[g] = max(grams.get(g, 0.0), share)
        if i and not text[spans[i - 1][1] : start].strip():
            joined.add(text[spans[i - 1][1] - 1] + text[start])
    return grams, joined - set(grams)


def _slop(primary: list[Term]) -> int:
    """Phrase slop that tolerates the gaps left by dropped stopwords (and one more word)."""
    gaps = [b.pos - a.pos - 1 for a, b in zip(primary, primary[1:])]
    return 1 + max(gaps, default=0)


class _Builder:
    """Turns parsed items into one Whoosh query plus the terms used for snippets."""

    def __init__(self, tables: lexicon.Tables, loanword=lambda korean: None) -> None:
        self.tables = tables
        self.loanword = loanword
        self.terms: list[tuple[str, str, float]] = []  # (field, term, boost): OR-ed, BM25-scored
        self.should: list = []     # Whoosh queries (phrases) that add to the score
        self.near: list[tuple[str, str, str, float]] = []  # (field, a, b, boost): a then b, close
        self.must: list = []
        self.must_not: list = []
        self.highlight: set[str] = set()
        self.primary: list[tuple[_Item, list[Term]]] = []
        self.literal: list[str] = []  # terms for the literal view, from the unfielded items
        self.literal_weights: dict[str, float] = {}  # those that count less than a query word
        self.truncated = False
        self.count = 0

    def add(self, item: _Item) -> None:
        terms = _item_terms(item)
        if self.count + len(terms) > MAX_QUERY_TERMS:
            terms = terms[: max(0, MAX_QUERY_TERMS - self.count)]
            self.truncated = True
        self.count += len(terms)
        primary = [t for t in terms if t.primary]
        if not primary:
            return
        fields = _fields_for(item)
        if item.mode != "not" and item.field is None:
            typed = analysis.literal_terms(item.text)
            self.literal = list(dict.fromkeys(self.literal + typed))
            for text in typed:  # a word the user typed counts fully, even if a loanword added it
                self.literal_weights.pop(text, None)
        if item.mode == "not":
            self.must_not.append(Q.Or([_term_query(t.text, fields) for t in primary]))
            return
        if item.mode == "must" or item.kind == "phrase" or item.field is not None:
            for t in primary:
                self._add_terms(t.text, fields, 1.0)
        self.highlight.update(t.text for t in terms)
        if item.kind == "phrase":
            self.must.append(self._phrase([t.text for t in primary], fields, slop=_slop(primary)))
            return
        if item.mode == "must":
            self.must.append(Q.And([_term_query(t.text, fields) for t in primary]))
        if item.field is not None:
            self.must.append(self._phrase([t.text for t in primary], fields, slop=_slop(primary)))
            return
        self.primary.append((item, primary))
        weights = self._weights(terms)
        seen = set(weights)
        self.highlight.update(weights)
        for text, weight in weights.items():
            self._add_terms(text, fields, weight)
        grams, joined = _content_bigrams(analysis.clean(item.text), primary)
        for g in sorted(grams):
            self.terms.append(("grams", g, BIGRAM_BOOST * grams[g]))
        for g in sorted(joined):
            self.terms.append(("grams", g, BIGRAM_BOOST / 2))
        self._proximity(primary)
        self._aliases(primary, seen)
        self._loanwords(item, primary, seen)

    def _add_terms(self, text: str, fields, weight: float) -> None:
        for field, boost in fields:
            # Author names are Latin: a Hangul term never needs the authors field.
            if field == "authors" and lexicon.is_hangul(text):
                continue
            self.terms.append((field, text, boost * weight))

    def _weights(self, terms: list[Term]) -> dict[str, float]:
        """Query weight per term, the same however the user spaced a Korean compound.

        Kiwi splits ``멀티 모달 벤치마크`` into four nouns but keeps ``멀티모달 벤치마크`` as two,
        and the analyzer adds neighbour joins either way. A join that the corpus shows as a real
        compound (Kiwi split it inside one word there) counts as a full term and its parts as
        derived ones, and a whole compound brings its parts along as derived terms, so both
        spellings end up with the same weighted terms.
        """
        weights: dict[str, float] = {}
        demoted: set[str] = set()
        splits = self.tables.splits
        primary = [t for t in terms if t.primary and t.kind == "noun"]
        for a, b in zip(primary, primary[1:]):
            # "멀티 모달": the index joins only unspaced nouns, so a spaced query asks for the
            # join itself when the corpus shows it is one word.
            if b.pos == a.pos + 1 and a.end < b.start and a.text + b.text in splits:
                terms = terms + [Term(a.text + b.text, a.pos, a.start, b.end, False, "noun")]
        for t in terms:
            weight = 1.0 if t.primary else DERIVED_BOOST
            if not t.primary and t.kind == "noun" and t.text in splits:
                weight = JOIN_WEIGHT
                demoted.update(splits[t.text])
            elif not t.primary and t.kind == "noun":
                continue  # a mere neighbour join: proximity clauses reward that, less noisily
            elif t.primary and t.kind == "noun" and t.text in splits:
                demoted.update(splits[t.text])
            weights[t.text] = max(weights.get(t.text, 0.0), weight)
        for part in demoted:
            weights[part] = PART_WEIGHT
        return weights

    def _phrase(self, words: list[str], fields, slop: int, boost: float = 1.0):
        if len(words) == 1:
            return _term_query(words[0], fields, boost)
        return _Phrase(tuple((f, b * boost) for f, b in fields), tuple(words), slop)

    def _proximity(self, primary: list[Term]) -> None:
        """Reward papers where neighbouring query words also stand together."""
        for a, b in zip(primary, primary[1:]):
            if b.pos != a.pos + 1 or a.text == b.text:
                continue
            both_latin = lexicon.is_latin(a.text) and lexicon.is_latin(b.text)
            fields = [("title", TITLE_BOOST * PROXIMITY_BOOST), ("summary", PROXIMITY_BOOST)]
            if both_latin:
                fields.append(("authors", AUTHORS_BOOST * NAME_BOOST))
            for fieldname, boost in fields:
                self.near.append((fieldname, a.text, b.text, boost))

    def _aliases(self, primary: list[Term], seen: set[str]) -> None:
        """Add learned Korean ↔ English aliases of the query's words as weighted expansions."""
        words = [t.text for t in primary]
        fields = EXPANSION_FIELDS
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + lexicon.MAX_ENGLISH_TERMS) + 1):
                span = words[i:j]
                if all(lexicon.is_hangul(w) for w in span) and j - i <= lexicon.MAX_KOREAN_TERMS:
                    found = self.tables.ko_to_en.get("".join(span), [])
                elif all(lexicon.is_latin(w) for w in span):
                    found = self.tables.en_to_ko.get(" ".join(span), [])
                else:
                    continue
                for alias in found[:MAX_ALIASES]:
                    parts = alias.text.split()
                    key = " ".join(parts)
                    if key in seen:
                        continue
                    seen.add(key)
                    self.highlight.update(parts)
                    boost = ALIAS_BOOST * alias.confidence
                    if len(parts) == 1:
                        self._add_terms(parts[0], fields, boost)
                    else:
                        # A multi-word alias counts where its words stand together, pair by pair
                        # (a Whoosh phrase over common words like 언어 모델 costs far more).
                        share = boost / (len(parts) - 1)
                        for a, b in zip(parts, parts[1:]):
                            for fieldname, field_boost in fields:
                                self.near.append((fieldname, a, b, field_boost * share))

    def _loanwords(self, item: _Item, primary: list[Term], seen: set[str]) -> None:
        """Add the English words that the query's Hangul loanwords transliterate.

        A loanword is a written word (its particles left out), never a piece Kiwi cut from one:
        ``벤치마크`` may be ``benchmark``, but its ``벤치`` is not ``bench``. The English word counts
        in both views: a paper that writes only ``Chatbot Arena`` must also rank in the literal
        view, or the fusion keeps preferring papers that share a syllable pair with the query.
        """
        fields = EXPANSION_FIELDS
        text = analysis.clean(item.text)
        nouns = [t for t in primary if t.kind == "noun"]
        words = [text[a:b] for a, b in analysis.content_spans(text, nouns)]
        # "멀티 모달" is also 멀티모달 when the corpus writes it as one word, as in _weights.
        words += [a + b for a, b in zip(words, words[1:]) if a + b in self.tables.splits]
        for word in words:
            if len(word) < 2:
                continue
            match = self.loanword(word)
            if match is None:
                continue
            word = analysis.normalize_english(match.english)
            if word not in seen:
                seen.add(word)
                self.highlight.add(word)
                self._add_terms(word, fields, LOANWORD_BOOST * match.similarity)
            for literal in analysis.literal_terms(match.english):
                if literal not in self.literal:
                    self.literal.append(literal)
                    self.literal_weights[literal] = LOANWORD_LITERAL * match.similarity

    def empty(self) -> bool:
        return not (self.terms or self.should or self.must)


# -- filters ---------------------------------------------------------------------------------------


def _check_date(value: str | None, option: str) -> str | None:
    return browse.date_bound(value, option, end=option == "until")


@dataclass(frozen=True)
class _Filter:
    """Restrictions on which papers may match: dates and votes checked against the per-paper
    columns, the author as a name phrase over cached positions."""

    since: str | None = None
    until: str | None = None
    min_votes: int | None = None
    author: tuple[str, ...] | None = None

    def apply(self, opened: "_Opened", scores: dict[int, float]) -> dict[int, float]:
        if self.since or self.until:
            dates = opened.dates()
            low, high = self.since or "", self.until or "\uffff"
            scores = {d: v for d, v in scores.items() if low <= dates[d] <= high}
        if self.min_votes is not None:
            votes = opened.votes
            scores = {d: v for d, v in scores.items() if votes[d] >= self.min_votes}
        if self.author:
            if len(self.author) == 1:
                allowed = set(opened.postings("authors", self.author[0])[0])
            else:
                allowed = set(_Phrase((("authors", 1.0),), self.author, 1).matches(opened))
            scores = {d: v for d, v in scores.items() if d in allowed}
        return scores


def _filters(since, until, min_votes, author) -> _Filter:
    since = _check_date(since, "since")
    until = _check_date(until, "until")
    if since and until and since > until:
        raise QueryError(f"since ({since}) is after until ({until}); nothing can match")
    if min_votes is not None and (not isinstance(min_votes, int) or min_votes < 0):
        raise QueryError(f"min_votes must be a whole number ≥ 0, not {min_votes!r}")
    words = None
    if author is not None:
        words = tuple(t.text for t in analysis.name_terms([author]))
        if not words:
            raise QueryError(f"author {author!r} has no letters to match")
    return _Filter(since, until, min_votes, words)


# -- snippets --------------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=\s)|다\.|\n|$)")


def _term_pattern(terms: set[str]) -> re.Pattern | None:
    """A pattern for the surface forms of matched terms (``llm`` also marks ``LLMs``,
    ``study`` marks ``studies``)."""
    forms = set()
    for t in terms:
        if lexicon.is_hangul(t):
            forms.add(re.escape(t[:-1] if t.endswith("다") and len(t) > 2 else t))
        elif len(t) > 1 or t.isdigit():
            # normalize_english's plural rules undone: llm → LLMs, study → studies, sery → series.
            if len(t) > 2 and t.endswith("y"):
                body = re.escape(t[:-1]) + "(?:y|ys|ies)"
            else:
                body = re.escape(t) + "(?:e?s)?"
            forms.add(r"(?<![0-9A-Za-z])" + body + r"(?![0-9A-Za-z])")
    if not forms:
        return None
    return re.compile("|".join(sorted(forms, key=len, reverse=True)), re.IGNORECASE)


def make_snippet(summary: str, pattern: re.Pattern | None, width: int = 220) -> tuple[str, tuple]:
    """The summary sentence with the most distinct matched words, and the (start, end) offsets
    of the matches in it."""
    sentences = [m.group().strip() for m in _SENTENCE.finditer(summary) if m.group().strip()]
    if not sentences:
        return "", ()
    best, best_score = sentences[0], 0
    if pattern is not None:
        for s in sentences:
            score = len({m.group().lower() for m in pattern.finditer(s)})
            if score > best_score:
                best, best_score = s, score
    if len(best) > width:
        first = pattern.search(best) if pattern is not None and best_score else None
        start = max(0, (first.start() if first else 0) - width // 4)
        best = ("…" if start else "") + best[start : start + width].rstrip() + "…"
    if pattern is None or not best_score:
        return best, ()
    return best, tuple(m.span() for m in pattern.finditer(best))


# -- the public functions ------------------------------------------------------------------------


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
    weight = VOTE_WEIGHT if vote_weight is None else vote_weight
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= MAX_VOTE_WEIGHT:
        raise QueryError(f"vote_weight must be a number from 0 to {MAX_VOTE_WEIGHT:g}, not {vote_weight!r}")
    filter_q = _filters(since, until, min_votes, author)
    opened = _open(index_dir)
    builder = _Builder(opened.lexicon_tables(), opened.loanword)
    for item in parse_query(query):
        builder.add(item)
    if builder.empty():
        note = "the query has no searchable words (particles, punctuation and symbols are not indexed)"
        return SearchResults(notice=note)
    scores = _evaluate(opened, builder, filter_q)
    if builder.literal and not _names_an_author(opened, builder):
        scores = _fuse(scores, _literal_scores(opened, builder.literal, scores, builder.literal_weights))
    votes = opened.votes
    for docnum, score in scores.items():
        v = votes[docnum]
        scores[docnum] = score * (1.0 + weight * math.log1p(v if v > 0 else 0))
    if sort == "relevance":
        top = heapq.nlargest(offset + limit, ((score, -d) for d, score in scores.items()))
        top = [(score, -neg) for score, neg in top]
    else:
        # Sorted by votes or date, ties by relevance; scores stay the relevance scores.
        column = votes if sort == "votes" else opened.dates()
        top = heapq.nlargest(offset + limit, ((column[d], score, -d) for d, score in scores.items()))
        top = [(score, -neg) for _, score, neg in top]
    searcher = opened.searcher
    pattern = _term_pattern(builder.highlight)
    hits = [_hit(searcher.stored_fields(docnum), score, pattern) for score, docnum in top[offset:]]
    out = SearchResults(hits, total=len(scores))
    if builder.truncated:
        out.notice = f"the query was long; only its first {MAX_QUERY_TERMS} terms were used"
    out.suggestion = _suggest(opened, builder, query, len(scores))
    if not scores and not out.notice:
        meta = opened.generation.meta
        out.notice = browse.beyond_index((meta.get("first_date"), meta.get("last_date")), filter_q.since, filter_q.until)
    return out


def _evaluate(opened: _Opened, builder: _Builder, filter_q) -> dict[int, float]:
    """Score every matching paper: docnum → BM25F score (before the vote blend).

    Plain OR-ed terms, which are most of any query, are scored term-at-a-time from decoded
    posting lists with Whoosh's BM25 (its idf, average lengths and ``bm25`` function): walking
    Whoosh's matcher trees costs a dozen Python calls per posting and dominated query time.
    Phrases, required and excluded parts and filters go through Whoosh's own matchers.
    """
    searcher = opened.searcher
    scores: dict[int, float] = {}
    get = scores.get
    for fieldname, text, boost in builder.terms:
        _add_bm25(opened, fieldname, text, boost, scores)
    for fieldname, a, b, boost in builder.near:
        _add_near(opened, fieldname, a, b, boost, scores)
    for q in builder.should:
        _add_matches(searcher, q, scores)
    if builder.must:
        required = None
        for q in builder.must:
            found: dict[int, float] = {}
            if isinstance(q, _Phrase):
                found = q.matches(opened)
            else:
                _add_matches(searcher, q, found)
            required = set(found) if required is None else required & set(found)
            for d, score in found.items():
                scores[d] = get(d, 0.0) + score
        scores = {d: scores[d] for d in required}
    excluded = set(opened.deleted())
    for q in builder.must_not:
        excluded.update(searcher.docs_for_query(q))
    if excluded:
        scores = {d: v for d, v in scores.items() if d not in excluded}
    return filter_q.apply(opened, scores)


def _add_bm25(opened: _Opened, fieldname: str, text: str, boost: float, scores: dict[int, float],
              tf_boost: float = 1.0, only=None) -> None:
    """Add one term's BM25 scores in ``fieldname`` to ``scores`` (only for docnums in ``only``,
    when given). Whoosh's ``bm25``, unrolled: the same formula without a call per posting.
    ``tf_boost`` scales the term frequency, as a Whoosh field boost does; ``boost`` the score."""
    ids, weights = opened.postings(fieldname, text)
    if not ids:
        return
    searcher = opened.searcher
    avg = searcher.avg_field_length(fieldname) or 1.0
    lengths = opened.lengths(fieldname)
    norm, per_length = BM25_K1 * (1 - BM25_B), BM25_K1 * BM25_B / avg
    scale = boost * searcher.idf(fieldname, text) * (BM25_K1 + 1)
    if tf_boost != 1.0:
        weights = [tf * tf_boost for tf in weights]
    postings = zip(ids, weights)
    if only is not None:
        postings = [(d, tf) for d, tf in postings if d in only]
    get = scores.get
    for d, tf in postings:
        scores[d] = get(d, 0.0) + scale * tf / (tf + norm + per_length * lengths[d])


def _literal_scores(opened: _Opened, terms: list[str], candidates, weights=None) -> dict[int, float]:
    """BM25F scores of the literal view (:func:`analysis.literal_terms`) for the candidates."""
    scores: dict[int, float] = {}
    weights = weights or {}
    for fieldname, field_boost in LITERAL_FIELDS:
        for text in terms:
            _add_bm25(opened, fieldname, text, weights.get(text, 1.0), scores, tf_boost=field_boost,
                      only=candidates)
    return scores


def _ranks(scores: dict[int, float]) -> dict[int, int]:
    """Rank of each paper by descending score; equal scores share the better rank."""
    ranks: dict[int, int] = {}
    previous, rank = None, 0
    for i, d in enumerate(sorted(scores, key=scores.__getitem__, reverse=True), 1):
        if scores[d] != previous:
            previous, rank = scores[d], i
        ranks[d] = rank
    return ranks


def _fuse(analyzed: dict[int, float], literal: dict[int, float]) -> dict[int, float]:
    """Reciprocal-rank fusion of the analyzed and the literal rankings of the same candidates.

    The analyzed view knows morphology, compounds, aliases and nearness; the literal view only
    what is written. Each is right where the other stumbles (a Kiwi split that differs between
    query and paper, a stem that merges words the user kept apart), and papers both rank high
    come first. Ranks rather than scores are fused because the two scales are not comparable;
    the analyzed score, scaled far below one rank step, breaks the ties that fusion makes.
    """
    top = max(analyzed.values(), default=0.0) or 1.0
    fused = {d: 1.0 / (RRF_K + r) + TIE_BREAK * analyzed[d] / top for d, r in _ranks(analyzed).items()}
    for d, r in _ranks(literal).items():
        fused[d] += LITERAL_WEIGHT / (RRF_K + r)
    return fused


def _names_an_author(opened: _Opened, builder: _Builder) -> bool:
    """True when the whole query is Latin words that some paper lists as one author's name.

    Such a query asks for a person, and the literal view (titles and summaries) only adds
    papers that happen to mention one of the names.
    """
    if builder.must or builder.must_not:
        return False
    primary = [t for _, terms in builder.primary for t in terms]
    if len(primary) < 2 or not all(lexicon.is_latin(t.text) for t in primary):
        return False
    words = tuple(t.text for t in analysis.name_terms([" ".join(item.text for item, _ in builder.primary)]))
    return bool(_Phrase((("authors", 1.0),), words, 1).matches(opened))


@dataclass(frozen=True)
class _Phrase:
    """Words in this order, each within ``slop`` positions of the one before, in any of the
    fields; matched from cached positions (Whoosh's span matcher was the query tail's cost)."""

    fields: tuple[tuple[str, float], ...]
    words: tuple[str, ...]
    slop: int

    def matches(self, opened: "_Opened") -> dict[int, float]:
        found: dict[int, float] = {}
        searcher = opened.searcher
        for fieldname, boost in self.fields:
            lists = [opened.postings(fieldname, w, "positions") for w in self.words]
            if any(not ids for ids, _ in lists):
                continue
            maps = [dict(zip(ids, pos)) for ids, pos in lists[1:]]
            idf = max(searcher.idf(fieldname, w) for w in self.words)
            avg = searcher.avg_field_length(fieldname) or 1.0
            lengths = opened.lengths(fieldname)
            for d, starts in zip(*lists[0]):
                rest = [m.get(d) for m in maps]
                if any(r is None for r in rest):
                    continue
                follow = [set(r) for r in rest]
                tf = sum(1 for p in starts if self._chain(p, follow))
                if tf:
                    found[d] = found.get(d, 0.0) + boost * scoring.bm25(
                        idf, tf, lengths[d], avg, BM25_B, BM25_K1)
        return found

    def _chain(self, pos: int, follow: list[set[int]]) -> bool:
        if not follow:
            return True
        return any(q in follow[0] and self._chain(q, follow[1:])
                   for q in range(pos + 1, pos + self.slop + 1))


def _add_near(opened: _Opened, fieldname: str, a: str, b: str, boost: float, scores) -> None:
    """Reward papers where ``b`` follows ``a`` within ``NEAR_SLOP`` positions in ``fieldname``.

    The number of such pairs is scored like a term frequency with BM25 (idf of the rarer
    word). Whoosh's span-based Phrase matcher gave the same signal at many times the cost.
    """
    ids_b, pos_b = opened.postings(fieldname, b, "positions")
    if not ids_b:
        return
    ids_a, pos_a = opened.postings(fieldname, a, "positions")
    if not ids_a:
        return
    where_b = dict(zip(ids_b, pos_b))
    searcher = opened.searcher
    idf = max(searcher.idf(fieldname, a), searcher.idf(fieldname, b))
    avg = searcher.avg_field_length(fieldname) or 1.0
    lengths = opened.lengths(fieldname)
    for d, positions_a in zip(ids_a, pos_a):
        positions_b = where_b.get(d)
        if positions_b is None:
            continue
        following = set(positions_b)
        tf = sum(1 for p in positions_a if any(p + k in following for k in range(1, NEAR_SLOP + 1)))
        if tf:
            scores[d] = scores.get(d, 0.0) + boost * scoring.bm25(idf, tf, lengths[d], avg, BM25_B, BM25_K1)


def _add_matches(searcher, q, scores: dict[int, float]) -> None:
    """Add the BM25F scores of a Whoosh query's matches (a phrase, say) to ``scores``."""
    m = q.matcher(searcher)
    while m.is_active():
        d = m.id()
        scores[d] = scores.get(d, 0.0) + m.score()
        m.next()


def _hit(fields: dict, score: float, pattern) -> Hit:
    return Hit.from_stored(fields, score, *make_snippet(fields.get("summary", ""), pattern))


def get_paper(arxiv_id: str, index_dir=None) -> dict:
    """Everything stored about one paper, by arXiv ID."""
    opened = _open(index_dir, build_if_missing=False)
    fields = opened.searcher.document(arxiv_id=arxiv_id.strip())
    if fields is None:
        raise NotFoundError(f"no paper {arxiv_id!r} in the index at {index.resolve_dir(index_dir)}")
    hit = _hit(fields, 0.0, None)
    data = hit.to_dict()
    del data["score"], data["snippet"], data["highlights"]
    data["summary"] = fields.get("summary", "")
    data["sources"] = fields.get("sources", [])
    return data


def _words(item: _Item, primary: list[Term]) -> list[tuple[str, str]]:
    """(index word, surface text) pairs to spell-check: Latin terms and whole Hangul words.

    A misspelt Korean word falls apart into odd pieces under Kiwi, so Hangul is checked as the
    content part of each written word (``트랜스포먼`` of ``트랜스포먼을``), not piece by piece.
    """
    text = analysis.clean(item.text)
    words = [(text[a:b], text[a:b]) for a, b in analysis.content_spans(text, primary)]
    words += [(t.text, text[t.start : t.end]) for t in primary if t.kind == "latin" and t.text.isalpha()]
    return words


def _suggest(opened: _Opened, builder: _Builder, query: str, total: int = 0) -> str | None:
    """A corrected query: each rare query word replaced by a much more common close index term."""
    searcher = opened.searcher
    reader = searcher.reader()

    def df(word: str) -> int:
        return sum(reader.doc_frequency(f, word) for f in ("title", "summary", "authors"))

    new = query
    for item, primary in builder.primary:
        for word, surface in _words(item, primary):
            if len(word) > MAX_SUGGEST_LENGTH or len(word) < 3:
                continue
            seen = df(word)
            # The corrector walks the vocabulary: only for words the index does not know, or
            # rare ones when the query found little.
            if seen >= RARE_WORD or (seen and total >= FEW_RESULTS):
                continue
            maxdist = 1 if lexicon.is_hangul(word) or len(word) <= 5 else 2
            candidates = set()
            for f in ("summary", "title"):
                # Typos rarely hit the first letter; requiring it cuts the search tenfold.
                candidates.update(searcher.corrector(f).suggest(word, limit=5, maxdist=maxdist, prefix=1))
            scored = sorted(((df(c), c) for c in candidates if c != word), reverse=True)
            if scored and scored[0][0] >= max(SUGGEST_MIN_DF, SUGGEST_RATIO * (seen + 1)):
                best = scored[0][1]
                if surface and surface in new:
                    new = new.replace(surface, best, 1)
    return new if new != query else None


def loanword(word: str, index_dir=None) -> dict | None:
    """The English word that the Hangul ``word`` transliterates, with its evidence, or None.

    What a query containing ``word`` adds (see :mod:`search.loanwords`): ``similarity`` of the
    sounds, papers with ``both`` words, and papers with each.
    """
    word = word.strip()
    if not lexicon.is_hangul(word):
        return None
    match = _open(index_dir).loanword(word)
    if match is None:
        return None
    return {"alias": match.english, "language": "en", "match": "sound", "similarity": round(match.similarity, 3),
            "both": match.together, "korean_papers": match.korean_papers, "english_papers": match.english_papers}


def suggest(query: str, index_dir=None) -> str | None:
    """A did-you-mean correction for ``query`` from the index vocabulary, or None."""
    if not isinstance(query, str) or not query.strip():
        return None
    opened = _open(index_dir)
    builder = _Builder(opened.lexicon_tables())
    for item in parse_query(query):
        builder.add(item)
    return _suggest(opened, builder, query)
