"""Measurements that need a process of their own, and the code that runs them.

``run.py`` starts ``python probes.py NAME JSON`` and times the whole child: wall seconds from
start to exit, and its peak RSS, which the child reads itself (``VmHWM`` of
``/proc/self/status`` when it is done). ``os.wait4``'s ``ru_maxrss`` is no measure of it: Linux
keeps the high-water mark of the memory the child had before ``exec``, a copy of this harness
(748 MB by the time it had read the x10 texts), so every child seemed to use at least that.
The child prints one JSON line with what it measured inside. The engine is imported inside the
probes only, so the ``floor`` probe never loads it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def spawn(name: str, **params) -> dict:
    """Run probe ``name`` in a fresh interpreter; its JSON plus ``wall_s`` and ``rss_mb``."""
    return spawn_command([sys.executable, str(HERE), name, json.dumps(params)], parse=True)


def spawn_command(command: list[str], parse: bool = False) -> dict:
    """Run ``command`` in a new process: wall seconds, peak RSS, and its JSON output if ``parse``."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-3000:]
            raise RuntimeError(f"{' '.join(command[:4])} … exited with {child.returncode}:\n{tail}")
    result = json.loads(out.decode().strip().splitlines()[-1]) if parse else {}
    # A probe reports its own peak; for other commands ru_maxrss is only an upper bound.
    return {**result, "wall_s": wall, "rss_mb": result.pop("peak_rss_mb", usage.ru_maxrss / 1024)}


def peak_rss_mb() -> float:
    """This process's peak resident memory (its own, from ``exec`` on), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the probes (run in the child) -------------------------------------------------------------


def build(src: str, index_dir: str) -> dict:
    from search.index import build_index

    report = build_index([src], index_dir)
    return {"papers": report.papers, "call_s": report.seconds}


def floor(texts_file: str, options: dict, workers: int) -> dict:
    """Kiwi alone: load it as the engine does and tokenize the texts in one batch."""
    started = time.perf_counter()
    from kiwipiepy import Kiwi

    kiwi = Kiwi(num_workers=workers, **options)
    loaded = time.perf_counter()
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    tokens = sum(len(t) for t in kiwi.tokenize(texts))
    return {"kiwi_load_s": loaded - started, "tokenize_s": time.perf_counter() - loaded, "tokens": tokens}


def update(index_dir: str) -> dict:
    """Load Kiwi first (timed on its own), then bring the index up to date."""
    started = time.perf_counter()
    from search import analysis, index

    imported = time.perf_counter()
    analysis.get_kiwi()
    loaded = time.perf_counter()
    report = index.update_index(index_dir)
    return {
        "import_s": imported - started,
        "kiwi_load_s": loaded - imported,
        "update_s": time.perf_counter() - loaded,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "published": report.published,
    }


def noop(index_dir: str, repeat: int = 0) -> dict:
    """The first update of a fresh process, then ``repeat`` more in the same process."""
    started = time.perf_counter()
    from search import analysis, index

    imported = time.perf_counter()
    calls = []
    for _ in range(repeat + 1):
        began = time.perf_counter()
        report = index.update_index(index_dir)
        calls.append(time.perf_counter() - began)
        if report.published:
            raise SystemExit(f"expected no change, but the update published {report.generation}")
    return {"import_s": imported - started, "first_s": calls[0], "again_s": calls[1:],
            "kiwi_loaded": analysis.kiwi_loaded()}


def queries(index_dir: str, queries_file: str, repeat: int) -> dict:
    """A warm-up pass over every query, then ``repeat`` timed passes: seconds per query and pass.

    The warm-up pass also records each query's match count and whether Kiwi analyzed it (any
    ``analysis.analyze`` call: a word the table does not know, or the corrector's check of an
    unknown word), as opposed to being put together from the index's word table.
    """
    from search import analysis, search

    analyses = [0]
    analyze = analysis.analyze

    def counted(*args, **kwargs):
        analyses[0] += 1
        return analyze(*args, **kwargs)

    analysis.analyze = counted
    items = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    totals, by_kiwi = [], []
    started = time.perf_counter()
    for q in items:
        before = analyses[0]
        totals.append(search(q["text"], limit=10, index_dir=index_dir, **q["options"]).total)
        by_kiwi.append(analyses[0] > before)
    warmup = time.perf_counter() - started
    passes = []
    for _ in range(repeat):
        times = []
        for q in items:
            began = time.perf_counter()
            search(q["text"], limit=10, index_dir=index_dir, **q["options"])
            times.append(time.perf_counter() - began)
        passes.append(times)
    return {"warmup_s": warmup, "passes": passes, "totals": totals, "kiwi": by_kiwi}


PROBES = {"build": build, "floor": floor, "update": update, "noop": noop, "queries": queries}

if __name__ == "__main__":
    name, params = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps({**PROBES[name](**params), "peak_rss_mb": peak_rss_mb()}))
