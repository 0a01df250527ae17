"""Spelling and keyboard-layout correction of query words, from the index's own vocabulary.

A query word the index does not know (or knows from a paper or two) is compared with the
corpus's words: Hangul by edit distance over jamo (``멀티모다`` is one jamo from ``멀티모달``
and two from ``멀티다``; a word cut short, ``강화학``, is one step from ``강화학습``), Latin by
edit distance over letters. Among the close words the most frequent one wins, if it is much
more frequent than the typed word. A word typed with the wrong keyboard layout (``ajfxlahekf``
for ``멀티모달`` on the two-set Korean layout, ``ㅅㄱ무ㄴ래그ㄷㄱ`` for ``transformer``) is
converted key by key and taken when the conversion is a word the corpus knows.

The façade searches with the correction and says so; :mod:`search.suggestions` offers the weaker,
did-you-mean kind.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import analysis, lexicon, syntax

#: A word in fewer papers than this may be corrected ...
RARE = 5
#: ... into a word in at least this many papers, and this many times more than the typed one.
MIN_DF = 5
RATIO = 10
#: A typed word in no paper at all is replaced; a rare one only when the correction is in this
#: many times more papers (else it is only suggested).
ACT_RATIO = 50
MAX_LENGTH = 40
#: How much likelier one edit fewer makes a word, against its corpus frequency.
EDIT_ODDS = 30

# -- Hangul jamo ---------------------------------------------------------------------------------

_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
         "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
_VOWEL_PAIRS = {"ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ"}
_FINAL_PAIRS = {"ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
                "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}
_JOIN_VOWEL = {v: k for k, v in _VOWEL_PAIRS.items()}
_JOIN_FINAL = {v: k for k, v in _FINAL_PAIRS.items()}
_SYLLABLES = re.compile(r"^[\uac00-\ud7a3\u3131-\u318e]+$")


def jamo(text: str) -> str:
    """Each Hangul syllable as its letters, compound vowels and finals split (``왔`` → ``ㅇㅗㅏㅆ``),
    as they are typed."""
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(_CHO[code // 588])
            vowel = _JUNG[code % 588 // 28]
            out.append(_VOWEL_PAIRS.get(vowel, vowel))
            final = _JONG[code % 28]
            out.append(_FINAL_PAIRS.get(final, final))
        else:
            out.append(_VOWEL_PAIRS.get(ch, _FINAL_PAIRS.get(ch, ch)))
    return "".join(out)


def compose(letters: str) -> str:
    """Jamo, as typed, back into syllables (the two-set keyboard's automaton)."""
    out: list[str] = []
    i, n = 0, len(letters)
    is_vowel = lambda k: k < n and letters[k] in _JUNG  # noqa: E731
    while i < n:
        ch = letters[i]
        if ch not in _CHO or not is_vowel(i + 1):
            out.append(ch)
            i += 1
            continue
        cho, vowel = ch, letters[i + 1]
        i += 2
        if is_vowel(i) and vowel + letters[i] in _JOIN_VOWEL:
            vowel = _JOIN_VOWEL[vowel + letters[i]]
            i += 1
        final = ""
        if i < n and letters[i] in _JONG and not is_vowel(i + 1):
            final = letters[i]
            i += 1
            if i < n and final + letters[i] in _JOIN_FINAL and not is_vowel(i + 1):
                final = _JOIN_FINAL[final + letters[i]]
                i += 1
        out.append(chr(0xAC00 + _CHO.index(cho) * 588 + _JUNG.index(vowel) * 28 + _JONG.index(final)))
    return "".join(out)


# -- the two-set (dubeolsik) layout --------------------------------------------------------------

_KEYS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ"))
_KEYS.update(dict(zip("QWERTOP", "ㅃㅉㄸㄲㅆㅒㅖ")))
_LETTERS = {v: k for k, v in _KEYS.items()}


def from_english_layout(word: str) -> str | None:
    """The Hangul that ``word`` types on the Korean layout, or None if it leaves a loose letter."""
    letters = "".join(_KEYS.get(ch) or _KEYS.get(ch.lower(), "") for ch in word)
    if len(letters) != len(word):
        return None
    hangul = compose(letters)
    return hangul if re.fullmatch(r"[\uac00-\ud7a3]+", hangul) else None


def from_korean_layout(word: str) -> str | None:
    """The Latin letters that the Hangul ``word`` types on an English layout, or None."""
    if not _SYLLABLES.match(word):
        return None
    keys = "".join(_LETTERS.get(ch, "?") for ch in jamo(word))
    return None if "?" in keys else keys.lower()


# -- edit distance -------------------------------------------------------------------------------


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b`` (adjacent transpositions count one), or
    ``limit + 1`` once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before = None
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        new = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            new[j] = min(row[j] + 1, new[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                new[j] = min(new[j], before[j - 2] + 1)
        if min(new) > limit:
            return limit + 1
        before, row = row, new
    return row[-1]


@dataclass(frozen=True)
class Correction:
    typed: str
    word: str
    #: "spelling" or "layout".
    kind: str
    #: True: search with it; False: only suggest it.
    act: bool
    #: Papers with the typed word.
    seen: int = 0


class Vocabulary:
    """The words of some fields of one index generation with their paper counts; the close-word
    lookup tables are built on first use."""

    def __init__(self, arrays, fields=("title", "summary"), min_df: int = MIN_DF) -> None:
        self._arrays = arrays
        self._fields = fields
        self._min_df = min_df
        self._buckets: dict[tuple[str, str], _Bucket | None] = {}
        self._lock = threading.Lock()

    def df(self, word: str) -> int:
        """Papers with ``word`` in any of the fields."""
        view = self._arrays
        docs = [found for found in (view.postings(field, word)[0] for field in self._fields) if len(found)]
        if len(docs) <= 1:  # a field's documents are distinct: no union needed
            return int(np.count_nonzero(view.live[docs[0]])) if docs else 0
        # The union as a mask, not np.unique: a common word's postings are thousands long.
        has = np.zeros(view.size, dtype=bool)
        for found in docs:
            has[found] = True
        return int(np.count_nonzero(has & view.live))

    def _bucket(self, key: tuple[str, str]) -> "_Bucket | None":
        """The known words whose spelling starts with the letter of ``key`` (``("h", jamo)`` for
        Hangul words, ``("l", letter)`` for the rest), read on first use: the dictionary is
        sorted, so one letter's words are one range of it, and a cold process that corrects one
        word reads a tenth of the vocabulary."""
        with self._lock:
            if key not in self._buckets:
                kind, letter = key
                if kind == "h":
                    first = 0xAC00 + 588 * _CHO.index(letter)
                    span = (chr(first), chr(first + 588))
                else:
                    span = (letter, chr(ord(letter) + 1))
                entries = []
                for word, n in self._arrays.words(self._fields, keep=lambda w: 2 <= len(w) <= MAX_LENGTH, span=span).items():
                    if n >= self._min_df and lexicon.is_hangul(word) == (kind == "h"):
                        entries.append((word, jamo(word) if kind == "h" else word, n))
                self._buckets[key] = _Bucket(entries) if entries else None
            return self._buckets[key]

    def close(self, word: str) -> list[tuple[int, int, str]]:
        """Known words near ``word``: (distance, -papers, word), nearest and most common first.

        The first letter (jamo) must agree: typos rarely hit it, and it cuts the search tenfold.
        A Hangul word that the typed one begins (a word cut short) counts as one edit away.
        """
        hangul = lexicon.is_hangul(word)
        spelled = jamo(word) if hangul else word
        limit = 1 if len(spelled) <= (6 if hangul else 5) else 2
        found = []
        bucket = self._bucket(("h" if hangul else "l", spelled[:1])) if spelled else None
        if bucket is None:
            return found
        for other, other_spelled, n in bucket.near(spelled, limit, word if hangul else None):
            if other == word:
                continue
            if hangul and other.startswith(word) and len(other) == len(word) + 1:
                d = 1
            else:
                d = distance(spelled, other_spelled, limit)
            if d <= limit:
                found.append((d, -n, other))
        return sorted(found)


class _Bucket:
    """Known words sharing a first letter, with each word's letter counts as one matrix row, so
    that words too far from a typed one are ruled out at once: ``limit`` edits change at most
    ``limit`` letters of the longer word, so a candidate must share ``max(len) - limit`` of them
    (a bound only: the edit distance itself is computed for the few that pass)."""

    def __init__(self, entries: list[tuple[str, str, int]]) -> None:
        self.entries = entries
        letters = sorted({ch for _, spelled, _ in entries for ch in spelled})
        self._column = {ch: i for i, ch in enumerate(letters)}
        self._lengths = np.array([len(spelled) for _, spelled, _ in entries], dtype=np.int32)
        counts = np.zeros((len(entries), len(letters)), dtype=np.uint8)
        for row, (_, spelled, _) in enumerate(entries):
            for ch in spelled:
                counts[row, self._column[ch]] += 1
        self._counts = counts
        self._by_word = sorted((other, i) for i, (other, _, _) in enumerate(entries))

    def near(self, spelled: str, limit: int, prefix: str | None):
        """The entries that may be within ``limit`` edits of ``spelled``, or that extend the
        Hangul word ``prefix`` by one syllable."""
        typed = np.zeros(self._counts.shape[1], dtype=np.uint8)
        for ch in spelled:
            column = self._column.get(ch)
            if column is not None:
                typed[column] = min(255, int(typed[column]) + 1)
        shared = np.minimum(self._counts, typed).sum(axis=1, dtype=np.int32)
        keep = (np.abs(self._lengths - len(spelled)) <= limit) & (shared >= np.maximum(self._lengths, len(spelled)) - limit)
        rows = set(np.flatnonzero(keep).tolist())
        if prefix is not None:
            at = bisect.bisect_left(self._by_word, (prefix,))
            while at < len(self._by_word) and self._by_word[at][0].startswith(prefix):
                other, i = self._by_word[at]
                if len(other) == len(prefix) + 1:
                    rows.add(i)
                at += 1
        return [self.entries[i] for i in sorted(rows)]


_vocabularies: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def vocabularies(arrays) -> tuple[Vocabulary, Vocabulary]:
    """The words of titles and summaries, and the author names, of ``arrays``; built once per
    opened generation."""
    with _lock:
        found = _vocabularies.get(arrays)
        if found is None:
            found = _vocabularies[arrays] = (Vocabulary(arrays), Vocabulary(arrays, ("authors",), 2))
        return found


def correct_word(word: str, vocab: Vocabulary, known: Callable[[str], bool]) -> Correction | None:
    """The correction of one written word (its particles left out), or None.

    ``known`` says whether a written word is in the corpus (its word table).
    """
    if len(word) < 2 or len(word) > MAX_LENGTH:
        return None
    latin = word.isascii() and word.isalpha()
    hangul = lexicon.is_hangul(word)
    if not (latin or hangul or _SYLLABLES.match(word)):
        return None
    key = analysis.normalize_english(word) if latin else word
    seen = vocab.df(key) if latin or hangul else 0
    if seen >= RARE:
        return None
    # The wrong layout first: a conversion the corpus knows is surely meant.
    swapped = from_english_layout(word) if latin else from_korean_layout(word)
    if swapped is not None and len(swapped) >= 2:
        other = swapped if latin else analysis.normalize_english(swapped)
        if vocab.df(other) >= max(MIN_DF, RATIO * (seen + 1)) or (latin and not seen and known(swapped)):
            return Correction(word, swapped, "layout", seen == 0, seen)
    # Short or capitalized Latin words are acronyms and names more often than typos.
    if not (latin and len(word) >= 4 and not word.isupper() or hangul and _may_be_misspelt(word)):
        return None
    # The likeliest intended word: papers × EDIT_ODDS per edit (a noisy channel), so a common
    # word two edits away (프롬트: 프롬프트, 588 papers) beats a rare one at one (프론트, 7).
    close = sorted(vocab.close(key), key=lambda c: c[0] * math.log(EDIT_ODDS) - math.log(-c[1]))
    for d, minus, other in close[:1]:
        # A farther word must be more common to be trusted.
        if -minus >= max(MIN_DF * 4 ** (d - 1), RATIO * (seen + 1)):
            return Correction(word, other, "spelling", seen == 0 or -minus >= ACT_RATIO * seen, seen)
    return None


def _may_be_misspelt(word: str) -> bool:
    """A two-syllable Hangul word has many neighbours one jamo away (소라, 소리): it is only
    questioned when Kiwi does not read it as one word either (추청 as 추 + 청)."""
    if len(word) >= 3:
        return True
    return not any(t.primary and t.end - t.start == len(word) for t in analysis.analyze(word))


_JAMO = re.compile(r"[\u3131-\u318e]")
_WORD = re.compile(r"[^\s\"]+")
_EDGES = re.compile(r"^[^\w\u3131-\u318e]+|[^\w\u3131-\u318e]+$")


def corrections(query: str, vocab: Vocabulary, names: Vocabulary, known: Callable[[str], bool]) -> list[tuple[int, int, Correction]]:
    """The corrections of ``query``'s words, as (start, end, correction) spans of ``query``.

    Words are checked where they are written: in plain text, phrases and ``title:`` against
    titles and summaries, in ``author:`` against author names (those only suggested: a name the
    index lacks may be right). Hangul is checked as a whole written word, then without its
    particles (``멀티모다`` of ``멀티모다를``).
    """
    out = []
    for m in syntax._TOKEN.finditer(query):
        group = "phrase" if m.group("phrase") is not None else "word"
        if m.group(group) is None:
            continue  # a space, a parenthesis, a stray quote
        field = (m.group("field") or "").rstrip(":").lower()
        if field in syntax.FILTER_FIELDS:
            continue  # votes:>10, date:2024-06, year:2024
        for w in _WORD.finditer(m.group(group)):
            token = w.group()
            if token in ("AND", "OR", "NOT") and group == "word":
                continue
            if syntax.arxiv_id(token) or token.endswith("*") or "://" in token:
                continue  # an arXiv ID or link, a prefix
            inner = _EDGES.sub("", token)
            if not inner:
                continue
            start = m.start(group) + w.start() + token.index(inner)
            fixed = _name(inner, names) if field.startswith("author") else _word(inner, vocab, names, known)
            if fixed is not None:
                out.append((start, start + len(fixed.typed), fixed))
    return out


def _word(token: str, vocab: Vocabulary, names: Vocabulary, known: Callable[[str], bool]) -> Correction | None:
    """The correction of a written word: of all of it, else of it without its particles."""
    if token.isascii() and token.lower() in analysis.ENGLISH_STOPWORDS:
        return None
    if token.isascii() and names.df(analysis.fold_name(token)):
        return None  # a name: Gao is not a misspelt gan
    if lexicon.is_hangul(token) and not known(token) and _reads_as_known_words(token, vocab):
        return None
    fixed = correct_word(token, vocab, known)
    if fixed is None and lexicon.is_hangul(token):
        for cut in range(len(token) - 1, 1, -1):
            if analysis._PARTICLES.match(token[cut:]):
                fixed = correct_word(token[:cut], vocab, known)
                if fixed is not None:
                    break
    return fixed


def _reads_as_known_words(token: str, vocab: Vocabulary) -> bool:
    """Whether Kiwi reads a written word the corpus never wrote as words it knows: an
    inflection (``줄여주는``) or a new compound (``코드생성벤치마크``), not a misspelling."""
    primary = [t for t in analysis.analyze(token) if t.primary]
    return bool(primary) and all(len(t.text) >= 2 and vocab.df(t.text) >= RARE for t in primary)


def _name(word: str, names: Vocabulary) -> Correction | None:
    key = analysis.fold_name(word)
    if not key.isalpha() or len(key) < 3 or names.df(key):
        return None
    for d, minus, other in names.close(key)[:1]:
        if d == 1:
            return Correction(word, other.capitalize() if word[:1].isupper() else other, "spelling", False)
    return None


def rewrite(query: str, fixes: list[tuple[int, int, Correction]], acting: bool) -> str:
    """``query`` with the corrections that act (``acting``) or all of them applied."""
    for a, b, fix in sorted(fixes, key=lambda f: -f[0]):
        if fix.act or not acting:
            query = query[:a] + fix.word + query[b:]
    return query
