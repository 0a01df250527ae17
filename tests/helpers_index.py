"""Small indexes written for one test: one day-file of made-up papers."""

from __future__ import annotations

from pathlib import Path

from search.index import build_index


def day_index(base: Path, papers, date: str = "2024-07-01") -> Path:
    """Index one day-file of ``papers`` — (arxiv_id, title, authors, summary) or (arxiv_id,
    title, authors, summary, votes) — written under ``base/days``; returns ``base/index``."""
    entries = []
    for arxiv_id, title, authors, summary, *votes in papers:
        entries.append(f"### [{title}](https://arxiv.org/abs/{arxiv_id})\n\nVote: {votes[0] if votes else 1}\n\n"
                       f"Authors: {authors}\n\n- **What's New**: {summary}\n")
    (base / "days").mkdir()
    (base / "days" / f"{date}.md").write_text(f"## Daily Papers ({date})\n\n" + "\n".join(entries), encoding="utf-8")
    build_index([base / "days"], base / "index")
    return base / "index"


def whoosh_reference(index_dir: Path, out: Path):
    """A Whoosh index of the papers of ``index_dir`` with title, summary and authors analyzed, as
    the engine's schema had them until they moved to the array form alone (schema 7): Whoosh's
    own postings, BM25F and prefix expansion are the references the array form is checked
    against. For a freshly built ``index_dir`` (no deleted documents), document numbers
    are those of its Whoosh index: the papers are added in its order."""
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    from search import analysis
    from search.index import open_generation

    text = analysis.KiwiTokenizer()
    schema = Schema(arxiv_id=ID(stored=True, unique=True), title=TEXT(analyzer=text, phrase=False),
                    summary=TEXT(analyzer=text, phrase=False),
                    authors=TEXT(analyzer=analysis.KiwiTokenizer(names=True), phrase=False))
    out.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(out), schema)
    with open_generation(index_dir).ix.searcher() as searcher, ix.writer() as writer:
        for stored in searcher.all_stored_fields():
            writer.add_document(**{k: stored.get(k, "") for k in ("arxiv_id", "title", "summary", "authors")})
    return ix
