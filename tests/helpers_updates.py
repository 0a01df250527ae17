"""Shared helpers of test_updates.py: corpora built from the seeds, processes, polling."""

from __future__ import annotations

import datetime
import os
import pty
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from search import index

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

ENTRY = """### [{title}](https://arxiv.org/abs/{arxiv_id})

Vote: {votes}

Authors: Ann Example, Bo Kim

- **What's New**: {summary}
"""


def day(date: str, *papers: str | dict) -> str:
    """A day-file of ``papers``: arXiv ids, or dicts with arxiv_id and any of title, votes, summary.

    The default summary glosses a term, so the lexicon has counts to compare.
    """
    entries = []
    for paper in papers:
        paper = {"arxiv_id": paper} if isinstance(paper, str) else paper
        fields = {"title": f"Paper {paper['arxiv_id']}", "votes": 1,
                  "summary": f"대형 언어 모델(LLMs)로 {paper['arxiv_id']} 문제를 풉니다.", **paper}
        entries.append(ENTRY.format(**fields))
    return f"## Daily Papers ({date})\n\n" + "\n".join(entries)


_ID = re.compile(r"(?<=arxiv\.org/abs/)\d{4}\.\d{4,5}")


def copy_seeds(dest: Path, copies: int, first: int = 0) -> list[Path]:
    """Write ``copies`` copies of the seed day-files under ``dest/YYYY/MM/DD.md``, each copy with
    its own dates and arXiv ids (``{copy+1:04d}.{n:05d}``), so every copy adds new papers."""
    written = []
    start = datetime.date(2020, 1, 1)
    seeds = sorted(SEEDS.glob("*.txt"))
    for copy in range(first, first + copies):
        ids: dict[str, str] = {}
        for n, seed in enumerate(seeds):
            text = seed.read_text(encoding="utf-8")
            for old in _ID.findall(text):
                ids.setdefault(old, f"{copy + 1:04d}.{len(ids):05d}")
            text = re.sub(r"\d{4}\.\d{4,5}", lambda m: ids.get(m.group(), m.group()), text)
            date = start + datetime.timedelta(days=copy * len(seeds) + n)
            text = re.sub(r"## Daily Papers \([^)]*\)", f"## Daily Papers ({date.isoformat()})", text)
            path = dest / f"{date:%Y/%m/%d}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def papers_cmd(*args: str, stderr=subprocess.STDOUT) -> subprocess.Popen:
    """Start ``python -m search ARGS`` with stderr merged into its stdout pipe (by default)."""
    return subprocess.Popen(
        [sys.executable, "-m", "search", *args], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=stderr,
    )


def python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    """Start ``python -c CODE ARGS`` with stdout and stderr merged into one text pipe."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs,
    )


class Lines:
    """Collects a process's output lines in a thread, so tests can wait for one without blocking."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.seen: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        """The next line matching ``pattern``; fails after ``timeout`` seconds or at EOF."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in {timeout}s; last lines {self.seen[-5:]}") from None
            if line is None:
                self._queue.put(None)
                raise AssertionError(f"process ended before {pattern!r}; last lines {self.seen[-5:]}")
            self.seen.append(line)
            if re.search(pattern, line):
                return line

    def rest(self, timeout: float = 30) -> list[str]:
        """Every remaining line, once the process has ended."""
        self.proc.wait(timeout)
        while True:
            line = self._queue.get(timeout=timeout)
            if line is None:
                return self.seen
            self.seen.append(line)


class Terminal:
    """A pseudo-terminal to give a child as stderr; keeps what the child draws on it."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.text = ""

    def start(self) -> None:
        """Start reading (call after the child has started; closes the parent's copy of the slave)."""
        os.close(self.slave)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO once the child is gone
                break
            if not chunk:
                break
            self.text += chunk.decode("utf-8", "replace")

    def percent(self) -> int:
        """The last percentage a progress bar showed, or -1."""
        found = re.findall(r"(\d+)%", self.text)
        return int(found[-1]) if found else -1


def wait_until(condition, timeout: float = 30, interval: float = 0.01, what: str = "condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(interval)
    raise AssertionError(f"{what} not reached in {timeout}s")


def writing(ix: Path):
    """The tmp generation of a writer that has opened its Whoosh writer, else None."""
    for tmp in ix.glob("tmp-gen-*"):
        if (tmp / "MAIN_WRITELOCK").exists():
            return tmp
    return None


def kill(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, sig)
    proc.wait(30)


def documents(ix: Path) -> dict[str, dict]:
    """Every stored document of the published generation, by arXiv id."""
    gen = index.open_generation(ix)
    with gen.ix.searcher() as searcher:
        return {doc["arxiv_id"]: doc for doc in searcher.all_stored_fields()}


def generation_files(ix: Path) -> dict[str, bytes]:
    """The content of every file of the published generation, by name."""
    gen = index.open_generation(ix)
    return {p.name: p.read_bytes() for p in gen.path.iterdir()}
