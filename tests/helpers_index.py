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
