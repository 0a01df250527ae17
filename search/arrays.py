"""The array form of a generation: everything ranking reads, as memory-mapped numpy arrays.

Whoosh stays the index of record (stored fields, the analyzed vocabulary for spelling); ranking
reads only these arrays, so no posting is ever touched by Python in the query path.

A generation's arrays are a list of immutable *segments*, one file each (``seg-<name>.arr``),
written when the papers they hold are indexed and hard-linked into later generations like the
Whoosh files. Per field a segment holds a sorted term dictionary, and per term its documents
(local numbers) and term frequencies; the positional fields also hold every posting's positions.
Per document it holds the arXiv ID, the exact length of every field, the votes and the date.
``arrays.json`` (one per generation) lists the segments in order and the documents deleted from
each since it was written, so an update deletes by writing a list, never by touching a segment,
and statistics are computed over live documents only: an updated index ranks like a rebuild.

File layout: 8 bytes of magic, 8 bytes of header length, a JSON header naming each array's
dtype, offset and length, then the arrays, 64-byte aligned. Opening maps the file; a query
pays only for the pages of the terms it reads. This module owns the format and reads it;
:mod:`search.segments` writes segments and merges them.
"""

from __future__ import annotations

import json
import math
import os
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from .errors import IndexVersionError

#: Every field. ``grams`` and the literal view exist only here, not in Whoosh; ``names`` (the
#: summary's capitalized Latin words, :func:`search.views.capitalized_words`) is never scored.
FIELDS = ("title", "summary", "authors", "grams", "lit_title", "lit_summary", "names")
POSITIONAL = frozenset({"title", "summary", "authors"})
LISTING = "arrays.json"
#: Per generation: the Whoosh document number of every array document (-1 once deleted).
DOCMAP = "whoosh-docs.npy"
MAGIC = b"PAPARR1\n"
ALIGN = 64
#: Term look-ups remembered per open segment.
MAX_REMEMBERED = 100_000
#: A string list's binary search starts over every SAMPLE-th string, kept in memory.
SAMPLE = 32


# -- the file format -------------------------------------------------------------------------------


def date_number(date: str) -> int:
    """``2024-07-01`` → ``20240701``: dates compare and sort as integers."""
    return int(date.replace("-", "")[:8] or 0)


def string_arrays(name: str, words: list[str]) -> dict[str, np.ndarray]:
    """A list of strings as one UTF-8 blob and the offsets of each string in it (read back by
    :meth:`ArrayFile.strings`)."""
    encoded = [w.encode("utf-8") for w in words]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return {name: np.frombuffer(b"".join(encoded), dtype=np.uint8), name + ".off": offsets}


