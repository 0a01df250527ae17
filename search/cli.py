"""The ``papers`` command: a thin click layer over the library."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sys
import time

import click

from . import browse, opened, printing
from . import published
from .sources import SHRINK_SHARE
from .errors import SearchError
from .results import SORTS

index_dir_option = click.option(
    "--index-dir",
    type=click.Path(file_okay=False),
    envvar="PAPERS_INDEX_DIR",
    help="Index location (default: $PAPERS_INDEX_DIR, else ~/.local/share/papers-search/index; `papers stats` prints it).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
jsonl_option = click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per hit and line.")
color_option = click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Colour titles and matches (auto: on a terminal, unless NO_COLOR is set or TERM=dumb).",
)
_JSON_FLAGS = ("--json", "--jsonl")


class _Group(click.Group):
    """Turns the library's errors into one-line messages, in one place (JSON on stderr when the
    command was asked for JSON)."""

    def parse_args(self, ctx, args):
        ctx.meta["papers.json"] = any(arg in _JSON_FLAGS for arg in args)
        ctx.meta["papers.index_dir"] = _index_dir_arg(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        as_json = ctx.meta.get("papers.json", False)
        # The first search at the default location indexes the bundled seeds; anywhere else a
        # missing index is an error (a typo'd --index-dir must not grow a second index).
        building, opened.BUILD_SEEDS_AT_DEFAULT = opened.BUILD_SEEDS_AT_DEFAULT, True
        try:
            return super().invoke(ctx)
        except SearchError as exc:
            message = _naming_the_index(str(exc), ctx.meta.get("papers.index_dir"))
            if as_json:
                _json_error(message, type(exc).__name__, 1)
            raise click.ClickException(message) from None
        except click.UsageError as exc:
            if as_json:
                _json_error(exc.format_message(), "UsageError", exc.exit_code)
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        finally:
            opened.BUILD_SEEDS_AT_DEFAULT = building


def _index_dir_arg(args) -> str | None:
    """The index the user named (``--index-dir X`` or ``$PAPERS_INDEX_DIR``), if any."""
    for i, arg in enumerate(args):
        if arg == "--index-dir" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--index-dir="):
            return arg.split("=", 1)[1]
    return os.environ.get("PAPERS_INDEX_DIR") or None


def _naming_the_index(message: str, index_dir: str | None) -> str:
    """A fix that names the index the user used: `papers index --index-dir X --rebuild`."""
    if not index_dir or "--index-dir" in message:
        return message
    return re.sub(r"\b(run|with|try) `papers index", lambda m: f"{m[1]} `papers index --index-dir {shlex.quote(index_dir)}",
                  message)


def _json_error(message, kind: str, code: int):
    click.echo(json.dumps({"error": str(message), "type": kind}, ensure_ascii=False), err=True)
    sys.exit(code)


@click.group(cls=_Group)
@click.version_option(package_name="papers-search")
def main():
    """Search Korean summaries of ML papers (Hugging Face Daily Papers).

    \b
    Example:
      papers search 멀티모달 벤치마크
    """


limit_option = click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(min=1),
                            help="How many results.")
offset_option = click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0),
                             help="Skip this many results (the next page: --offset 10).")
since_option = click.option("--since", metavar="DATE", help="Only papers listed on or after this day, month or year (2024-06-01, 2024-06, 2024).")
until_option = click.option("--until", metavar="DATE", help="Only papers listed on or before this day, or up to the end of this month or year.")
min_votes_option = click.option("--min-votes", type=click.IntRange(min=0), help="Only papers with at least this many votes.")
author_option = click.option("--author", metavar="NAME", help='Only papers by this author ("Yifan Zhang").')


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@limit_option
@offset_option
@since_option
@until_option
@min_votes_option
@author_option
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--explain", is_flag=True, help="Show how the query was parsed and, per hit, the terms, views and expansions that scored.")
@click.option("--exact", is_flag=True, help="Search the words as typed, never a spelling or keyboard-layout correction.")
@json_option
@jsonl_option
@color_option
@index_dir_option
def search(query, limit, offset, since, until, min_votes, author, sort, explain, exact, as_json, as_jsonl, color, index_dir):
    """Search for QUERY (Korean, English or both; quotes are only needed for phrases).

    -word excludes, +word requires, AND/OR/NOT and ( ) group, lo* is a prefix,
    title: author: votes:>10 date:2024-06..2024-08 year:2024 restrict, and an arXiv
    ID or link finds that paper (the README's "Query syntax" has it all). With only
    filters and no words, lists the papers they select, newest first.

    \b
    Examples:
      papers search 멀티모달 벤치마크
      papers search LoRA -양자화 'votes:>10' --explain
      papers search '(LoRA OR DoRA) AND 양자화 year:2024'
      papers search 'title:"Mixture of Experts" NOT 비전' --json
      papers search https://huggingface.co/papers/2501.12948
      papers search --author "Yifan Zhang" --since 2025
    """
    for word in query:
        if word.startswith("--"):  # -word excludes a word; --word is a mistyped option
            raise click.NoSuchOption(word.split("=", 1)[0])
    text = " ".join(query)
    if not text.strip() and any(v is not None for v in (since, until, min_votes, author)):
        hits = browse.latest(index_dir, since=since, until=until, min_votes=min_votes, author=author,
                             sort="votes" if sort == "votes" else "date", limit=limit, offset=offset)
        printing.results(hits, None, offset, as_json, as_jsonl, color, printing.named_authors("", author), "papers")
        return
    from . import query as query_mod

    hits = query_mod.search(
        text, limit=limit, offset=offset, index_dir=index_dir, since=since, until=until,
        min_votes=min_votes, author=author, sort=sort, correct=not exact,
    )
    why = None
    if explain:
        why = query_mod.explain(text, hits, index_dir=index_dir, since=since, until=until,
                                min_votes=min_votes, author=author, correct=not exact)
    printing.results(hits, text, offset, as_json, as_jsonl, color, printing.named_authors(text, author), why=why)


@main.command()
@click.option("--days", type=click.IntRange(min=1), help=f"Papers of the last DAYS days of the index (default: {browse.DEFAULT_DAYS}, unless --since or --until).")
@since_option
@until_option
@min_votes_option
@author_option
@click.option("--sort", type=click.Choice(browse.LISTING_SORTS), default="date", show_default=True)
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(min=1), help="How many papers.")
@offset_option
@json_option
@jsonl_option
@color_option
@index_dir_option
def latest(days, since, until, min_votes, author, sort, limit, offset, as_json, as_jsonl, color, index_dir):
    """List recent papers, newest first (or most voted with --sort votes).

    Days count back from the newest day in the index.

    \b
    Examples:
      papers latest
      papers latest --days 30 --min-votes 50 --sort votes
      papers latest --since 2024-06 --until 2024-06
    """
    if days is None and since is None and until is None:
        days = browse.DEFAULT_DAYS
    hits = browse.latest(index_dir, days=days, since=since, until=until, min_votes=min_votes,
                         author=author, sort=sort, limit=limit, offset=offset)
    low, high = browse.window(index_dir, days, since, until)
    span = f" listed {low or 'from the start'} to {high or browse.index_span(index_dir)[1]}"
    printing.results(hits, None, offset, as_json, as_jsonl, color, printing.named_authors("", author), "papers" + span)


@main.command()
@click.argument("name", nargs=-1, required=True)
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(min=1), help="How many names.")
@json_option
@index_dir_option
def authors(name, limit, as_json, index_dir):
    """Author names in the index that NAME matches, with their paper counts.

    The words of NAME may come in any order, and hyphens do not matter: Zhang Yifan
    also finds Yifan Zhang and Yi-Fan Zhang.

    \b
    Examples:
      papers authors Yifan Zhang
      papers authors zhang --limit 50
    """
    found = browse.authors(" ".join(name), index_dir)
    if as_json:
        click.echo(json.dumps([{"name": n, "papers": c} for n, c in found[:limit]], ensure_ascii=False, indent=2))
        return
    for author_name, count in found[:limit]:
        click.echo(f"{count:>5}  {author_name}")
    if not found:
        click.echo(f"no author matches {' '.join(name)!r}", err=True)
    elif len(found) > limit:
        click.echo(f"{limit} of {len(found)} names; more with --limit {len(found)}", err=True)


@main.command(name="index")
@click.option("--source", "sources", multiple=True, type=click.Path(exists=False),
              help="Day-file folder or file (repeatable). Replaces the remembered sources.")
@click.option("--add-source", "added", multiple=True, type=click.Path(exists=False),
              help="Add a source to the remembered ones.")
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch instead of updating.")
@click.option("--allow-shrink", is_flag=True,
              help=f"Allow this update (with --every: the first round) to remove more than {SHRINK_SHARE:.0%} of the papers (refused by default: "
                   "an unmounted disk or a failed git pull looks like mass deletion).")
@click.option("--every", metavar="DURATION", help="Keep running: update every DURATION (90s, 30m, 1h).")
@click.option("--wait", default=0.0, type=float, metavar="SECONDS",
              help="Wait this long for another running update to finish (default: fail at once).")
@index_dir_option
def index_cmd(sources, added, rebuild, allow_shrink, every, wait, index_dir):
    """Build or update the index from day-files.

    With no --source, updates from the sources remembered by the index (the bundled seeds for
    a new index at the default location). Unchanged day-files are skipped; bad ones and folders
    that cannot be listed are reported and skipped, and the papers they gave before are kept.
    An update that would remove more than a quarter of the papers is refused unless
    --allow-shrink; an index in an older format is rebuilt. Exits non-zero only when the update
    failed.

    \b
    Examples:
      papers index
      papers index --source daily_papers_ko/paper_logs
      papers index --add-source ~/more_logs
      papers index --every 30m
    """
    interval = None if every is None else parse_duration(every)
    chosen = [*sources, *added] or None
    adding = bool(added) and not sources

    from .index import update_index  # the writer: only this command needs it

    def run_once(first: bool) -> None:
        report = update_index(
            index_dir, sources=chosen if first else None, add_sources=adding,
            rebuild=rebuild and first, allow_shrink=allow_shrink and first, wait=wait, progress=printing.progress_printer(),
        )
        stamp = time.strftime("%Y-%m-%d %H:%M:%S ") if interval is not None else ""
        for problem in report.skipped:
            click.echo(f"{stamp}skipped {problem}", err=True)
        click.echo(stamp + report.summary())

    # SIGTERM stops like Ctrl-C: the round being written is abandoned (its tmp dir removed) and
    # the published index stays as it was. Later signals are ignored while that cleanup runs.
    stopped_by: list[int] = []

    def on_signal(signum, frame):
        if not stopped_by:
            stopped_by.append(signum)
            raise KeyboardInterrupt

    handlers = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if interval is None:
            run_once(True)
            return
        first = True
        while True:
            started = time.monotonic()
            try:
                run_once(first)
                first = False  # later rounds update from the remembered sources
            except SearchError as exc:
                click.echo(f"{time.strftime('%Y-%m-%d %H:%M:%S')} update failed: {exc}", err=True)
            except Exception as exc:  # a daemon outlives a failing round; the next one retries
                click.echo(f"{time.strftime('%Y-%m-%d %H:%M:%S')} update failed: {type(exc).__name__}: {exc}", err=True)
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        terminated = stopped_by[:1] == [signal.SIGTERM]
        click.echo("stopped" if interval is not None else "interrupted; the index was left as it was", err=True)
        # A requested stop of --every is a normal end; an interrupted single run is not.
        sys.exit(0 if interval is not None and terminated else 143 if terminated else 130)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def parse_duration(text: str) -> float:
    """``90s``, ``30m``, ``1h``, ``1h30m``, ``1.5h``, ``2d`` or plain seconds → seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number = r"\d+(?:\.\d+)?"
    spec = (text or "").strip().lower()
    if re.fullmatch(number, spec):
        seconds = float(spec)
    elif re.fullmatch(rf"(?:{number}\s*[smhd]\s*)+", spec):
        seconds = sum(float(n) * units[u] for n, u in re.findall(rf"({number})\s*([smhd])", spec))
    else:
        raise click.BadParameter(f"{text!r} is not a duration like 90s, 30m or 1h", param_hint="--every")
    if seconds <= 0:
        raise click.BadParameter("the interval must be longer than zero", param_hint="--every")
    return seconds


@main.command()
@click.argument("arxiv_id")
@click.option("--bibtex", "as_bibtex", is_flag=True, help="Print a BibTeX entry to cite the paper.")
@json_option
@color_option
@index_dir_option
def show(arxiv_id, as_bibtex, as_json, color, index_dir):
    """Show everything about one paper.

    \b
    Examples:
      papers show 2407.01284
      papers show 2407.01284 --bibtex >> refs.bib
    """
    from .query import get_paper

    paper = get_paper(arxiv_id, index_dir=index_dir)
    if as_json:
        click.echo(json.dumps({**paper, "bibtex": browse.bibtex(paper)}, ensure_ascii=False, indent=2))
        return
    if as_bibtex:
        click.echo(browse.bibtex(paper), nl=False)
        return
    printing.paper(paper, color)


@main.command()
@json_option
@index_dir_option
def stats(as_json, index_dir):
    """Papers, days, date range, index size, sources and where the index is.

    \b
    Example:
      papers stats --json
    """
    data = published.stats(index_dir)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    printing.stats(data)


@main.command()
@click.argument("word")
@json_option
@index_dir_option
def aliases(word, as_json, index_dir):
    """Korean ↔ English aliases learned from the corpus for WORD.

    Pairs the summaries gloss in parentheses, and for a Hangul loanword the
    English word it spells, when the papers support the pair.

    \b
    Examples:
      papers aliases 멀티모달
      papers aliases "large language model"
      papers aliases 챗봇
    """
    found = published.aliases(word, index_dir)
    from .query import loanword

    sound = loanword(word, index_dir)
    if as_json:
        click.echo(json.dumps(found + ([sound] if sound else []), ensure_ascii=False, indent=2))
        return
    if not found and not sound:
        click.echo(f"no aliases learned for {word!r}", err=True)
    for row in found:
        written = " / ".join(row.get("spellings", [row["alias"]]))
        click.echo(f"{written}\t({row['language']}, {row['documents']} documents, confidence {row['confidence']:.2f})")
    if sound:
        both = "1 paper" if sound["both"] == 1 else f"{sound['both']} papers"
        click.echo(f"{sound['alias']}\t(en, loanword: sounds alike {sound['similarity']:.2f}, "
                   f"{both} with both words, {sound['english_papers']} with {sound['alias']})")


@main.command()
@click.argument("arxiv_id")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 100), help="How many papers.")
@json_option
@color_option
@index_dir_option
def related(arxiv_id, limit, as_json, color, index_dir):
    """Papers like ARXIV_ID: more like this, from its own distinctive terms.

    \b
    Examples:
      papers related 2407.01284
      papers related 2407.01284 --limit 5 --json
    """
    from .similar import related as find_related

    hits = find_related(arxiv_id, limit=limit, index_dir=index_dir)
    if as_json:
        click.echo(json.dumps({"arxiv_id": arxiv_id, "total": hits.total, "hits": [h.to_dict() for h in hits]},
                              ensure_ascii=False, indent=2))
        return
    printing.hits(hits, 0, color)
    if not hits:
        click.echo("No related papers.", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Server processes (each loads Kiwi, about 0.3 GB); up to one per CPU helps.")
@index_dir_option
def serve(host, port, workers, index_dir):
    """Serve the search page, the JSON API and Atom feeds over HTTP.

    Keeps the index and Kiwi warm and picks up a newly published index on the next request.
    Needs the serve extra: pip install 'papers-search[serve]'.

    \b
    Examples:
      papers serve
      papers serve --host 0.0.0.0 --port 8000 --index-dir /srv/papers/index --workers 2
    """
    try:
        from . import server
    except ImportError as exc:
        missing = (exc.name or "starlette").split(".")[0]
        raise click.ClickException(f"papers serve needs {missing}: pip install 'papers-search[serve]'") from None
    server.serve(host, port, index_dir, workers)
