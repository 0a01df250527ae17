"""Search as you type: the last word of an unfinished query read as a prefix of index terms.

While a word is typed it is rarely a word yet: ``멀티모`` is on its way to ``멀티모달``, and a Korean
keyboard composes ``벤치마크`` through ``벤치ㅁ``, ``벤치마`` and ``벤치맠`` (a consonant sits at the end of
the syllable until the next vowel moves it on). So the last word is compared letter by letter
(jamo): every syllable but the last must match exactly, and the jamo of the last one must begin
the jamo of the rest of an index term (``맠`` = ㅁㅏㅋ begins ``마크`` = ㅁㅏㅋㅡ). Compound vowels
and final consonant clusters are split (ㅘ = ㅗ + ㅏ, ㄺ = ㄹ + ㄱ) because they are typed in two
strokes too.

Of the terms that complete the word, the one that shares the most papers with the query's other
words is taken (ties and one-word queries: the most frequent), and the query is searched with
the completed word. The vocabulary (title and summary terms with their document counts, keyed
by jamo) is built once per opened generation.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
import weakref
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from . import analysis
from .words import compose
from .opened import Opened, open_index

_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = ["ㅏ", "ㅐ", "ㅑ", "ㅒ", "ㅓ", "ㅔ", "ㅕ", "ㅖ", "ㅗ", "ㅗㅏ", "ㅗㅐ", "ㅗㅣ", "ㅛ", "ㅜ", "ㅜㅓ", "ㅜㅔ",
         "ㅜㅣ", "ㅠ", "ㅡ", "ㅡㅣ", "ㅣ"]
_JONG = ["", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ", "ㄹㅅ", "ㄹㅌ", "ㄹㅍ",
         "ㄹㅎ", "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]
#: Compatibility jamo as typed alone (ㄳ, ㅘ …) split like the parts of a syllable.
_COMPAT = {"ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
           "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ", "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ",
           "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ"}
#: Conjoining jamo (what NFD gives) → the compatibility jamo a keyboard types.
_CONJOINING = {**{chr(0x1100 + i): c for i, c in enumerate(_CHO)},
               **{chr(0x1161 + i): v for i, v in enumerate(_JUNG)},
               **{chr(0x11A7 + i): t for i, t in enumerate(_JONG) if i}}

#: Fields whose terms complete a word.
FIELDS = ("title", "summary")
#: Completions compared by shared papers with the rest of the query.
CANDIDATES = 30
#: A known word is still completed when a completion is this many times more frequent
#: (``diff`` → ``diffusion``).
OVERSHADOW = 5
MAX_WORD = 40

_WORD_END = re.compile(r"(\S+)$")


def jamo(text: str) -> str:
    """``text`` with each Hangul syllable spelled out in compatibility jamo, compound vowels and
    final clusters split (``멀티`` → ``ㅁㅓㄹㅌㅣ``, ``과`` → ``ㄱㅗㅏ``); other characters kept."""
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(_CHO[code // 588] + _JUNG[(code % 588) // 28] + _JONG[code % 28])
        else:
            ch = _CONJOINING.get(ch, ch)
            out.append(_COMPAT.get(ch, ch))
    return "".join(out)


def _is_jamo(ch: str) -> bool:
    return "\u3131" <= ch <= "\u318e" or "\u1100" <= ch <= "\u11ff"


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or _is_jamo(ch)


@dataclass(frozen=True)
class Completion:
    """What a query becomes when its last word is read as a prefix."""

    query: str            # the query to search
    word: str | None      # the completed last word, or None when it was kept or dropped


class Vocabulary:
    """The title and summary terms of one generation, sorted by their jamo spelling."""

    def __init__(self, opened: Opened) -> None:
        counts = opened.arrays.words(FIELDS)
        rows = sorted((jamo(term), term, n) for term, n in counts.items())
        self.keys = [r[0] for r in rows]
        self.terms = [r[1] for r in rows]
        self.counts = [r[2] for r in rows]
        self.df = counts

    def completions(self, word: str) -> list[tuple[str, int]]:
        """Terms that ``word`` begins, letter by letter, with their document counts."""
        key = jamo(word)
        fixed = word[:-1] if _is_hangul(word[-1]) else word
        out = []
        i = bisect_left(self.keys, key)
        while i < len(self.keys) and self.keys[i].startswith(key):
            term = self.terms[i]
            if term.startswith(fixed) and term != word:
                out.append((term, self.counts[i]))
            i += 1
        out.sort(key=lambda tc: (-tc[1], tc[0]))
        return out


_vocabularies: "weakref.WeakKeyDictionary[Opened, Vocabulary]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def vocabulary(opened: Opened) -> Vocabulary:
    """The vocabulary of an opened generation, built on first use."""
    with _lock:
        found = _vocabularies.get(opened)
        if found is None:
            found = _vocabularies[opened] = Vocabulary(opened)
        return found


def complete(query: str, index_dir=None) -> Completion:
    """``query`` with its last word completed, as typed so far (see the module docstring).

    A query ending in a space, a quote or an operator is finished and kept as it is; a last word
    that nothing completes loses its trailing lone jamo (``멀티모달ㅇ`` → ``멀티모달``).
    """
    text = unicodedata.normalize("NFC", query)
    m = _WORD_END.search(text)
    if m is None or text != text.rstrip() or not _completable(m.group(1)):
        return Completion(query, None)
    written = m.group(1)
    rest = text[: m.start()]
    opened = open_index(index_dir)
    vocab = vocabulary(opened)
    word = written.lower() if written.isascii() else written
    found = vocab.completions(word)[:CANDIDATES]
    known = word in vocab.df or (not written.isascii() and opened.word(written) is not None)
    if known and (not found or found[0][1] < OVERSHADOW * max(vocab.df.get(word, 1), 1)):
        return Completion(query, None)
    if not found:
        trimmed = written.rstrip("".join(c for c in written if _is_jamo(c)))
        if trimmed == written:
            return Completion(query, None)
        return Completion((rest + trimmed).strip() or query, None)
    best = _best(opened, rest, found)
    return Completion(rest + best, best)


def _completable(word: str) -> bool:
    if len(word) > MAX_WORD or '"' in word or ":" in word or word in ("AND", "OR", "NOT"):
        return False
    return any(ch.isalnum() for ch in word)


def _best(opened: Opened, rest: str, found: list[tuple[str, int]]) -> str:
    """The completion sharing the most papers with the rest of the query (each shared word
    weighted by its rarity), else the most frequent."""
    others = _rest_terms(opened, rest)
    if not others:
        return found[0][0]
    view = opened.arrays
    weights = np.zeros(view.size)  # per paper: the rarity of the query's other words in it, summed
    for term in others:
        docs = _docs(view, term)
        docs = docs[view.live[docs]]
        if len(docs):
            weights[docs] += math.log(1 + view.live_count / len(docs))
    best, best_score = found[0][0], 0.0
    for term, _ in found:
        score = float(weights[_docs(view, term)].sum())
        if score > best_score:
            best, best_score = term, score
    return best


def _docs(view, term: str) -> np.ndarray:
    return np.union1d(view.postings("title", term)[0], view.postings("summary", term)[0])


def _rest_terms(opened: Opened, rest: str) -> list[str]:
    rest = " ".join(w for w in rest.split() if w not in ("AND", "OR", "NOT") and ":" not in w).replace('"', " ")
    if not rest.strip():
        return []
    terms = compose(rest, opened.word)
    if terms is None:
        terms = analysis.analyze(rest)
    return list(dict.fromkeys(t.text for t in terms if t.primary))
