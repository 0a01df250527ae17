"""How fast is the engine? Build, update, query and cold-start times against their floors.

    python benchmarks/perf/run.py                          # seeds and full: about 5 min on 2 CPUs
    python benchmarks/perf/run.py --scales seeds,full,x10  # about 20 min (x10 build 8, its floor 4)
    python benchmarks/perf/run.py --repeat 5 --build-repeat 3 --json benchmarks/perf/results/perf.json

See README.md in this folder for what each number means and the targets.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (str(HERE), str(HERE.parent)):
    if path not in sys.path:
        sys.path.insert(0, path)

import corpus  # noqa: E402
import probes  # noqa: E402
import queries as query_set  # noqa: E402
from tables import markdown_table  # noqa: E402

SCALES = ("seeds", "full", "x10")
DEV_QUERIES = corpus.PROJECT_ROOT.parent / "shared" / "eval" / "dev_queries.tsv"
CLI_QUERY = "멀티모달 벤치마크"
# A query with a word the corpus never writes (the word table cannot cover it: Kiwi analyzes it).
KIWI_QUERY = "멀티모달 벤치마크를 만들어봤습니다"
MB = 1024 * 1024

# The floor of a cold search: start Python, load Kiwi as the engine does, tokenize the query.
FLOOR_CODE = "from kiwipiepy import Kiwi; Kiwi(num_workers={workers}, **{options!r}).tokenize({query!r})"
DEFAULT_KIWI_CODE = "from kiwipiepy import Kiwi; Kiwi().tokenize({query!r})"


def median(values):
    values = list(values)
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile (numpy's default method)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def kiwi_settings() -> tuple[dict, int]:
    """Kiwi's options and worker count exactly as ``search.analysis.get_kiwi`` uses them."""
    from search import analysis

    return dict(analysis.KIWI_OPTIONS), max(1, min(4, os.cpu_count() or 1))


# --- the measurements ------------------------------------------------------------------------


def prepare_scale(name: str, work: Path) -> dict:
    """The scale's source folder, its papers as the engine merges them, and their texts."""
    from search.parse import parse_sources

    started = time.perf_counter()
    if name == "seeds":
        src = corpus.SEEDS
    elif name == "full":
        # Symlinks to the shared corpus, so the same index then serves the update measurement.
        src = corpus.mirror(corpus.FULL, work / "full-src")
    else:
        src = corpus.make_copies(corpus.FULL, work / "x10-src", copies=10)
    parsed = parse_sources([src])
    papers = list(parsed.papers.values())
    texts = [text for p in papers for text in (p.title, p.summary)]
    texts_file = work / f"{name}-texts.json"
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    return {"name": name, "src": src, "papers": len(papers), "chars": sum(map(len, texts)),
            "errors": len(parsed.errors), "texts_file": texts_file,
            "prepare_s": time.perf_counter() - started}


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure_build(scale: dict, runs: int, work: Path) -> tuple[dict, Path]:
    """Builds and Kiwi-only floors, alternated; keeps the last index for the later measurements."""
    options, workers = kiwi_settings()
    builds, floors, index_dir = [], [], None
    for i in range(runs):
        if index_dir is not None:
            shutil.rmtree(index_dir)
        index_dir = work / f"{scale['name']}-index-{i}"
        result = probes.spawn("build", src=str(scale["src"]), index_dir=str(index_dir))
        result["index_mb"] = dir_bytes(index_dir) / MB
        builds.append(result)
        floors.append(probes.spawn("floor", texts_file=str(scale["texts_file"]), options=options, workers=workers))
        print(f"  {scale['name']} build {i + 1}/{runs}: {result['wall_s']:.1f}s, "
              f"floor {floors[-1]['wall_s']:.1f}s", file=sys.stderr)
    build = {k: median(b[k] for b in builds) for k in ("wall_s", "call_s", "rss_mb", "index_mb")}
    floor = {k: median(f[k] for f in floors) for k in ("wall_s", "rss_mb", "kiwi_load_s", "tokenize_s")}
    if builds[-1]["papers"] != scale["papers"]:
        print(f"note: the index holds {builds[-1]['papers']} papers, the parser found {scale['papers']}",
              file=sys.stderr)
    return {"runs": runs, "build": build, "floor": floor, "ratio": build["wall_s"] / floor["wall_s"],
            "all_builds": builds, "all_floors": floors}, index_dir


