"""Hangul loanwords ↔ the English words they transliterate, matched by sound.

The summaries write many names only in Hangul (``챗봇 아레나``, ``라마``, ``미스트랄``) while other
papers, and most titles, write them in English (``Chatbot Arena``, ``Llama``, ``Mistral``). Nothing
glosses one with the other in parentheses, so the alias miner (:mod:`search.lexicon`) never pairs
them. This module does, in two steps:

1. **Sound.** A Hangul word and an English word are reduced to the same alphabet of consonant
   classes (``b p f v`` are one class, ``r l`` another, …) and vowel slots, and compared with an
   edit distance in which consonants count double, a Korean vowel only matches the English vowels
   it usually transliterates, and the ``으`` that Korean inserts after a lone consonant (``스``,
   ``트``, ``프``) is not a vowel at all. ``아레나``/``arena`` and ``챗봇``/``chatbot`` come out
   identical; ``보안``/``phone`` does not quite.
2. **Evidence.** Sound alone pairs common native words with unrelated English ones (``실패`` sounds
   like ``silver``), so a pair is used only when the corpus supports it (:func:`best_match`): the
   two words are seen in the same papers far more often than chance (five times as often, and a
   count that chance would reach less than one time in twenty), and the English word reaches
   papers that the Hangul one does not (otherwise the expansion adds nothing). A word made only of
   Sino-Korean syllables (``가상``, ``음성``, ``보안``) is far more likely native, so it needs the
   English word in most of its papers. Among several English words that sound alike, the closest
   one is chosen before the evidence is checked, never the one the evidence happens to favour
   (``모션`` is ``motion``, even when ``emotion`` co-occurs more oddly).

The English vocabulary comes from the literal view of the index (words as written), grouped by
consonant skeleton, so a Hangul word is compared only with the few English words whose skeleton
equals its own or differs from it by one consonant.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import keyed
from .arrays import ArrayFile

MIN_SIMILARITY = 0.9      # 1 − distance / length of the longer sound sequence
MIN_LIFT = 5.0            # papers with both words, over what independence predicts ...
MAX_CHANCE = 0.05         # ... and at most this likely under independence (Poisson tail)
MIN_NOVELTY = 0.5         # share of the English word's papers that lack the Hangul word
SINO_MIN_TOGETHER = 3     # a Sino-Korean-looking word needs this many papers with both words ...
SINO_MIN_SHARE = 0.5      # ... and the English word in this share of its own papers
UNSEEN_MIN_SIMILARITY = 1.0  # a Hangul word the corpus never writes: sound is the only evidence ...
UNSEEN_MIN_NAMED = 0.9       # ... for a name: summaries writing the English word capitalized, of all ...
UNSEEN_MIN_PAPERS = 5        # ... and that many of them at least (a name people know) ...
UNSEEN_SHORT_MIN_PAPERS = 20 # ... or, for two syllables that could be a Sino-Korean word, this many
MIN_ENGLISH_DF = 2        # English words in fewer papers are not candidates (typos, one-offs)
MIN_ENGLISH_LENGTH = 3
MIN_SOUNDS = 3            # shorter Hangul words (``모드``, ``팁``) match too much by chance

#: Hangul syllables that are the reading of some Hanja (Sino-Korean morphemes), from the standard
#: Hanja → Hangul reading table (as distributed in the ``hanja`` package). A word made only of
#: these may be native (``음성``, ``보안``); one with any other syllable (``챗``, ``레``, ``스``,
#: ``트``) is shaped like a transliteration.
SINO_KOREAN = frozenset(
    "가각간갈감갑갓강개객갯갱갹거걱건걸검겁것게격견결겸겹경계고곡곤골곱곳공과곽관괄광괘괴괵굉교구국군굴"
    "굿궁권궐궤귀규균귤극근글금급긍기긴길끗끽나낙난날남납낭내냑녀녁년녈념녑녕녘녜노녹논놀놈농놔놜뇌뇨누눈"
    "눌뉴뉵늑능늦니닉닐님닙다단달담답당대덕도독돈돌돗동두둑둔둘둣둥득등똥뜰라락란랄람랍랑래랭략량려력련렬"
    "렴렵령례로록론롱뢰료룡루류륙륜률륭륵를름릉리린림립마막만말맘망매맥맹먀며멱면멸명몌모목몰몸몽묘묠무묵"
    "문물미민밀박반발밤방배백뱀번벌범법벽변별병보복본볼봉부북분불붓붕비빈빙뿐사삭산살삼삽상새색생서석선설"
    "섬섭성세소속손솔솟송솨솰쇄쇠수숙순술숭쉬슬습승시식신실심십쌀쌍씨씻아악안알암압앙애액앳앵야약양어억언"
    "얼엄업엇엉에엔여역연열염엽엿영예오옥온올옹와왁완왈왕왜외욋요욕용우욱운울웅원월위유육윤율융은을음읍응"
    "의이익인일임입잇잉자작잔잘잠잡잣장재쟁저적전절점접정제조족존졸종좌죄주죽준줄줏중즉즐즘즙증지직진질짐"
    "집짓징차착찬찰참창채책처척천철첨첩청체초촉촌총촬쵀최추축춘출충췌취측츤층치칙친칠침칩칭카쾌타탁탄탈탐"
    "탑탕태택탱터토톤톨통퇴투퉁특틈파판팔팟패팽퍅편폄평폐포폭폿퐁표푸품풍피픽필핍하학한할함합항해핵행향허"
    "헌헐험혁현혈혐협형혜호혹혼홀홍화확환활황홰회획횡효후훈훌훙훤훨훼휘휭휴휵휼흉흑흔흘흠흡흥희히힐"
)

_INITIALS = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_VOWELS = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
           "yu", "eu", "ui", "i"]
_FINALS = ["", "k", "k", "k", "n", "n", "n", "t", "l", "l", "l", "l", "l", "l", "l", "l", "m", "p", "p", "t", "t",
           "ng", "t", "t", "k", "t", "p", "t"]
#: Which English vowel letters (the first of a vowel run) each Korean vowel usually stands for.
_VOWEL_SPELLINGS = {
    "a": "au", "ae": "ae", "ya": "iya", "yae": "iya", "eo": "aeiou", "e": "ea", "yeo": "eiy", "ye": "e",
    "o": "oa", "wa": "wuoa", "wae": "wa", "oe": "eo", "yo": "iyo", "u": "uo", "wo": "wo", "we": "wue",
    "wi": "wuie", "yu": "uiey", "eu": "aeiou", "ui": "ui", "i": "iey",
}
#: Consonant classes: Korean cannot tell these apart when it transliterates. An English spelling
#: that stands for more than one sound gets every class it may be: ``ch`` is 치 in ``chatbot``,
#: 시 in ``machine`` and 키 in ``architecture``; ``th`` is 스 in ``python`` and 드 in ``the``.
_CLASSES = {"b": "P", "p": "P", "f": "P", "v": "P", "d": "T", "t": "T", "g": "K", "k": "K", "c": "K", "q": "K",
            "l": "L", "r": "L", "m": "M", "n": "N", "N": "N", "s": "S", "z": "S", "j": "J", "C": "J", "h": "H",
            "X": "JKS", "Q": "ST", "G": "JK"}
MAX_SKELETONS = 8  # spellings of one English word considered, at most
_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")
_ENGLISH = re.compile(r"^[a-z]+$")

Sound = tuple[tuple[str, str], ...]  # ("c", classes) and ("v", vowel) tokens


def is_sino_korean(word: str) -> bool:
    """True when every syllable of the Hangul ``word`` is a Sino-Korean reading."""
    return all(ch in SINO_KOREAN for ch in word)


def _consonants(spelling: str) -> list[str]:
    spelling = spelling.replace("ch", "C").replace("ng", "N")
    return [_CLASSES[c] for c in spelling if c in _CLASSES]


def _push(tokens: list, cls: str) -> None:
    if not (tokens and tokens[-1] == ("c", cls)):  # a doubled consonant is one sound
        tokens.append(("c", cls))


@lru_cache(maxsize=4096)
def korean_sound(word: str) -> Sound:
    """The sound tokens of a Hangul word (empty for anything else)."""
    if not _HANGUL.match(word):
        return ()
    tokens: list = []
    syllables = [ord(ch) - 0xAC00 for ch in word]
    for i, n in enumerate(syllables):
        initial, vowel, final = _INITIALS[n // 588], _VOWELS[(n % 588) // 28], _FINALS[n % 28]
        following = _INITIALS[syllables[i + 1] // 588] if i + 1 < len(syllables) else ""
        for c in _consonants(initial):
            _push(tokens, c)
        # 스, 트, 프, and 클 in 클로드: the vowel Korean adds after a consonant that English writes
        # alone (an l before a vowel is written twice, ㄹ + 로).
        epenthetic = initial and vowel == "eu" and (not final or (final == "l" and following == "r"))
        if not epenthetic:
            if tokens and tokens[-1][0] == "v":
                tokens[-1] = ("v", tokens[-1][1] + "|" + vowel)  # 아이: one English vowel run
            else:
                tokens.append(("v", vowel))
        for c in _consonants(final):
            _push(tokens, c)
    return tuple(tokens)


@lru_cache(maxsize=16384)
def english_sound(word: str) -> Sound:
    """The sound tokens of a lower-case English word, from its spelling."""
    s = re.sub(r"([^aeiou])\1", r"\1", word.lower())
    s = s.replace("tion", "sion").replace("ph", "f").replace("ck", "k").replace("qu", "kw").replace("x", "ks")
    s = s.replace("tch", "ch").replace("ch", "X").replace("sh", "s").replace("th", "Q").replace("wh", "w")
    s = s.replace("gh", "")
    s = re.sub(r"c(?=[eiy])", "s", s)
    s = re.sub(r"g(?=[eiy])", "G", s)
    if len(s) > 3:
        s = re.sub(r"e$", "", s)  # silent final e
    s = re.sub(r"(?<=[aeiouy])r(?![aeiouy])", "", s)  # a non-rhotic r: 'er' is 어, 'ar' is 아
    s = re.sub(r"(?<=.)h", "", s)
    s = s.replace("ng", "N")
    tokens: list = []
    for m in re.finditer(r"[aeiouy]+|.", s):
        t = m.group()
        if t[0] in "aeiouy":
            if not (t == "y" and m.start() == 0):
                tokens.append(("v", t))
        elif t in _CLASSES:
            _push(tokens, _CLASSES[t])
    return tuple(tokens)


def skeletons(sound: Sound) -> list[str]:
    """The consonant classes of a sound in order, one string per reading of its spelling."""
    out = [""]
    for kind, classes in sound:
        if kind == "c":
            out = [s + c for s in out for c in classes][:MAX_SKELETONS]
    return out


def _vowel_cost(korean: str, english: str) -> float:
    for k in korean.split("|"):
        if english[0] in _VOWEL_SPELLINGS.get(k, "aeiou") or (k == "i" and english[0] == "y"):
            return 0.0
    if korean.startswith("a|i") and english[0] in "iy":
        return 0.0
    return 0.5


def _indel(token) -> float:
    return 0.5 if token[0] == "v" else 1.0


def distance(a: Sound, b: Sound) -> float:
    """Edit distance between a Korean and an English sound (consonants cost 1, vowels 0.5)."""
    previous = [0.0]
    for t in b:
        previous.append(previous[-1] + _indel(t))
    for x in a:
        current = [previous[0] + _indel(x)]
        for j, y in enumerate(b, 1):
            if x[0] != y[0]:
                sub = 9.0
            elif x[0] == "c":
                sub = 0.0 if x[1] in y[1] else 1.0
            else:
                sub = _vowel_cost(x[1], y[1])
            current.append(min(previous[j] + _indel(x), current[j - 1] + _indel(y), previous[j - 1] + sub))
        previous = current
    return previous[-1]


def similarity(korean: str, english: str) -> float:
    """1 for a Hangul word that spells the English word's sound, less the further apart."""
    a, b = korean_sound(korean), english_sound(english)
    if not a or not b:
        return 0.0
    return 1.0 - distance(a, b) / max(len(a), len(b))


