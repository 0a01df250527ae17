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

#: Bumped whenever what a paper's texts contribute (:func:`mine`) changes. An update re-mines only
#: the papers it touches, so an index mined by another version would count its old papers by the
#: old rules and its new ones by the new; the compatibility check rebuilds it instead.
MINER_VERSION = 1
MIN_COUNT = 3
MIN_CONFIDENCE = 0.3
MIN_REVERSE_CONFIDENCE = 0.1
MIN_ALIGNED_REVERSE = 0.2
#: A spelling of a pooled English term is expanded to when it makes this share of its glosses.
MIN_SPELLING_SHARE = 0.1
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
    written = _written(primary)
    units = _units(written)
    for m in _PAREN.finditer(text):
        inside = [t for t in written if m.start(1) <= t.start and t.end <= m.end(1)]
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


def _written(primary: list[Term]) -> list[Term]:
    """The terms with a written word that Kiwi cut into a one-syllable piece and one other put
    back together (인 + 코딩 of 인코딩, 디 + 퓨전 of 디퓨전): Kiwi guessing at a word it does not
    know. The join is itself an index term (:func:`search.analysis.terms_from_tokens`), so a
    gloss of ``위치 인코딩`` is the two words 위치 and 인코딩, as written. Pieces of two
    syllables or more are words of their own (강화 + 학습 of 강화학습) and stay apart, so
    ``강화학습(reinforcement learning)`` still pairs word by word."""
    runs: list[list[Term]] = []
    for t in primary:
        if (runs and runs[-1][-1].end == t.start and runs[-1][-1].kind == t.kind == "noun"
                and is_hangul(runs[-1][-1].text) and is_hangul(t.text)):
            runs[-1].append(t)
        else:
            runs.append([t])
    out: list[Term] = []
    for run in runs:
        if len(run) == 2 and min(len(run[0].text), len(run[1].text)) == 1:
            a, b = run
            out.append(Term(a.text + b.text, a.pos, a.start, b.end, True, "noun"))
        else:
            out.extend(run)
    return out


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
        # The spellings of one English term pool their evidence (Positional Encoding, position
        # encodings): each alone may fall short of the thresholds that the term passes.
        groups: dict[tuple[str, str, tuple], Counter] = {}
        for (ko_key, ko_parts, en_key), n in self.pairs.items():
            if n > 0 and not self._inside_longer(ko_parts, en_key, n):
                groups.setdefault((ko_key, ko_parts, english_form(en_key)), Counter())[en_key] = n
        for (ko_key, ko_parts, form), spellings in groups.items():
            n = sum(spellings.values())
            if n < MIN_COUNT:
                continue
            p_en = min(1.0, n / max(1, self.korean[ko_key]))
            p_ko = min(1.0, n / max(1, sum(self.english[s] for s in spellings)))
            # The Korean side must mostly mean this English term (so ``모델(LLMs)`` does not
            # make ``모델`` an alias of ``llm``) and be a real share of how the term is glossed.
            if p_en < MIN_CONFIDENCE or p_ko < MIN_REVERSE_CONFIDENCE:
                continue
            written = _spellings(spellings)
            ko_to_en.setdefault(ko_key, []).append(Alias(written[0], n, p_en, tuple(written[1:])))
            for en_key in written:
                en_to_ko.setdefault(en_key, []).append(Alias(ko_parts, n, p_ko))
        for ko_word, aliases in self._aligned().items():
            known = ko_to_en.setdefault(ko_word, [])
            have = {english_form(w) for a in known for w in a.spellings()}
            known.extend(a for a in aliases if english_form(a.text) not in have)
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
        (``대형 멀티 모달 모델(large multimodal models)`` pairs 멀티 with large). The forms of one
        English word count together (위치 is position in 13 glosses and positional in 3).
        """
        pairs: dict[tuple[str, str], Counter] = {}
        korean: Counter = Counter()
        english: Counter = Counter()
        for (_, ko_parts, en_key), n in self.pairs.items():
            ko, en = ko_parts.split(), en_key.split()
            if n <= 0 or len(ko) != len(en) or len(ko) < 2:
                continue
            for k, e in zip(ko, en):
                pairs.setdefault((k, english_form(e)), Counter())[e] += n
                korean[k] += n
                english[e] += n
        aligned: dict[str, list[Alias]] = {}
        for (k, form), spellings in pairs.items():
            n = sum(spellings.values())
            written = _spellings(spellings)
            reverse = n / sum(english[s] for s in spellings)
            # One- and two-letter English words are function words (of, to) or unit letters.
            if n < MIN_COUNT or len(written[0]) < 3 or n / korean[k] < MIN_CONFIDENCE or reverse < MIN_ALIGNED_REVERSE:
                continue
            aligned.setdefault(k, []).append(Alias(written[0], n, n / korean[k], tuple(written[1:])))
        return aligned


def english_form(text: str) -> str:
    """The shared form of an English term's spellings, word by word (see :func:`_word_form`):
    ``positional encoding`` and ``position encoding`` are one term to the alias miner."""
    return " ".join(_word_form(w) for w in text.split())


def _word_form(word: str) -> str:
    """A light stem of a lower-cased, singular English word, for pooling the glosses of one
    term: ``-ional`` → ``-ion`` (positional), then ``-ing`` or ``-ed`` (with a doubled consonant
    undone), then ``-ion`` or a final ``-e``; a stem keeps at least four letters (``vision``,
    ``action``, ``tuning`` stay). ``-ive``, ``-er``, ``-al`` alone and ``-ment`` are left: a
    generative model, an encoder or a causal mask are other things than generation, encoding
    or a cause. Only glosses of the same Korean words are pooled, never the index's terms."""
    w = word
    if not w.isalpha() or len(w) < 5:
        return w
    if w.endswith("ional"):
        w = w[:-2]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]
            break
    if w.endswith("ion") and len(w) >= 7:
        w = w[:-3]
    elif w.endswith("e") and len(w) >= 5:
        w = w[:-1]
    return w


