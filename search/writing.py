"""Writing one generation's files: the Whoosh documents (stored papers), the array segment, the
word table, the lexicon and its tables, and the word sounds; and the bounded merge of Whoosh's
small segments after an update. :mod:`search.index` decides what to write and publishes it."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, STORED, Schema

from . import analysis, arrays, lexicon, loanwords, segments, views, words
from .errors import SearchError
from .generations import (
    new_generation as _new_generation, next_number as _next_number, share_files as _share_files,
    write_json as _write_json,
)
from .parse import Paper, merge_papers, read_dayfile
from .published import LEXICON, SOUNDS, TABLES
from .sources import path_of


def schema() -> Schema:
    """The Whoosh schema: the stored papers, looked up by ID, with filterable date and votes.

    Nothing is analyzed into Whoosh: every term (title, summary, authors, the Hangul bigram and
    literal views) lives in the array form alone (:mod:`search.arrays`), which ranking, prefixes
    and author look-ups read. Whoosh's pure-Python writer handling those postings was most of
    the build's cost over Kiwi's.
    """
    return Schema(
        arxiv_id=ID(stored=True, unique=True, sortable=True),
        title=STORED,
        summary=STORED,
        authors=STORED,
        date=ID(stored=True, sortable=True),
        # Papers without a vote count are stored as -1: NUMERIC columns cannot hold None.
        votes=NUMERIC(int, bits=32, signed=True, stored=True, sortable=True),
        url=STORED,
        sources=STORED,
        lex=STORED,
    )


def fill(tmp: Path, old, old_files: dict, old_lexicon: dict, plan, report, progress) -> tuple[int, list[str]]:
    """Apply the plan to a copy of the old generation in ``tmp``; returns papers and dates."""
    if old is not None:
        _share_files(old.path, tmp)
        ix = whoosh_index.open_dir(str(tmp))
        lex = lexicon.Lexicon.from_json(old_lexicon)
    else:
        ix = whoosh_index.create_in(str(tmp), schema())
        lex = lexicon.Lexicon()

    owners: dict[str, list[str]] = {}
    for key, entry in plan.manifest.items():
        for arxiv_id in entry["papers"]:
            owners.setdefault(arxiv_id, []).append(key)
    # Which papers may change: every paper of a touched day-file, before and after.
    affected: set[str] = set()
    for key in plan.touched:
        affected.update(old_files.get(key, {}).get("papers", ()))
        affected.update(plan.manifest.get(key, {}).get("papers", ()))
    # A paper also listed in an unchanged day-file needs that file's copy too; a paper listed
    # in a day-file that cannot be read now keeps its indexed version until the file is fixed.
    unknown = set(plan.skipped)
    for arxiv_id in sorted(affected):
        for key in owners.get(arxiv_id, ()):
            if key not in plan.papers and key not in unknown:
                try:
                    plan.papers[key] = read_dayfile(path_of(key))
                except SearchError as exc:
                    report.skipped.append(exc)
                    unknown.add(key)
    affected = {a for a in affected if unknown.isdisjoint(owners.get(a, ()))}
    # Merged in file order, as a rebuild does, so ties between copies resolve the same way.
    new_papers = merge_papers(
        p for key in sorted(plan.papers, key=Path) for p in plan.papers[key] if p.arxiv_id in affected
    )

    segment, table = segments.SegmentBuilder(), words.Builder()
    writer = ix.writer(limitmb=256)
    try:
        with ix.searcher() as searcher:
            stored = {a: doc for a in affected if (doc := searcher.document(arxiv_id=a)) is not None}
        fresh = [
            p for a, p in new_papers.items()
            if a not in stored or _stored_fields(p, owners) != {k: stored[a].get(k) for k in _COMPARED}
        ]
        replaced = {p.arxiv_id for p in fresh} & set(stored)
        for arxiv_id in sorted(replaced | (set(stored) - set(new_papers))):
            lex.remove(stored[arxiv_id].get("lex") or {})
            writer.delete_by_term("arxiv_id", arxiv_id)
        report.removed = len(set(stored) - set(new_papers))
        report.updated = len(replaced)
        report.added = len(fresh) - len(replaced)
        _add_papers(writer, segment, table, fresh, owners, lex, progress)
        if progress is not None:  # committing a rebuild merges every segment: many seconds
            progress(len(fresh), len(fresh), "committing")
        if old is None:
            writer.commit(optimize=True)
        else:  # merged apart, once the new papers are published (merge_generation)
            from whoosh.writing import NO_MERGE
            writer.commit(mergetype=NO_MERGE)
    except BaseException:
        # After a failed commit (a full disk) the writer is closed and cancel() raises "This
        # writer is closed", which would hide the real error.
        with contextlib.suppress(Exception):
            writer.cancel()
        raise

    if progress is not None:
        progress(len(fresh), len(fresh), "finishing")
    listing = arrays.read_listing(old.path) if old is not None else []
    listing = segments.delete(tmp, listing, replaced | (set(stored) - set(new_papers)))
    if len(segment):
        listing.append(segment.write(tmp))
    listing = segments.compact(tmp, listing)
    kept = {f"seg-{s['name']}.arr" for s in listing}
    for path in tmp.glob("seg-*.arr"):
        if path.name not in kept:
            path.unlink()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        count = searcher.doc_count()
        # The term list still holds the dates of deleted documents; the column, per live doc, not.
        dates = []
        if count:  # an empty index has no column to read
            deleted = _deleted(reader)
            dates = sorted({d for n, d in enumerate(reader.column_reader("date")) if n not in deleted})
    arrays.write_listing(tmp, listing, _whoosh_ids(ix))
    sounds = loanwords.Sounds(english_words(arrays.Arrays(tmp)), previous=old.sounds() if old is not None else None)
    table.write(tmp, old.words() if old is not None else None)
    _write_json(tmp / LEXICON, lex.to_json())
    lex.tables().write(tmp / TABLES)
    sounds.write(tmp / SOUNDS)
    return count, dates


#: Whoosh merges segments in Python (a hundred or so documents a second on a shared machine); its
#: own policy once merged 4,053 documents into an update of 20 papers (42 s). An update publishes
#: its papers without merging; then, in a generation of its own, the MERGE_AT smallest segments
#: are merged, only when they hold at most MERGE_BUDGET documents together, so a run's merge is
#: bounded and most runs merge nothing; larger segments are merged only by a rebuild (the array
#: form merges separately, in numpy).
MERGE_BUDGET = 500
MERGE_AT = 6


def bounded_merge(writer, segments):
    """Whoosh merge policy for updates: merge the :data:`MERGE_AT` smallest segments when they
    hold at most :data:`MERGE_BUDGET` documents together."""
    from whoosh.reading import SegmentReader

    if len(segments) < MERGE_AT:
        return segments
    chosen = sorted(segments, key=lambda s: s.doc_count_all())[:MERGE_AT]
    if sum(s.doc_count_all() for s in chosen) > MERGE_BUDGET:
        return segments
    for seg in chosen:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]


def _whoosh_ids(ix) -> list[str | None]:
    """The arXiv ID of every Whoosh document number (None if deleted), for the array form's map."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        deleted = _deleted(reader)
        return [None if n in deleted else a for n, a in enumerate(reader.column_reader("arxiv_id"))]