def gather(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Indices of the slices ``[start, start + count)`` laid end to end, without a Python loop."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    shift = np.repeat(starts - (ends - counts), counts)
    return np.arange(total, dtype=np.int64) + shift


#: Header bytes kept per array when arrays are written as they are made: room for a name of up
#: to 100 characters with its dtype, offset and length.
HEADER_PER_ARRAY = 160


def write_file(path: Path, arrays: dict[str, np.ndarray] | Iterable[tuple[str, np.ndarray]], count: int = 0) -> None:
    """Write named arrays in the layout of the module docstring.

    A dict gets a header of its exact size. ``(name, array)`` pairs from an iterator are written
    as they are made, so the caller need not hold them all (a segment of 55,000 papers: a few
    hundred MB); the header is written last, into room kept for ``count`` arrays, padded with
    spaces (JSON ignores them).
    """
    if isinstance(arrays, dict):
        header: dict[str, list] = {}
        offset = 0
        for name, arr in arrays.items():
            offset = -(-offset // ALIGN) * ALIGN
            header[name] = [arr.dtype.str, offset, int(arr.size)]
            offset += arr.nbytes
        room = len(json.dumps(header).encode())
        arrays = iter(arrays.items())
    else:
        room = HEADER_PER_ARRAY * count
    base = -(-(len(MAGIC) + 8 + room) // ALIGN) * ALIGN
    header, offset = {}, 0
    with open(path, "wb") as fh:
        for name, arr in arrays:
            offset = -(-offset // ALIGN) * ALIGN
            header[name] = [arr.dtype.str, offset, int(arr.size)]
            fh.seek(base + offset)
            fh.write(memoryview(np.ascontiguousarray(arr)).cast("B"))
            offset += arr.nbytes
        head = json.dumps(header).encode()
        if len(head) > room:
            raise ValueError(f"{path.name}: a header of {len(head)} bytes, room for {room}")
        fh.seek(0)
        fh.write(MAGIC + room.to_bytes(8, "little") + head.ljust(room))
        fh.truncate(base + offset)
        fh.flush()
        os.fsync(fh.fileno())


# -- reading ---------------------------------------------------------------------------------------


class _Strings(Sequence):
    """Strings of a blob, indexed without decoding the whole list (for binary search)."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        self.blob, self.offsets = blob, offsets
        self._sample: list[bytes] | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):
        return self.blob[self.offsets[i] : self.offsets[i + 1]].tobytes()

    def find(self, word: str) -> int:
        key = word.encode("utf-8")
        if self._sample is None:
            # Every SAMPLE-th string as bytes: the binary search runs over these in C, then
            # over one block in the map (a step in the map costs a microsecond, not 50 ns).
            self._sample = [self[i] for i in range(0, len(self), SAMPLE)]
        block = bisect_right(self._sample, key) - 1
        if block < 0:
            return -1
        lo = block * SAMPLE
        i = bisect_left(self, key, lo, min(lo + SAMPLE, len(self)))
        return i if i < len(self) and self[i] == key else -1

    def decode(self) -> list[str]:
        text = self.blob.tobytes().decode("utf-8")
        if text.isascii():
            return [text[a:b] for a, b in zip(self.offsets[:-1].tolist(), self.offsets[1:].tolist())]
        return [self[i].decode("utf-8") for i in range(len(self))]


class ArrayFile:
    """A memory-mapped file of named arrays (the layout in the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._map = np.memmap(path, dtype=np.uint8, mode="r")
            if self._map[: len(MAGIC)].tobytes() != MAGIC:
                raise ValueError("not an array file")
            size = int.from_bytes(self._map[len(MAGIC) : len(MAGIC) + 8].tobytes(), "little")
            start = len(MAGIC) + 8
            self._header = json.loads(self._map[start : start + size].tobytes())
            self._base = -(-(start + size) // ALIGN) * ALIGN
        except (OSError, ValueError) as exc:
            raise IndexVersionError(f"{path.name}: {getattr(exc, 'strerror', None) or exc}") from None
        self._cache: dict[str, object] = {}

    def array(self, name: str) -> np.ndarray:
        found = self._cache.get(name)
        if found is None:
            dtype, offset, count = self._header[name]
            found = np.frombuffer(self._map, dtype=np.dtype(dtype), count=count, offset=self._base + offset)
            self._cache[name] = found
        return found

    def strings(self, name: str) -> _Strings:
        key = name + "/strings"
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = _Strings(self.array(name), self.array(name + ".off"))
        return found


class Segment(ArrayFile):
    """One segment file."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._ranges: dict[tuple[str, str], tuple[int, int] | None] = {}
        self.size = len(self.array("votes"))

    def lookup(self, field: str, term: str) -> tuple[int, int] | None:
        """The posting range of ``term`` in ``field``, or None (remembered: queries repeat words)."""
        key = (field, term)
        if key in self._ranges:
            return self._ranges[key]
        i = self.strings(field + ".terms").find(term)
        found = None
        if i >= 0:
            ptr = self.array(field + ".ptr")
            found = int(ptr[i]), int(ptr[i + 1])
        if len(self._ranges) >= MAX_REMEMBERED:
            self._ranges.clear()
        self._ranges[key] = found
        return found

    def ids(self) -> list[str]:
        return self.strings("ids").decode()


def read_listing(path: Path) -> list[dict]:
    """The segments of the generation at ``path``, in order, with their deleted documents."""
    try:
        data = json.loads((path / LISTING).read_text(encoding="utf-8"))
        segments = data["segments"]
        if not all(isinstance(s.get("name"), str) and isinstance(s.get("deleted"), list) for s in segments):
            raise ValueError("not a list of segments")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexVersionError(f"{LISTING}: {getattr(exc, 'strerror', None) or exc}") from None
    return segments


def write_listing(path: Path, segments: list[dict], whoosh_ids: Sequence[str]) -> None:
    """Write the generation's segment list and the map from array documents to the Whoosh
    documents (``whoosh_ids``: the arXiv ID of each Whoosh document number, None if deleted)."""
    with open(path / LISTING, "w", encoding="utf-8") as fh:
        json.dump({"segments": segments}, fh, separators=(",", ":"))
    number = {arxiv_id: n for n, arxiv_id in enumerate(whoosh_ids) if arxiv_id is not None}
    docmap = []
    for entry in segments:
        dead = set(entry["deleted"])
        ids = Segment(path / f"seg-{entry['name']}.arr").ids()
        docmap.extend(-1 if i in dead else number[a] for i, a in enumerate(ids))
    (path / DOCMAP).unlink(missing_ok=True)  # a hard link to the previous generation's map
    np.save(path / DOCMAP, np.asarray(docmap, dtype=np.int64))


# -- the opened arrays of one generation ------------------------------------------------------------


#: Whoosh's one-byte field lengths (the norms Lucene also quantizes): scores match Whoosh's own.
_QUANTIZED = np.array([byte_to_length(length_to_byte(n)) for n in range(1024)], dtype=np.float64)


def quantized(lengths: np.ndarray) -> np.ndarray:
    small = np.minimum(lengths, len(_QUANTIZED) - 1)
    out = _QUANTIZED[small]
    big = lengths >= len(_QUANTIZED)
    if big.any():
        out[big] = [byte_to_length(length_to_byte(int(n))) for n in lengths[big]]
    return out


class Arrays:
    """The segments of one generation seen as one collection, documents numbered in order."""

    def __init__(self, path: Path) -> None:
        listing = read_listing(path)
        self.segments = [Segment(path / f"seg-{s['name']}.arr") for s in listing]
        sizes = [seg.size for seg in self.segments]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.size = int(self.offsets[-1])
        self.live = np.ones(self.size, dtype=bool)
        for offset, entry in zip(self.offsets, listing):
            if entry["deleted"]:
                self.live[offset + np.asarray(entry["deleted"], dtype=np.int64)] = False
        self.live_count = int(self.live.sum())
        self.votes = self._column("votes")
        self.dates = self._column("dates")
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}
        self._ids: list[str] | None = None
        try:
            self.whoosh_docs = np.load(path / DOCMAP, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexVersionError(f"{DOCMAP}: {getattr(exc, 'strerror', None) or exc}") from None
        if len(self.whoosh_docs) != self.size:
            raise IndexVersionError(f"{DOCMAP}: {len(self.whoosh_docs)} documents, the segments hold {self.size}")

    def _column(self, name: str) -> np.ndarray:
        if len(self.segments) == 1:
            return self.segments[0].array(name)
        return np.concatenate([seg.array(name) for seg in self.segments]) if self.segments else np.zeros(0, np.int32)

    def lengths(self, field: str) -> tuple[np.ndarray, float]:
        """Every document's (quantized) length in ``field`` and the mean exact length of live ones."""
        found = self._lengths.get(field)
        if found is None:
            exact = self._column(f"{field}.len").astype(np.int64)
            mean = float(exact[self.live].sum()) / self.live_count if self.live_count else 0.0
            found = self._lengths[field] = (quantized(exact), mean or 1.0)
        return found

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(documents, term frequencies) of ``term`` in ``field``, deleted documents included."""
        if len(self.segments) == 1:  # the common case, without the lists
            found = self.segments[0].lookup(field, term)
            if found is None:
                return np.zeros(0, np.int64), np.zeros(0, np.float64)
            a, b = found
            seg = self.segments[0]
            return seg.array(field + ".doc")[a:b].astype(np.int64), seg.array(field + ".tf")[a:b].astype(np.float64)
        docs, tfs = [], []
        for seg, offset in zip(self.segments, self.offsets):
            found = seg.lookup(field, term)
            if found is not None:
                a, b = found
                docs.append(seg.array(field + ".doc")[a:b] + offset)
                tfs.append(seg.array(field + ".tf")[a:b].astype(np.float64))
        if not docs:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        if len(docs) == 1:
            return docs[0], tfs[0]
        return np.concatenate(docs), np.concatenate(tfs)

    def positions(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(documents, where each posting's positions start, how many, positions) of ``term``.

        With one segment holding the term, the positions are the segment's own mapped array,
        never copied; the caller gathers only the postings it needs.
        """
        if len(self.segments) == 1:
            found = self.segments[0].lookup(field, term)
            if found is None:
                empty = np.zeros(0, np.int64)
                return empty, empty, empty, empty
            a, b = found
            seg = self.segments[0]
            pptr = seg.array(field + ".pptr")[a : b + 1].astype(np.int64)  # stored narrow (see narrow)
            return seg.array(field + ".doc")[a:b].astype(np.int64), pptr[:-1], np.diff(pptr), seg.array(field + ".pos")
        docs, starts, counts, where = [], [], [], []
        base = 0
        for seg, offset in zip(self.segments, self.offsets):
            found = seg.lookup(field, term)
            if found is not None:
                a, b = found
                pptr = seg.array(field + ".pptr")[a : b + 1].astype(np.int64)
                docs.append(seg.array(field + ".doc")[a:b] + offset)
                counts.append(np.diff(pptr))
                starts.append(pptr[:-1] - pptr[0] + base)
                where.append(seg.array(field + ".pos")[pptr[0] : pptr[-1]])
                base += int(pptr[-1] - pptr[0])
        if not docs:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty, empty
        if len(docs) == 1:
            return docs[0], starts[0], counts[0], where[0]
        return np.concatenate(docs), np.concatenate(starts), np.concatenate(counts), np.concatenate(where)

    def doc_frequency(self, field: str, docs: np.ndarray) -> int:
        return int(np.count_nonzero(self.live[docs]))

    def idf(self, field: str, term: str) -> float:
        """Whoosh's BM25 idf, ``log(N / (df + 1)) + 1``, over live documents."""
        df = self.doc_frequency(field, self.postings(field, term)[0])
        return math.log(self.live_count / (df + 1)) + 1 if self.live_count else 0.0

    def arxiv_id(self, doc: int) -> str:
        if self._ids is None:
            self._ids = [i for seg in self.segments for i in seg.ids()]
        return self._ids[doc]

    def words(self, fields: Iterable[str], keep=lambda word: True, prefix: str = "",
              span: tuple[str, str] | None = None) -> dict[str, int]:
        """Every term of ``fields`` that starts with ``prefix`` (or, with ``span`` (low, high),
        lies from ``low`` up to but not including ``high``) and that ``keep`` accepts, with its
        live document count summed over the fields (terms of deleted documents only are left out).

        A prefix or a span is a range of each sorted term dictionary (UTF-8 bytes sort as code
        points do), found by binary search, so ``lo*`` reads only the terms it names.
        """
        counts: dict[str, int] = {}
        key = prefix.encode("utf-8")
        for seg, offset in zip(self.segments, self.offsets):
            live = self.live[offset : offset + seg.size]
            for field in fields:
                terms = seg.strings(field + ".terms")
                if span is not None:
                    lo = bisect_left(terms, span[0].encode("utf-8"))
                    hi = bisect_left(terms, span[1].encode("utf-8"), lo)
                elif key:
                    # No UTF-8 byte is 0xff: every term that starts with the prefix sorts below key + ff.
                    lo, hi = bisect_left(terms, key), bisect_left(terms, key + b"\xff")
                else:
                    lo, hi = 0, len(terms)
                if lo >= hi:
                    continue
                start, end = int(terms.offsets[lo]), int(terms.offsets[hi])
                words = _Strings(terms.blob[start:end], terms.offsets[lo : hi + 1] - start).decode()
                ptr = seg.array(field + ".ptr")[lo : hi + 1]
                alive = np.concatenate([[0], np.cumsum(live[seg.array(field + ".doc")[ptr[0] : ptr[-1]]])])
                df = alive[ptr[1:] - ptr[0]] - alive[ptr[:-1] - ptr[0]]  # live postings of each term
                for i in np.flatnonzero(df).tolist():
                    word = words[i]
                    if keep(word):
                        counts[word] = counts.get(word, 0) + int(df[i])
        return counts