def measure_queries(index_dir: Path, queries_file: Path, items: list[dict], passes: int) -> dict:
    """Percentiles over queries of each query's median time across the timed passes."""
    result = probes.spawn("queries", index_dir=str(index_dir), queries_file=str(queries_file), repeat=passes)
    per_query = [median(times) * 1000 for times in zip(*result["passes"])]

    def stats(ms):
        return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
                "p99": percentile(ms, 99), "max": max(ms)}

    kinds = {}
    for kind in dict.fromkeys(q["kind"] for q in items):
        kinds[kind] = stats([ms for ms, q in zip(per_query, items) if q["kind"] == kind])
    totals, by_kiwi = result["totals"], result["kiwi"]
    kiwi = [ms for ms, k in zip(per_query, by_kiwi) if k]
    table_only = [ms for ms, k in zip(per_query, by_kiwi) if not k]
    slowest = sorted(zip(per_query, items, totals, by_kiwi), key=lambda t: -t[0])[:5]
    return {"passes": passes, "warmup_s": result["warmup_s"], "rss_mb": result["rss_mb"],
            **stats(per_query), "kinds": kinds,
            "kiwi": stats(kiwi) if kiwi else None, "word_table": stats(table_only) if table_only else None,
            "zero_hits": sum(t == 0 for t in totals),
            "slowest": [{"ms": ms, **q, "total": t, "kiwi": k} for ms, q, t, k in slowest],
            "per_query_ms": per_query, "totals": totals, "by_kiwi": by_kiwi}


def measure_cli(index_dir: Path, runs: int) -> dict:
    """Cold `papers` processes and the two floors, alternated run by run: a query the word table
    covers (Kiwi never created), one it does not (Kiwi analyzes it), `stats` and `show ID`."""
    options, workers = kiwi_settings()
    # An installed package has its bytecode (pip compiles it); a checkout run with
    # PYTHONDONTWRITEBYTECODE set (as on this machine) would otherwise compile every module
    # again in every process, 50-60 ms that no user pays.
    compileall.compile_dir(str(corpus.PROJECT_ROOT / "search"), quiet=1)
    where = ["--index-dir", str(index_dir)]
    commands = {"python -m search": [sys.executable, "-m", "search", "search", CLI_QUERY, *where]}
    script = Path(sys.executable).parent / "papers"
    papers = [str(script)] if script.exists() else [sys.executable, "-m", "search"]
    if script.exists():
        commands["papers (console script)"] = [*papers, "search", CLI_QUERY, *where]
    commands[f"papers search {KIWI_QUERY!r} (needs Kiwi)"] = [*papers, "search", KIWI_QUERY, *where]
    commands["papers stats"] = [*papers, "stats", *where]
    commands["papers show ID"] = [*papers, "show", some_paper(index_dir), *where]
    floor_code = FLOOR_CODE.format(workers=workers, options=options, query=CLI_QUERY)
    commands["floor: Kiwi(engine options)"] = [sys.executable, "-c", floor_code]
    commands["floor: Kiwi()"] = [sys.executable, "-c", DEFAULT_KIWI_CODE.format(query=CLI_QUERY)]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(probes.spawn_command(command)["wall_s"])
    return {"runs": runs, "commands": {name: shlex.join(c) for name, c in commands.items()}, "floor_code": floor_code,
            "median_s": {name: median(t) for name, t in times.items()}, "all_s": times}


