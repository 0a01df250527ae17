"""The query grammar: strings → parsed structure (the table in golden/syntax.tsv), and the notes
that say what was read differently."""

import csv
from pathlib import Path

import pytest

from search.syntax import Filter, Group, Item, arxiv_id, describe, parse

TABLE = Path(__file__).parent / "golden" / "syntax.tsv"
ROWS = list(csv.DictReader(TABLE.open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize("row", ROWS, ids=[row["query"] for row in ROWS])
def test_grammar_table(row):
    assert describe(parse(row["query"]).parts) == row["parsed"]


def test_parsed_parts_are_frozen_values():
    parts = parse('(LoRA OR DoRA) AND 양자화 -title:"vision" votes:>10').parts
    assert parts == (
        Group((Item("text", "LoRA"), Item("text", "DoRA")), "must"),
        Item("text", "양자화", None, "must"),
        Item("phrase", "vision", "title", "not"),
        Filter("votes", 11, None, "votes:>10", "must"),
    )
    assert hash(parts)


@pytest.mark.parametrize(
    "query,note",
    [
        ("foo:bar LoRA", "foo: is not a field (title, author, votes, date, year); foo:bar was searched as text"),
        ("votes:many", "votes:many is not a vote count like votes:>10, votes:>=10, votes:<5, votes:10..50 or votes:10; "
                       "searched as text"),
        ("date:June", "date:June is not a date like date:2025-05, date:2024-06-15, date:2024-06..2024-08 or "
                      "date:>=2024-06; searched as text"),
        ('"open phrase', "an unclosed quote runs to the end of the query"),
        ("(LoRA", "a '(' without its ')' runs to the end of the query"),
        ("LoRA)", "a ')' without its '(' was ignored"),
        ("LoRA AND", "AND needs something after it; it was ignored"),
        ("OR LoRA", "OR needs something on each side; it was ignored"),
        ("l*", "'l*': a prefix needs two letters before '*'; searched as text"),
    ],
)
def test_what_the_grammar_does_not_know_is_searched_as_text_with_a_note(query, note):
    assert parse(query).notes == (note,)


@pytest.mark.parametrize("query", ["멀티모달 벤치마크", "LoRA -양자화", "title:agent votes:>10", "2501.12948"])
def test_a_query_the_grammar_knows_has_no_notes(query):
    assert parse(query).notes == ()


def test_only_operators_is_told_apart_from_only_excludes():
    assert parse("AND OR NOT").only_operators
    assert not parse("NOT LoRA").only_operators


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2501.12948", "2501.12948"),
        ("2501.12948v2", "2501.12948"),
        ("arXiv:2501.12948", "2501.12948"),
        ("https://arxiv.org/abs/2501.12948v3", "2501.12948"),
        ("http://arxiv.org/pdf/2501.12948.pdf", "2501.12948"),
        ("https://huggingface.co/papers/2501.12948", "2501.12948"),
        (" 2407.01284 ", "2407.01284"),
        ("2501.1294", None),
        ("LoRA", None),
        ("https://example.com/2501.12948", None),
    ],
)
def test_arxiv_ids_and_links(text, expected):
    assert arxiv_id(text) == expected


@pytest.mark.parametrize("query", ['"', "(", ")", "()", "-", "+", "*", ":", "a:", "NOT", "((((", '-"', "+(", "votes:", "OR OR"])
def test_any_string_parses(query):
    parse(query)
