"""How many requests a second does ``papers serve`` answer, and how fast, with 8 concurrent clients?

    python benchmarks/load/run.py --index-dir /tmp/full-index              # 8 clients, ≤ 2000 requests, ≤ 60 s
    python benchmarks/load/run.py --index-dir DIR --workers 2 --clients 16 --requests 4000 --seconds 120

Starts ``papers serve`` on a free loopback port over the given index (or uses ``--url``, which
must be a loopback address), warms it with one pass of the queries, then runs ``--clients``
threads, each with its own keep-alive HTTP client, until ``--requests`` requests are answered or
``--seconds`` have passed. The mix is drawn with a fixed seed from the dev queries of
``../shared/eval`` (or a built-in list): 70 % searches, 15 % searches as typed (the last word cut
short, ``prefix=1``), 10 % related papers, 5 % the newest papers (an empty query). Prints
requests/s and latency percentiles overall and per kind, with the command, versions and machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import socket
import subprocess
import sys
import threading
import time
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlparse

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
from tables import markdown_table  # noqa: E402

DEV_QUERIES = ROOT.parent / "shared" / "eval" / "dev_queries.tsv"
BUILT_IN = ["멀티모달 벤치마크", "LoRA 미세 조정", "diffusion model", "음성 합성", "강화학습 추론", "비디오 생성",
            "mixture of experts", "코드 생성 에이전트", "3D gaussian splatting", "환각 감소"]
KINDS = (("search", 0.70), ("typing", 0.15), ("related", 0.10), ("latest", 0.05))
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def queries(path: Path) -> list[str]:
    if not path.is_file():
        return BUILT_IN
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [row[1] for row in rows if len(row) > 1 and row[1].strip()]


def typed(query: str, rng: random.Random) -> str:
    """The query as it looks while its last word is being typed."""
    words = query.split()
    last = words[-1]
    cut = max(1, len(last) - rng.randint(1, max(1, len(last) // 2)))
    return " ".join(words[:-1] + [last[:cut]])


def requests_mix(texts: list[str], ids: list[str], count: int, seed: int = 13) -> list[tuple[str, str, dict]]:
    rng = random.Random(seed)
    kinds, weights = zip(*KINDS)
    out = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        if kind == "search":
            out.append((kind, "/api/search", {"q": rng.choice(texts)}))
        elif kind == "typing":
            out.append((kind, "/api/search", {"q": typed(rng.choice(texts), rng), "prefix": "1"}))
        elif kind == "related":
            out.append((kind, f"/api/papers/{rng.choice(ids)}/related", {"limit": "5"}))
        else:
            out.append((kind, "/api/search", {"q": ""}))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def start_server(index_dir: str, workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen([sys.executable, "-m", "search", "serve", "--port", str(port), "--index-dir", index_dir,
                                "--workers", str(workers)],
                               cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/health", timeout=5).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("papers serve did not start in 180 s")


def run_load(url: str, plan: list[tuple[str, str, dict]], clients: int, seconds: float) -> tuple[list, float]:
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    cursor = iter(range(len(plan)))
    stop_at = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                kind, path, params = plan[i]
                started = time.perf_counter()
                status = http.get(path, params=params).status_code
                elapsed = time.perf_counter() - started
                with lock:
                    results.append((kind, elapsed * 1000, status))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", default=os.environ.get("PAPERS_INDEX_DIR"), help="index to serve")
    parser.add_argument("--url", help="an already running server on a loopback address, instead of starting one")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="server processes (papers serve --workers)")
    parser.add_argument("--requests", type=int, default=2000, help="at most this many requests (default 2000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="and at most this long (default 60)")
    parser.add_argument("--queries", type=Path, default=DEV_QUERIES)
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 1 <= args.requests <= 100_000 or not 0 < args.seconds <= 600:
        parser.error("bounded runs only: 1-64 clients, at most 100,000 requests and 600 s")
    if args.url and urlparse(args.url).hostname not in LOOPBACK:
        parser.error("--url must be a loopback address (127.0.0.1, localhost, ::1)")
    if not args.url and not args.index_dir:
        parser.error("give --index-dir (or $PAPERS_INDEX_DIR), or --url")

    process = None
    url = args.url
    if url is None:
        process, url = start_server(args.index_dir, args.workers)
    try:
        texts = queries(args.queries)
        with httpx.Client(base_url=url, timeout=60) as http:
            health = http.get("/api/health").json()
            ids = [h["arxiv_id"] for h in http.get("/api/search", params={"q": "", "limit": 100}).json()["hits"]]
            for q in texts:  # warm: first use of a term decodes its postings
                http.get("/api/search", params={"q": q})
        plan = requests_mix(texts, ids, args.requests)
        results, wall = run_load(url, plan, args.clients, args.seconds)
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)

    errors = sum(1 for _, _, status in results if status != 200)
    rows = []
    for kind in ["all", *dict(KINDS)]:
        ms = [m for k, m, _ in results if kind in ("all", k)]
        if ms:
            rows.append([kind, len(ms), f"{percentile(ms, 50):.1f}", f"{percentile(ms, 95):.1f}",
                         f"{percentile(ms, 99):.1f}", f"{max(ms):.1f}"])
    print(f"command: python {shlex.join(sys.argv)}")
    served = f"{args.workers} server process{'es' if args.workers > 1 else ''}" if not args.url else args.url
    print(f"index: {health['papers']} papers ({health['generation']}); {served}; {args.clients} clients; "
          f"{len(results)} requests in {wall:.1f} s = {len(results) / wall:.1f} req/s; {errors} not 200")
    print(f"python {platform.python_version()}, starlette {version('starlette')}, uvicorn {version('uvicorn')}, "
          f"whoosh3 {version('whoosh3')}, kiwipiepy {version('kiwipiepy')}; {os.cpu_count()} CPUs, "
          f"load average at the end {os.getloadavg()[0]:.2f}; {platform.platform()}")
    print(markdown_table(["requests", "count", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows))


if __name__ == "__main__":
    main()
