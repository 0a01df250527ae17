"""Writing the array form: a segment from the documents of an index run, and the updates of a
generation's listing (deleting documents, merging segments), in the layout of
:mod:`search.arrays`, which reads them."""

from __future__ import annotations

import secrets
from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .arrays import FIELDS, POSITIONAL, Segment, date_number, gather, string_arrays, write_file

#: An update adds one segment; past this many, the small ones are merged into one.
MAX_SEGMENTS = 8
#: ... and once this share of a generation's documents is deleted, everything is merged.
MAX_DELETED_SHARE = 0.25


class _FieldBuilder:
    """Postings of one field: every document's term numbers laid end to end (4-8 bytes a term,
    not a string object), turned into arrays at the end with numpy."""

    def __init__(self, positional: bool) -> None:
        self.positional = positional
        self.vocab: dict[str, int] = {}
        self.ids = array("i")
        self.positions = array("i")
        self.lengths = array("i")

    def add(self, terms: Sequence[str], positions: Sequence[int] | None = None) -> None:
        numbers = list(map(self.vocab.get, terms))  # a C loop; new words are rare after a while
        if None in numbers:
            for i, n in enumerate(numbers):
                if n is None:
                    numbers[i] = self.vocab.setdefault(terms[i], len(self.vocab))
        self.ids.extend(numbers)
        if self.positional:
            self.positions.extend(positions)
        self.lengths.append(len(terms))

    def arrays(self, field: str) -> dict[str, np.ndarray]:
        words = sorted(self.vocab)
        rank = np.empty(len(words), dtype=np.int32)
        rank[np.fromiter(map(self.vocab.__getitem__, words), dtype=np.int64, count=len(words))] = np.arange(
            len(words), dtype=np.int32)
        ids = rank[_ints(self.ids)]
        lengths = _ints(self.lengths).astype(np.int64)
        docs = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
        positions, self.ids, self.positions = _ints(self.positions), None, None  # freed as soon as they can be
        # Postings in (term, document, position) order. Terms are added document by document and,
        # within a document, at positions that never decrease for one term (a joined compound
        # takes the position of its first part, reached after every earlier term), so a stable
        # sort by term alone gives that order: one int32 key instead of three int64 ones, a
        # fraction of the time and memory at 55,000 papers. Checked, the three-key sort as fallback.
        order = np.argsort(ids, kind="stable")
        by_term, by_doc = ids[order], docs[order]
        if self.positional:
            where = positions[order]
            if not _ordered(by_term, by_doc, where):
                order = np.lexsort((positions, docs, ids))
                by_term, by_doc, where = ids[order], docs[order], positions[order]
        ids, docs = by_term, by_doc
        del order, by_term, by_doc, positions
        # One posting per (term, document) run.
        starts = np.flatnonzero(np.concatenate([[len(ids) > 0], (ids[1:] != ids[:-1]) | (docs[1:] != docs[:-1])]))
        tfs = np.diff(np.append(starts, len(ids)))
        out = {
            f"{field}.ptr": np.concatenate([[0], np.cumsum(np.bincount(ids[starts], minlength=len(words)))]),
            f"{field}.doc": docs[starts].astype(np.int32),
            f"{field}.tf": narrow(tfs),
            f"{field}.len": lengths.astype(np.int32),
            **string_arrays(field + ".terms", words),
        }
        if self.positional:
            out[f"{field}.pos"] = where.astype(np.int32)
            out[f"{field}.pptr"] = narrow(np.concatenate([[0], np.cumsum(tfs)]))
        return out


def narrow(counts: np.ndarray) -> np.ndarray:
    """Whole, non-negative counts (term frequencies, position pointers) in the smallest unsigned
    type that holds them: frequencies are nearly all below 256, and the postings a warm searcher
    has touched stay in its memory, a quarter of it at ten times the corpus. Readers take the
    type from the file's header and widen what they compute with."""
    top = int(counts.max()) if len(counts) else 0
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return counts.astype(dtype)
    return counts.astype(np.int64)


def _ordered(ids: np.ndarray, docs: np.ndarray, where: np.ndarray) -> bool:
    """Whether positions never decrease within one (term, document)."""
    same = (ids[1:] == ids[:-1]) & (docs[1:] == docs[:-1])
    return not (same & (where[1:] < where[:-1])).any()


def _ints(values: array) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32) if len(values) else np.zeros(0, np.int32)


