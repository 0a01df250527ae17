"""The published generation as a search sees it, opened once and reopened when a newer one is
published: the Whoosh reader (stored fields, spelling), the array form (ranking), the lexicon
tables and the loanword evidence, each loaded on first use."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import numpy as np

from whoosh.filedb import structfile

from . import analysis, lexicon, loanwords, locations, published, words
from .generations import CURRENT
from .arrays import Arrays

#: Seconds a first search waits for another process building the seeds index.
BUILD_WAIT = 300.0
#: Whether a search may build the seeds index at the default location when there is none. Only
#: the ``papers`` command turns it on: the library never writes or prints unless asked.
BUILD_SEEDS_AT_DEFAULT = False
#: Written words whose analyses an opened generation remembers (about 200 bytes each).
MAX_REMEMBERED_WORDS = 20_000
_UNSEEN = object()


class Opened:
    def __init__(self, generation: published.Generation, stamp) -> None:
        self.generation = generation
        self.stamp = stamp
        # A reader, not a searcher: stored fields and terms are all a search reads from Whoosh,
        # and a searcher's module (queries, highlighting) costs a cold process 15 ms to import.
        self.reader = generation.ix.reader()
        self.arrays: Arrays = generation.arrays()
        self._tables: lexicon.Tables | None = None
        self._sounds: loanwords.Sounds | None = None
        self._loanwords: dict[str, loanwords.Loanword | None] = {}
        self._words: words.Table | None = None
        self._known: dict[str, tuple | None] = {}
        self._lock = threading.Lock()

    def tables(self) -> lexicon.Tables:
        if self._tables is None:
            self._tables = self.generation.tables()
        return self._tables

    def word(self, written: str) -> tuple | None:
        """The analysis of a written word in the corpus (see :mod:`search.words`), or None;
        remembered, since queries repeat words and each look-up decodes JSON."""
        found = self._known.get(written, _UNSEEN)
        if found is _UNSEEN:
            if self._words is None:
                self._words = self.generation.words()
            found = self._words.lookup(written)
            if len(self._known) >= MAX_REMEMBERED_WORDS:
                self._known.clear()
            self._known[written] = found
        return found

    def papers(self, word: str) -> set[int]:
        """The live papers whose title or summary contains ``word`` (analyzed like the index)."""
        if not lexicon.is_hangul(word):
            word = analysis.normalize_english(word)
        view = self.arrays
        docs = np.union1d(view.postings("summary", word)[0], view.postings("title", word)[0])
        return set(docs[view.live[docs]].tolist())

    def named(self, english: str) -> tuple[int, int]:
        """How many live papers write the Latin word ``english`` (as the literal view lower-cases
        it) capitalized in their summary, and how many write it there at all: nearly all, for a
        name."""
        view = self.arrays
        written = view.postings("lit_summary", english)[0]
        capitalized = view.postings("names", english)[0]
        return int(view.live[capitalized].sum()), int(view.live[written].sum())

    def loanword(self, korean: str) -> loanwords.Loanword | None:
        """The English word the Hangul ``korean`` transliterates, when the corpus supports it."""
        if korean not in self._loanwords:
            with self._lock:
                if self._sounds is None:
                    self._sounds = self.generation.sounds()
            match = loanwords.best_match(korean, self._sounds, self.papers, self.arrays.live_count, self.named)
            self._loanwords[korean] = match
        return self._loanwords[korean]

    def stored(self, doc: int) -> dict:
        """The stored fields of array document ``doc``."""
        return self.reader.stored_fields(int(self.arrays.whoosh_docs[doc]))

    def document(self, arxiv_id: str) -> dict | None:
        """The stored fields of the live paper ``arxiv_id``, or None (as ``Searcher.document``)."""
        from whoosh.reading import TermNotFound

        try:
            return self.reader.stored_fields(self.reader.first_id("arxiv_id", arxiv_id))
        except TermNotFound:
            return None

    def close(self) -> None:
        self.reader.close()


class InPlace:
    """``seek``/``tell``/``read`` over a buffer, reading it where it lies.

    Whoosh reads each file of a memory-mapped segment through ``BytesIO(memoryview)``, and
    ``BytesIO`` copies anything but ``bytes``: opening a searcher copied the term and posting
    files, and the first stored document the whole stored-fields column, every page of them read
    and a second copy kept (about 200 MB of a searcher's memory at ten times the corpus). Its
    ``BufferFile`` reads documents and arrays from the buffer itself; only the sequential reads
    come here, and read just what they ask for.
    """

    def __init__(self, buf) -> None:
        self._buf = buf
        self._pos = 0

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._buf)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else self._pos + size
        out = bytes(self._buf[self._pos : end])
        self._pos += len(out)
        return out

    def readinto(self, target) -> int:
        out = self.read(len(target))
        target[: len(out)] = out
        return len(out)

    def readline(self, size: int | None = -1) -> bytes:
        rest = bytes(self._buf[self._pos :]) if size is None or size < 0 else bytes(self._buf[self._pos : self._pos + size])
        cut = rest.find(b"\n")
        return self.read(len(rest) if cut < 0 else cut + 1)

    def close(self) -> None:
        self._buf = None  # BufferFile.close releases the memoryview itself


def _buffer_file_init(self, buf, name=None, onclose=None) -> None:
    """``BufferFile.__init__`` with :class:`InPlace` for its ``BytesIO`` copy."""
    self._buf, self._name, self.onclose = buf, name, onclose
    self.file = InPlace(buf)
    self.is_real = False
    self.is_closed = False


structfile.BufferFile.__init__ = _buffer_file_init


_opened: dict[Path, Opened] = {}
_lock = threading.Lock()


def open_index(index_dir, build_if_missing: bool | None = None) -> Opened:
    """The opened published generation, reopened when a newer one is published.

    A missing index raises :class:`~search.errors.IndexMissingError`, except at the default
    location when ``build_if_missing`` (default: :data:`BUILD_SEEDS_AT_DEFAULT`), where the
    bundled seeds are indexed first, saying so on stderr.

    Publishing replaces the ``CURRENT`` file, so its inode and mtime identify the generation
    even when an index folder is deleted and rebuilt under the same generation names; one
    ``stat`` per search is the whole cost of noticing an update.
    """
    path = locations.resolve_dir(index_dir)
    stamp = _stamp(path)
    if build_if_missing is None:
        build_if_missing = BUILD_SEEDS_AT_DEFAULT
    if stamp is None and build_if_missing and locations.is_builtin(path) and locations.legacy_index_dir() is None:
        from . import index  # the writer: only a first search at the default location needs it

        print(f"papers: no index at {path} yet; building one from the bundled seeds…", file=sys.stderr)
        # Not a rebuild: a process that loses the race waits for the winner, then finds the
        # seeds already indexed and has nothing to do.
        index.update_index(path, wait=BUILD_WAIT)
        stamp = _stamp(path)
    with _lock:
        cached = _opened.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached
        opened = Opened(published.open_generation(path), stamp)
        if cached is not None:
            cached.close()
        _opened[path] = opened
        return opened


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path / CURRENT)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns
