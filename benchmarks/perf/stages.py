"""Where a warm search spends its time, stage by stage: each stage of the façade wrapped in a
timer, over the dev queries and the seeded mix of ``queries.py`` (the 363 of the warm table).

    python benchmarks/perf/stages.py --index-dir /tmp/full-index            # the façade's stages
    python benchmarks/perf/stages.py --index-dir /tmp/full-index --parts    # and their parts

Times are inclusive (a stage includes the stages it calls) and the mean per query over the
timed passes, after one warm-up pass; the wrappers add about a microsecond a call, so with
``--parts`` the many small calls look a little dearer than they are.
"""

from __future__ import annotations

import argparse
import collections
import functools
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

from queries import dev_queries, sample  # noqa: E402

STAGES = [("query", "_corrections"), ("plan", "build"), ("query", "_pinned"), ("ranking", "rank"),
          ("ranking", "_phase1"), ("ranking", "coordination"), ("ranking", "_phase2"), ("ranking", "_best"),
          ("ranking", "_names_an_author"), ("snippets", "term_pattern"), ("snippets", "make_snippet"),
          ("opened", "Opened.stored"), ("results", "Hit.from_stored"), ("query", "_not_candidates"),
          ("suggestions", "suggest"), ("query", "open_index")]
PARTS = [("correct", "correct_word"), ("correct", "Vocabulary.df"), ("correct", "Vocabulary.close"),
         ("analysis", "compose"), ("analysis", "analyze"), ("opened", "Opened.word"), ("opened", "Opened.loanword"),
         ("plan", "_Builder.add"), ("plan", "_Builder._aliases"), ("plan", "_Builder._loanwords"),
         ("ranking", "_add_terms"), ("ranking", "_add_term"), ("ranking", "_add_near"), ("ranking", "_sequence"),
         ("coordination", "all_grams"), ("ranking", "_add_clause"), ("ranking", "_filter_mask"),
         ("arrays", "Arrays.postings"), ("arrays", "Arrays.positions")]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "daily_papers_ko" / "paper_logs")
    parser.add_argument("--queries", type=Path, default=ROOT.parent / "shared" / "eval" / "dev_queries.tsv")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--parts", action="store_true", help="also time the parts of the stages")
    args = parser.parse_args(argv)

    import importlib

    from search import query
    from search.parse import find_dayfiles, merge_papers, read_dayfile

    papers = merge_papers(p for f in find_dayfiles([args.corpus]) for p in read_dayfile(f)).values()
    items = dev_queries(args.queries) + sample(list(papers), 60)
    spent, calls = collections.Counter(), collections.Counter()

    def timed(function, label):
        @functools.wraps(function)
        def wrapper(*a, **k):
            began = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                spent[label] += time.perf_counter() - began
                calls[label] += 1
        return wrapper

    for module, name in STAGES + (PARTS if args.parts else []) + [("query", "search")]:
        owner = importlib.import_module(f"search.{module}")
        *path, attr = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, attr, timed(getattr(owner, attr), f"{module}.{name}"))

    def run():
        for q in items:
            query.search(q["text"], limit=10, index_dir=args.index_dir, **q["options"])

    run()
    spent.clear()
    calls.clear()
    for _ in range(args.passes):
        run()
    n = args.passes * len(items)
    print(f"{len(items)} queries × {args.passes} passes; load {open('/proc/loadavg').read().split()[:3]}")
    print("| µs / query | calls / query | stage |\n|---|---|---|")
    for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"| {seconds / n * 1e6:.0f} | {calls[label] / n:.2f} | {label} |")


if __name__ == "__main__":
    main()