def _keys(skel: str) -> list[str]:
    return [skel] + [skel[:i] + skel[i + 1:] for i in range(len(skel))]


class Sounds:
    """The corpus's English words, grouped by consonant skeleton and its one-deletion variants."""

    def __init__(self, words: dict[str, int] | None = None, previous: "Sounds | None" = None) -> None:
        """Group ``words`` (word → papers); the keys of words ``previous`` knows are reused, so
        an update computes the sounds of its new words only."""
        self.df: dict[str, int] = {}
        self.buckets: dict[str, list[str]] = {}
        known: dict[str, list[str]] = {}
        for key, bucket in (previous.buckets if previous else {}).items():
            for word in bucket:
                known.setdefault(word, []).append(key)
        for word, df in (words or {}).items():
            if df < MIN_ENGLISH_DF or len(word) < MIN_ENGLISH_LENGTH or not _ENGLISH.match(word):
                continue
            self.df[word] = df
            keys = known.get(word) or {key for skel in skeletons(english_sound(word)) for key in _keys(skel)}
            for key in keys:
                self.buckets.setdefault(key, []).append(word)

    def to_json(self) -> dict:
        return {"df": self.df, "buckets": self.buckets}

    def write(self, path: Path) -> None:
        """Write the sounds as one keyed file (:mod:`search.keyed`), read back by :meth:`read`."""
        keyed.write(path, self.to_json())

    @classmethod
    def read(cls, path: Path) -> "Sounds":
        """The sounds of ``path``, memory-mapped: a search reads the buckets of its own words."""
        file = ArrayFile(path)
        sounds = cls()
        sounds.df, sounds.buckets = keyed.Table(file, "df"), keyed.Table(file, "buckets")
        return sounds

    def candidates(self, korean: str) -> list[tuple[str, float]]:
        """English words that sound like ``korean``, closest first (ties: more papers first)."""
        sound = korean_sound(korean)
        if len(sound) < MIN_SOUNDS:
            return []
        words: set[str] = set()
        for key in _keys(skeletons(sound)[0]):
            words.update(self.buckets.get(key, ()))
        scored = [(w, similarity(korean, w)) for w in words]
        scored = [(w, s) for w, s in scored if s >= MIN_SIMILARITY]
        return sorted(scored, key=lambda ws: (-ws[1], -self.df[ws[0]], ws[0]))


