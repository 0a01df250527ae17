"""The query set of the latency measurement: judged dev queries plus seeded draws from the corpus.

Drawn kinds (``per_kind`` each, from the papers given, with ``random.Random(seed)``):

* ``ko``: two or three neighbouring Korean nouns of a summary, as written there (Kiwi NNG/NNP
  tokens separated by nothing or spaces, e.g. ``대규모 언어 모델``; one noun when the sentence
  has no longer run);
* ``en``: one to three consecutive words of an English title;
* ``mixed``: an English title word of a paper and a Korean noun run of its summary;
* ``phrase``: a quoted two- or three-word run of a title, or a quoted Korean noun run;
* ``filtered``: a ``ko``, ``en`` or ``mixed`` query with ``since``, ``min_votes`` or ``author``.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

KINDS = ("ko", "en", "mixed", "phrase", "filtered")
_NOUNS = frozenset({"NNG", "NNP"})
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]{2,}")
_STOP = frozenset(
    "all also and any are but can does for from how into its not off one our than the through "
    "toward towards two using via what when with without you your".split()
)


def dev_queries(path: Path) -> list[dict]:
    """The second column of a ``qid<TAB>query<TAB>type`` file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if line.strip() and not line.startswith("#") and len(cells) >= 2:
            out.append({"kind": "dev", "text": cells[1].strip(), "options": {}})
    return out


def _noun_runs(kiwi, text: str) -> list[str]:
    runs, current, end = [], [], None
    for tok in kiwi.tokenize(text):
        adjacent = end is not None and text[end : tok.start].strip() == ""
        if tok.tag in _NOUNS and len(tok.form) > 1 and (not current or adjacent):
            current.append(tok)
        else:
            if current:
                runs.append(current)
            current = [tok] if tok.tag in _NOUNS and len(tok.form) > 1 else []
        end = tok.end
    if current:
        runs.append(current)
    return [text[r[0].start : r[-1].end] for r in runs]


def _title_words(title: str) -> list[str]:
    return [w for w in _EN_WORD.findall(title) if w.lower() not in _STOP]


def sample(papers: list, per_kind: int, seed: int = 0) -> list[dict]:
    """``per_kind`` queries of each kind in :data:`KINDS`, the same for the same papers and seed."""
    from kiwipiepy import Kiwi

    kiwi = Kiwi(load_typo_dict=False, load_multi_dict=False)
    rng = random.Random(seed)
    papers = sorted(papers, key=lambda p: p.arxiv_id)
    dates = sorted(p.date for p in papers)

    def korean(paper) -> str | None:
        lines = [line for line in paper.summary.split("\n") if line.strip()]
        if not lines:
            return None
        runs = [run.split() for run in _noun_runs(kiwi, rng.choice(lines))]
        if not runs:
            return None
        # People type two or three nouns more often than one generic noun ("향상", "구성").
        words = rng.choice([r for r in runs if len(r) > 1] or runs)
        n = min(len(words), rng.randint(2, 3))
        start = rng.randrange(len(words) - n + 1)
        return " ".join(words[start : start + n])

    def english(paper, longest: int = 3) -> str | None:
        words = _title_words(paper.title)
        if not words:
            return None
        start = rng.randrange(len(words))
        return " ".join(words[start : start + rng.randint(1, longest)])

    def draw(kind: str, paper) -> dict | None:
        if kind == "ko":
            text = korean(paper)
        elif kind == "en":
            text = english(paper)
        elif kind == "mixed":
            en, ko = english(paper, 1), korean(paper)
            text = en and ko and f"{en} {ko}"
        elif kind == "phrase":
            words = paper.title.split()
            if rng.random() < 0.5 and len(words) >= 3:
                start = rng.randrange(len(words) - 1)
                inner = " ".join(words[start : start + rng.randint(2, 3)]).strip(":,.")
            else:
                inner = korean(paper)
            text = inner and f'"{inner}"'
        else:
            base = draw(rng.choice(("ko", "en", "mixed")), paper)
            if base is None:
                return None
            which = rng.choice(("since", "min_votes", "author"))
            if which == "since":
                options = {"since": dates[rng.randrange(len(dates))]}
            elif which == "min_votes":
                options = {"min_votes": rng.choice((5, 10, 20, 50))}
            elif paper.authors:
                options = {"author": rng.choice(paper.authors)}
            else:
                return None
            return {"kind": kind, "text": base["text"], "options": options}
        return {"kind": kind, "text": text, "options": {}} if text else None

    out = []
    for kind in KINDS:
        made = 0
        while made < per_kind:
            query = draw(kind, rng.choice(papers))
            if query is not None:
                out.append(query)
                made += 1
    return out
