"""Related papers: more like this from a paper's distinctive terms."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import search
from search.cli import main
from search.errors import NotFoundError, QueryError
from search.opened import open_index
from search.similar import distinctive_terms

ROOT = Path(__file__).resolve().parents[1]


def test_related_papers_share_the_papers_topic_and_leave_it_out(seeds_index):
    hits = search.related("2407.00468", limit=5, index_dir=seeds_index)  # MMEvalPro, a multimodal benchmark
    ids = [h.arxiv_id for h in hits]
    assert len(ids) == 5 and "2407.00468" not in ids
    assert ids[0] == "2407.01284"  # We-Math: a multimodal math benchmark
    assert hits.total > 5
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_related_snippets_mark_the_shared_terms(seeds_index):
    first = search.related("2407.00468", limit=1, index_dir=seeds_index)[0]
    marked = [first.snippet[a:b] for a, b in first.highlights]
    assert marked and all(m for m in marked)


def test_distinctive_terms_favour_the_title_and_rare_words(seeds_index):
    opened = open_index(seeds_index)
    fields = opened.document("2407.00468")
    terms = distinctive_terms(opened, fields["title"], fields["summary"])
    assert "benchmark" in list(terms)[:10] and "multimodal" in list(terms)[:10]
    assert not any(t.replace(".", "").isdigit() for t in terms)
    weights = list(terms.values())
    assert weights == sorted(weights, reverse=True)


def test_related_needs_no_kiwi(seeds_index):
    # In a fresh process: this one loaded Kiwi to build the seeds index.
    code = ("import search; from search import analysis; "
            f"search.related('2407.01284', index_dir={str(seeds_index)!r}); print(analysis.kiwi_loaded())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout == "False\n"


@pytest.mark.parametrize("arxiv_id, limit, error", [
    ("9999.99999", 5, NotFoundError),
    ("2407.00468", 0, QueryError),
    ("2407.00468", 101, QueryError),
])
def test_related_errors(seeds_index, arxiv_id, limit, error):
    with pytest.raises(error):
        search.related(arxiv_id, limit=limit, index_dir=seeds_index)


def test_papers_related_prints_hits_and_json(seeds_index):
    runner = CliRunner()
    printed = runner.invoke(main, ["related", "2407.00468", "-n", "3", "--index-dir", str(seeds_index)],
                            catch_exceptions=False, env={"COLUMNS": "", "NO_COLOR": "1"})
    assert printed.exit_code == 0
    assert printed.stdout.startswith(" 1. We-Math: Does Your Large Multimodal Model")
    data = json.loads(runner.invoke(main, ["related", "2407.00468", "-n", "3", "--json", "--index-dir",
                                           str(seeds_index)], catch_exceptions=False).stdout)
    assert data["arxiv_id"] == "2407.00468" and len(data["hits"]) == 3
    assert data["hits"][0]["arxiv_id"] == "2407.01284"
    missing = runner.invoke(main, ["related", "9999.99999", "--index-dir", str(seeds_index)])
    assert missing.exit_code == 1 and "no paper '9999.99999'" in missing.stderr