def some_paper(index_dir: Path) -> str:
    """The arXiv ID of the first hit for the CLI query (any existing paper would do)."""
    done = subprocess.run([sys.executable, "-m", "search", "search", CLI_QUERY, "--index-dir", str(index_dir),
                           "--json", "--limit", "1"], capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    hits = found["hits"] if isinstance(found, dict) else found
    return hits[0]["arxiv_id"]


def measure_update(scale: dict, pristine: Path, work: Path, runs: int) -> dict:
    """One new day-file added to the full index, then no-op updates, on fresh copies of it."""
    original, new = corpus.add_new_day(corpus.FULL, scale["src"])
    updates, noops = [], []
    for i in range(runs):
        index_dir = work / f"update-{i}"
        shutil.copytree(pristine, index_dir, symlinks=True)
        updates.append(probes.spawn("update", index_dir=str(index_dir)))
        noops.append(probes.spawn("noop", index_dir=str(index_dir)))
        noops[-1]["cli_wall_s"] = probes.spawn_command(
            [sys.executable, "-m", "search", "index", "--index-dir", str(index_dir)])["wall_s"]
        noops[-1]["again_s"] = probes.spawn("noop", index_dir=str(index_dir), repeat=5)["again_s"]
        shutil.rmtree(index_dir)
    return {
        "runs": runs,
        "day_file": f"{original.relative_to(corpus.FULL)} copied as {new.relative_to(scale['src'])}",
        "added": updates[-1]["added"],
        **{k: median(u[k] for u in updates) for k in ("wall_s", "import_s", "kiwi_load_s", "update_s")},
        "noop_wall_s": median(n["wall_s"] for n in noops),
        "noop_cli_wall_s": median(n["cli_wall_s"] for n in noops),
        "noop_first_s": median(n["first_s"] for n in noops),
        "noop_again_s": median(t for n in noops for t in n["again_s"]),
        "noop_loaded_kiwi": any(n["kiwi_loaded"] for n in noops),
    }


# --- output ----------------------------------------------------------------------------------


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    return markdown_table(header, rows, _cell)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return "—"
        return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def engine_fingerprint() -> str:
    """Hash of the engine's sources: others edit them, and a change mid-run mixes two engines."""
    digest = hashlib.sha256()
    root = corpus.PROJECT_ROOT / "search"
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def environment() -> dict:
    import search

    cpu = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) * 1024 for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return {
        "command": "python " + shlex.join(sys.argv),
        "python": platform.python_version(),
        "whoosh3": version("whoosh3"),
        "kiwipiepy": version("kiwipiepy"),
        "click": version("click"),
        "search": search.__version__,
        "stages": [],
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem / 2**30, 1),
        "platform": platform.platform(),
        "load_start": os.getloadavg(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def growth_verdict(rows: list[dict]) -> str:
    """Exponent k in cost ∝ papers^k for each step between scales; 0.85–1.15 counts as linear."""
    def word(k):
        return "linear" if 0.85 <= k <= 1.15 else "sub-linear" if k < 0.85 else "super-linear"

    parts = []
    for a, b in zip(rows, rows[1:]):
        n = math.log(b["papers"] / a["papers"])
        k_build = math.log(b["build_s"] / a["build_s"]) / n
        k_size = math.log(b["index_mb"] / a["index_mb"]) / n
        k_p95 = math.log(b["p95"] / a["p95"]) / n
        parts.append(f"{a['scale']}→{b['scale']}: build ∝ n^{k_build:.2f} ({word(k_build)}), "
                     f"size ∝ n^{k_size:.2f} ({word(k_size)}), query p95 ∝ n^{k_p95:.2f} ({word(k_p95)})")
    return "; ".join(parts)


def report(env: dict, results: dict) -> list[dict]:
    """Print every table; returns the target rows."""
    print(f"command:  {env['command']}")
    print(f"versions: Python {env['python']}, whoosh3 {env['whoosh3']}, kiwipiepy {env['kiwipiepy']}, "
          f"click {env['click']}, search {env['search']}")
    print(f"machine:  {env['cpus']} CPUs ({env['cpu']}), {env['ram_gb']} GB RAM, {env['platform']}")
    print(f"load:     {' '.join(f'{x:.2f}' for x in env['load_start'])} at start, "
          f"{' '.join(f'{x:.2f}' for x in env['load_end'])} at end (1/5/15 min; shared machine)")
    hashes = list(dict.fromkeys(h for _, h in env["stages"]))
    if len(hashes) == 1:
        print(f"engine:   search/*.py sha256 {hashes[0]} (unchanged during the run)")
    else:
        print("engine:   search/*.py CHANGED DURING THE RUN; sha256 at the start of each stage: "
              + ", ".join(f"{stage} {h}" for stage, h in env["stages"]))
    print(f"run:      {env['started']}, {env['total_s'] / 60:.1f} min; medians of --repeat "
          f"{results['repeat']} (builds of full/x10: --build-repeat {results['build_repeat']})")
    scales = results["scales"]
    targets = []

    print("\n1. Full build (fresh process, Kiwi load included) vs. Kiwi alone on the same texts")
    rows = []
    for name, s in scales.items():
        b, f = s["build"]["build"], s["build"]["floor"]
        rows.append([name, s["papers"], s["chars"], s["build"]["runs"], b["wall_s"], s["papers"] / b["wall_s"],
                     s["chars"] / b["wall_s"], b["rss_mb"], b["index_mb"], f["wall_s"], f["kiwi_load_s"],
                     f["rss_mb"], s["build"]["ratio"]])
        targets.append([f"build / floor ({name})", "≤ 1.3", f"{s['build']['ratio']:.2f}", s["build"]["ratio"] <= 1.3])
        if name == "x10":
            targets.append(["peak RSS of the x10 build", "≤ 1536 MB", f"{b['rss_mb']:.0f} MB", b["rss_mb"] <= 1536])
    print(table(["scale", "papers", "chars", "runs", "build s", "papers/s", "chars/s", "peak RSS MB",
                 "index MB", "floor s", "Kiwi load s", "floor RSS MB", "build/floor"], rows))

    for name, u in results.get("updates", {}).items():
        print(f"\n2. Incremental update of the {name} index (fresh process each; {u['day_file']}, "
              f"{u['added']} papers)")
        print(table(["what", "seconds"], [
            ["one new day: update_index() with Kiwi already loaded", u["update_s"]],
            ["  Kiwi load in the same process", u["kiwi_load_s"]],
            ["  import search", u["import_s"]],
            ["  whole process (wall)", u["wall_s"]],
            ["no-op: update_index() in a fresh process", u["noop_first_s"]],
            ["no-op: whole fresh process (wall)", u["noop_wall_s"]],
            ["no-op: `python -m search index` (wall)", u["noop_cli_wall_s"]],
            ["no-op: update_index() again in the same process", u["noop_again_s"]],
        ]))
        if u["noop_loaded_kiwi"]:
            print("note: the no-op update loaded Kiwi")
        limit = 5.0 if name == "x10" else 2.0
        targets.append([f"one-day update ({name}, Kiwi preloaded)", f"≤ {limit:.0f} s + Kiwi load",
                        f"{u['update_s']:.2f} s (+ {u['kiwi_load_s']:.2f} s)", u["update_s"] <= limit])
        if name == "full":
            targets.append(["no-op update, fresh process (wall)", "≤ 0.5 s", f"{u['noop_wall_s']:.2f} s",
                            u["noop_wall_s"] <= 0.5])
            targets.append(["no-op update, in-process call", "≤ 0.5 s", f"{u['noop_again_s']:.3f} s",
                            u["noop_again_s"] <= 0.5])

    print(f"\n3. Warm query latency, one process, ms (median per query over {results['repeat']} passes "
          "after a warm-up pass; search(q, limit=10))")
    rows = []
    for name, s in scales.items():
        q = s["queries"]
        rows.append([name, "all", q["n"], q["p50"], q["p95"], q["p99"], q["max"], q["zero_hits"], q["warmup_s"]])
        for label, key in (("analyzed from the word table", "word_table"), ("analyzed by Kiwi", "kiwi")):
            if q[key]:
                rows.append(["", label, q[key]["n"], q[key]["p50"], q[key]["p95"], q[key]["p99"], q[key]["max"], "", ""])
    print(table(["scale", "queries", "n", "p50", "p95", "p99", "max", "no match", "warm-up pass s"], rows))
    kinds = list(next(iter(scales.values()))["queries"]["kinds"])
    print(table(["p50 / p95 by kind", *kinds],
                [[name, *(f"{s['queries']['kinds'][k]['p50']:.1f} / {s['queries']['kinds'][k]['p95']:.1f}"
                          for k in kinds)] for name, s in scales.items()]))
    for name, s in scales.items():
        slow = "; ".join(f"{q['ms']:.0f} ms {q['kind']} {q['text']!r}" + (f" {q['options']}" if q["options"] else "")
                         + f" ({q['total']} matches{', Kiwi' if q['kiwi'] else ''})"
                         for q in s["queries"]["slowest"][:3])
        print(f"slowest ({name}): {slow}")
    if "full" in scales:
        q = scales["full"]["queries"]
        for label, found in (("dev queries", q["kinds"]["dev"]), ("all queries", q)):
            wanted = (2.0, 8.0, 20.0)
            measured = (found["p50"], found["p95"], found["p99"])
            targets.append([f"query p50 / p95 / p99 (full, {label})", "≤ 2 / 8 / 20 ms",
                            " / ".join(f"{m:.1f}" for m in measured) + " ms",
                            all(m <= w for m, w in zip(measured, wanted))])
    if "x10" in scales:
        q = scales["x10"]["queries"]
        targets.append(["query p95 (x10)", "≤ 25 ms", f"{q['p95']:.1f} ms", q["p95"] <= 25.0])
        targets.append(["warm searcher RSS (x10)", "≤ 600 MB", f"{q['rss_mb']:.0f} MB", q["rss_mb"] <= 600])

    print(f"\n4. Cold CLI: new processes, wall s (median of {results['cli_runs']}, alternated with the floors)")
    rows = []
    for name, s in scales.items():
        c = s["cli"]["median_s"]
        floor = c["floor: Kiwi(engine options)"]
        for command, seconds in c.items():
            ratio = seconds / floor
            rows.append([name, command, seconds, ratio])
            if command in ("python -m search", "papers (console script)"):
                limit = 0.5 if name == "x10" else 0.35
                targets.append([f"cold `{command} search \"{CLI_QUERY}\"` ({name})",
                                f"≤ {limit} s" + ("" if name == "x10" else " and ≤ 0.4× floor"),
                                f"{seconds:.2f} s, {ratio:.2f}×",
                                seconds <= limit and (name == "x10" or ratio <= 0.4)])
            elif "needs Kiwi" in command:
                targets.append([f"cold search needing Kiwi ({name})", "≤ 1.1× floor", f"{ratio:.2f}×", ratio <= 1.1])
            elif not command.startswith("floor"):
                targets.append([f"cold `{command}` ({name})", "≤ 0.3 s", f"{seconds:.2f} s", seconds <= 0.3])
    print(table(["index", "command", "median s", "÷ floor (engine options)"], rows))
    print("floor:    python -c " + json.dumps(next(iter(scales.values()))["cli"]["floor_code"], ensure_ascii=False))

    print("\n5. Scaling")
    rows, previous, growth = [], None, []
    for name, s in scales.items():
        row = {"scale": name, "papers": s["papers"], "build_s": s["build"]["build"]["wall_s"],
               "index_mb": s["build"]["build"]["index_mb"], "p50": s["queries"]["p50"], "p95": s["queries"]["p95"]}
        factors = ["", "", "", "", ""] if previous is None else [
            f"×{row[k] / previous[k]:.1f}" for k in ("papers", "build_s", "index_mb", "p50", "p95")]
        rows.append([name, row["papers"], factors[0], row["build_s"], factors[1], row["index_mb"], factors[2],
                     row["p50"], factors[3], row["p95"], factors[4]])
        growth.append(row)
        previous = row
    print(table(["scale", "papers", "×", "build s", "×", "index MB", "×", "p50 ms", "×", "p95 ms", "×"], rows))
    if len(growth) > 1:
        print("verdict:  " + growth_verdict(growth))

    print("\nTargets")
    print(table(["target", "wanted", "measured", "result"],
                [[t, w, m, "PASS" if ok else "MISS"] for t, w, m, ok in targets]))
    return [{"target": t, "wanted": w, "measured": m, "pass": ok} for t, w, m, ok in targets]


# --- command line ----------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="seeds,full", help=f"comma-separated, from {', '.join(SCALES)}")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the cheap measurements, seeds builds included (default 3; CLI: at least 5)")
    parser.add_argument("--build-repeat", type=int, default=1, help="builds of full and x10 (default 1)")
    parser.add_argument("--queries-per-kind", type=int, default=60, help="drawn queries per kind (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the drawn queries")
    parser.add_argument("--json", type=Path, help="write every number to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpora and indexes")
    args = parser.parse_args(argv)
    args.scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in args.scales if s not in SCALES]
    if unknown or not args.scales:
        parser.error(f"unknown scale {', '.join(unknown)}; choose from {', '.join(SCALES)}")
    args.scales = [s for s in SCALES if s in args.scales]
    if args.repeat < 1 or args.build_repeat < 1:
        parser.error("--repeat and --build-repeat must be at least 1")
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    env = environment()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="papers-perf-"))
    print(f"working in {work}", file=sys.stderr)
    results = {"repeat": args.repeat, "build_repeat": args.build_repeat, "cli_runs": max(5, args.repeat),
               "scales": {}}
    try:
        from search.parse import parse_sources

        # One query set for every scale, drawn from the real corpus, so latencies compare.
        real = list(parse_sources([corpus.FULL]).papers.values())
        items = query_set.dev_queries(DEV_QUERIES) + query_set.sample(real, args.queries_per_kind, args.seed)
        queries_file = work / "queries.json"
        queries_file.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        results["queries"] = items
        def stage(label: str) -> None:
            # Others edit the engine meanwhile: note which version each stage ran with.
            env["stages"].append((label, engine_fingerprint()))
            print(label, file=sys.stderr)

        for name in args.scales:
            stage(f"{name} build")
            scale = prepare_scale(name, work)
            runs = args.repeat if name == "seeds" else args.build_repeat
            scale["build"], index_dir = measure_build(scale, runs, work)
            stage(f"{name} queries")
            scale["queries"] = measure_queries(index_dir, queries_file, items, args.repeat)
            stage(f"{name} CLI")
            scale["cli"] = measure_cli(index_dir, results["cli_runs"])
            if name in ("full", "x10"):
                stage(f"{name} update")
                results.setdefault("updates", {})[name] = measure_update(scale, index_dir, work, args.repeat)
            scale["src"], scale["texts_file"] = str(scale["src"]), str(scale["texts_file"])
            results["scales"][name] = scale
        env["load_end"] = os.getloadavg()
        stage("end")
        env["total_s"] = time.perf_counter() - started
        results["targets"] = report(env, results)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"environment": env, **results}, ensure_ascii=False, indent=2,
                                        default=str), encoding="utf-8")
        print(f"\nnumbers written to {args.json}")


if __name__ == "__main__":
    main()