def _spellings(spellings: Counter) -> list[str]:
    """The spellings of one term to expand to, the most glossed first: each a real share of the
    term's glosses (``MIN_SPELLING_SHARE``), so one paper's ``modeling`` of 모델 is left out."""
    total = sum(spellings.values())
    ranked = sorted(spellings, key=lambda s: (-spellings[s], s))
    return ranked[:1] + [s for s in ranked[1:] if spellings[s] >= MIN_SPELLING_SHARE * total]


@dataclass(frozen=True)
class Alias:
    """One expansion: the other side's terms (space-separated), in how many documents, how sure."""

    text: str
    count: int
    confidence: float
    forms: tuple[str, ...] = ()  # the other spellings of the same English term, seen in glosses

    def spellings(self) -> tuple[str, ...]:
        return (self.text, *self.forms)


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
            return {k: [[a.text, a.count, round(a.confidence, 4), *([list(a.forms)] if a.forms else [])]
                        for a in v] for k, v in table.items()}

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
            return [Alias(*row[:3], tuple(row[3]) if len(row) > 3 else ()) for row in rows]

        try:
            forms = keyed.Table(file, "ko_forms", list)
        except IndexVersionError:
            forms = {}  # written before the table existed: coordination as it was then
        return cls(keyed.Table(file, "ko_to_en", aliases), keyed.Table(file, "en_to_ko", aliases),
                   keyed.Table(file, "splits", tuple), forms)

    def pivots(self, english: str, aliases: list[Alias], limit: int) -> list[Alias]:
        """The other English terms glossing the Korean compounds among ``aliases`` (the Korean
        aliases of ``english``), each at the product of the two confidences: ``state space
        model`` is 상태 공간 모델, which is also glossed *ssm*. Only through a compound (two words
        or more), which names one thing; a single word carries several senses (추론 is
        *reasoning* and *inference*, 필드 *field* and *nerf*)."""
        found = []
        for alias in aliases:
            if " " not in alias.text:
                continue
            for other in self.ko_to_en.get(alias.text.replace(" ", ""), [])[:limit]:
                if english not in other.spellings():
                    found.append(Alias(other.text, other.count, alias.confidence * other.confidence, other.forms))
        return found

    def lookup(self, word: str) -> list[tuple[str, Alias]]:
        """Aliases of a word or phrase in either direction, for `papers aliases`."""
        from .analysis import analyze

        terms = [t.text for t in analyze(word) if t.primary]
        hangul = "".join(t for t in terms if is_hangul(t))
        latin = " ".join(t for t in terms if not is_hangul(t))
        found = [("en", a) for a in self.ko_to_en.get(hangul, [])] if hangul else []
        found += [("ko", a) for a in self.en_to_ko.get(latin, [])] if latin else []
        return found
