"""The ``papers`` command: a thin click layer over the library."""

from __future__ import annotations

import json
import re
import signal
import sys
import time

import click

from . import index as index_mod
from . import query as query_mod
from .errors import SearchError
from .results import MARK

index_dir_option = click.option(
    "--index-dir",
    type=click.Path(file_okay=False),
    envvar="PAPERS_INDEX_DIR",
    help="Index location (default: $PAPERS_INDEX_DIR, else index/ of a checkout, else ~/.local/share/papers-search/index).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


class _Group(click.Group):
    """Turns the library's errors into one-line messages, in one place."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SearchError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group)
@click.version_option(package_name="papers-search")
def main():
    """Search Korean summaries of ML papers (Hugging Face Daily Papers).

    \b
    Example:
      papers search "멀티모달 벤치마크"
    """


def _emph(text: str) -> str:
    """Colour the snippet marks on a terminal; keep them as plain text otherwise."""
    open_, close = map(re.escape, MARK)
    if sys.stdout.isatty():
        return re.sub(f"{open_}(.+?){close}", lambda m: click.style(m.group(1), fg="yellow", bold=True), text)
    return text


@main.command()
@click.argument("query")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(min=1), help="How many results.")
@click.option("--since", metavar="YYYY-MM-DD", help="Only papers listed on or after this day.")
@click.option("--until", metavar="YYYY-MM-DD", help="Only papers listed on or before this day.")
@click.option("--min-votes", type=click.IntRange(min=0), help="Only papers with at least this many votes.")
@click.option("--author", metavar="NAME", help='Only papers by this author ("Yifan Zhang").')
@click.option("--sort", type=click.Choice(query_mod.SORTS), default="relevance", show_default=True)
@json_option
@index_dir_option
def search(query, limit, since, until, min_votes, author, sort, as_json, index_dir):
    """Search for QUERY (Korean, English or both).

    \b
    Examples:
      papers search "멀티모달 벤치마크"
      papers search "LoRA 미세 조정" --since 2024-06-01 --min-votes 10
      papers search 'title:"Mixture of Experts" NOT 비전' --json
    """
    hits = query_mod.search(
        query, limit=limit, index_dir=index_dir, since=since, until=until,
        min_votes=min_votes, author=author, sort=sort,
    )
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
    else:
        for rank, hit in enumerate(hits, 1):
            votes = "-" if hit.votes is None else hit.votes
            click.echo(click.style(f"{rank:>2}. {hit.title}", bold=sys.stdout.isatty()))
            click.echo(f"    {hit.arxiv_id}  {hit.date}  votes {votes}  score {hit.score:.4f}  {hit.url}")
            authors = ", ".join(hit.authors[:4]) + (" …" if len(hit.authors) > 4 else "")
            if authors:
                click.echo(f"    {authors}")
            if hit.snippet:
                click.echo(f"    {_emph(hit.snippet)}")
        if not hits:
            click.echo("No results.", err=True)
        else:
            click.echo(f"{len(hits)} of {hits.total} matching papers", err=True)
    if hits.notice:
        click.echo(f"note: {hits.notice}", err=True)
    if hits.suggestion:
        click.echo(f'Did you mean: papers search "{hits.suggestion}"', err=True)


def _progress_printer():
    """A progress bar on a terminal; nothing otherwise (the summary line is enough for cron)."""
    if not sys.stderr.isatty():
        return None
    state = {"bar": None}

    def update(done, total):
        if state["bar"] is None:
            state["bar"] = click.progressbar(length=total, label="indexing", file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(1)
        if done == total:
            state["bar"].__exit__(None, None, None)

    return update


@main.command(name="index")
@click.option("--source", "sources", multiple=True, type=click.Path(exists=False),
              help="Day-file folder or file (repeatable). Replaces the remembered sources.")
@click.option("--add-source", "added", multiple=True, type=click.Path(exists=False),
              help="Add a source to the remembered ones.")
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch instead of updating.")
@click.option("--every", metavar="DURATION", help="Keep running: update every DURATION (90s, 30m, 1h).")
@click.option("--wait", default=0.0, type=float, metavar="SECONDS",
              help="Wait this long for another running update to finish (default: fail at once).")
@index_dir_option
def index_cmd(sources, added, rebuild, every, wait, index_dir):
    """Build or update the index from day-files.

    With no --source, updates from the sources remembered by the index (the bundled seeds for
    a new index). Unchanged day-files are skipped; bad ones are reported and skipped, and the
    papers they gave before are kept. Exits non-zero only when the update failed.

    \b
    Examples:
      papers index
      papers index --source ../shared/corpus/daily_papers_ko/paper_logs
      papers index --add-source ~/more_logs
      papers index --every 30m
    """
    interval = None if every is None else parse_duration(every)
    chosen = [*sources, *added] or None
    adding = bool(added) and not sources

    def run_once(first: bool) -> None:
        report = index_mod.update_index(
            index_dir, sources=chosen if first else None, add_sources=adding,
            rebuild=rebuild and first, wait=wait, progress=_progress_printer(),
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
@json_option
@index_dir_option
def show(arxiv_id, as_json, index_dir):
    """Show everything about one paper.

    \b
    Example:
      papers show 2407.01284
    """
    paper = query_mod.get_paper(arxiv_id, index_dir=index_dir)
    if as_json:
        click.echo(json.dumps(paper, ensure_ascii=False, indent=2))
        return
    votes = "-" if paper["votes"] is None else paper["votes"]
    click.echo(click.style(paper["title"], bold=sys.stdout.isatty()))
    click.echo(f"{paper['arxiv_id']}  {paper['date']}  votes {votes}  {paper['url']}")
    click.echo(", ".join(paper["authors"]))
    click.echo("")
    click.echo(paper["summary"])


@main.command()
@json_option
@index_dir_option
def stats(as_json, index_dir):
    """Papers, days, date range, index size and sources.

    \b
    Example:
      papers stats --json
    """
    data = index_mod.stats(index_dir)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(map(str, value)) or "-"
        click.echo(f"{key:>15}: {value}")


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
    found = index_mod.aliases(word, index_dir)
    sound = query_mod.loanword(word, index_dir)
    if as_json:
        click.echo(json.dumps(found + ([sound] if sound else []), ensure_ascii=False, indent=2))
        return
    if not found and not sound:
        click.echo(f"no aliases learned for {word!r}", err=True)
    for row in found:
        click.echo(f"{row['alias']}\t({row['language']}, {row['documents']} documents, confidence {row['confidence']:.2f})")
    if sound:
        both = "1 paper" if sound["both"] == 1 else f"{sound['both']} papers"
        click.echo(f"{sound['alias']}\t(en, loanword: sounds alike {sound['similarity']:.2f}, "
                   f"{both} with both words, {sound['english_papers']} with {sound['alias']})")
