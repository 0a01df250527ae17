"""Writing the array form: the one-key sort of a segment's postings gives what sorting by term,
document and position gives."""

from __future__ import annotations

import random

import numpy as np
import pytest

from search import arrays, segments


def reference_arrays(builder: segments._FieldBuilder, field: str) -> dict[str, np.ndarray]:
    """``_FieldBuilder.arrays`` as first written: a three-key ``lexsort`` of int64 keys."""
    words = sorted(builder.vocab)
    rank = np.empty(len(words), dtype=np.int64)
    rank[np.fromiter(map(builder.vocab.__getitem__, words), dtype=np.int64, count=len(words))] = np.arange(len(words))
    ids = rank[segments._ints(builder.ids)]
    lengths = segments._ints(builder.lengths).astype(np.int64)
    docs = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    if builder.positional:
        where = segments._ints(builder.positions)
        order = np.lexsort((where, docs, ids))
        ids, docs, where = ids[order], docs[order], where[order]
    else:
        order = np.lexsort((docs, ids))
        ids, docs = ids[order], docs[order]
    starts = np.flatnonzero(np.concatenate([[len(ids) > 0], (ids[1:] != ids[:-1]) | (docs[1:] != docs[:-1])]))
    tfs = np.diff(np.append(starts, len(ids)))
    out = {
        f"{field}.ptr": np.concatenate([[0], np.cumsum(np.bincount(ids[starts], minlength=len(words)))]),
        f"{field}.doc": docs[starts].astype(np.int32),
        f"{field}.tf": tfs.astype(np.float32),
        f"{field}.len": lengths.astype(np.int32),
        **arrays.string_arrays(field + ".terms", words),
    }
    if builder.positional:
        out[f"{field}.pos"] = where.astype(np.int32)
        out[f"{field}.pptr"] = np.concatenate([[0], np.cumsum(tfs)])
    return out


def random_builder(positional: bool, decreasing: bool, seed: int) -> segments._FieldBuilder:
    rng = random.Random(seed)
    builder = segments._FieldBuilder(positional)
    for _ in range(200):
        n = rng.randrange(0, 30)
        terms = [rng.choice("abcdefghij") * rng.randrange(1, 3) for _ in range(n)]
        positions = sorted(rng.randrange(0, 40) for _ in range(n))
        if decreasing and n > 1:
            positions.reverse()  # a term repeated in a document at a lower position: the fallback
        builder.add(terms, positions if positional else None)
    return builder


@pytest.mark.parametrize("positional, decreasing", [(False, False), (True, False), (True, True)])
@pytest.mark.parametrize("seed", range(3))
def test_segment_postings_are_those_of_the_three_key_sort(positional, decreasing, seed):
    builder = random_builder(positional, decreasing, seed)
    expected = reference_arrays(builder, "f")
    if decreasing:  # the case for the fallback
        assert not segments._ordered(*_sorted_by_term(builder))
    found = builder.arrays("f")  # frees the builder's postings
    assert found.keys() == expected.keys()
    for name in expected:
        assert np.array_equal(found[name], expected[name]), name
        if name.endswith((".tf", ".pptr")):  # whole counts, stored narrow
            assert found[name].dtype == segments.narrow(expected[name]).dtype, name
        else:
            assert found[name].dtype == expected[name].dtype, name


@pytest.mark.parametrize("top, dtype", [(0, np.uint8), (255, np.uint8), (256, np.uint16), (70_000, np.uint32),
                                        (1 << 33, np.int64)])
def test_counts_are_stored_in_the_smallest_unsigned_type_that_holds_them(top, dtype):
    counts = np.array([0, 1, top], dtype=np.int64)
    narrow = segments.narrow(counts)
    assert narrow.dtype == dtype and np.array_equal(narrow, counts)


def _sorted_by_term(builder):
    """Term numbers, documents and positions stably sorted by term (numbered as added: only
    equality matters)."""
    raw = segments._ints(builder.ids)
    docs = np.repeat(np.arange(len(builder.lengths)), segments._ints(builder.lengths))
    order = np.argsort(raw, kind="stable")
    return raw[order], docs[order], segments._ints(builder.positions)[order]


def test_arrays_written_as_they_are_made_read_back_like_a_dict_of_them(tmp_path):
    made = {"a": np.arange(5, dtype=np.int32), "b": np.zeros(0, np.float32), "c": np.frombuffer(b"xyz", np.uint8)}
    arrays.write_file(tmp_path / "dict.arr", made)
    arrays.write_file(tmp_path / "made.arr", iter(made.items()), count=3)
    for name in ("dict.arr", "made.arr"):
        f = arrays.ArrayFile(tmp_path / name)
        assert all(np.array_equal(f.array(k), v) and f.array(k).dtype == v.dtype for k, v in made.items())
    with pytest.raises(ValueError, match="room for"):
        arrays.write_file(tmp_path / "small.arr", iter(made.items()), count=0)
