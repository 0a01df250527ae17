"""Snippets: the summary sentence that best shows why a paper matched, matches marked."""

from __future__ import annotations

import re

from . import lexicon

#: A sentence: one character, then up to the first ``.``, ``!`` or ``?`` before a space, ``다.``,
#: line break or the end. Written greedily (runs of ordinary characters in one step), it matches
#: what the lazy ``[^\n]+?(?:[.!?](?=\s)|다\.|\n|$)`` matches, three times faster.
_SENTENCE = re.compile(r"[^\n](?:[^\n.!?다]+|[.!?](?!\s)|다(?!\.))*(?:[.!?](?=\s)|다\.|\n|$)")


def term_pattern(terms) -> re.Pattern | None:
    """A pattern for the surface forms of matched terms (``llm`` also marks ``LLMs``,
    ``study`` marks ``studies``).

    The Latin forms share one pair of word-boundary checks and come first, the Hangul forms
    after, each group longest first: the same matches as one alternative per form, found about
    three times faster (the regex engine checks a boundary once per position, not once per form).
    """
    latin, hangul = set(), set()
    for t in terms:
        if lexicon.is_hangul(t):
            hangul.add(re.escape(t[:-1] if t.endswith("다") and len(t) > 2 else t))
        elif len(t) > 1 or t.isdigit():
            # normalize_english's plural rules undone: llm → LLMs, study → studies, sery → series.
            if len(t) > 2 and t.endswith("y"):
                latin.add(re.escape(t[:-1]) + "(?:y|ys|ies)")
            else:
                latin.add(re.escape(t) + "(?:e?s)?")
    longest = lambda forms: sorted(forms, key=len, reverse=True)  # noqa: E731
    alternatives = longest(hangul)
    if latin:
        alternatives.insert(0, r"(?<![0-9A-Za-z])(?:" + "|".join(longest(latin)) + r")(?![0-9A-Za-z])")
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


def make_snippet(summary: str, pattern: re.Pattern | None, width: int = 220) -> tuple[str, tuple]:
    """The summary sentence with the most distinct matched words, and the (start, end) offsets
    of the matches in it."""
    spans = []
    for m in _SENTENCE.finditer(summary):
        text = m.group()
        start = m.start() + len(text) - len(text.lstrip())
        end = m.start() + len(text.rstrip())
        if end > start:
            spans.append((start, end))
    if not spans:
        return "", ()
    best, best_score = 0, 0
    if pattern is not None:
        scores = _scores(summary, spans, pattern)
        best_score = max(scores)
        best = scores.index(best_score)
    best = summary[spans[best][0] : spans[best][1]]
    if len(best) > width:
        first = pattern.search(best) if pattern is not None and best_score else None
        start = max(0, (first.start() if first else 0) - width // 4)
        best = ("…" if start else "") + best[start : start + width].rstrip() + "…"
    if pattern is None or not best_score:
        return best, ()
    return best, tuple(m.span() for m in pattern.finditer(best))


def _scores(summary: str, spans: list[tuple[int, int]], pattern: re.Pattern) -> list[int]:
    """How many distinct matched words each sentence holds, from one scan of the summary.

    A match lies inside one sentence (words hold no space, and a sentence ends at a space,
    a line break or ``다.``); should one not, each sentence is scanned on its own.
    """
    found: list[set[str]] = [set() for _ in spans]
    at = 0
    for m in pattern.finditer(summary):
        a, b = m.span()
        while at < len(spans) and spans[at][1] <= a:
            at += 1
        if at == len(spans) or a < spans[at][0] or b > spans[at][1]:
            return [len({x.group().lower() for x in pattern.finditer(summary[s:e])}) for s, e in spans]
        found[at].add(m.group().lower())
    return [len(words) for words in found]
