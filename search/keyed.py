"""Key → value tables in one array file, looked up by binary search without being loaded whole.

Every search reads a generation's alias tables and word sounds for the few words it has. Stored
as JSON, they were parsed whole by every cold process: 40 KB and 0.7 MB on the full corpus, ten
times that on ten times the corpus (10–90 ms of a cold search). Here each table is its keys,
sorted, beside their values as compact JSON, in the layout of :mod:`search.arrays`, memory-mapped,
so a look-up reads a few pages and decodes one value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from .arrays import ArrayFile, string_arrays, write_file
from .errors import IndexVersionError


def write(path: Path, tables: dict[str, dict[str, object]]) -> None:
    """Write ``tables`` (name → {key: JSON-able value}) as one array file at ``path``."""
    arrays: dict = {}
    for name, table in tables.items():
        keys = sorted(table)
        arrays.update(string_arrays(f"{name}.keys", keys))
        arrays.update(string_arrays(f"{name}.values", [
            json.dumps(table[k], ensure_ascii=False, separators=(",", ":")) for k in keys]))
    path.unlink(missing_ok=True)  # never write through a hard link to the previous generation's file
    write_file(path, arrays)


class Table(Mapping):
    """One table of such a file, read-only; values are decoded on first use and kept."""

    def __init__(self, file: ArrayFile, name: str, convert: Callable = lambda value: value) -> None:
        try:
            self._keys = file.strings(f"{name}.keys")
            self._values = file.strings(f"{name}.values")
        except KeyError:
            raise IndexVersionError(f"{file.path.name}: no table {name!r}") from None
        self._name = f"{file.path.name}:{name}"
        self._convert = convert
        self._decoded: dict[str, object] = {}

    def __getitem__(self, key: str):
        if key in self._decoded:
            return self._decoded[key]
        i = self._keys.find(key) if isinstance(key, str) else -1
        if i < 0:
            raise KeyError(key)
        try:
            value = self._convert(json.loads(self._values[i]))
        except (ValueError, TypeError) as exc:
            raise IndexVersionError(f"{self._name}: {exc}") from None
        self._decoded[key] = value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys.decode())

    def __len__(self) -> int:
        return len(self._keys)
