"""Replay the upstream repository's history through incremental updates and time each one.

    python benchmarks/updates/replay.py --repo PATH/TO/daily_papers_ko [--first N] [--last N]

``--repo`` is a clone of l-yohai/daily_papers_ko with its history. Each commit that touches
``paper_logs/`` is checked out into a scratch clone and indexed with ``update_index`` in this
process (Kiwi loaded once, as with ``papers index --every``); one line per update, then the
worst updates and the Whoosh segment counts. The scratch folders are removed at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from search import analysis, index  # noqa: E402


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--first", type=int, default=0, help="skip this many commits")
    parser.add_argument("--last", type=int, default=None, help="stop after this commit number")
    args = parser.parse_args()
    commits = git(args.repo, "log", "--reverse", "--format=%H", "--", "paper_logs").split()[args.first:args.last]
    analysis.get_kiwi()
    times = []
    with tempfile.TemporaryDirectory(prefix="replay-") as scratch:
        work, ix = Path(scratch) / "repo", Path(scratch) / "ix"
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(args.repo), str(work)], check=True)
        for n, commit in enumerate(commits, args.first):
            git(work, "checkout", "-q", "-f", commit)
            logs = work / "paper_logs"
            started = time.monotonic()
            try:
                report = index.update_index(ix, sources=[logs], allow_shrink=True)
            except Exception as exc:  # a commit without parseable papers, say
                print(f"{n:4d} {commit[:8]} failed: {exc}", flush=True)
                continue
            took = time.monotonic() - started
            segments = len(index.open_generation(ix).ix._segments())
            searchable = report.searchable_after or 0.0
            times.append((took, n, commit[:8], searchable, report.added, report.updated, report.removed, report.papers,
                          segments))
            print(f"{n:4d} {commit[:8]} {took:6.2f}s (searchable after {searchable:5.2f}s)  +{report.added} ~{report.updated} -{report.removed} "
                  f"= {report.papers} papers, {segments} Whoosh segments", flush=True)
    updates = [t for t in times if t[1] != times[0][1]]
    print("\nworst updates (s, step, commit, searchable after s, added, updated, removed, papers, segments):")
    for row in sorted(updates, reverse=True)[:5]:
        print("  ", row)
    if updates:
        ordered = sorted(t[0] for t in updates)
        print(f"median {ordered[len(ordered) // 2]:.2f}s, max {ordered[-1]:.2f}s over {len(updates)} updates; "
              f"papers searchable after at most {max(t[3] for t in updates):.2f}s")


if __name__ == "__main__":
    main()