def chance(together: int, expected: float) -> float:
    """P(at least ``together`` papers with both words) when ``expected`` are expected by chance."""
    if together <= 0:
        return 1.0
    term = total = math.exp(-expected)
    for i in range(1, together):
        term *= expected / i
        total += term
    return max(0.0, 1.0 - total)


@dataclass(frozen=True)
class Loanword:
    """An English word that a Hangul word transliterates, with the evidence for the pair."""

    korean: str
    english: str
    similarity: float
    together: int   # papers with both words
    korean_papers: int
    english_papers: int


def best_match(korean: str, sounds: Sounds, papers: Callable[[str], set[int]], total: int,
               named: Callable[[str], tuple[int, int]]) -> Loanword | None:
    """The English word ``korean`` transliterates, if the corpus supports the pair.

    ``papers(word)`` gives the set of papers (docnums) that contain a word — the Hangul word as
    analyzed, or an English word as the analyzer normalizes it — ``total`` the number of
    papers, and ``named(word)`` how many summaries write an English word capitalized, and how
    many write it at all.
    """
    candidates = sounds.candidates(korean)
    if not candidates:
        return None
    top = candidates[0][1]
    mine = papers(korean)
    if not mine:
        return _unseen(korean, candidates, papers, named)
    best = None
    for english, sim in candidates:
        if sim < top:
            break
        theirs = papers(english)
        if not theirs:
            continue
        together = len(mine & theirs)
        key = (together, -len(theirs))
        if best is None or key > best[0]:
            best = (key, english, theirs, together)
    if best is None:
        return None
    _, english, theirs, together = best
    match = Loanword(korean, english, top, together, len(mine), len(theirs))
    expected = len(mine) * len(theirs) / max(total, 1)
    if together < 1 or together < MIN_LIFT * expected or chance(together, expected) > MAX_CHANCE:
        return None
    if len(theirs - mine) < MIN_NOVELTY * len(theirs):
        return None
    if is_sino_korean(korean) and (together < SINO_MIN_TOGETHER or together < SINO_MIN_SHARE * len(mine)):
        return None
    return match


