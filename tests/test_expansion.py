"""Prefixes and author spellings read from the array form give what Whoosh's analyzed fields gave
(the reference: the seeds indexed by Whoosh as the schema had them until schema 7)."""

from __future__ import annotations

import pytest

from search import index, query
from search.opened import open_index


def whoosh_expansion(ix, fields, stem: str) -> list[str]:
    """``query._expand`` as it was: Whoosh's ``expand_prefix`` and ``doc_frequency``."""
    reader = ix.reader()
    counts: dict[str, int] = {}
    for field in fields:
        for term in reader.expand_prefix(field, stem):
            term = term.decode() if isinstance(term, bytes) else term
            counts[term] = counts.get(term, 0) + reader.doc_frequency(field, term)
    return sorted(counts, key=lambda t: (-counts[t], t))[: query.MAX_PREFIX_TERMS]


def stems(ix) -> list[str]:
    """The first one, two and three letters of every title, summary and author term."""
    reader = ix.reader()
    found = set()
    for field in ("title", "summary", "authors"):
        for term in reader.field_terms(field):
            term = term.decode() if isinstance(term, bytes) else term
            found.update(term[:n] for n in (1, 2, 3))
    return sorted(found)


@pytest.mark.parametrize("fields", [("title", "summary"), ("title",), ("summary",), ("authors",)])
def test_every_prefix_expands_as_whoosh_expanded_it(seeds_index, whoosh_seeds, fields):
    opened = open_index(seeds_index)
    every = stems(whoosh_seeds)
    assert len(every) > 1000
    differ = [s for s in every if query._expand(opened, fields, s) != whoosh_expansion(whoosh_seeds, fields, s)]
    assert differ == []
    if "summary" in fields:  # 81 titles or author lists have no 50 terms of one prefix
        assert max(len(query._expand(opened, fields, s)) for s in every) == query.MAX_PREFIX_TERMS


def test_a_prefix_counts_live_papers_only(tmp_path):
    from helpers_index import day_index

    ix = day_index(tmp_path, [("2407.00001", "Multimodal agents", "A B", "멀티모달 에이전트"),
                              ("2407.00002", "Multilingual models", "C D", "다국어 모델")])
    view = index.open_generation(ix).arrays()
    assert view.words(("title",), prefix="multi") == {"multimodal": 1, "multilingual": 1}
    assert view.words(("title",), prefix="multim") == {"multimodal": 1}
    assert view.words(("summary",), prefix="멀티") == {"멀티": 1, "멀티모달": 1}
    assert view.words(("title",), prefix="zz") == {}
    view.live[0] = False
    assert view.words(("title",), prefix="multi") == {"multilingual": 1}


def test_author_spellings_are_those_whoosh_listed(seeds_index, whoosh_seeds):
    opened = open_index(seeds_index)
    spellings = query._spellings(opened)
    reader = whoosh_seeds.reader()
    terms = [t.decode() if isinstance(t, bytes) else t for t in reader.field_terms("authors")]
    assert len(terms) > 200
    expected: dict[str, list[str]] = {}
    for t in terms:
        expected.setdefault(query._bare(t), []).append(t)
    assert all(spellings(word) == expected[query._bare(word)] for word in terms)
