"""Where does the time go? cProfile of a full build, or of the slowest queries.

    python benchmarks/perf/hotspots.py build                      # the full corpus, about 4 min
    python benchmarks/perf/hotspots.py query --index-dir DIR      # queries at or above p90
    python benchmarks/perf/hotspots.py build --out build.prof     # keep the stats for snakeviz etc.
    python benchmarks/perf/hotspots.py memory --source DIR        # peak RSS of a build, per phase

cProfile sees the Python thread only: time Kiwi spends in its worker threads shows up as
waiting in the main thread (``kiwipiepy`` iterator frames), not as Kiwi's own functions.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import queries as query_set  # noqa: E402
from run import DEV_QUERIES, percentile, table  # noqa: E402


def _where(key) -> str:
    filename, line, func = key
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{func} ({filename}:{line})" if line else func


def hotspots(profile: cProfile.Profile | str, top: int) -> str:
    stats = pstats.Stats(profile).stats
    total = max(ct for _, _, _, ct, _ in stats.values())
    out = []
    for label, index in (("cumulative", 3), ("own", 2)):
        rows = sorted(stats.items(), key=lambda kv: -kv[1][index])[:top]
        out.append(f"top {top} by {label} time (total {total:.1f}s)")
        out.append(table(["function", "calls", "own s", "cum s", "cum %"],
                         [[_where(k), v[1], v[2], v[3], f"{100 * v[3] / total:.0f}%"] for k, v in rows]))
    return "\n\n".join(out)


def profile_build(src: Path, top: int, out: Path | None) -> None:
    from search.index import build_index

    with tempfile.TemporaryDirectory(prefix="papers-prof-") as tmp:
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.runcall(build_index, [src], Path(tmp) / "index")
        print(f"build of {src} under cProfile: {time.perf_counter() - started:.1f}s\n")
    _finish(profile, top, out)


def profile_queries(index_dir: Path | None, per_kind: int, quantile: float, passes: int, top: int,
                    out: Path | None) -> None:
    from search import search
    from search.index import build_index
    from search.parse import parse_sources

    real = list(parse_sources([corpus.FULL]).papers.values())
    items = query_set.dev_queries(DEV_QUERIES) + query_set.sample(real, per_kind, 0)
    with tempfile.TemporaryDirectory(prefix="papers-prof-") as tmp:
        if index_dir is None:
            index_dir = Path(tmp) / "index"
            build_index([corpus.FULL], index_dir)
        for q in items:  # warm-up: opens the index and loads Kiwi
            search(q["text"], index_dir=index_dir, **q["options"])
        times = []
        for q in items:
            began = time.perf_counter()
            search(q["text"], index_dir=index_dir, **q["options"])
            times.append((time.perf_counter() - began) * 1000)
        cut = percentile(times, quantile)
        slow = [q for q, ms in zip(items, times) if ms >= cut]
        print(f"{len(slow)} of {len(items)} queries at or above p{quantile:g} ({cut:.1f} ms), "
              f"profiled over {passes} passes:")
        for q, ms in sorted(zip(items, times), key=lambda t: -t[1])[: len(slow)]:
            print(f"  {ms:6.1f} ms  {q['kind']:<8} {json.dumps(q['text'], ensure_ascii=False)} {q['options'] or ''}")
        print()
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(passes):
            for q in slow:
                search(q["text"], index_dir=index_dir, **q["options"])
        profile.disable()
    _finish(profile, top, out)


def memory_build(src: Path) -> None:
    """Build ``src`` while a thread samples VmRSS every 50 ms; the peak of each phase, in order.

    Phases: ``progress``'s (adding, committing, finishing) and the steps after adding that
    allocate (segment.write, english_words, sounds, words.write, lexicon), each wrapped here.
    """
    import threading

    from search import index, lexicon, loanwords, segments, words

    phase, peaks, started = ["start"], {}, time.perf_counter()

    def sample() -> None:
        while True:
            with open("/proc/self/status") as fh:
                kb = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))
            if kb > peaks.get(phase[0], (0, 0.0))[0]:
                peaks[phase[0]] = (kb, time.perf_counter() - started)
            time.sleep(0.05)

    def labelled(name, fn):
        def run(*args, **kwargs):
            before, phase[0] = phase[0], name
            try:
                return fn(*args, **kwargs)
            finally:
                phase[0] = before
        return run

    segments.SegmentBuilder.write = labelled("segment.write", segments.SegmentBuilder.write)
    index.english_words = labelled("english_words", index.english_words)
    loanwords.Sounds.__init__ = labelled("sounds", loanwords.Sounds.__init__)
    words.Builder.write = labelled("words.write", words.Builder.write)
    lexicon.Lexicon.to_json = labelled("lexicon", lexicon.Lexicon.to_json)

    def progress(done: int, total: int, what: str) -> None:
        phase[0] = what

    threading.Thread(target=sample, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="papers-mem-") as tmp:
        report = index.build_index([src], Path(tmp) / "index", progress=progress)
    phase[0] = "end"
    time.sleep(0.2)
    print(f"build of {src}: {report.papers} papers, {report.seconds:.1f}s; peak RSS per phase (sampled every 50 ms)\n")
    rows = sorted(peaks.items(), key=lambda kv: kv[1][1])
    print(table(["phase", "peak RSS MB", "at s"], [[p, f"{kb / 1024:.0f}", f"{t:.1f}"] for p, (kb, t) in rows]))


def _finish(profile: cProfile.Profile, top: int, out: Path | None) -> None:
    print(hotspots(profile, top))
    if out is not None:
        profile.dump_stats(out)
        print(f"\nstats written to {out}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("build", "query", "memory"))
    parser.add_argument("--source", type=Path, default=corpus.FULL, help="day-files to build from (build)")
    parser.add_argument("--index-dir", type=Path, help="a prebuilt index (query; default: build one of the full corpus)")
    parser.add_argument("--queries-per-kind", type=int, default=60)
    parser.add_argument("--quantile", type=float, default=90.0, help="profile the queries at or above this percentile")
    parser.add_argument("--passes", type=int, default=5, help="passes over the slow queries (query)")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--out", type=Path, help="also write the raw stats here")
    args = parser.parse_args(argv)
    if args.what == "build":
        profile_build(args.source, args.top, args.out)
    elif args.what == "memory":
        memory_build(args.source)
    else:
        profile_queries(args.index_dir, args.queries_per_kind, args.quantile, args.passes, args.top, args.out)


if __name__ == "__main__":
    main()
