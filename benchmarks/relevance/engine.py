"""The project's own engine behind the same adapter as the baselines."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

__all__ = ["Engine", "load_engine", "source_fingerprint"]


def source_fingerprint(root: Path = PROJECT_ROOT / "search") -> str:
    """Hash of every file under ``search/``, so any engine change invalidates its cached index."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Engine:
    """``search.index.build_index`` to build, ``search.search`` to query."""

    name = "engine"
    version = 1

    def __init__(self, corpus_dir: str | Path, build_index, search, vote_weight: float | None = None):
        self.corpus_dir = Path(corpus_dir)
        self.vote_weight = vote_weight
        self._build_index = build_index
        self._search = search
        self._index_dir: str | None = None

    def build(self, papers: Iterable, index_dir: str | Path) -> None:
        """Index the corpus directory itself; the engine parses it, so ``papers`` is unused."""
        self._build_index([self.corpus_dir], index_dir)
        self.open(index_dir)

    def open(self, index_dir: str | Path) -> None:
        self._index_dir = str(index_dir)

    def search(self, query: str, k: int = 10, vote_weight: float | None = None) -> list[str]:
        weight = self.vote_weight if vote_weight is None else vote_weight
        options = {} if weight is None else {"vote_weight": weight}
        hits = self._search(query, limit=k, index_dir=self._index_dir, **options)
        return [hit.arxiv_id for hit in hits]

    def close(self) -> None:
        pass


def load_engine(corpus_dir: str | Path, vote_weight: float | None = None) -> Engine:
    """The engine adapter; raises ImportError while the engine's modules do not exist yet."""
    from search import search
    from search.index import build_index

    return Engine(corpus_dir, build_index, search, vote_weight)
