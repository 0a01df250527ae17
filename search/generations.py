"""The generation folders of an index on disk: naming, locking, publishing and removing them.

An index folder holds numbered generations (``gen-000042/``), a ``CURRENT`` file naming the
published one, and a ``.lock`` held by the one writer. A generation is written under a temporary
name, fsynced, renamed and only then published by replacing ``CURRENT``, so a reader always sees
a whole generation and a killed writer leaves debris that the next writer removes. What goes
inside a generation is :mod:`search.index`'s business.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexLockedError, IndexVersionError

CURRENT = "CURRENT"
LOCK = ".lock"
#: The sources a first build was asked for, written before anything else, so a build that is
#: killed or fails does not leave the next `papers index` to guess (it would index the seeds).
REQUESTED = "sources.json"


def current_name(index_dir: Path) -> str | None:
    """Name of the published generation, or None when nothing was ever published."""
    try:
        return (index_dir / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def read_part(path: Path, part: str) -> dict:
    """One JSON file of a generation; a missing or unreadable one means a damaged index."""
    try:
        data = read_json(path / part)
    except (OSError, ValueError) as exc:
        raise damaged(path, f"{part}: {getattr(exc, 'strerror', None) or exc}") from None
    if not isinstance(data, dict):
        raise damaged(path, f"{part}: not a JSON object")
    return data


def damaged(path: Path, reason: str) -> IndexVersionError:
    reason = " ".join(reason.split())
    return IndexVersionError(
        f"the index at {path.parent} is damaged ({path.name}/{reason}); "
        "rebuild it with `papers index --rebuild`"
    )


def writer_running(index_dir: Path) -> bool:
    """Whether a `papers index` is writing now: the holder it records in the lock file (cleared
    when it finishes) is a live process. Asking never takes the lock from a writer."""
    try:
        holder = (index_dir / LOCK).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    found = re.match(r"pid (\d+) ", holder)
    if not found or int(found[1]) == os.getpid():
        return False
    try:
        os.kill(int(found[1]), 0)
    except ProcessLookupError:
        return False  # killed: the kernel released its lock
    except OSError:
        pass  # another user's process
    return True


@contextmanager
def writer_lock(index_dir: Path, wait: float = 0.0):
    """Hold the index's writer lock; a lock left by a killed process is released by the kernel."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
                    waited = f" (waited {wait:g}s)" if wait else ""
                    raise IndexLockedError(
                        f"another `papers index` ({holder}) is updating {index_dir}{waited}; "
                        "try again when it has finished, or wait for it with --wait SECONDS"
                    ) from None
                time.sleep(0.1)
        # Written over the old text and then cut, so a waiter never reads an empty holder.
        holder = f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode()
        os.pwrite(fd, holder, 0)
        os.ftruncate(fd, len(holder))
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


@contextmanager
def new_generation(index_dir: Path, name: str):
    """The folder of a new generation, written under a temporary name and published as ``name``
    when the block ends; removed if the block raises (also on SIGTERM/Ctrl-C; whatever this
    leaves, the next writer removes)."""
    tmp = index_dir / f"tmp-{name}-{os.getpid()}"
    tmp.mkdir()
    try:
        yield tmp
        fsync_tree(tmp)
        os.rename(tmp, index_dir / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    publish(index_dir, name)


def share_files(src: Path, dst: Path) -> None:
    """Hard-link the Whoosh files of a published generation (copy where links are impossible)."""
    for item in src.iterdir():
        if item.suffix == ".json" or "LOCK" in item.name or not item.is_file():
            continue
        try:
            os.link(item, dst / item.name)
        except OSError:
            shutil.copy2(item, dst / item.name)


def number(path: Path) -> int | None:
    return int(path.name[4:]) if path.name.startswith("gen-") and path.name[4:].isdigit() else None


def next_number(index_dir: Path) -> int:
    return max((n for p in index_dir.iterdir() if (n := number(p)) is not None), default=0) + 1


def publish(index_dir: Path, name: str) -> None:
    tmp = index_dir / f"{CURRENT}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    fsync_dir(index_dir)


def remove_debris(index_dir: Path) -> None:
    """Remove what a killed writer left behind (only called while holding the lock).

    That is its ``tmp-*`` directory, a ``CURRENT.tmp-*`` file, and a generation it renamed
    into place but was killed before publishing (numbered above the published one). Without a
    valid ``CURRENT`` no generation is removed here: they may still tell which sources to use.
    """
    name = current_name(index_dir)
    published = number(index_dir / name) if name else None
    for item in index_dir.iterdir():
        found = number(item)
        unpublished = found is not None and published is not None and found > published
        if item.name.startswith(("tmp-", f"{CURRENT}.tmp", f"{REQUESTED}.tmp")) or unpublished:
            if item.is_dir():
                shutil.rmtree(item, ignore_errors=True)
            else:
                item.unlink(missing_ok=True)


def remove_old_generations(index_dir: Path, keep: set[str | None]) -> None:
    """Remove every generation but the new one and the one published before it."""
    for path in index_dir.iterdir():
        if number(path) is not None and path.name not in keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def fsync_tree(path: Path) -> None:
    for item in path.iterdir():
        fd = os.open(item, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fsync_dir(path)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_json(path: Path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def write_json_atomically(path: Path, data) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    write_json(tmp, data)
    os.replace(tmp, path)


def write_json(path: Path, data) -> None:
    # dumps, not dump: only the one-shot encoder is the C one (a lexicon of 55,000 papers: 1 s in Python).
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def index_size(path: Path) -> int:
    """Bytes on disk of one generation."""
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
