"""Run rankers over judged queries and print nDCG@10, MRR@10, Recall@10 and judged@10.

    python benchmarks/relevance/run.py
    python benchmarks/relevance/run.py --rankers engine,bigram --misses misses.txt --json out.json
    python benchmarks/relevance/run.py --rankers engine --sweep-vote-weight 0,0.05,0.1,0.2

See README.md in this folder for what is measured and how to plug in another judged set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = Path(__file__).resolve().parents[2]
for path in (str(HERE), str(HERE.parent), str(PROJECT_ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

import kiwipiepy  # noqa: E402
import whoosh  # noqa: E402

from baselines import BASELINES  # noqa: E402
from engine import load_engine, source_fingerprint  # noqa: E402
from metrics import METRICS, evaluate, jaccard, mean, relevant  # noqa: E402
from tables import markdown_table  # noqa: E402

SHARED = PROJECT_ROOT.parent / "shared"
DEFAULT_QUERIES = SHARED / "eval" / "dev_queries.tsv"
DEFAULT_QRELS = SHARED / "eval" / "dev_qrels.tsv"
DEFAULT_CORPUS = Path(os.environ.get("PAPERS_CORPUS") or SHARED / "corpus" / "daily_papers_ko" / "paper_logs")
CACHE_DIR = HERE / ".cache"
RANKERS = ("engine", *BASELINES)
ALL = "ALL"
VARIANT = "variant"
K = 10


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    type: str


@dataclass
class Run:
    """One ranker's rankings and per-query metrics."""

    name: str
    rankings: dict[str, list[str]]
    scores: dict[str, dict[str, float]]
    notes: list[str] = field(default_factory=list)


# --- judged sets ---------------------------------------------------------------------------


def _rows(path: Path, columns: int) -> list[tuple[int, list[str]]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) < columns:
            sys.exit(f"{path}:{number}: expected {columns} tab-separated columns, got {len(cells)}")
        rows.append((number, cells))
    return rows


def read_queries(path: Path) -> list[Query]:
    """``qid<TAB>query<TAB>type`` lines, in file order."""
    return [Query(*cells[:3]) for _, cells in _rows(path, 3)]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """``qid<TAB>arxiv_id<TAB>grade`` lines as qid -> arxiv_id -> grade."""
    qrels: dict[str, dict[str, int]] = {}
    for number, (qid, arxiv_id, grade, *_) in _rows(path, 3):
        try:
            qrels.setdefault(qid, {})[arxiv_id] = int(grade)
        except ValueError:
            sys.exit(f"{path}:{number}: grade {grade!r} is not an integer")
    return qrels


def variant_pairs(queries: Sequence[Query], qrels) -> list[tuple[Query, Query | None, float]]:
    """Each variant query with the non-variant query whose relevant set overlaps it most."""
    originals = [q for q in queries if q.type != VARIANT]
    pairs = []
    for variant in (q for q in queries if q.type == VARIANT):
        wanted = relevant(qrels.get(variant.qid, {}))
        best, best_score = None, 0.0
        for original in originals:
            score = jaccard(wanted, relevant(qrels.get(original.qid, {})))
            if score > best_score:
                best, best_score = original, score
        pairs.append((variant, best, best_score))
    return pairs


# --- indexes -------------------------------------------------------------------------------


def corpus_fingerprint(corpus: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(corpus)}\t{stat.st_mtime_ns}\t{stat.st_size}\n".encode())
    return digest.hexdigest()


def cache_key(ranker, corpus_print: str) -> str:
    parts = [ranker.name, str(ranker.version), corpus_print, whoosh.versionstring(), kiwipiepy.__version__]
    if ranker.name == "engine":
        parts.append(source_fingerprint())
    return f"{ranker.name}-{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:16]}"


def prepare(ranker, key: str, papers, rebuild: bool) -> str:
    """Open the cached index for ``key`` or build it; returns a note on what was done."""
    slot = CACHE_DIR / key
    done = slot / "COMPLETE"
    if done.exists() and not rebuild:
        ranker.open(slot / "index")
        return f"cached index {slot.relative_to(PROJECT_ROOT)}"
    # Other keys of this ranker are stale builds; keep the cache from growing without bound.
    for old in CACHE_DIR.glob(f"{ranker.name}-*"):
        shutil.rmtree(old, ignore_errors=True)
    slot.mkdir(parents=True)
    started = time.perf_counter()
    ranker.build(papers(), slot / "index")
    done.write_text("")
    return f"built index in {time.perf_counter() - started:.1f}s"


# --- running -------------------------------------------------------------------------------


