"""Korean and English analysis: text in, index terms out.

Kiwi does the morphology; this module decides which morphemes become terms and how:

* Hangul content morphemes (nouns, roots, verb and adjective stems) become terms; particles,
  endings and suffixes never do, so ``LLM을`` and ``GPT-4o는`` index as ``llm`` and ``gpt-4o``.
* Hangul nouns written together also yield their concatenation (``멀티모달`` gives ``멀티``,
  ``모달`` and ``멀티모달``), because Kiwi splits compounds differently depending on context.
  Spaced nouns stay apart; the query side adds the join when the corpus shows it is one word,
  and the Hangul bigram view (:func:`content_text`) matches either spacing.
* Apart from all that, :func:`literal_terms` gives a dictionary-free literal view of the same
  text (words as written, Hangul as syllable bigrams) that the ranking fuses with the analyzed
  one, so an analysis mistake can never hide a paper that says exactly what was asked.
* A run of Latin letters, digits and joiners with no space inside (``GPT-4o``,
  ``Qwen2.5-VL``, ``C++``) yields its pieces and the whole run without joiners, so model names
  are findable whole and in parts. English is lower-cased and plural ``s`` is removed.

Every term carries a position (derived terms share the position of their first part) and
character offsets into the analyzed text. Kiwi is created lazily, once per process, and never
pickled: the Whoosh adapter at the bottom holds only settings.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from whoosh.analysis import Token, Tokenizer

from .views import (  # noqa: F401  (the bigram and literal views, re-exported)
    _add_bigrams, capitalized_words, clean, content_spans, content_text, hangul_bigrams, literal_runs, literal_terms,
)

#: Bumped whenever the terms produced for the same text change; stored with the index so an
#: index written with other analysis rules is detected instead of silently mixed.
ANALYZER_VERSION = 3

#: Kiwi options. The typo, multi-word and default (proper noun) dictionaries are left out: they
#: slow loading, the engine does its own spacing and compound handling, and on the judged queries
#: the default dictionary made no difference (nDCG@10 0.836 with it, 0.833 without).
KIWI_OPTIONS = {"load_typo_dict": False, "load_multi_dict": False, "load_default_dict": False}

_NOUN_TAGS = frozenset({"NNG", "NNP", "NR", "XR", "SH"})
_VERB_TAGS = frozenset({"VV", "VA", "VV-R", "VA-R", "VV-I", "VA-I"})
_RUN_TAGS = frozenset({"SL", "SN", "SO", "SW", "W_SERIAL", "W_URL", "W_EMAIL", "W_HASHTAG"})
_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")
_PIECE_SPLIT = re.compile(r"[-_/~:'’]+")
_PIECE_EDGES = re.compile(r"^[^0-9a-z+#]+|[^0-9a-z+#]+$")
_SUBPARTS = re.compile(r"[a-z]{2,}|\d+(?:\.\d+)*")

# Function words only: they carry no topic and make English queries slow.
ENGLISH_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in into is it its of on or that the this to "
    "was were which with".split()
)


class Term(NamedTuple):
    """One index term: its text, position, character span, whether it is a plain part, and kind.

    ``kind`` is ``"noun"`` (Hangul nouns and roots), ``"verb"`` (verb/adjective lemmas),
    ``"latin"`` (pieces of Latin/digit runs) or ``"name"`` (author name words).
    """

    text: str
    pos: int
    start: int
    end: int
    primary: bool = True
    kind: str = "noun"


_kiwi = None
_kiwi_lock = threading.Lock()


def get_kiwi():
    """Return the process-wide Kiwi, creating it on first use (slow: about a second)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                workers = max(1, min(4, os.cpu_count() or 1))
                _kiwi = Kiwi(num_workers=workers, **KIWI_OPTIONS)
    return _kiwi


def kiwi_loaded() -> bool:
    """Whether this process has created its Kiwi yet (tests use it to prove Kiwi was skipped)."""
    return _kiwi is not None


