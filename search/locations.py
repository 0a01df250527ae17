"""Where an index lives: the default location, ``$PAPERS_INDEX_DIR``, a given folder, and the
error for a location that holds none."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import IndexMissingError
from .generations import CURRENT



def default_index_dir() -> Path:
    """``$PAPERS_INDEX_DIR``, else :func:`builtin_index_dir`."""
    env = os.environ.get("PAPERS_INDEX_DIR")
    if env:
        return Path(env).expanduser()
    return builtin_index_dir()


def builtin_index_dir() -> Path:
    """The one default location, whatever the install mode (a checkout, ``pip install .`` or
    ``-e``): ``$XDG_DATA_HOME/papers-search/index``, else ``~/.local/share/papers-search/index``."""
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data).expanduser() / "papers-search" / "index"


def is_builtin(index_dir: Path) -> bool:
    """Whether ``index_dir`` is the default location, the only one the seeds are indexed at
    without being asked for."""
    return Path(os.path.abspath(index_dir)) == Path(os.path.abspath(builtin_index_dir()))


def legacy_index_dir() -> Path | None:
    """``index/`` of this source checkout when it holds an index: the default location of
    earlier versions (which made the location depend on the install mode)."""
    checkout = Path(__file__).resolve().parents[1]
    found = checkout / "index"
    return found if (checkout / "pyproject.toml").is_file() and (found / CURRENT).is_file() else None


def missing(index_dir: Path) -> IndexMissingError:
    """The error for an index location that holds no index (a typo, most likely)."""
    legacy = legacy_index_dir() if is_builtin(index_dir) else None
    if legacy is not None:
        return IndexMissingError(
            f"no index at {index_dir}, the default location; earlier versions kept it at {legacy}: "
            f"move it (`mv {legacy} {index_dir}`) or use --index-dir {legacy}"
        )
    if is_builtin(index_dir):
        return IndexMissingError(
            f"no index at {index_dir}; run `papers index` to build one from the bundled seeds, "
            "or `papers index --source DIR` from your day-files"
        )
    return IndexMissingError(f"no index at {index_dir}; run `papers index --index-dir {index_dir} --source DIR`")


def resolve_dir(index_dir: str | os.PathLike | None) -> Path:
    return Path(index_dir).expanduser() if index_dir else default_index_dir()


def location_origin(index_dir=None) -> str:
    """Why the index is where it is: ``given``, ``$PAPERS_INDEX_DIR`` or ``default``."""
    env = os.environ.get("PAPERS_INDEX_DIR")
    if index_dir is not None and not (env and str(index_dir) == env):
        return "given"
    return "$PAPERS_INDEX_DIR" if env else "default"
