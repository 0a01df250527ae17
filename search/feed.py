"""An Atom feed (RFC 4287) of the newest papers matching a query, for feed readers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"


def _day(date: str | None) -> str:
    return f"{date}T00:00:00Z" if date else "1970-01-01T00:00:00Z"


def atom(hits, summaries: dict[str, str], query: str | None, page_url: str, self_url: str,
         written: str | None = None, feed_id: str | None = None) -> bytes:
    """The feed document: one entry per hit (its listing day as ``updated``, the Korean summary
    as ``summary``), newest first; ``page_url`` is the same search on the page, ``feed_id`` the
    feed's permanent identity (``self_url`` when None)."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")

    def add(parent, tag, text=None, **attrs):
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    add(root, "title", f"papers: {query}" if query else "papers: newest")
    add(root, "subtitle", "Hugging Face Daily Papers, summarized in Korean")
    add(root, "id", feed_id or self_url)
    add(root, "link", rel="self", href=self_url, type="application/atom+xml")
    add(root, "link", rel="alternate", href=page_url, type="text/html")
    newest = max((hit.date for hit in hits), default=None)
    add(root, "updated", _day(newest) if newest else (_iso(written) or _day(None)))
    add(root, "generator", "papers-search")
    for hit in hits:
        entry = add(root, "entry")
        add(entry, "id", hit.url or f"https://arxiv.org/abs/{hit.arxiv_id}")
        add(entry, "title", hit.title)
        add(entry, "link", rel="alternate", href=hit.url or f"https://arxiv.org/abs/{hit.arxiv_id}")
        add(entry, "updated", _day(hit.date))
        add(entry, "published", _day(hit.date))
        for name in hit.authors or ("unknown",):
            add(add(entry, "author"), "name", name)
        add(entry, "summary", summaries.get(hit.arxiv_id) or hit.snippet, type="text")
        if hit.votes is not None:
            add(entry, "category", term=f"votes:{hit.votes}", label=f"{hit.votes} votes")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _iso(written: str | None) -> str | None:
    """``2024-07-01T10:00:00+0900`` (as the index stores it) → RFC 3339 with a colon offset."""
    if not written or len(written) < 24:
        return None
    return written[:22] + ":" + written[22:]
