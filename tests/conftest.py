"""Shared fixtures: one index of the bundled seeds per session, and an isolated index location."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.index import build_index

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory) -> Path:
    """An index of the 81 bundled seed papers, built once per session (about 4 s); read-only."""
    index_dir = tmp_path_factory.mktemp("seeds-index")
    report = build_index([SEEDS], index_dir)
    assert report.papers == 81
    return index_dir


@pytest.fixture(autouse=True)
def index_env(tmp_path, monkeypatch) -> Path:
    """Point ``PAPERS_INDEX_DIR`` at an empty per-test folder.

    Autouse so that no test can fall back to the checkout's ``index/`` or the user's data dir.
    """
    index_dir = tmp_path / "index"
    monkeypatch.setenv("PAPERS_INDEX_DIR", str(index_dir))
    return index_dir


@pytest.fixture(scope="session")
def whoosh_seeds(seeds_index, tmp_path_factory):
    """The seeds as Whoosh indexed them before schema 7 (:func:`helpers_index.whoosh_reference`)."""
    from helpers_index import whoosh_reference

    return whoosh_reference(seeds_index, tmp_path_factory.mktemp("whoosh-seeds"))
