"""How an opened generation reads Whoosh: in place, never copying a mapped segment's files."""

from __future__ import annotations

import io
import os

from whoosh.filedb.structfile import BufferFile

from search import opened


def test_whoosh_reads_a_mapped_segment_in_place_as_bytesio_would():
    data = bytearray(b"first line\nsecond\n\x00\x01tail")
    mine, reference = opened.InPlace(memoryview(data)), io.BytesIO(bytes(data))
    steps = [("read", 5), ("tell",), ("readline",), ("seek", -4, os.SEEK_END), ("read", -1), ("read", 3),
             ("seek", 2), ("readline", 3), ("seek", 1, os.SEEK_CUR), ("read", None), ("seek", 100), ("read", 2)]
    for name, *args in steps:
        assert getattr(mine, name)(*args) == getattr(reference, name)(*args), (name, args)
    into = bytearray(4)
    mine.seek(0)
    assert mine.readinto(into) == 4 and into == data[:4]
    # Whoosh's BufferFile no longer copies what it reads: a change to the buffer shows.
    f = BufferFile(memoryview(data))
    data[:5] = b"FIRST"
    assert f.read(5) == b"FIRST" and f.get(0, 5) == b"FIRST"
