"""Snippets: the summary sentence that best shows why a paper matched, matches marked."""

from __future__ import annotations

import re

from . import lexicon

_SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=\s)|다\.|\n|$)")


def term_pattern(terms) -> re.Pattern | None:
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
