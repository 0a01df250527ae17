"""What the index learns from the corpus: Korean ↔ English aliases and compound splits.

Summaries gloss terms in parentheses, in both directions: ``대형 언어 모델(LLMs)``,
``트랜스포머(Transformers)``, ``Mixture-of-Experts(전문가 혼합)``. Each document contributes
the (Korean, English) candidate pairs it contains; counts over the corpus decide which pairs are
real aliases. A pair is kept when it occurs in at least ``MIN_COUNT`` documents and is a
substantial share of what each side is glossed with in both directions (``MIN_CONFIDENCE``), so
``모델(LLMs)`` does not make ``모델`` an alias of ``llm``.

Kiwi sometimes keeps a compound whole (``멀티모달``) and sometimes splits it (``멀티`` +
``모달``). Splits seen while indexing are recorded so a query can carry both forms.

Per-document contributions are stored with each document, so an update can subtract what a
replaced document contributed; the counts live in ``lexicon.json`` and the finished tables are
derived from them on load.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import keyed
from .analysis import Term
from .arrays import ArrayFile
from .errors import IndexVersionError

MIN_COUNT = 3
MIN_CONFIDENCE = 0.3
MIN_REVERSE_CONFIDENCE = 0.1
MIN_ALIGNED_REVERSE = 0.2
MIN_SPLIT_COUNT = 2
SUBSUMED = 0.5
MAX_KOREAN_TERMS = 3
MAX_ENGLISH_TERMS = 4

_PAREN = re.compile(r"\(([^()\n]{1,80})\)")
_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")
_HAS_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HAS_LATIN = re.compile(r"[A-Za-z]")
_GLOSS_SPLIT = re.compile(r"[^,;]+")


def is_hangul(text: str) -> bool:
    return bool(_HANGUL.match(text))


def is_latin(text: str) -> bool:
    return bool(_HAS_LATIN.search(text)) and not _HAS_HANGUL.search(text)


def mine(*texts: tuple[str, list[Term]]) -> dict:
    """The alias candidates and compound splits that a document's analyzed texts contribute."""
    pairs: set[tuple[str, str, str]] = set()
    korean: set[str] = set()
    english: set[str] = set()
    splits: set[tuple[str, str, str]] = set()
    for text, terms in texts:
        _mine_text(text, terms, pairs, korean, english, splits)
    return {"a": sorted(pairs), "k": sorted(korean), "e": sorted(english), "d": sorted(splits)}


def _mine_text(text, terms, pairs, korean, english, splits) -> None:
    primary = [t for t in terms if t.primary]
    units = _units(primary)
    for m in _PAREN.finditer(text):
        inside = [t for t in primary if m.start(1) <= t.start and t.end <= m.end(1)]
        before = _chain_before(text, units, m.start())
        if not inside or not before:
            continue
        if is_latin(m.group(1)) and all(_is_korean_unit(u) for u in before):
            # "(Mixture of Experts, MoE)" glosses twice: each comma-separated part is a candidate.
            en_sides = []
            for part in _GLOSS_SPLIT.finditer(m.group(1)):
                side = [t for t in inside if m.start(1) + part.start() <= t.start and t.end <= m.start(1) + part.end()]
                if 0 < len(side) <= MAX_ENGLISH_TERMS and all(is_latin(t.text) for t in side):
                    en_sides.append(side)
            ko_sides = [sum(before[-k:], []) for k in range(1, min(len(before), MAX_KOREAN_TERMS) + 1)]
        elif not _HAS_LATIN.search(m.group(1)) and all(u[0].kind == "latin" for u in before):
            if len(inside) > MAX_KOREAN_TERMS or not all(t.kind == "noun" and is_hangul(t.text) for t in inside):
                continue
            ko_sides = [inside]
            en_sides = [sum(before[-k:], []) for k in range(1, len(before) + 1)]
            en_sides = [s for s in en_sides if len(s) <= MAX_ENGLISH_TERMS]
        else:
            continue
        for ko in ko_sides:
            if _truncated(text, ko):
                continue
            ko_key = "".join(t.text for t in ko)
            korean.add(ko_key)
            for en in en_sides:
                en_key = " ".join(t.text for t in en)
                english.add(en_key)
                pairs.add((ko_key, " ".join(t.text for t in ko), en_key))
    splits.update(
        (a.text + b.text, a.text, b.text)
        for a, b in zip(primary, primary[1:])
        if b.start == a.end and is_hangul(a.text) and is_hangul(b.text)
    )


def _truncated(text: str, side: list[Term]) -> bool:
    """Whether a Korean gloss side is a cut piece, not a term: it starts inside a written word
    (``규모 언어 모델`` of 대규모, ``비디오`` of 텍스트-비디오), or has a one-syllable part among
    others, mostly Kiwi guessing at a word it does not know (``디 퓨전 모델``)."""
    start = side[0].start
    if start and (text[start - 1].isalnum() or text[start - 1] in "-_/"):
        return True
    return len(side) > 1 and any(len(t.text) < 2 for t in side)


