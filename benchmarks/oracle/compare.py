"""Compare the engine with an earlier engine (the oracle) and with itself at an unbounded window.

    python benchmarks/oracle/compare.py --ref 57bd198
    python benchmarks/oracle/compare.py --ref 57bd198 --old-index /tmp/old --new-index /tmp/new

The oracle is the engine at git ref ``--ref``, exported with ``git archive`` into a temporary
folder and run in its own process against an index it built itself. Both engines answer the
judged dev queries and the seeded query mix of benchmarks/perf; the table says how many top-10
lists are identical (same papers, same order), the same set, and how far scores differ where
they are identical. The second table checks phase 2's window: the engine with its default
window against a window holding every candidate.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE.parent), str(HERE.parent / "perf")]

from queries import dev_queries, sample  # noqa: E402
from tables import markdown_table  # noqa: E402

SHARED = ROOT.parent / "shared"
RUNNER = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from search import search
from search.index import build_index
from pathlib import Path
index_dir, corpus, queries = sys.argv[2], sys.argv[3], json.load(open(sys.argv[4]))
if not (Path(index_dir) / "CURRENT").exists():
    build_index([corpus], index_dir)
out = []
for q in queries:
    hits = search(q["text"], limit=10, index_dir=index_dir, **q["options"])
    out.append([[h.arxiv_id, h.score] for h in hits])
print(json.dumps(out))
"""


def run_engine(code: Path, index_dir: Path, corpus: Path, queries_file: Path) -> list:
    done = subprocess.run([sys.executable, "-c", RUNNER, str(code), str(index_dir), str(corpus), str(queries_file)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def agreement(a: list, b: list) -> dict:
    same = sum(1 for x, y in zip(a, b) if [i for i, _ in x] == [i for i, _ in y])
    same_set = sum(1 for x, y in zip(a, b) if {i for i, _ in x} == {i for i, _ in y})
    diffs = [abs(s - t) / max(abs(s), 1e-12) for x, y in zip(a, b) if [i for i, _ in x] == [i for i, _ in y]
             for (_, s), (_, t) in zip(x, y)]
    return {"queries": len(a), "same_top10": same, "same_set": same_set,
            "max_rel_score_diff": max(diffs, default=0.0)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", required=True, help="git ref of the oracle engine")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "daily_papers_ko" / "paper_logs")
    parser.add_argument("--queries", type=Path, default=SHARED / "eval" / "dev_queries.tsv")
    parser.add_argument("--per-kind", type=int, default=60)
    parser.add_argument("--old-index", type=Path, help="the oracle's index (built here when empty)")
    parser.add_argument("--new-index", type=Path, help="this engine's index (built here when empty)")
    parser.add_argument("--show", action="store_true", help="print the queries whose top 10 differ")
    args = parser.parse_args(argv)

    from search import query
    from search.index import build_index
    from search.params import DEFAULT
    from search.parse import find_dayfiles, merge_papers, read_dayfile

    papers = merge_papers(p for f in find_dayfiles([args.corpus]) for p in read_dayfile(f)).values()
    items = dev_queries(args.queries) + sample(list(papers), args.per_kind)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        queries_file = tmp / "queries.json"
        queries_file.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        code = tmp / "oracle"
        code.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.ref, "search"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        old = run_engine(code, args.old_index or tmp / "old-index", args.corpus, queries_file)
        new_index = args.new_index or tmp / "new-index"
        if not (new_index / "CURRENT").exists():
            build_index([args.corpus], new_index)

        def run(window: int) -> list:
            query.DEFAULT = dataclasses.replace(DEFAULT, window=window)
            out = []
            for q in items:
                hits = query.search(q["text"], limit=10, index_dir=new_index, **q["options"])
                out.append([[h.arxiv_id, h.score] for h in hits])
            return out

        new, unbounded = run(DEFAULT.window), run(10**9)
        query.DEFAULT = DEFAULT
    rows = []
    for kind in ("dev", "ko", "en", "mixed", "phrase", "filtered", "all"):
        pick = [i for i, q in enumerate(items) if kind == "all" or q["kind"] == kind]
        for label, a, b in ((f"oracle {args.ref}", old, new), (f"window {DEFAULT.window} vs all", unbounded, new)):
            found = agreement([a[i] for i in pick], [b[i] for i in pick])
            rows.append([kind, label, found["queries"], found["same_top10"], found["same_set"],
                         f"{found['max_rel_score_diff']:.1e}"])
    print(markdown_table(["queries", "compared with", "n", "same top 10", "same set", "max score diff"], rows))
    if args.show:
        for q, a, b in zip(items, old, new):
            if [i for i, _ in a] != [i for i, _ in b]:
                print(f"\n{q['kind']} {q['text']!r} {q['options']}\n  oracle {[i for i, _ in a]}\n  engine {[i for i, _ in b]}")


if __name__ == "__main__":
    main()
