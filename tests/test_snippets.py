"""Snippets against the per-sentence reference they replaced: one alternative per form, each
sentence scanned on its own."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from search import lexicon, snippets
from search.parse import read_dayfile

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def reference_pattern(terms) -> re.Pattern | None:
    forms = set()
    for t in terms:
        if lexicon.is_hangul(t):
            forms.add(re.escape(t[:-1] if t.endswith("다") and len(t) > 2 else t))
        elif len(t) > 1 or t.isdigit():
            if len(t) > 2 and t.endswith("y"):
                body = re.escape(t[:-1]) + "(?:y|ys|ies)"
            else:
                body = re.escape(t) + "(?:e?s)?"
            forms.add(r"(?<![0-9A-Za-z])" + body + r"(?![0-9A-Za-z])")
    if not forms:
        return None
    return re.compile("|".join(sorted(forms, key=len, reverse=True)), re.IGNORECASE)


def reference_snippet(summary: str, pattern, width: int = 220):
    sentences = [m.group().strip() for m in snippets._SENTENCE.finditer(summary) if m.group().strip()]
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


TERMS = [
    ["모델", "언어"], ["llm", "benchmark"], ["study", "agent", "모델"], ["u.s", "e.g", "4.5", "gpt4.5"],
    ["생성하다", "확산", "diffusion"], ["a", "3", "lora", "로라"], ["sery", "series", "transformer", "트랜스포머"],
    [], ["없는말", "zzzz"],
    ["model. the", "models"],  # a form across a sentence end: each sentence is scanned alone
    ["평가", "evaluation", "multimodal", "멀티모달", "벤치마크", "data", "데이터"],
]


@pytest.mark.parametrize("terms", TERMS)
def test_snippets_match_the_per_sentence_reference(terms):
    papers = [p for f in sorted(SEEDS.rglob("*.md")) for p in read_dayfile(f)]
    pattern, reference = snippets.term_pattern(terms), reference_pattern(terms)
    assert (pattern is None) == (reference is None)
    texts = [p.summary for p in papers] + ["", "\n\n", "한 문장.\n\n  둘째 문장이다.셋째 LLMs!  넷째?\n",
                                           "U.S. e.g. 4.5 gpt4.5.", "A model. The models. Model. the end"]
    for text in texts:
        assert snippets.make_snippet(text, pattern) == reference_snippet(text, reference), text[:80]


def test_sentences_are_split_as_the_lazy_pattern_splits_them():
    lazy = re.compile(r"[^\n]+?(?:[.!?](?=\s)|다\.|\n|$)")
    rng = random.Random(11)
    texts = ["".join(rng.choice("a다.!?\n \t가") for _ in range(rng.randint(0, 24))) for _ in range(3000)]
    texts += [p.summary for f in sorted(SEEDS.rglob("*.md")) for p in read_dayfile(f)]
    for text in texts:
        assert [m.span() for m in snippets._SENTENCE.finditer(text)] == [m.span() for m in lazy.finditer(text)], text
