"""The query plan: parsed items → one frozen description of what to score, require and exclude
(its parts are :mod:`search.plan_parts`).

The query is analyzed here, once; every later stage (ranking, snippets, suggestions) reads the
plan and never analyzes again. Expansions (compound joins, bigrams, aliases, loanwords) are
decided here from the generation's lexicon tables and loanword evidence.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from . import analysis, lexicon, views
from .analysis import Term
from .words import compose
from .params import DEFAULT, Params
from .expand import Expansions, name_match
from .plan_parts import Bool, Clause, Concept, Filters, Ids, Near, Plan, Range, Scored, Terms  # noqa: F401  (the parts, re-exported)
from .syntax import Filter, Group, Item, parse, restricts

MAX_QUERY_TERMS = 48
def build(query: str, tables: lexicon.Tables, loanword: Callable = lambda korean: None,
          filters: Filters = Filters(), params: Params = DEFAULT, words: Callable | None = None,
          prefix: Callable | None = None, names: Callable | None = None) -> Plan:
    """Analyze ``query`` and decide every term, weight and expansion of its plan.

    ``words`` looks up the analysis of a written word in the index's word table; when every
    word of the query is known, Kiwi is not needed (nor created). Otherwise the whole query goes
    through Kiwi, so its words are analyzed in context. ``prefix(field, stem)`` lists the index
    terms of a field that start with ``stem``, for ``lo*``; ``names(word)`` the spellings of an
    author's name word in the index (``yifan`` → ``yifan``, ``yi-fan``).
    """
    builder = _Builder(tables, loanword, params, prefix)
    builder.names = names
    if filters.author is not None and names is not None and isinstance(filters.author, Clause):
        filters = dataclasses.replace(filters, author=name_match(filters.author.words, names))
    parsed = parse(query)
    parts, filters = _top_filters(parsed.parts, filters)
    if (filters.since or 0) > (filters.until or 99999999) or (filters.min_votes or 0) > (filters.max_votes or 1 << 62):
        builder.notes.append("the filters do not overlap, so nothing can match; for either of two dates or "
                             "counts write a range (year:2024..2025) or join them with OR")
    analyses = {}
    if words is not None:
        texts = {item.text for item in _leaves(parts) if item.field != "author" and item.kind in ("text", "phrase")}
        analyses = {text: compose(text, words) for text in texts}
        if any(found is None for found in analyses.values()):
            analyses = {}
    builder.analyses = analyses
    must, should, excluded = builder.level(parts)
    literal = {text: builder.literal_weights.get(text, 1.0) for text in builder.literal}
    positive = bool(builder.scored or builder.pairs)
    return Plan(
        _mixed_titles(builder.scored, builder.ranked, params), tuple(builder.near), tuple(builder.pairs), tuple(must),
        tuple(excluded),
        tuple(literal.items()), frozenset(builder.highlight), tuple(builder.ranked), filters,
        builder.truncated,
        ids=tuple(dict.fromkeys(builder.ids)),
        listing=not positive and (filters.active or bool(must)) and not _only_ids(must),
        notes=tuple(dict.fromkeys([*parsed.notes, *builder.notes])),
        only_excludes=not positive and not must and not filters.active and not builder.ids and bool(excluded),
        only_operators=parsed.only_operators,
        concepts=tuple(builder.concepts), alternatives=parsed.alternatives,
    )


def _only_ids(elements) -> bool:
    return bool(elements) and all(isinstance(e, Ids) for e in elements)


def _leaves(parts):
    for part in parts:
        if isinstance(part, Group):
            yield from _leaves(part.parts)
        elif isinstance(part, Item):
            yield part


def _top_filters(parts, filters: Filters) -> tuple[tuple, Filters]:
    """Required filters of the top level (``votes:>10``, ``year:2024``) joined with the search
    options; filters in groups or excluded ones stay in the query as ranges."""
    since, until, low, high = filters.since, filters.until, filters.min_votes, filters.max_votes
    rest = []
    for part in parts:
        if isinstance(part, Filter) and part.mode == "must":
            if part.field == "date":
                since = _tighter(since, part.low, max)
                until = _tighter(until, part.high, min)
            else:
                low = _tighter(low, part.low, max)
                high = _tighter(high, part.high, min)
        else:
            rest.append(part)
    return tuple(rest), Filters(since, until, low, filters.author, high)


def _tighter(a, b, pick):
    return b if a is None else a if b is None else pick(a, b)


def _slop(primary: list[Term]) -> int:
    """Phrase slop that tolerates the gaps left by dropped stopwords (and one more word)."""
    gaps = [b.pos - a.pos - 1 for a, b in zip(primary, primary[1:])]
    return 1 + max(gaps, default=0)


def _content_bigrams(text: str, primary: list[Term]) -> tuple[dict[str, float], set[str]]:
    """Hangul bigrams of the query's content words with their weights, and the seam bigrams
    between two content words.

    Only the Hangul nouns and stems count, so particles and endings (``LLM을``, ``평가했다``)
    ask for nothing. The bigrams of a word share that word's weight (``아레나`` has two, each
    worth a half), so a long loanword does not outweigh the rest of the query. The bigram across
    the seam of two content words counts half, whether a space stands there or not: "음성 합성"
    and "음성합성" both ask fully for 음성 and 합성 and softly for the 성합 of "음성합성", so
    the two spellings ask for the same thing.
    """
    spans = views.content_spans(text, primary)
    grams: dict[str, float] = {}
    joined: set[str] = set()
    for i, (start, end) in enumerate(spans):
        words = [t for t in primary if start <= t.start < end and t.kind in ("noun", "verb")]
        for a, b in zip(words, words[1:]):
            if a.end == b.start:
                joined.add(text[a.end - 1] + text[b.start])
        for t in words:
            bigrams = views.hangul_bigrams(text[t.start : t.end])
            for g in bigrams:
                grams[g] = max(grams.get(g, 0.0), 1.0 / len(bigrams))
        if i and not text[spans[i - 1][1] : start].strip():
            joined.add(text[spans[i - 1][1] - 1] + text[start])
    return grams, joined - set(grams)


def _literal_weights(text: str, primary: list[Term], joined: float) -> dict[str, float]:
    """The literal terms of a typed item with their query weights: 1, except the syllable pair
    across the seam of two words the analysis found inside one written word (성합 of 음성합성,
    화학 of 강화학습), which counts ``joined`` as the pair across a space does (``_content_bigrams``):
    so 음성합성 and 음성 합성 ask the literal view for the same thing, and a seam pair, often
    another word (화학, chemistry), does not count as much as the words."""
    seams = {t.start for t in primary} & {t.end for t in primary}
    weights: dict[str, float] = {}
    for start, run in views.literal_runs(text):
        for i, term in enumerate(run):
            weight = joined if len(run) > 1 and start + i + 1 in seams else 1.0
            weights[term] = max(weights.get(term, 0.0), weight)
    return weights


def _mixed_titles(scored: list[Scored], ranked, params: Params) -> tuple[Scored, ...]:
    """In a query that mixes Korean and English words (``VLM 공간 추론``), the English words'
    title boost times ``Params.mixed_title``: titles are English, so a Korean word reaches them
    only through its aliases, at a fraction of a word's weight, and the English word's full title
    boost would rank a title holding it alone above a paper that says every word in its summary.
    Only the terms a ranked English word scores are scaled (those standing for a concept), not
    aliases, loanwords or a ``title:`` clause."""
    words = [t.text for _, terms in ranked for t in terms]
    latin = {w for w in words if lexicon.is_latin(w)}
    if params.mixed_title == 1.0 or not latin or not any(lexicon.is_hangul(w) for w in words):
        return tuple(scored)
    return tuple(dataclasses.replace(s, boost=s.boost * params.mixed_title)
                 if s.field == "title" and s.term in latin and s.concepts else s for s in scored)


def _stopped_pieces(primary: list[Term]) -> set[str]:
    """The stopwords among the query words, when there are other words: a stopword survives
    the analysis only as a piece of a joined name (the "as" and "a" of LLM-as-a-judge), so its
    index terms are rare and would outweigh the real words, as a scored term and as a concept,
    while everywhere else it is stopped; the name itself still counts through its joined form
    (``llmasajudge``) and the literal view."""
    stopped = {t.text for t in primary if t.text in analysis.ENGLISH_STOPWORDS}
    return stopped if len(stopped) < len({t.text for t in primary}) else set()


def _positive(part):
    """An excluded part as it would match if it were asked for."""
    if isinstance(part, Item):
        return Item(part.kind, part.text, part.field, "should")
    if isinstance(part, Filter):
        return Filter(part.field, part.low, part.high, part.text, "should")
    return Group(part.parts, "should")


class _Builder(Expansions):
    """Accumulates the parts of a plan, item by item (used only inside :func:`build`)."""

    def __init__(self, tables: lexicon.Tables, loanword: Callable, params: Params, prefix: Callable | None = None) -> None:
        self.tables = tables
        self.loanword = loanword
        self.p = params
        self.prefix = prefix
        self.names: Callable | None = None
        self.analyses: dict = {}
        self.ids: list[str] = []
        self.notes: list[str] = []
        self.scored: list[Scored] = []
        self.near: list[Near] = []
        self.pairs: list[Near] = []
        self.highlight: set[str] = set()
        self.ranked: list[tuple[Item, tuple[Term, ...]]] = []
        self.literal: list[str] = []
        self.literal_weights: dict[str, float] = {}  # literal terms that count less than a query word
        self.typed: dict[str, float] = {}  # the literal terms the user typed, with their weights
        self.truncated = False
        self.count = 0
        self.concepts: list[Concept] = []
        self.concept_ids: dict[str, int] = {}

    def level(self, parts) -> tuple[list, list, list]:
        """The match elements of one level of the query, as (required, optional, excluded); the
        parts that are not excluded are scored."""
        must, should, excluded = [], [], []
        words_required = False
        for part in parts:
            words_required |= part.mode == "must" and not restricts(part)
            if part.mode == "not":
                scratch = _Builder(self.tables, self.loanword, self.p, self.prefix)
                scratch.analyses, scratch.names = self.analyses, self.names
                element, target = scratch.element(_positive(part)), excluded
            else:
                element, target = self.element(part), must if part.mode == "must" else should
            if element is not None:
                target.append(element)
        matching = tuple(e for e in should if not isinstance(e, Ids))
        if matching and ((must and not words_required) or (not must and any(not isinstance(e, Terms) for e in matching))):
            # Fields and filters restrict what the words find; a group or a phrase joined by OR
            # is one of the alternatives. (Only words alone match through their scored terms.)
            must.append(Bool(should=matching))
        return must, should, excluded

    def element(self, part):
        """What ``part`` matches (scoring it, unless it is excluded)."""
        if isinstance(part, Group):
            must, should, excluded = self.level(part.parts)
            if not (must or should or excluded):
                return None
            return Bool(tuple(must), tuple(should), tuple(excluded))
        if isinstance(part, Filter):
            return Range("votes" if part.field == "votes" else "dates", part.low, part.high)
        if part.kind == "id":
            self.ids.append(part.text)
            return Ids((part.text,))
        if part.kind == "prefix":
            return self._prefix(part)
        if part.field == "title" and lexicon.is_hangul(views.clean(part.text).replace(" ", "")):
            self._hangul_title(part.text)
        return self.add(part, self.analyses.get(part.text))

    def _prefix(self, item: Item):
        """``lo*``: the most common index terms that start with the stem, each a query word."""
        stem = item.text.lower() if not lexicon.is_hangul(item.text) else item.text
        fields = self._fields_for(item)
        if self.prefix is None:
            return None
        found = self.prefix(tuple(f for f, _ in fields), stem)
        if not found:
            self.notes.append(f"no word in the index starts with {item.text!r}")
            return None
        start = len(self.scored)
        for text in found:
            self._add_terms(text, fields, 1.0)
            self.highlight.add(text)
        return Terms(tuple(self.scored[start:]))

    def _hangul_title(self, text: str) -> None:
        """``title:에이전트``: the titles are English; say so and name the English word."""
        word = text.strip()
        english = [a.text for a in self.tables.ko_to_en.get(word.replace(" ", ""), [])[:1]]
        match = None if english else self.loanword(word)
        if match is not None:
            english = [match.english]
        hint = f"; try title:{english[0]}" if english else f"; try {word} without title:"
        self.notes.append(f"titles are in English, so title:{word} matches only English words{hint}")

    def _fields_for(self, item: Item) -> tuple[tuple[str, float], ...]:
        if item.field == "title":
            return (("title", 1.0),)
        if item.field == "author":
            return (("authors", 1.0),)
        return (("title", self.p.title_boost), ("summary", 1.0), ("authors", self.p.authors_boost))

    def add(self, item: Item, terms: list[Term] | None = None):
        """Score ``item`` and return what it matches."""
        if terms is None:
            terms = analysis.name_terms([item.text]) if item.field == "author" else analysis.analyze(item.text)
        if self.count + len(terms) > MAX_QUERY_TERMS:
            terms = terms[: max(0, MAX_QUERY_TERMS - self.count)]
            self.truncated = True
        self.count += len(terms)
        primary = [t for t in terms if t.primary]
        if not primary and not (item.field is None and item.kind == "text" and item.mode != "must"
                                and self._unread_words(views.clean(item.text), terms)):
            return None  # only particles or symbols; words read as no content still count (스스로)
        fields = self._fields_for(item)
        words = tuple(t.text for t in primary)
        if item.field is None:
            typed = _literal_weights(views.clean(item.text), primary, self.p.joined_literal)
            self.literal = list(dict.fromkeys(self.literal + list(typed)))
            for text, weight in typed.items():
                # A term the user typed counts as typed, even if a loanword added it less.
                weight = max(weight, self.typed.get(text, 0.0))
                self.typed[text] = weight
                if weight < 1.0:
                    self.literal_weights[text] = weight
                else:
                    self.literal_weights.pop(text, None)
        if item.mode == "must" or item.kind == "phrase" or item.field is not None:
            for t in primary:
                self._add_terms(t.text, fields, 1.0)
        self.highlight.update(t.text for t in terms)
        if item.field == "author" and self.names is not None:
            return name_match(words, self.names)
        if item.kind == "phrase" or item.field is not None:
            kind = "phrase" if len(words) > 1 else "all"
            return Clause(kind, fields, words, _slop(primary))
        required = Clause("all", fields, words) if item.mode == "must" else None
        start, pairs = len(self.scored), len(self.pairs)
        self.ranked.append((item, tuple(primary)))
        first_concept = len(self.concepts)
        stopped = _stopped_pieces(primary)
        self._add_concepts(views.clean(item.text), [t for t in primary if t.text not in stopped])
        weights = self._weights(terms)
        seen = set(weights)
        self.highlight.update(weights)
        for text, weight in weights.items():
            if text not in stopped:
                self._add_terms(text, fields, weight, self._covered(text))
        grams, joined = _content_bigrams(views.clean(item.text), primary)
        for g in sorted(grams):
            self.scored.append(Scored("grams", g, self.p.bigram_boost * grams[g]))
        for g in sorted(joined):
            self.scored.append(Scored("grams", g, self.p.bigram_boost / 2))
            if g not in self.literal:  # as in the bigram view, so spacing changes little
                self.literal.append(g)
                self.literal_weights[g] = self.p.joined_literal
        self._unread(views.clean(item.text), terms, fields)
        self._proximity(primary, stopped)
        self._aliases(views.clean(item.text), primary, seen)
        self._loanwords(item, primary, seen)
        whole = tuple(c.grams for c in self.concepts[first_concept:] if c.grams)
        return required or Terms(tuple(self.scored[start:]), tuple(self.pairs[pairs:]), whole)

    def _add_terms(self, text: str, fields, weight: float, concepts: tuple[int, ...] = ()) -> None:
        for field, boost in fields:
            # Author names are Latin: a Hangul term never needs the authors field.
            if field == "authors" and lexicon.is_hangul(text):
                continue
            self.scored.append(Scored(field, text, boost * weight, concepts))

    def _add_concepts(self, text: str, primary: list[Term]) -> None:
        for t in primary:
            if t.text not in self.concept_ids:
                self.concept_ids[t.text] = len(self.concepts)
                grams = views.hangul_bigrams(text[t.start : t.end])
                forms = self._korean_forms(t.text) if t is primary[-1] else ()
                self.concepts.append(Concept(t.text, tuple(dict.fromkeys(grams)), forms))

    def _unread(self, text: str, terms: list[Term], fields) -> None:
        """Hangul words the analysis read as no content (``깊이`` of ``단안 깊이 추정`` as the
        adverb *deeply*, ``스스로``): a query is mostly nouns, so such a word still counts as a
        concept, matched as a term or through its bigrams, at ``Params.unread_weight``."""
        for word in self._unread_words(text, terms):
            grams = tuple(dict.fromkeys(views.hangul_bigrams(word)))
            self.concept_ids[word] = len(self.concepts)
            self.concepts.append(Concept(word, grams))
            weight = self.p.unread_weight
            self._add_terms(word, fields, weight, (self.concept_ids[word],))
            for g in grams:
                self.scored.append(Scored("grams", g, self.p.bigram_boost * weight / len(grams)))
            self.highlight.add(word)

    def _unread_words(self, text: str, terms: list[Term]) -> list[str]:
        """The written Hangul words of ``text`` (particles cut) with no primary term, not yet
        concepts: those :meth:`_unread` counts (none when ``Params.unread_weight`` is 0)."""
        if not self.p.unread_weight:
            return []
        words = []
        for m in re.finditer(r"\S+", text):
            if any(t.primary and m.start() <= t.start < m.end() for t in terms):
                continue
            word = m.group()
            for cut in range(len(word) - 1, 1, -1):
                if analysis._PARTICLES.match(word[cut:]):
                    word = word[:cut]
                    break
            if len(word) >= 2 and lexicon.is_hangul(word) and word not in self.concept_ids and word not in words:
                words.append(word)
        return words

    def _covered(self, text: str) -> tuple[int, ...]:
        """The concepts a term stands for: its own, or those of the query words it joins
        (``멀티모달`` for ``멀티`` and ``모달``, ``gpt4o`` for ``gpt`` and ``4o``). A part cut from
        a query word (``멀티`` of a whole ``멀티모달``) stands for none: it is not the word."""
        if text in self.concept_ids:
            return (self.concept_ids[text],)
        return tuple(i for word, i in self.concept_ids.items() if len(word) < len(text) and word in text)

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
        nouns = [t for t in terms if t.primary and t.kind == "noun"]
        for a, b in zip(nouns, nouns[1:]):
            # "멀티 모달": the index joins only unspaced nouns, so a spaced query asks for the
            # join itself when the corpus shows it is one word.
            if b.pos == a.pos + 1 and a.end < b.start and a.text + b.text in splits:
                terms = terms + [Term(a.text + b.text, a.pos, a.start, b.end, False, "noun")]
        for t in terms:
            weight = 1.0 if t.primary else self.p.derived_boost
            if not t.primary and t.kind == "noun" and t.text in splits:
                weight = self.p.join_weight
                demoted.update(splits[t.text])
            elif not t.primary and t.kind == "noun":
                continue  # a mere neighbour join: proximity clauses reward that, less noisily
            elif t.primary and t.kind == "noun" and t.text in splits:
                demoted.update(splits[t.text])
            weights[t.text] = max(weights.get(t.text, 0.0), weight)
        for part in demoted:
            weights[part] = self.p.part_weight
        return weights

    def _proximity(self, primary: list[Term], stopped=frozenset()) -> None:
        """Reward papers where neighbouring query words also stand together.

        Neighbours are the words next to each other, and also the content words on either side of
        stopwords (``stopped``, the *as a* of ``LLM-as-a-judge``; the analysis drops the *of* of a
        spaced ``mixture of experts`` itself): the stopwords leave a gap in the positions, in the
        query as in the papers, which ``Params.near_slop`` spans, so the hyphenated, spaced and
        shortened forms (``LLM as a judge``, ``LLM judges``) all count, not only the hyphenated
        one whose pieces the index keeps (``as`` of ``LLM-as-a-Judge``)."""
        p = self.p
        content = [t for t in primary if t.text not in stopped]
        pairs = {(a.text, b.text): (a, b) for a, b in [*zip(primary, primary[1:]), *zip(content, content[1:])]}
        for a, b in pairs.values():
            if not 0 < b.pos - a.pos <= p.near_slop or a.text == b.text:
                continue
            fields = [("title", p.title_boost * p.proximity_boost), ("summary", p.proximity_boost)]
            if b.pos == a.pos + 1 and lexicon.is_latin(a.text) and lexicon.is_latin(b.text):
                fields.append(("authors", p.authors_boost * p.name_boost))
            for field, boost in fields:
                self.near.append(Near(field, a.text, b.text, boost))