def _deleted(reader) -> set[int]:
    """The deleted document numbers of a Whoosh reader: one set per segment, not a call per
    document (columns are read whole, in document order, by iterating them)."""
    return {base + n for leaf, base in reader.leaf_readers() if leaf.has_deletions() for n in leaf.deleted_docs_set}


def needs_merge(path: Path) -> bool:
    """Whether :func:`bounded_merge` would merge segments of the generation at ``path``."""
    segments = whoosh_index.open_dir(str(path))._segments()
    smallest = sorted(s.doc_count_all() for s in segments)[:MERGE_AT]
    return len(segments) >= MERGE_AT and sum(smallest) <= MERGE_BUDGET


def merge_generation(index_dir: Path, report) -> None:
    """Publish a copy of the generation just published with its small Whoosh segments merged.

    Done apart from the update, after its papers are searchable, so a merge never delays them
    (one merged 4,053 documents into an update of 20 papers: 42 s); a writer killed here leaves
    the update published. Only Whoosh's document numbers change, so the array form's map is
    rewritten and every other file is shared."""
    source = index_dir / report.generation
    name = f"gen-{_next_number(index_dir):06d}"
    with _new_generation(index_dir, name) as tmp:
        _share_files(source, tmp)
        for part in source.glob("*.json"):  # rewritten in place below or later: never shared
            shutil.copy2(part, tmp / part.name)
        ix = whoosh_index.open_dir(str(tmp))
        writer = ix.writer()
        try:
            writer.commit(mergetype=bounded_merge)
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        arrays.write_listing(tmp, arrays.read_listing(tmp), _whoosh_ids(ix))
    report.generation = name


