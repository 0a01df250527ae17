"""The views of a text that need no dictionary: the Hangul syllable bigrams of its content (the
``grams`` field) and the literal view (words lower-cased as written, Hangul runs as bigrams; the
``lit_*`` fields), the summary's capitalized words (``names``), and the clean-up every analysis
starts from. Kiwi's analysis is :mod:`search.analysis`; the two views fail differently, which is
why both are kept.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .analysis import Term

_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")


def clean(text: str) -> str:
    # Lone surrogates (undecodable bytes from a terminal) would crash Kiwi; NFKC folds
    # full-width Latin and compatibility jamo, and Kiwi expects composed Hangul.
    # A text that needs neither is returned as it is, not copied: indexing holds every text.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return unicodedata.normalize("NFKC", text)


_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


def _add_bigrams(out: list[str], run: str) -> None:
    if len(run) == 1:
        out.append(run)
    else:  # pairs of neighbouring syllables, made in C
        out.extend(map(operator.add, run, run[1:]))


def hangul_bigrams(text: str) -> list[str]:
    """Overlapping Hangul syllable bigrams (a one-syllable word stays whole), Lucene CJK style."""
    out: list[str] = []
    for run in _HANGUL_RUN.findall(clean(text)):
        _add_bigrams(out, run)
    return out


def content_spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Character spans of the Hangul content in ``text``: nouns and stems, each run of them
    written without a space merged into one span, particles and endings left out."""
    spans: list[list[int]] = []
    for t in terms:
        if not t.primary or t.kind not in ("noun", "verb") or not _HANGUL.match(text[t.start : t.end]):
            continue
        if spans and spans[-1][1] == t.start:
            spans[-1][1] = t.end
        elif not spans or t.start > spans[-1][1]:
            spans.append([t.start, t.end])
    return [(a, b) for a, b in spans]


def content_text(text: str, terms: list[Term]) -> str:
    """The Hangul content of an analyzed text, one span per line: what the bigram view indexes.

    Bigrams of particles and endings (습니, 니다) would be in nearly every paper and are never
    asked for, since queries take their bigrams from the same content spans.
    """
    return "\n".join(text[a:b] for a, b in content_spans(text, terms))


_LITERAL_RUN = re.compile(r"(?P<hangul>[\uac00-\ud7a3]+)|(?P<word>[^\W\uac00-\ud7a3]+)")


def literal_terms(text: str) -> list[str]:
    """The literal view: each run of letters and digits lower-cased as written (``LLMs`` stays
    ``llms``, ``multi-modal`` gives ``multi`` and ``modal``), Hangul runs as overlapping syllable
    bigrams, a one-syllable run whole. No dictionary, no stemming, no segmentation: the Lucene
    ``CJKAnalyzer`` idea, kept beside the Kiwi analysis because the two fail differently.
    """
    out: list[str] = []
    for run, word in _LITERAL_RUN.findall(clean(text)):
        if run:
            _add_bigrams(out, run)
        else:
            out.append(word.lower())
    return out



def capitalized_words(text: str) -> list[str]:
    """The Latin words of ``text`` written with a capital first letter (``Sora``, ``LLaMA``),
    lower-cased as the literal view writes them. Indexed from summaries only (titles capitalize
    every word), so that the share of papers writing a word capitalized tells a name (Sora,
    Gemini: 100 %) from a common word (linear: 58 %), which is what a Hangul spelling of a word
    the corpus never writes in Hangul can be matched to (:mod:`search.loanwords`)."""
    return [word.lower() for run, word in _LITERAL_RUN.findall(clean(text))
            if not run and "A" <= word[0] <= "Z"]


def literal_runs(text: str) -> list[tuple[int, list[str]]]:
    """The literal terms of ``text`` run by run, with the run's offset in ``clean(text)``: one
    word, or the bigrams of one Hangul run (the i-th starting at offset + i); the same terms as
    :func:`literal_terms`, which the index uses without the offsets."""
    out: list[tuple[int, list[str]]] = []
    for m in _LITERAL_RUN.finditer(clean(text)):
        run = m.group(1)
        terms: list[str] = []
        if run is None:
            terms.append(m.group(2).lower())
        else:
            _add_bigrams(terms, run)
        out.append((m.start(), terms))
    return out