def _units(primary: list[Term]) -> list[list[Term]]:
    """Group terms by source span: the pieces of one Latin run (``Mixture-of-Experts``) share it."""
    units: list[list[Term]] = []
    for t in primary:
        if units and (units[-1][0].start, units[-1][0].end) == (t.start, t.end):
            units[-1].append(t)
        else:
            units.append([t])
    return units


def _is_korean_unit(unit: list[Term]) -> bool:
    return len(unit) == 1 and unit[0].kind == "noun" and is_hangul(unit[0].text)


def _chain_before(text: str, units: list[list[Term]], limit: int) -> list[list[Term]]:
    """The units that end right before offset ``limit``, separated from each other by spaces only."""
    chain: list[list[Term]] = []
    end = limit
    for unit in reversed(units):
        start, stop = unit[0].start, unit[0].end
        if stop > end:
            continue
        if text[stop:end].strip(" "):
            break
        chain.append(unit)
        end = start
        if len(chain) >= MAX_ENGLISH_TERMS:
            break
    chain.reverse()
    return chain


@dataclass
class Lexicon:
    """Corpus-wide counts of alias candidates and compound splits."""

    pairs: Counter = field(default_factory=Counter)      # (ko_key, ko_parts, en_key) -> docs
    korean: Counter = field(default_factory=Counter)     # ko_key -> docs glossing it
    english: Counter = field(default_factory=Counter)    # en_key -> docs glossing it
    splits: Counter = field(default_factory=Counter)     # (compound, a, b) -> docs
    _longer: dict | None = field(default=None, repr=False, compare=False)

    def add(self, contribution: dict, sign: int = 1) -> None:
        for key in contribution.get("a", ()):
            self.pairs[tuple(key)] += sign
        for key in contribution.get("k", ()):
            self.korean[key] += sign
        for key in contribution.get("e", ()):
            self.english[key] += sign
        for key in contribution.get("d", ()):
            self.splits[tuple(key)] += sign

    def remove(self, contribution: dict) -> None:
        self.add(contribution, sign=-1)

    def to_json(self) -> dict:
        return {
            "pairs": [[*k, n] for k, n in sorted(self.pairs.items()) if n > 0],
            "korean": {k: n for k, n in sorted(self.korean.items()) if n > 0},
            "english": {k: n for k, n in sorted(self.english.items()) if n > 0},
            "splits": [[*k, n] for k, n in sorted(self.splits.items()) if n > 0],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Lexicon":
        lex = cls()
        lex.pairs.update({tuple(row[:3]): row[3] for row in data.get("pairs", ())})
        lex.korean.update(data.get("korean", {}))
        lex.english.update(data.get("english", {}))
        lex.splits.update({tuple(row[:3]): row[3] for row in data.get("splits", ())})
        return lex

    def _inside_longer(self, ko_parts: str, en_key: str, n: int) -> bool:
        """Whether a side of the pair nearly always stands inside a longer candidate of the same pair.

        ``모델(LLMs)`` is counted inside every ``언어 모델(LLMs)``; the longer span is the gloss.
        """
        if self._longer is None:
            self._longer = {}
            for (ko_key, parts, en), count in self.pairs.items():
                self._longer.setdefault(("ko", en), []).append((parts.split(), count))
                self._longer.setdefault(("en", parts), []).append((en.split(), count))
        for side, key, words in (("ko", en_key, ko_parts.split()), ("en", ko_parts, en_key.split())):
            # Often inside one and the same longer gloss: ``증강 생성`` of 검색 증강 생성(RAG),
            # ``언어 모델`` of 대형 언어 모델(LLMs) is really that term. (Longer candidates spread
            # over many words, 기존 확산 모델, 잠재 확산 모델, are just what stood before a term.)
            for longer, count in self._longer.get((side, key), ()):
                if len(longer) > len(words) and longer[-len(words):] == words and count >= SUBSUMED * n:
                    return True
        return False

    def tables(self) -> "Tables":
        """The aliases and splits that pass the thresholds, ready for query expansion."""
        ko_to_en: dict[str, list[Alias]] = {}
        en_to_ko: dict[str, list[Alias]] = {}
        for (ko_key, ko_parts, en_key), n in self.pairs.items():
            if n < MIN_COUNT or self._inside_longer(ko_parts, en_key, n):
                continue
            p_en = n / max(1, self.korean[ko_key])
            p_ko = n / max(1, self.english[en_key])
            # The Korean side must mostly mean this English term (so ``모델(LLMs)`` does not
            # make ``모델`` an alias of ``llm``) and be a real share of how the term is glossed.
            if p_en < MIN_CONFIDENCE or p_ko < MIN_REVERSE_CONFIDENCE:
                continue
            ko_to_en.setdefault(ko_key, []).append(Alias(en_key, n, p_en))
            en_to_ko.setdefault(en_key, []).append(Alias(ko_parts, n, p_ko))
        for ko_word, aliases in self._aligned().items():
            known = ko_to_en.setdefault(ko_word, [])
            have = {a.text for a in known}
            known.extend(a for a in aliases if a.text not in have)
        splits: dict[str, tuple[str, str]] = {}
        best: dict[str, int] = {}
        for (compound, a, b), n in self.splits.items():
            # One-syllable parts are mostly Kiwi guessing at an unknown word (모달 → 모 + 달).
            if n >= MIN_SPLIT_COUNT and min(len(a), len(b)) >= 2 and n > best.get(compound, 0):
                splits[compound] = (a, b)
                best[compound] = n
        for table in (ko_to_en, en_to_ko):
            for aliases in table.values():
                aliases.sort(key=lambda a: (-a.confidence, -a.count, a.text))
        ko_forms: dict[str, list[str]] = {}
        for ko_word, aliases in sorted(ko_to_en.items()):
            for alias in aliases:
                if " " not in alias.text:
                    ko_forms.setdefault(alias.text, []).append(ko_word)
        return Tables(ko_to_en, en_to_ko, splits, ko_forms)

    def _aligned(self) -> dict[str, list["Alias"]]:
        """Single-word Korean → English aliases read off word-aligned glosses.

        Korean and English technical compounds are both head-final, so a gloss with as many
        Korean words as English ones pairs them in order: ``안전 정렬(safety alignment)`` says
        정렬 = alignment, ``위치 인코딩(positional encoding)`` 위치 = position(al). Summed over the
        corpus, this gives the common words that are seldom glossed alone (정렬 alone: 5 papers;
        aligned: 27). A pair needs ``MIN_COUNT`` papers, the English word in ``MIN_CONFIDENCE``
        of the Korean word's aligned glosses, and the Korean word in ``MIN_ALIGNED_REVERSE`` of
        the English word's: the last drops misalignments where Kiwi cut one written word in two
        (``대형 멀티 모달 모델(large multimodal models)`` pairs 멀티 with large).
        """
        pairs: Counter = Counter()
        korean: Counter = Counter()
        english: Counter = Counter()
        for (_, ko_parts, en_key), n in self.pairs.items():
            ko, en = ko_parts.split(), en_key.split()
            if n <= 0 or len(ko) != len(en) or len(ko) < 2:
                continue
            for k, e in zip(ko, en):
                pairs[k, e] += n
                korean[k] += n
                english[e] += n
        aligned: dict[str, list[Alias]] = {}
        for (k, e), n in pairs.items():
            # One- and two-letter English words are function words (of, to) or unit letters.
            if n < MIN_COUNT or len(e) < 3 or n / korean[k] < MIN_CONFIDENCE or n / english[e] < MIN_ALIGNED_REVERSE:
                continue
            aligned.setdefault(k, []).append(Alias(e, n, n / korean[k]))
        return aligned


@dataclass(frozen=True)
class Alias:
    """One expansion: the other side's terms (space-separated), in how many documents, how sure."""

    text: str
    count: int
    confidence: float


@dataclass
class Tables:
    ko_to_en: dict[str, list[Alias]]
    en_to_ko: dict[str, list[Alias]]
    splits: dict[str, tuple[str, str]]
    #: ``ko_to_en`` read backwards: an English word → the Korean words that have it as a
    #: single-word alias (``model`` → 모델), for coordination (``plan._Builder._korean_forms``).
    ko_forms: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        def rows(table):
            return {k: [[a.text, a.count, round(a.confidence, 4)] for a in v] for k, v in table.items()}

        return {"ko_to_en": rows(self.ko_to_en), "en_to_ko": rows(self.en_to_ko),
                "splits": {k: list(v) for k, v in self.splits.items()},
                "ko_forms": {k: list(v) for k, v in self.ko_forms.items()}}

    def write(self, path: Path) -> None:
        """Write the tables as one keyed file (:mod:`search.keyed`), read back by :meth:`read`."""
        keyed.write(path, self.to_json())

    @classmethod
    def read(cls, path: Path) -> "Tables":
        """The tables of ``path``, memory-mapped: a search decodes the entries of its own words."""
        file = ArrayFile(path)

        def aliases(rows):
            return [Alias(*row) for row in rows]

        try:
            forms = keyed.Table(file, "ko_forms", list)
        except IndexVersionError:
            forms = {}  # written before the table existed: coordination as it was then
        return cls(keyed.Table(file, "ko_to_en", aliases), keyed.Table(file, "en_to_ko", aliases),
                   keyed.Table(file, "splits", tuple), forms)

    def lookup(self, word: str) -> list[tuple[str, Alias]]:
        """Aliases of a word or phrase in either direction, for `papers aliases`."""
        from .analysis import analyze

        terms = [t.text for t in analyze(word) if t.primary]
        hangul = "".join(t for t in terms if is_hangul(t))
        latin = " ".join(t for t in terms if not is_hangul(t))
        found = [("en", a) for a in self.ko_to_en.get(hangul, [])] if hangul else []
        found += [("ko", a) for a in self.en_to_ko.get(latin, [])] if latin else []
        return found