def english_words(view: arrays.Arrays) -> dict[str, int]:
    """Every Latin word of the literal view (titles and summaries as written) with its paper count.

    Summed over the two fields, so a word in both the title and the summary of a paper counts
    twice; the count only decides which one-off words are left out. Only live documents count,
    so an updated index counts what a rebuild counts.
    """
    return view.words(("lit_title", "lit_summary"), keep=str.isascii)


#: A paper whose stored fields are unchanged is not re-indexed, so these must cover every input
#: of a document (the analyzer itself is pinned by the compatibility check).
_COMPARED = ("title", "summary", "authors", "date", "votes", "url", "sources")


def _stored_fields(paper: Paper, owners: dict) -> dict:
    """The stored fields of a paper's document, except the analyzed ``lex``."""
    return {
        "title": paper.title,
        "summary": paper.summary,
        "authors": "\n".join(paper.authors),
        "date": paper.date,
        # Papers without a vote count are stored as -1: NUMERIC columns cannot hold None.
        "votes": -1 if paper.votes is None else paper.votes,
        "url": paper.url,
        "sources": sorted(owners.get(paper.arxiv_id, [paper.source])),
    }


def _add_papers(writer, segment: segments.SegmentBuilder, table: words.Builder, papers: list[Paper], owners, lex,
                progress) -> None:
    """Analyze titles and summaries in one Kiwi batch and add the documents, to Whoosh, to the
    array segment and to the word table, as results arrive."""
    texts = (text for p in papers for text in (p.title, p.summary))
    analyzed = analysis.analyze_many(texts, words=table)
    total = len(papers)
    for done, paper in enumerate(papers, 1):
        title_terms = next(analyzed)
        summary_terms = next(analyzed)
        doc_lex = lexicon.mine((paper.summary, summary_terms), (paper.title, title_terms))
        lex.add(doc_lex)
        names = analysis.name_terms(paper.authors)
        writer.add_document(arxiv_id=paper.arxiv_id, lex=doc_lex, **_stored_fields(paper, owners))
        grams = views.content_text(views.clean(paper.title), title_terms) + "\n" + views.content_text(
            views.clean(paper.summary), summary_terms)
        segment.add(paper.arxiv_id, paper.votes, paper.date, {
            "title": _texts_and_positions(title_terms),
            "summary": _texts_and_positions(summary_terms),
            "authors": _texts_and_positions(names),
            "grams": views.hangul_bigrams(grams),
            "lit_title": views.literal_terms(paper.title),
            "lit_summary": views.literal_terms(paper.summary),
            "names": views.capitalized_words(paper.summary),
        })
        if progress is not None:
            progress(done, total, "adding")


def _texts_and_positions(terms: list[analysis.Term]) -> tuple[list[str], list[int]]:
    return [t.text for t in terms], [t.pos for t in terms]
