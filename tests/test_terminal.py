"""Text for the terminal (search.terminal): widths, wrapping, highlights, authors, progress lines."""

import pytest

from search import terminal
from search.terminal import MATCH, RESET


@pytest.mark.parametrize(
    "text,width",
    [("abc", 3), ("멀티모달", 8), ("LLM을", 5), ("e\u0301", 1), ("（）", 4), ("", 0)],
)
def test_hangul_and_fullwidth_characters_take_two_columns(text, width):
    assert terminal.text_width(text) == width


@pytest.mark.parametrize(
    "text,columns,lines",
    [
        ("가나다 라마", 6, ["가나다", "라마"]),       # 가나다 fills six columns exactly
        ("가나다 라마", 5, ["가나", "다", "라마"]),    # a word wider than the line is cut
        ("one two  three", 7, ["one two", "three"]),  # spaces at a break are dropped
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("short", None, ["short"]),
        ("short", 80, ["short"]),
    ],
)
def test_lines_break_at_spaces_within_the_display_width(text, columns, lines):
    assert [text[a:b] for a, b in terminal.line_spans(text, columns)] == lines


def test_matches_with_only_spaces_between_them_are_one():
    text = "유명한 멀티모달 벤치마크를, 그리고 멀티모달"
    spans = [(4, 8), (9, 13), (21, 25)]
    assert terminal.merge_spans(text, spans) == [(4, 13), (21, 25)]


def test_a_highlight_broken_by_the_wrap_is_painted_on_both_lines():
    text = "세 가지 유명한 멀티모달 벤치마크를 분석"
    lines = terminal.block(text, "  ", 25, [(9, 13), (14, 18)], MATCH)
    assert lines == [
        "  세 가지 유명한 " + MATCH + "멀티모달" + RESET,
        "  " + MATCH + "벤치마크" + RESET + "를 분석",
    ]
    assert terminal.block(text, "  ", 25, [(9, 13)], None) == ["  세 가지 유명한 멀티모달", "  벤치마크를 분석"]


def test_the_authors_line_shortens_and_names_a_matched_author_beyond_the_first_four():
    authors = ("A One", "B Two", "C Three", "D Four", "E Five", "Yifan Peng", "G Seven")
    assert terminal.authors_line(authors) == ("A One, B Two, C Three, D Four … (7 authors)", [])
    text, spans = terminal.authors_line(authors, ["Yifan Peng"])
    assert text == "A One, B Two, C Three, D Four … Yifan Peng (6th of 7 authors)"
    assert [text[a:b] for a, b in spans] == ["Yifan Peng"]
    text, spans = terminal.authors_line(authors[:3], ["B Two"])
    assert (text, [text[a:b] for a, b in spans]) == ("A One, B Two, C Three", ["B Two"])


def test_the_progress_log_reports_every_interval_then_each_phase():
    lines = []
    log = terminal.ProgressLog(lines.append, every=0.0)
    for done in (1, 2):
        log(done, 2, "adding")
    log(2, 2, "committing")
    log(2, 2, "finishing")
    assert lines == ["indexing: 1/2 papers (50%)", "indexing: 2/2 papers (100%)",
                     "writing the index…", "writing the lexicon and word sounds…"]


def test_the_progress_log_of_a_short_build_is_silent():
    lines = []
    log = terminal.ProgressLog(lines.append, every=3600.0)
    log(1, 1, "adding")
    log(1, 1, "committing")
    log(1, 1, "finishing")
    assert lines == []