def run_queries(ranker, queries, qrels, **options) -> Run:
    rankings, scores, times = {}, {}, []
    for query in queries:
        started = time.perf_counter()
        rankings[query.qid] = list(ranker.search(query.text, K, **options))[:K]
        times.append(time.perf_counter() - started)
        scores[query.qid] = evaluate(rankings[query.qid], qrels.get(query.qid, {}), K)
    # The median leaves out one-off costs such as loading Kiwi on the first query.
    median = statistics.median(times) if times else 0.0
    return Run(ranker.name, rankings, scores, [f"median {median * 1000:.1f} ms/query"])


def summarize(run: Run, queries: Sequence[Query], types: Sequence[str]) -> dict[str, dict[str, float]]:
    """Mean of each metric over all queries (ALL) and over each query type."""
    groups = {ALL: queries, **{t: [q for q in queries if q.type == t] for t in types}}
    return {
        group: {m: mean(run.scores[q.qid][m] for q in members) for m in METRICS}
        for group, members in groups.items()
    }


# --- output --------------------------------------------------------------------------------


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    return markdown_table(header, rows, _cell)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "—" if value != value else f"{value:.3f}"
    return str(value)


def environment() -> dict[str, object]:
    try:
        import search

        engine_version = getattr(search, "__version__", "unversioned")
    except ImportError:
        engine_version = "absent"
    return {
        "command": "python " + shlex.join(sys.argv),
        "python": platform.python_version(),
        "whoosh": whoosh.versionstring(),
        "kiwipiepy": kiwipiepy.__version__,
        "search": engine_version,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def _finite(value):
    """``value`` with NaN (the mean of an empty group) as null, so the JSON stays standard."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def write_misses(path: Path, runs, queries, qrels, titles) -> None:
    out = []
    for run in runs:
        out.append(f"==================== {run.name} ====================\n")
        for query in queries:
            grades = qrels.get(query.qid, {})
            score = run.scores[query.qid]["nDCG@10"]
            if score >= 1.0 - 1e-9:
                continue
            ranking = run.rankings[query.qid]
            out.append(f"[{run.name}] {query.qid} ({query.type}) {query.text!r}  nDCG@10={score:.3f}")
            for rank, arxiv_id in enumerate(ranking, start=1):
                grade = grades.get(arxiv_id)
                label = "unjudged" if grade is None else f"grade {grade}"
                out.append(f"  {rank:>2}. {arxiv_id:<11} {label:<8}  {titles.get(arxiv_id, '?')}")
            if not ranking:
                out.append("  (no results)")
            missed = sorted(
                (grade, arxiv_id) for arxiv_id, grade in grades.items() if grade >= 1 and arxiv_id not in ranking
            )
            if missed:
                out.append("  missed:")
                for grade, arxiv_id in sorted(missed, key=lambda m: (-m[0], m[1])):
                    out.append(f"      {arxiv_id:<11} grade {grade}  {titles.get(arxiv_id, '?')}")
            out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


# --- command line --------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="qid<TAB>query<TAB>type file")
    parser.add_argument("--qrels", type=Path, default=DEFAULT_QRELS, help="qid<TAB>arxiv_id<TAB>grade file")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="directory of day-files")
    parser.add_argument("--rankers", default=",".join(RANKERS), help=f"comma-separated, from {', '.join(RANKERS)}")
    parser.add_argument("--json", type=Path, help="write every number to this file")
    parser.add_argument("--misses", type=Path, help="write a readable report of queries with nDCG@10 < 1")
    parser.add_argument("--rebuild", action="store_true", help="rebuild indexes even when cached")
    parser.add_argument("--vote-weight", type=float, help="passed to the engine as search(..., vote_weight=W)")
    parser.add_argument("--no-word-table", action="store_true",
                        help="analyze every query with Kiwi, never from the index's word table")
    parser.add_argument("--sweep-vote-weight", help="comma-separated weights; one engine nDCG@10 row per weight")
    args = parser.parse_args(argv)
    args.rankers = [name.strip() for name in args.rankers.split(",") if name.strip()]
    unknown = [name for name in args.rankers if name not in RANKERS]
    if unknown:
        parser.error(f"unknown ranker {', '.join(unknown)}; choose from {', '.join(RANKERS)}")
    if args.sweep_vote_weight:
        try:
            args.sweep_vote_weight = [float(w) for w in args.sweep_vote_weight.split(",") if w.strip()]
        except ValueError:
            parser.error("--sweep-vote-weight takes comma-separated numbers, e.g. 0,0.05,0.1")
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.no_word_table:
        from search.opened import Opened

        Opened.word = lambda self, written: None
    queries = read_queries(args.queries)
    qrels = read_qrels(args.qrels)
    types = list(dict.fromkeys(q.type for q in queries))
    unjudged = [q.qid for q in queries if not relevant(qrels.get(q.qid, {}))]

    corpus_cache = {}

    def papers():
        if "papers" not in corpus_cache:
            from search.parse import parse_sources

            parsed = parse_sources([args.corpus])
            if parsed.errors:
                print(f"note: {len(parsed.errors)} day-files could not be parsed", file=sys.stderr)
            corpus_cache["papers"] = parsed.papers
        return corpus_cache["papers"].values()

    notes: list[str] = []
    rankers = []
    wanted = list(args.rankers)
    if args.sweep_vote_weight and "engine" not in wanted:
        wanted.insert(0, "engine")
    for name in wanted:
        if name == "engine":
            try:
                rankers.append(load_engine(args.corpus, args.vote_weight))
            except ImportError as error:
                notes.append(f"engine skipped: cannot import it yet ({error})")
        else:
            rankers.append(BASELINES[name]())

    corpus_print = corpus_fingerprint(args.corpus)
    runs = []
    for ranker in rankers:
        prepared = prepare(ranker, cache_key(ranker, corpus_print), papers, args.rebuild)
        run = run_queries(ranker, queries, qrels)
        run.notes.insert(0, prepared)
        runs.append(run)
    summaries = {run.name: summarize(run, queries, types) for run in runs}

    env = environment()
    counts = {t: sum(q.type == t for q in queries) for t in types}
    print(f"command:  {env['command']}")
    print(f"versions: Python {env['python']}, whoosh {env['whoosh']}, kiwipiepy {env['kiwipiepy']}, "
          f"search {env['search']}")
    print(f"machine:  {env['cpus']} CPUs, {env['platform']}")
    print(f"judged:   {args.queries} ({len(queries)} queries: "
          + ", ".join(f"{t} {n}" for t, n in counts.items()) + f"), {args.qrels}")
    print(f"corpus:   {args.corpus}")
    for run in runs:
        print(f"{run.name + ':':<12}{'; '.join(run.notes)}")
    for note in notes + ([f"no relevant judgment (scored 0): {', '.join(unjudged)}"] if unjudged else []):
        print(f"note:     {note}")
    print()

    groups = [ALL, *types]
    if runs:
        print("nDCG@10")
        print(table(["ranker", *groups], [[r.name, *(summaries[r.name][g]["nDCG@10"] for g in groups)] for r in runs]))
        for run in runs:
            print(f"\n{run.name}")
            print(table(["metric", *groups], [[m, *(summaries[run.name][g][m] for g in groups)] for m in METRICS]))

    pairs = variant_pairs(queries, qrels)
    pair_rows = []
    for variant, original, overlap in pairs:
        for run in runs:
            if original is None:
                pair_rows.append([f"{variant.qid} {variant.text}", "(none)", 0.0, run.name, "", "", ""])
                continue
            before = run.scores[original.qid]["nDCG@10"]
            after = run.scores[variant.qid]["nDCG@10"]
            pair_rows.append([f"{variant.qid} {variant.text}", f"{original.qid} {original.text}", overlap,
                              run.name, before, after, after - before])
    if pair_rows:
        print("\nvariants (original = non-variant query with the most overlapping relevant set; gap = variant - original)")
        print(table(["variant", "original", "Jaccard", "ranker", "nDCG orig", "nDCG variant", "gap"], pair_rows))

    sweep = []
    engine = next((r for r in rankers if r.name == "engine"), None)
    if args.sweep_vote_weight:
        if engine is None:
            sys.exit("--sweep-vote-weight needs the engine, which could not be imported")
        for weight in args.sweep_vote_weight:
            run = run_queries(engine, queries, qrels, vote_weight=weight)
            sweep.append({"vote_weight": weight, "summary": summarize(run, queries, types), "per_query": run.scores})
        print("\nengine nDCG@10 by vote weight")
        print(table(["vote_weight", *groups], [[f"{s['vote_weight']:g}", *(s["summary"][g]["nDCG@10"] for g in groups)]
                                               for s in sweep]))

    if args.misses:
        titles = {p.arxiv_id: p.title for p in papers()}
        write_misses(args.misses, runs, queries, qrels, titles)
        print(f"\nmisses written to {args.misses}")
    if args.json:
        report = {
            "environment": env,
            "queries": [q.__dict__ for q in queries],
            "rankers": {
                run.name: {"notes": run.notes, "summary": summaries[run.name], "per_query": run.scores,
                           "rankings": run.rankings}
                for run in runs
            },
            "variant_pairs": [
                {"variant": v.qid, "original": o.qid if o else None, "jaccard": j,
                 "nDCG@10": {run.name: {"original": run.scores[o.qid]["nDCG@10"] if o else None,
                                        "variant": run.scores[v.qid]["nDCG@10"]} for run in runs}}
                for v, o, j in pairs
            ],
            "vote_weight_sweep": sweep,
            "notes": notes,
        }
        args.json.write_text(json.dumps(_finite(report), ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"numbers written to {args.json}")
    for ranker in rankers:
        ranker.close()


if __name__ == "__main__":
    main()
