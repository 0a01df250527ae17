"""What the ``papers`` command prints: hits and their count, notices and corrections, one paper,
the index's stats, and progress while indexing. :mod:`search.terminal` decides what text looks
like; this module writes it (with click, to stdout or stderr)."""

from __future__ import annotations

import json
import re
import shlex
import sys

import click

from . import browse, terminal


def hits(found, offset: int, color: str, authors=(), why=None) -> None:
    """Each hit as a block of lines, ranked from ``offset + 1``, with why it matched when asked."""
    if why is not None:
        from . import why as explaining
    tty = sys.stdout.isatty()
    colored = terminal.use_color(color, tty)
    columns = terminal.width(tty)
    for rank, hit in enumerate(found, offset + 1):
        matched = [a for a in hit.authors if any(browse.matching_authors(name, [a]) for name in authors)]
        lines = terminal.hit_lines(hit, rank, columns, colored, matched)
        if why is not None:
            score = f"score {hit.score:g}: " if hit.score else ""
            reason = explaining.summary(why["hits"].get(hit.arxiv_id, [])) or (
                "named by its arXiv ID" if hit.arxiv_id in why["ids"] else "selected by the filters alone")
            lines += terminal.block(score + reason, "    ", columns, first="    why: ")
        click.echo("\n".join(lines), color=colored)  # click strips colour off a terminal unless told


def results(found, query: str | None, offset: int, as_json: bool, as_jsonl: bool, color: str,
            authors=(), counted: str = "matching papers", why=None) -> None:
    """A page of results as text, JSON or JSON lines; the count, notices, a correction and a
    suggestion go to stderr, so a pipe gets only the hits."""
    if as_json or as_jsonl:
        rows = [hit.to_dict() for hit in found]
        if why is not None:
            for row in rows:
                row["explain"] = [part.to_dict() for part in why["hits"].get(row["arxiv_id"], [])]
    if as_json:
        data = found.to_dict(query)
        data["hits"] = rows
        if why is not None:
            data["parsed"] = why["parsed"]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if as_jsonl:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        if why is not None:
            click.echo(f"parsed as: {why['parsed']}", err=True)
        hits(found, offset, color, authors, why)
    if not found:
        click.echo("No results." if not found.total else f"No results past {found.total} {counted}.", err=True)
    elif not as_jsonl:
        if not offset:
            shown = f"{len(found)}"
        else:
            shown = f"result {offset + 1}" if len(found) == 1 else f"results {offset + 1}-{offset + len(found)}"
        whole = getattr(found, "complete", None)
        every = "" if whole is None or whole >= found.total else (
            "; none matches the whole query" if not whole else f"; {whole} match the whole query")
        click.echo(f"{shown} of {found.total} {counted}{every}", err=True)
    if found.notice:
        click.echo(f"note: {found.notice}", err=True)
    if getattr(found, "corrected", None):
        click.echo(f'Showing results for "{found.corrected}"; search instead for "{query}": '
                   f"papers search --exact {shlex.quote(query)}", err=True)
    if found.suggestion:
        click.echo(f'Did you mean: papers search "{found.suggestion}"', err=True)


_AUTHOR_IN_QUERY = re.compile(r'(?<!\S)authors?:(?:"([^"]*)"?|(\S+))')


def named_authors(query: str, author: str | None) -> list[str]:
    """The author names a search asked for, to show which author of a hit matched."""
    names = [a or b for a, b in _AUTHOR_IN_QUERY.findall(query)]
    return [n for n in [author, *names] if n]


def paper(paper: dict, color: str) -> None:
    """`papers show`: the title, the listing line, the authors and every section."""
    votes = "-" if paper["votes"] is None else paper["votes"]
    tty = sys.stdout.isatty()
    colored = terminal.use_color(color, tty)
    columns = terminal.width(tty)
    lines = terminal.block(paper["title"], "", columns, [(0, len(paper["title"]))], terminal.BOLD if colored else None)
    lines += terminal.block(f"{paper['arxiv_id']}  {paper['date']}  votes {votes}  {paper['url']}", "", columns)
    lines += terminal.block(terminal.long_authors(paper["authors"]), "", columns)
    for section in paper["sections"]:
        lines.append("")
        if section["label"]:
            lines += terminal.block(section["label"], "", columns, [(0, len(section["label"]))],
                                    terminal.BOLD if colored else None)
        for line in section["text"].split("\n"):
            lines += terminal.block(line, "", columns)
    click.echo("\n".join(lines), color=colored)


def stats(data: dict) -> None:
    """`papers stats` as a column of names and values."""
    for key, value in data.items():
        if key == "index_bytes":
            key, value = "index_size", terminal.human_size(value)
        if key == "skipped":
            continue
        if isinstance(value, list):
            value = ", ".join(map(str, value)) or "-"
        click.echo(f"{key:>15}: {value}")
    skipped = data.get("skipped") or []
    click.echo(f"{'skipped':>15}: {len(skipped)} day-files at the last update" + (":" if skipped else ""))
    for problem in skipped:
        click.echo(f"{'':>17}{problem}")


#: Off a terminal, how often a long build says how far it got (seconds).
PROGRESS_EVERY = 5.0


def progress_printer():
    """A progress bar on a terminal, a line every few seconds otherwise (for cron logs and CI);
    the phases after the papers are added are named, so a bar at 100 % is never silent."""
    if not sys.stderr.isatty():
        return terminal.ProgressLog(lambda line: click.echo(line, err=True), PROGRESS_EVERY)
    state = {"bar": None, "phase": "adding"}

    def update(done, total, phase="adding"):
        if phase != "adding":
            if state["bar"] is not None:
                state["bar"].__exit__(None, None, None)
                state["bar"] = None
            if phase != state["phase"]:
                state["phase"] = phase
                click.echo(f"{terminal.PHASES.get(phase, phase)}…", err=True)
            return
        if state["bar"] is None:
            state["bar"] = click.progressbar(length=total, label="indexing", file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(1)

    return update
