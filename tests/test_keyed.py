"""Keyed tables (aliases, splits, word sounds): written once per generation, read by binary search
in the memory map, the same values as the dictionaries they were made from."""

from __future__ import annotations

import pytest

from search import keyed, lexicon, loanwords
from search.arrays import ArrayFile
from search.errors import IndexVersionError


def test_a_keyed_table_gives_back_every_value_and_nothing_else(tmp_path):
    table = {"멀티모달": [["multimodal", 40, 0.9]], "a": [], "모델": [["model", 3, 0.5], ["models", 2, 0.25]]}
    keyed.write(tmp_path / "t.arr", {"one": table, "two": {"x": 1}})
    read = keyed.Table(ArrayFile(tmp_path / "t.arr"), "one")
    assert dict(read.items()) == table and len(read) == 3
    assert read.get("없는말") is None and "멀티모달" in read and "멀티" not in read
    assert keyed.Table(ArrayFile(tmp_path / "t.arr"), "two")["x"] == 1
    with pytest.raises(IndexVersionError, match="no table 'three'"):
        keyed.Table(ArrayFile(tmp_path / "t.arr"), "three")


def test_writing_never_changes_a_hard_linked_earlier_file(tmp_path):
    keyed.write(tmp_path / "old.arr", {"t": {"k": "old"}})
    (tmp_path / "new.arr").hardlink_to(tmp_path / "old.arr")  # as an update shares a generation's files
    keyed.write(tmp_path / "new.arr", {"t": {"k": "new"}})
    assert keyed.Table(ArrayFile(tmp_path / "old.arr"), "t")["k"] == "old"
    assert keyed.Table(ArrayFile(tmp_path / "new.arr"), "t")["k"] == "new"


def test_alias_tables_and_sounds_read_back_as_they_were_written(tmp_path):
    tables = lexicon.Tables({"멀티모달": [lexicon.Alias("multimodal", 40, 0.9)],
                             "위치": [lexicon.Alias("position", 16, 0.84, ("positional",))]},
                            {"multimodal": [lexicon.Alias("멀티모달", 40, 0.8)]}, {"멀티모달": ("멀티", "모달")},
                            {"multimodal": ["멀티모달"]})
    tables.write(tmp_path / "tables.arr")
    read = lexicon.Tables.read(tmp_path / "tables.arr")
    assert read.ko_to_en.get("멀티모달") == tables.ko_to_en["멀티모달"]
    assert read.ko_to_en["위치"] == tables.ko_to_en["위치"]
    assert read.en_to_ko["multimodal"] == tables.en_to_ko["multimodal"] and read.splits["멀티모달"] == ("멀티", "모달")
    assert read.ko_forms["multimodal"] == ["멀티모달"]
    # A file written before the Korean forms existed reads with none.
    older = tables.to_json()
    del older["ko_forms"]
    keyed.write(tmp_path / "older.arr", older)
    assert dict(lexicon.Tables.read(tmp_path / "older.arr").ko_forms) == {}
    sounds = loanwords.Sounds({"arena": 12, "chatbot": 14, "platform": 30})
    sounds.write(tmp_path / "sounds.arr")
    back = loanwords.Sounds.read(tmp_path / "sounds.arr")
    assert dict(back.df.items()) == sounds.df and dict(back.buckets.items()) == sounds.buckets
    assert back.candidates("아레나") == sounds.candidates("아레나") != []
