"""``papers serve``: the JSON API, the search page and the Atom feed over one warm index.

A long-lived process keeps Kiwi, the opened generation and its caches in memory; the library
already notices a newly published generation with one ``stat`` per search, so a scheduled
``papers index`` beside the server is picked up on the next request.

Starlette and uvicorn are an optional extra (``pip install 'papers-search[serve]'``); nothing
else in the package imports them. The engine is Python and numpy under one interpreter lock, so
requests run in Starlette's thread pool but pass through the engine one at a time
(:data:`_engine`): threads would only contend for the lock, and Kiwi and the per-generation
caches stay single-threaded.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import time
from importlib import resources
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import analysis, browse, feed, locations, prefix, published, query
from .errors import IndexLockedError, IndexMissingError, IndexVersionError, NotFoundError, QueryError, SearchError
from .opened import open_index
from .similar import related as find_related

#: Longest query accepted, in characters (the plan uses at most 48 terms anyway).
MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
MAX_OFFSET = 10_000
FEED_ENTRIES = 30
WEB = resources.files("search") / "web"

_engine = threading.Lock()


class JSON(JSONResponse):
    media_type = "application/json; charset=utf-8"


# -- request parameters ----------------------------------------------------------------------------


def _text(request: Request, name: str, longest: int = 200) -> str | None:
    value = request.query_params.get(name)
    if value is None or not value.strip():
        return None
    if len(value) > longest:
        raise QueryError(f"{name} is longer than {longest} characters; shorten it")
    return value.strip()


def _number(request: Request, name: str, default, low: int, high: int | None = None):
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"≥ {low}"
        raise QueryError(f"{name} must be a whole number {bound}, not {raw!r}")
    return value


def _sort(request: Request) -> str:
    sort = request.query_params.get("sort") or "relevance"
    if sort not in query.SORTS:
        raise QueryError(f"sort must be one of {', '.join(query.SORTS)}, not {sort!r}")
    return sort


def _filters(request: Request) -> dict:
    return {"since": _text(request, "since", 20), "until": _text(request, "until", 20),
            "min_votes": _number(request, "min_votes", None, 0), "author": _text(request, "author")}


def _query(request: Request) -> str:
    q = request.query_params.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is longer than {MAX_QUERY_CHARS} characters; shorten it")
    return q


# -- the engine, one request at a time -------------------------------------------------------------


def run_search(index_dir, q: str, *, limit=10, offset=0, sort="relevance", as_prefix=False, exact=False,
               **filters) -> dict:
    """What ``/api/search`` returns; an empty query lists the newest papers the filters select.
    ``exact`` searches the words as typed, never a spelling or keyboard-layout correction."""
    completed = None
    with _engine:
        started = time.perf_counter()  # the engine's time, not the wait for it
        if not q.strip():
            hits = browse.latest(index_dir, sort="votes" if sort == "votes" else "date", limit=limit, offset=offset,
                            **filters)
        else:
            searched = q
            if as_prefix:
                completion = prefix.complete(q, index_dir)
                searched, completed = completion.query, completion.query if completion.query != q else None
            hits = query.search(searched, limit=limit, offset=offset, index_dir=index_dir, sort=sort,
                                correct=not exact, **filters)
        took = time.perf_counter() - started
    body = {"query": q if q.strip() else None, "total": hits.total, "complete": hits.complete,
            "suggestion": hits.suggestion,
            "notice": hits.notice, "hits": [_hit_dict(hit) for hit in hits], "completed": completed,
            "corrected": getattr(hits, "corrected", None)}
    body["took_ms"] = round(took * 1000, 1)
    return body





def _hit_dict(hit) -> dict:
    """``Hit.to_dict()`` as JSON sees it (tuples are arrays), without ``asdict``'s deep copies,
    which cost more than the search on a short query."""
    return {field.name: getattr(hit, field.name) for field in dataclasses.fields(hit)}


def health(index_dir) -> dict:
    with _engine:
        generation = open_index(index_dir, build_if_missing=False).generation
    meta = generation.meta
    return {"status": "ok", "generation": generation.name, "papers": meta.get("papers"),
            "first_date": meta.get("first_date"), "last_date": meta.get("last_date"),
            "last_update": meta.get("written")}


# -- endpoints ---------------------------------------------------------------------------------------


def api_search(request: Request) -> Response:
    q = _query(request)
    body = run_search(
        request.app.state.index_dir, q, limit=_number(request, "limit", 10, 1, MAX_LIMIT),
        offset=_number(request, "offset", 0, 0, MAX_OFFSET), sort=_sort(request),
        as_prefix=request.query_params.get("prefix") in ("1", "true"),
        exact=request.query_params.get("exact") in ("1", "true"), **_filters(request),
    )
    return JSON(body)


def api_paper(request: Request) -> Response:
    arxiv_id = request.path_params["arxiv_id"]
    with _engine:
        paper = query.get_paper(arxiv_id, index_dir=request.app.state.index_dir)
    return JSON({**paper, "bibtex": browse.bibtex(paper)})


def api_related(request: Request) -> Response:
    limit = _number(request, "limit", 10, 1, MAX_LIMIT)
    with _engine:
        hits = find_related(request.path_params["arxiv_id"], limit=limit, index_dir=request.app.state.index_dir)
    return JSON({"arxiv_id": request.path_params["arxiv_id"], "total": hits.total,
                 "hits": [_hit_dict(hit) for hit in hits]})


def api_stats(request: Request) -> Response:
    with _engine:
        data = published.stats(request.app.state.index_dir)
    return JSON(data)


def api_health(request: Request) -> Response:
    return JSON(health(request.app.state.index_dir))


def atom_feed(request: Request) -> Response:
    q = _query(request)
    filters = _filters(request)
    index_dir = request.app.state.index_dir
    with _engine:
        if q.strip():
            hits = query.search(q, limit=FEED_ENTRIES, index_dir=index_dir, sort="date", **filters)
        else:
            hits = browse.latest(index_dir, limit=FEED_ENTRIES, **filters)
        opened = open_index(index_dir, build_if_missing=False)
        # The stored summaries: get_paper would also re-read each paper's day-file for its sections.
        summaries = {hit.arxiv_id: (opened.document(hit.arxiv_id) or {}).get("summary", "") for hit in hits}
        written = opened.generation.meta.get("written")
    wanted = {k: v for k, v in {"q": q.strip() or None, **filters}.items() if v is not None}
    page = str(request.base_url) + ("?" + urlencode(wanted) if wanted else "")
    # The feed's identity is its search, not the address it was fetched at (host, parameter order).
    feed_id = "urn:papers-search:feed" + ("?" + urlencode(sorted(wanted.items())) if wanted else "")
    xml = feed.atom(hits, summaries, q.strip() or None, page, str(request.url), written, feed_id)
    return Response(xml, media_type="application/atom+xml; charset=utf-8")


def page(request: Request) -> Response:
    return FileResponse(str(WEB / "index.html"), media_type="text/html; charset=utf-8")


# -- errors ------------------------------------------------------------------------------------------

_STATUS = {NotFoundError: 404, IndexMissingError: 503, IndexVersionError: 503, IndexLockedError: 503}


def _library_error(request: Request, exc: SearchError) -> Response:
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    message = str(exc)
    if isinstance(exc, NotFoundError) and exc.arxiv_id is not None:
        # The library names the index folder for a local user; a client gets no server paths.
        message = f"no paper {exc.arxiv_id!r} in the index; check the arXiv ID (like 2407.01284)"
    return JSON({"error": message}, status_code=status)


def _http_error(request: Request, exc: HTTPException) -> Response:
    return JSON({"error": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def _bug(request: Request, exc: Exception) -> Response:
    return JSON({"error": "internal error; the server log has the details"}, status_code=500)


def create_app(index_dir=None) -> Starlette:
    """The application over the index at ``index_dir`` (the usual default when None)."""
    app = Starlette(
        routes=[
            Route("/", page),
            Route("/api/search", api_search),
            Route("/api/papers/{arxiv_id}", api_paper),
            Route("/api/papers/{arxiv_id}/related", api_related),
            Route("/api/stats", api_stats),
            Route("/api/health", api_health),
            Route("/feed.atom", atom_feed),
            Mount("/static", StaticFiles(directory=str(WEB)), name="static"),
        ],
        exception_handlers={SearchError: _library_error, HTTPException: _http_error, Exception: _bug},
    )
    app.state.index_dir = index_dir
    return app


def warm(index_dir=None) -> dict:
    """Open the index (building the seeds index on a first run), load Kiwi and the completion
    vocabulary, so the first request is as fast as the others."""
    opened = open_index(index_dir)
    analysis.get_kiwi()
    prefix.vocabulary(opened)
    return opened.generation.meta


#: How ``--workers`` processes learn the index (uvicorn starts them from an import string).
_INDEX_ENV = "PAPERS_SERVE_INDEX_DIR"


def app_from_environment() -> Starlette:
    """The application of one ``--workers`` process, warmed before it accepts requests."""
    index_dir = os.environ.get(_INDEX_ENV) or None
    warm(index_dir)
    return create_app(index_dir)


def serve(host: str = "127.0.0.1", port: int = 8080, index_dir=None, workers: int = 1) -> None:
    """Run the server until interrupted; ``workers`` processes share the port (and, through the
    page cache, the memory-mapped index), each with its own Kiwi."""
    import uvicorn

    options = dict(host=host, port=port, log_level="warning", access_log=False)
    if workers > 1:
        meta = open_index(index_dir).generation.meta  # a first run builds the seeds index once, here
        os.environ[_INDEX_ENV] = str(locations.resolve_dir(index_dir))
        app, options = "search.server:app_from_environment", {**options, "factory": True, "workers": workers}
    else:
        meta = warm(index_dir)
        app = create_app(index_dir)
    print(f"papers: serving {meta.get('papers')} papers from {locations.resolve_dir(index_dir)} "
          f"at http://{host}:{port}/ ({workers} process{'es' if workers > 1 else ''}; Ctrl-C stops)",
          file=sys.stderr, flush=True)
    uvicorn.run(app, **options)