class SegmentBuilder:
    """Collects analyzed documents and writes them as one segment file."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.votes: list[int] = []
        self.dates: list[int] = []
        self.fields = {f: _FieldBuilder(f in POSITIONAL) for f in FIELDS}

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, arxiv_id: str, votes: int | None, date: str, terms: dict[str, Sequence]) -> None:
        """``terms``: per field, the term texts in order; for a positional field a pair of
        (term texts, their positions)."""
        self.ids.append(arxiv_id)
        self.votes.append(-1 if votes is None else int(votes))
        self.dates.append(date_number(date))
        for field in FIELDS:
            if field in POSITIONAL:
                self.fields[field].add(*terms[field])
            else:
                self.fields[field].add(terms[field])

    def write(self, directory: Path) -> dict:
        """Write the segment into ``directory``; returns its entry for :data:`LISTING`."""
        name = secrets.token_hex(6)
        # Field by field, each builder freed once its arrays are made and those once written:
        # at 55,000 papers, holding them all was the peak of the build.
        write_file(directory / f"seg-{name}.arr", self._arrays(), count=4 + 8 * len(FIELDS))
        return {"name": name, "docs": len(self.ids), "deleted": []}

    def _arrays(self):
        yield "votes", np.asarray(self.votes, dtype=np.int32)
        yield "dates", np.asarray(self.dates, dtype=np.int32)
        yield from string_arrays("ids", self.ids).items()
        for field in FIELDS:
            yield from self.fields.pop(field).arrays(field).items()


# -- updates -----------------------------------------------------------------------------------------


def delete(path: Path, segments: list[dict], arxiv_ids: set[str]) -> list[dict]:
    """The listing with ``arxiv_ids`` marked deleted in whichever segments hold them."""
    if not arxiv_ids:
        return segments
    out = []
    for entry in segments:
        ids = Segment(path / f"seg-{entry['name']}.arr").ids()
        gone = set(entry["deleted"]) | {i for i, a in enumerate(ids) if a in arxiv_ids}
        out.append({**entry, "deleted": sorted(gone)})
    return out


def compact(path: Path, segments: list[dict]) -> list[dict]:
    """Merge segments when there are too many or too much is deleted; returns the new listing.

    The small segments (all but the largest) are merged once there are more than
    :data:`MAX_SEGMENTS`, so one update merges work bounded by what was added since the last
    full merge; everything is merged once :data:`MAX_DELETED_SHARE` of the documents is deleted.
    """
    total = sum(s["docs"] for s in segments)
    deleted = sum(len(s["deleted"]) for s in segments)
    if total and deleted / total >= MAX_DELETED_SHARE and len(segments) > 0:
        return [merge(path, segments)]
    if len(segments) <= MAX_SEGMENTS:
        return segments
    largest = max(range(len(segments)), key=lambda i: segments[i]["docs"])
    small = [s for i, s in enumerate(segments) if i != largest]
    return [segments[largest], merge(path, small)]


def merge(path: Path, segments: list[dict]) -> dict:
    """Write one segment holding the live documents of ``segments``, in order; return its entry."""
    opened = [Segment(path / f"seg-{s['name']}.arr") for s in segments]
    keeps = []
    for seg, entry in zip(opened, segments):
        keep = np.ones(seg.size, dtype=bool)
        keep[np.asarray(entry["deleted"], dtype=np.int64)] = False
        keeps.append(keep)
    # New local numbers: live documents of all segments laid end to end.
    renumber, base = [], 0
    for keep in keeps:
        numbers = np.cumsum(keep) - 1 + base
        renumber.append(np.where(keep, numbers, -1))
        base += int(keep.sum())
    ids = [i for seg, keep in zip(opened, keeps) for i, k in zip(seg.ids(), keep.tolist()) if k]
    arrays = {
        "votes": np.concatenate([seg.array("votes")[keep] for seg, keep in zip(opened, keeps)]),
        "dates": np.concatenate([seg.array("dates")[keep] for seg, keep in zip(opened, keeps)]),
        **string_arrays("ids", ids),
    }
    for field in FIELDS:
        arrays.update(_merge_field(field, opened, keeps, renumber))
    name = secrets.token_hex(6)
    write_file(path / f"seg-{name}.arr", arrays)
    return {"name": name, "docs": len(ids), "deleted": []}


def _merge_field(field: str, opened: list[Segment], keeps, renumber) -> dict[str, np.ndarray]:
    vocabularies = [seg.strings(field + ".terms").decode() for seg in opened]
    words = sorted(set().union(*vocabularies))
    index = {w: i for i, w in enumerate(words)}
    term_ids, docs, tfs, pos_starts, pos_counts = [], [], [], [], []
    for n, (seg, vocab, new) in enumerate(zip(opened, vocabularies, renumber)):
        ptr = seg.array(field + ".ptr")
        local = np.asarray([index[w] for w in vocab], dtype=np.int64)
        owner = np.repeat(local, np.diff(ptr))
        doc = new[seg.array(field + ".doc")]
        alive = doc >= 0
        term_ids.append(owner[alive])
        docs.append(doc[alive])
        tfs.append(seg.array(field + ".tf")[alive])
        if field in POSITIONAL:
            pptr = seg.array(field + ".pptr").astype(np.int64)
            pos_starts.append(pptr[:-1][alive])
            pos_counts.append(np.diff(pptr)[alive])
    term_ids, docs, tfs = np.concatenate(term_ids), np.concatenate(docs), np.concatenate(tfs)
    order = np.lexsort((docs, term_ids))
    out = {
        f"{field}.ptr": np.concatenate([[0], np.cumsum(np.bincount(term_ids, minlength=len(words)))]),
        f"{field}.doc": docs[order].astype(np.int32),
        f"{field}.tf": narrow(tfs[order]),
        f"{field}.len": np.concatenate([seg.array(field + ".len")[k] for seg, k in zip(opened, keeps)]),
        **string_arrays(field + ".terms", words),
    }
    if field in POSITIONAL:
        # Positions of every segment in one array, each posting's slice found by its start.
        shifts = np.cumsum([0] + [len(seg.array(field + ".pos")) for seg in opened])[:-1]
        all_pos = np.concatenate([seg.array(field + ".pos") for seg in opened])
        starts = np.concatenate([s + shifts[n] for n, s in enumerate(pos_starts)])[order]
        counts = np.concatenate(pos_counts)[order]
        out[f"{field}.pos"] = all_pos[gather(starts, counts)]
        out[f"{field}.pptr"] = narrow(np.concatenate([[0], np.cumsum(counts)]))
    return out