def _unseen(korean: str, candidates, papers, named) -> Loanword | None:
    """A Hangul word the corpus never writes: the user's spelling is the only evidence, and what
    people spell in Hangul without the corpus doing so is a known name (소라, 제미나이, 딥시크).

    The sound model is coarse (a vowel like 어 matches any English vowel): pretending each rare
    Hangul word of the corpus unseen, most of its exact-sounding English words are unrelated
    (서버 ~ cifar, 피드 ~ fid). So the English word must sound exactly alike, be written as a
    name (capitalized in nearly every paper: Sora, Gemini; not linear, which 런웨이 sounds like,
    nor part for 바드, capitalized in the 2 summaries that write it) and be known (written so in
    :data:`UNSEEN_MIN_PAPERS` summaries, which drops rare sound-alikes such as pathway for 바다;
    more for two Sino-Korean-looking syllables, as likely a native word: 보리 ~ Fourier); among
    several, the one most papers write as a name (Sora, not solar, for 소라)."""
    short = len(korean) < 3 and is_sino_korean(korean)
    needed = UNSEEN_SHORT_MIN_PAPERS if short else UNSEEN_MIN_PAPERS
    names = []
    for english, sim in candidates:
        capitalized, written = named(english) if sim >= UNSEEN_MIN_SIMILARITY else (0, 0)
        if capitalized >= needed and capitalized >= UNSEEN_MIN_NAMED * written:
            names.append((capitalized, english, sim))
    if not names:
        return None
    _, english, sim = max(names)
    return Loanword(korean, english, sim, 0, 0, len(papers(english)))


#: The reverse check (see :func:`glossed`): how near the two words must stand in the one paper.
GLOSS_SLOP = 3


def glossed(view, korean: str, english: str) -> bool:
    """Whether the two words stand side by side in some summary (``로컬리제이션(localization)``, either
    order): the reverse check of a pair that one paper supports with sounds that are only alike.

    One shared paper is a coincidence for 백엔드/*appagent* (0.93 alike, different sentences)
    and evidence for 로컬리제이션/*localization*, glossed in place.
    """
    from .ranking import _sequence

    return any(len(_sequence(view, "summary", pair, GLOSS_SLOP)[0]) for pair in ((korean, english), (english, korean)))


def weakly_supported(match: "Loanword") -> bool:
    """A pair that one paper supports and whose sounds are only alike needs the reverse check."""
    return match.together == 1 and match.similarity < UNSEEN_MIN_SIMILARITY