def settings() -> dict:
    """The analysis settings an index depends on; stored with it and compared on open."""
    return {
        "analyzer_version": ANALYZER_VERSION,
        "kiwipiepy": installed_version("kiwipiepy"),
        "kiwi_options": dict(KIWI_OPTIONS),
    }


def installed_version(package: str) -> str:
    """The installed version of ``package``: from the name of its one ``.dist-info`` folder in
    the first folder of ``sys.path`` that has one, as :mod:`importlib.metadata` finds it, which
    is used only when that is unclear (importing it costs every cold process 15-20 ms: every
    search and update checks the index's settings)."""
    prefix = package + "-"
    for folder in sys.path:
        try:
            found = [n for n in os.listdir(folder or ".") if n.startswith(prefix) and n.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
        if len(found) == 1 and found[0].endswith(".dist-info") and found[0].count("-") == 1:
            return found[0][len(prefix) : -len(".dist-info")]
        if found:
            break
    from importlib.metadata import version

    return version(package)


def normalize_english(word: str) -> str:
    """Lower-case and strip a plural ``s`` (``LLMs`` → ``llm``, ``studies`` → ``study``)."""
    w = word.lower()
    if len(w) > 3 and w.isalpha():
        if w.endswith("ies") and not w.endswith(("eies", "aies")):
            return w[:-3] + "y"
        if w.endswith("es") and w.endswith(("ches", "shes", "sses", "xes", "zes")):
            return w[:-2]
        if w.endswith("s") and not w.endswith(("ss", "us", "is")):
            return w[:-1]
    return w


def _run_terms(raw: str, start: int, pos: int) -> tuple[list[Term], int]:
    """Terms for one Latin/digit run such as ``Qwen2.5-VL``; returns them and the next position."""
    pieces = []
    for piece in _PIECE_SPLIT.split(raw.lower()):
        piece = _PIECE_EDGES.sub("", piece)
        if piece:
            pieces.append(normalize_english(piece))
    end = start + len(raw)
    terms: list[Term] = []
    first = pos
    for piece in pieces:
        if piece in ENGLISH_STOPWORDS and len(pieces) == 1:
            # Keep the position, so "mixture of experts" stays a phrase with a gap in it.
            return [], pos + 1
        terms.append(Term(piece, pos, start, end, True, "latin"))
        subparts = _SUBPARTS.findall(piece)
        if len(subparts) > 1:
            terms.extend(Term(s, pos, start, end, False, "latin") for s in subparts)
        pos += 1
    if len(pieces) > 1:
        terms.append(Term("".join(pieces), first, start, end, False, "latin"))
    return terms, pos


def terms_from_tokens(text: str, tokens, marks: list | None = None) -> list[Term]:
    """Turn Kiwi tokens of ``text`` into index terms (see the module docstring for the rules).

    ``marks``, when given, receives (character offset, position) as each token is reached: where
    the position counter stood at each word, for :func:`word_analyses`.
    """
    out: list[Term] = []
    pos = 0
    prev_noun: Term | None = None  # last Hangul noun term, for space-joined compounds
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        tag = tok.tag
        if marks is not None:
            marks.append((tok.start, pos))
        if tag in _RUN_TAGS:
            j = i + 1
            while j < n and tokens[j].tag in _RUN_TAGS and tokens[j].start == tokens[j - 1].end:
                j += 1
            start, end = tok.start, tokens[j - 1].end
            terms, pos = _run_terms(text[start:end], start, pos)
            out.extend(terms)
            prev_noun = None
            i = j
            continue
        i += 1
        form = tok.form
        if (tag in _NOUN_TAGS or tag in _VERB_TAGS) and _only_particles(text, tok.start):
            prev_noun = None
            continue
        if tag in _NOUN_TAGS:
            term = Term(form.lower() if tag == "SH" else form, pos, tok.start, tok.end)
            out.append(term)
            if (
                prev_noun is not None
                and _HANGUL.match(form)
                and prev_noun.end == tok.start
            ):
                out.append(Term(prev_noun.text + form, prev_noun.pos, prev_noun.start, tok.end, False))
            prev_noun = term if _HANGUL.match(form) else None
            pos += 1
        elif tag in _VERB_TAGS and _HANGUL.match(form):
            out.append(Term(form + "다", pos, tok.start, tok.end, True, "verb"))
            prev_noun = None
            pos += 1
        else:
            prev_noun = None
    if marks is not None:
        marks.append((len(text), pos))
    return out


_PARTICLES = re.compile(
    r"^(?:이|가|은|는|을|를|의|에|에서|에게|께|한테|로|으로|와|과|랑|이랑|도|만|까지|부터|보다|"
    r"처럼|마저|조차|이나|나|든지|이든지|요|야|아|여)+$"
)
_WORD = re.compile(r"\S+")


def _only_particles(text: str, offset: int) -> bool:
    """Whether the word around ``offset`` is nothing but particles (Kiwi then guesses a noun)."""
    start = text.rfind(" ", 0, offset) + 1
    m = _WORD.match(text, start)
    return bool(m) and bool(_PARTICLES.match(m.group()))


#: Kiwi's time grows much faster than its input (100,000 characters in one piece: 7 s; in
#: pieces of this size: well under a second), and a signal is only acted on between two calls
#: into Kiwi; so a longer text is analyzed in pieces of at most this many characters, cut at
#: a line end, else a sentence end, else a space. No summary of the corpus is this long.
MAX_PIECE = 4000
_CUTS = (re.compile(r"\n"), re.compile(r"[.!?。]\s"), re.compile(r"\s"))


def pieces(text: str, size: int = MAX_PIECE) -> list[tuple[int, str]]:
    """``text`` cut into ``(offset, piece)`` of at most ``size`` characters, at the latest line
    end, sentence end or space of each window (anywhere if it has none)."""
    out, start = [], 0
    while len(text) - start > size:
        window = text[start:start + size]
        cut = size
        for boundary in _CUTS:
            found = [m.end() for m in boundary.finditer(window) if m.end() > size // 2]
            if found:
                cut = found[-1]
                break
        out.append((start, text[start:start + cut]))
        start += cut
    out.append((start, text[start:]))
    return out


class _Token(NamedTuple):
    form: str
    tag: str
    start: int
    end: int


def _tokenize_all(kiwi, texts: list[str]) -> Iterator[list]:
    """Kiwi's tokens of each text, long texts analyzed in :func:`pieces` and put back together
    with their offsets."""
    parts = [pieces(text) if len(text) > MAX_PIECE else [(0, text)] for text in texts]
    results = kiwi.tokenize([piece for split in parts for _, piece in split])
    for split in parts:
        if len(split) == 1:
            yield next(results)
            continue
        tokens = []
        for offset, _ in split:
            tokens.extend(_Token(t.form, t.tag, t.start + offset, t.end + offset) for t in next(results))
        yield tokens


def analyze(text: str) -> list[Term]:
    """Analyze one text as a whole (never word by word: Kiwi needs the context)."""
    text = clean(text)
    if not text.strip():
        return []
    return terms_from_tokens(text, next(_tokenize_all(get_kiwi(), [text])))


def analyze_many(texts: Iterable[str], words=None) -> Iterator[list[Term]]:
    """Analyze many texts with Kiwi's worker threads, yielding term lists in input order.

    ``words``, when given, is an object whose ``add`` takes each text's :func:`word_analyses`
    and whose ``sampled`` holds the words it needs no more of.
    """
    cleaned = [clean(t) for t in texts]
    kiwi = get_kiwi()
    for text, tokens in zip(cleaned, _tokenize_all(kiwi, cleaned)):
        if words is None:
            yield terms_from_tokens(text, tokens)
            continue
        marks: list = []
        terms = terms_from_tokens(text, tokens, marks)
        words.add(word_analyses(text, terms, marks, words.sampled))
        yield terms


# -- analysis by whole written words ---------------------------------------------------------------

_UNIT = re.compile(r"\S+")


def word_analyses(text: str, terms: list[Term], marks: list, skip=()) -> list[tuple[str, tuple]]:
    """Each written word of an analyzed text with its analysis in context: the position count
    it advances and its terms relative to its own start (so the analysis of a query can be put
    together from its words' analyses, without Kiwi, see :func:`compose`). Words in ``skip``
    are left out.

    Once the table has its samples of the common words most words of a text are skipped, so
    the others are found first (a set test per word) and their terms and marks by binary search:
    the terms of a word come after those of the words before it (a joined compound starts inside
    its word), so "starts at or after this offset" holds from some index on, as bisect needs.
    """
    chosen = [n for n, word in enumerate(_UNIT.findall(text)) if word not in skip]
    if not chosen:
        return []
    units = list(_UNIT.finditer(text))
    mark_at = [offset for offset, _ in marks]
    term_at = [t.start for t in terms]
    out = []
    for n in chosen:
        m = units[n]
        start, end = m.start(), m.end()
        base = marks[bisect_left(mark_at, start)][1]  # the position counter where the word's first token was reached
        after = marks[bisect_left(mark_at, units[n + 1].start())][1] if n + 1 < len(units) else marks[-1][1]
        first = bisect_left(term_at, units[n - 1].end()) if n else 0
        last = bisect_left(term_at, end)
        own = tuple((t.text, t.pos - base, t.start - start, t.end - start, t.primary, t.kind)
                    for t in terms[first:last] if t.start >= start)
        out.append((m.group(), (after - base, own)))
    return out


def tokenize(text: str) -> list[str]:
    """Return the index terms of ``text``: the same function the index uses."""
    return [t.text for t in analyze(text)]


def name_terms(names: Iterable[str]) -> list[Term]:
    """Terms of an author list: folded name words, with a position gap between two names.

    The gap keeps a phrase such as ``yifan zhang`` from matching the end of one author's name
    followed by the start of the next.
    """
    out: list[Term] = []
    pos = 0
    offset = 0
    for name in names:
        for m in re.finditer(r"[^\W_]+(?:['’.-][^\W_]+)*", name):
            out.append(Term(fold_name(m.group()), pos, offset + m.start(), offset + m.end(), True, "name"))
            pos += 1
        pos += 10
        offset += len(name) + 2
    return out


def fold_name(word: str) -> str:
    """Lower-case and strip accents so ``José`` matches ``jose``."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class KiwiTokenizer(Tokenizer):
    """Whoosh adapter over :func:`analyze`; holds no Kiwi, so it pickles into a schema.

    The index's schema analyzes nothing since schema 7 (every term is in the array form); this
    stays so that the schemas of older indexes unpickle (``papers stats`` explains them, the
    next update rebuilds them) and for the tests' Whoosh reference index."""

    def __init__(self, names: bool = False) -> None:
        self.names = names

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.names == self.names

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kwargs):
        if self.names:
            terms = name_terms(value.split("\n"))
        else:
            terms = analyze(value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term in terms:
            t.text = term.text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = term.text
            if positions:
                t.pos = start_pos + term.pos
            if chars:
                t.startchar = start_char + term.start
                t.endchar = start_char + term.end
            yield t


class _TermsTokenizer(Tokenizer):
    """Whoosh adapter over a plain text → terms function (frequencies only, no offsets)."""

    @staticmethod
    def terms(text: str) -> list[str]:
        raise NotImplementedError

    def __eq__(self, other) -> bool:
        return type(other) is type(self)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, term in enumerate(self.terms(value)):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + i
            yield t


class LiteralTokenizer(_TermsTokenizer):
    """Whoosh adapter over :func:`literal_terms`."""

    terms = staticmethod(literal_terms)


class BigramTokenizer(_TermsTokenizer):
    """Whoosh adapter over :func:`hangul_bigrams`."""

    terms = staticmethod(hangul_bigrams)
