import os
from pathlib import Path

import pytest

from search.errors import DayFileError, SourceError
from search.parse import Paper, find_dayfiles, parse_dayfile, parse_sources, read_dayfile

FIXTURES = Path(__file__).parent / "fixtures" / "dayfiles"
SEEDS = Path(__file__).parents[1] / "seeds"
#: The real corpus (``paper_logs/`` of a clone of l-yohai/daily_papers_ko): $PAPERS_CORPUS, else
#: where the development set-up keeps it. Tests that need it are skipped without it.
CORPUS = Path(os.environ.get("PAPERS_CORPUS") or Path(__file__).resolve().parents[2] / "shared/corpus/daily_papers_ko/paper_logs")

DAY = """## Daily Papers ({date})

### [{title}](https://arxiv.org/abs/{arxiv_id})

Vote: {votes}

Authors: Ann Example

- **What's New**: {summary}
"""


def day(arxiv_id="2401.00001", date="2024-01-01", title="A Paper", votes=1, summary="요약"):
    return DAY.format(arxiv_id=arxiv_id, date=date, title=title, votes=votes, summary=summary)


def only_paper(name):
    papers = read_dayfile(FIXTURES / name)
    assert len(papers) == 1
    return papers[0]


def test_standard_entry_gives_every_field():
    path = FIXTURES / "labelled_bold.md"
    assert read_dayfile(path) == [
        Paper(
            arxiv_id="2407.00001",
            title="Tiny Planner: Search with A* and Small Models",
            url="https://arxiv.org/abs/2407.00001",
            authors=("Minji Kim", "Jae Park"),
            votes=12,
            date="2024-07-02",
            summary=(
                "작은 모델로 A* 탐색을 흉내 내는 방법을 제안합니다.\n"
                "탐색 경로를 토큰으로 바꿔 학습합니다.\n"
                "퍼즐 정답률이 12% 올랐습니다."
            ),
            sections=(
                ("What's New", "작은 모델로 A* 탐색을 흉내 내는 방법을 제안합니다."),
                ("Technical Details", "탐색 경로를 토큰으로 바꿔 학습합니다."),
                ("Performance Highlights", "퍼즐 정답률이 12% 올랐습니다."),
            ),
            source=str(path),
        )
    ]


def test_bold_italic_labels_are_removed_even_when_unbalanced():
    paper = only_paper("labelled_bold_italic.md")
    assert paper.sections == (
        ("What's New", "음성 모델에서 침묵 구간 토큰을 잘라냅니다."),
        ("Technical Details", "에너지 기준으로 구간을 고릅니다."),
        ("Performance Highlights", "추론 속도가 두 배가 되었습니다."),
    )
    assert paper.summary == (
        "음성 모델에서 침묵 구간 토큰을 잘라냅니다.\n"
        "에너지 기준으로 구간을 고릅니다.\n"
        "추론 속도가 두 배가 되었습니다."
    )
    assert (paper.date, paper.votes, paper.authors) == ("2025-01-15", 3, ("Sora Lee",))


def test_curly_apostrophe_label_is_normalised():
    paper = only_paper("curly_apostrophe.md")
    assert paper.sections == (
        ("What's New", "종이접기 지시문을 로봇 동작으로 바꿉니다."),
        ("Technical Details", "접는 선을 그래프로 표현합니다."),
    )
    assert paper.summary == "종이접기 지시문을 로봇 동작으로 바꿉니다.\n접는 선을 그래프로 표현합니다."


def test_unlabelled_entries_without_image_vote_or_authors():
    first, second = read_dayfile(FIXTURES / "unlabelled.md")
    assert (first.arxiv_id, first.title, first.votes, first.authors, first.date) == (
        "2311.00004",
        "Slow Reading: Why Models Skim",
        None,
        (),
        "2023-11-20",
    )
    assert first.summary == "모델이 긴 글을 대충 읽는 이유를 분석합니다.\n주의 분포가 앞부분에 몰립니다."
    assert first.sections == (
        ("", "모델이 긴 글을 대충 읽는 이유를 분석합니다."),
        ("", "주의 분포가 앞부분에 몰립니다."),
    )
    assert (second.arxiv_id, second.summary) == (
        "2311.00005",
        "작은 신경망의 초기값을 큰 모델에서 가져옵니다.",
    )


def test_dict_and_list_literals_in_bullets_become_lines():
    paper = only_paper("dict_literal.md")
    assert paper.sections == (
        ("What's New", "여러 과제를 하나로 묶은 벤치마크입니다."),
        ("Technical Details", "Data: 열 가지 과제를 모았습니다.\nScoring: 과제별 점수를 평균합니다."),
        ("Performance Highlights", "GPT-4o가 1위입니다.\n작은 모델은 '계산' 과제에서 약합니다."),
        ("Findings", "Finding 1: 길이가 길수록 어렵습니다.\nFinding 2: 예시가 도움이 됩니다."),
    )
    assert paper.summary == (
        "여러 과제를 하나로 묶은 벤치마크입니다.\n"
        "Data: 열 가지 과제를 모았습니다.\n"
        "Scoring: 과제별 점수를 평균합니다.\n"
        "GPT-4o가 1위입니다.\n"
        "작은 모델은 '계산' 과제에서 약합니다.\n"
        "Findings:\n"
        "Finding 1: 길이가 길수록 어렵습니다.\n"
        "Finding 2: 예시가 도움이 됩니다."
    )


def test_summary_written_as_one_dict_literal_becomes_lines():
    paper = only_paper("summary_literal.md")
    assert paper.summary == "What's New: 어두운 사진을 밝히는 모델입니다.\nTechnical Details: 밝기 곡선을 예측합니다."
    assert paper.sections == (("", paper.summary),)


def test_broken_literal_is_kept_as_text():
    (paper,) = parse_dayfile(day(summary="{'Data': '따옴표가 닫히지 않음}"))
    assert paper.summary == "{'Data': '따옴표가 닫히지 않음}"


def test_authors_as_list_literal():
    paper = only_paper("authors_list_literal.md")
    assert paper.authors == ("Kai Müller", "Sean O'Neil", "Mina Jang")
    assert (paper.votes, paper.summary) == (9, "챗봇이 사용자 의견에 동조하는 정도를 잽니다.")


def test_author_placeholders_and_repeats_are_dropped():
    paper = only_paper("authors_plus.md")
    assert paper.authors == ("Ivy Chen", "Raj Patel", "Tom Berg")
    assert paper.sections == (("", "많은 저자가 참여한 모델 보고서입니다."),)


def test_dash_vote_and_missing_vote_line_give_none():
    dash, missing = read_dayfile(FIXTURES / "vote_missing.md")
    assert (dash.arxiv_id, dash.votes, dash.authors) == ("2312.00010", None, ("Ella Novak",))
    assert (missing.arxiv_id, missing.votes, missing.authors) == (
        "2312.00011",
        None,
        ("Finn Ahn",),
    )
    assert missing.summary == "투표 줄이 없는 논문입니다."


def test_video_block_and_avatar_image_are_skipped():
    video, avatar = read_dayfile(FIXTURES / "video_block.md")
    assert (video.title, video.votes, video.authors, video.summary) == (
        "Dancing Shapes: Video from Sketches",
        15,
        ("Noa Levi",),
        "스케치로 춤추는 영상을 만듭니다.",
    )
    assert (avatar.title, avatar.votes, avatar.summary) == (
        "Avatar Only: Thumbnails Missing",
        2,
        "썸네일 대신 아바타가 있는 논문입니다.",
    )


def test_latex_and_brackets_stay_in_titles_with_whitespace_collapsed():
    latex, brackets = read_dayfile(FIXTURES / "latex_title.md")
    assert latex.title == r"M$^{2}$-Net: Two $\times$ Faster Mixing"
    assert brackets.title == "Say [UNK]: Teaching Models to Abstain"
    assert brackets.summary == "모를 때 [UNK] 토큰을 내도록 가르칩니다."


def test_second_header_in_the_middle_of_a_file_is_not_a_paper():
    first, second = read_dayfile(FIXTURES / "second_header.md")
    assert (first.arxiv_id, first.date, first.summary) == (
        "2410.00016",
        "2024-10-18",
        "머리말 앞의 논문입니다.",
    )
    assert (second.arxiv_id, second.date, second.summary) == (
        "2410.00017",
        "2024-10-18",
        "머리말 뒤의 논문입니다.",
    )


def test_nested_numbered_and_continuation_lines_are_their_own_lines():
    paper = only_paper("nested_bullets.md")
    assert paper.sections == (
        ("", "이 방법은 세 가지 특징이 있습니다:\n(1) 빠릅니다.\n(2) 작습니다."),
        (
            "Technical Details",
            "구성 요소는 다음과 같습니다:\n"
            "1. Encoder: 문장을 벡터로 바꿉니다.\n"
            "2) 디코더가 벡터를 문장으로 되돌립니다.\n"
            "이어지는 설명 줄입니다.",
        ),
    )
    assert paper.summary.splitlines() == [
        "이 방법은 세 가지 특징이 있습니다:",
        "(1) 빠릅니다.",
        "(2) 작습니다.",
        "구성 요소는 다음과 같습니다:",
        "1. Encoder: 문장을 벡터로 바꿉니다.",
        "2) 디코더가 벡터를 문장으로 되돌립니다.",
        "이어지는 설명 줄입니다.",
    ]


def test_versioned_pdf_and_hub_links_give_bare_arxiv_ids():
    papers = read_dayfile(FIXTURES / "arxiv_link_forms.md")
    assert [(p.arxiv_id, p.url) for p in papers] == [
        ("2401.00019", "https://arxiv.org/abs/2401.00019v2"),
        ("2401.00020", "https://arxiv.org/pdf/2401.00020v1.pdf"),
        ("2401.00021", "https://huggingface.co/papers/2401.00021"),
    ]


def test_header_date_wins_and_path_date_is_the_fallback():
    text = day(date="2024-05-06")
    assert parse_dayfile(text, "logs/2024/05/07.md")[0].date == "2024-05-06"
    headerless = text.split("\n", 1)[1]
    assert parse_dayfile(headerless, "logs/2024/05/07.md")[0].date == "2024-05-07"
    assert parse_dayfile(headerless, "2024-05-08.md")[0].date == "2024-05-08"


def test_crlf_and_bom_are_tolerated(tmp_path):
    path = tmp_path / "01.md"
    path.write_bytes(b"\xef\xbb\xbf" + day().replace("\n", "\r\n").encode())
    (paper,) = read_dayfile(path)
    assert (paper.date, paper.title, paper.summary) == ("2024-01-01", "A Paper", "요약")


@pytest.mark.parametrize(
    "text, source, reason",
    [
        ("", "a.md", "no paper entries ('### [title](https://arxiv.org/abs/...)')"),
        (
            "# Notes\n\nSome prose.\n",
            "README.md",
            "no paper entries ('### [title](https://arxiv.org/abs/...)')",
        ),
        (
            day().replace("https://arxiv.org/abs/2401.00001", "https://example.com/x"),
            "a.md",
            "line 3: no arXiv id in the link 'https://example.com/x'",
        ),
        (
            "## Daily Papers (2024-01-01)\n\n### Just a heading\n",
            "a.md",
            "line 3: entry heading is not '### [title](link)'",
        ),
        (day(title=" "), "a.md", "line 3: entry has an empty title"),
        (
            day(date="2024-13-01"),
            "a.md",
            "line 1: header date '2024-13-01' is not YYYY-MM-DD",
        ),
        (
            day().split("\n", 1)[1],
            "notes.md",
            "line 2: no '## Daily Papers (YYYY-MM-DD)' header above the entry and no date "
            "in the file name",
        ),
    ],
)
def test_malformed_text_raises_with_reason(text, source, reason):
    with pytest.raises(DayFileError) as raised:
        parse_dayfile(text, source)
    assert (raised.value.path, raised.value.reason) == (source, reason)
    assert str(raised.value) == f"{source}: {reason}"


def test_undecodable_file_raises_with_byte_and_offset(tmp_path):
    path = tmp_path / "02.md"
    path.write_bytes(b"## Daily Papers (2024-01-02)\n\xff\n")
    with pytest.raises(DayFileError) as raised:
        read_dayfile(path)
    assert (raised.value.path, raised.value.reason) == (
        str(path),
        "not UTF-8 text (byte 0xff at offset 29)",
    )


def test_unreadable_file_raises_with_reason(tmp_path):
    path = tmp_path / "missing.md"
    with pytest.raises(DayFileError) as raised:
        read_dayfile(path)
    assert (raised.value.path, raised.value.reason) == (
        str(path),
        "cannot be read (No such file or directory)",
    )


def test_bad_files_are_reported_and_the_rest_of_the_folder_parses(tmp_path):
    (tmp_path / "01.md").write_text(day("2401.00001", "2024-01-01"), encoding="utf-8")
    (tmp_path / "02.md").write_bytes(b"\xc3\x28 not utf-8")
    (tmp_path / "03.md").write_text("# Notes\n", encoding="utf-8")
    (tmp_path / "04.md").write_text(day("2401.00004", "2024-01-04"), encoding="utf-8")

    corpus = parse_sources([tmp_path])

    assert list(corpus.papers) == ["2401.00001", "2401.00004"]
    assert corpus.files == [tmp_path / name for name in ("01.md", "02.md", "03.md", "04.md")]
    assert [(e.path, e.reason) for e in corpus.errors] == [
        (str(tmp_path / "02.md"), "not UTF-8 text (byte 0xc3 at offset 0)"),
        (
            str(tmp_path / "03.md"),
            "no paper entries ('### [title](https://arxiv.org/abs/...)')",
        ),
    ]


def test_flat_and_nested_layouts_give_the_same_papers(tmp_path):
    days = {"2024-03-01": "2403.00001", "2024-03-04": "2403.00002", "2024-04-01": "2404.00003"}
    for date, arxiv_id in days.items():
        year, month, dd = date.split("-")
        nested = tmp_path / "nested" / "paper_logs" / year / month / f"{dd}.md"
        nested.parent.mkdir(parents=True, exist_ok=True)
        nested.write_text(day(arxiv_id, date), encoding="utf-8")
        flat = tmp_path / "flat" / f"{arxiv_id}.txt"
        flat.parent.mkdir(exist_ok=True)
        flat.write_text(day(arxiv_id, date), encoding="utf-8")

    nested_corpus = parse_sources([tmp_path / "nested"])
    flat_corpus = parse_sources([tmp_path / "flat"])

    def fields(corpus):
        return [(p.arxiv_id, p.date, p.title, p.summary) for p in corpus.papers.values()]

    assert fields(nested_corpus) == fields(flat_corpus) == [
        ("2403.00001", "2024-03-01", "A Paper", "요약"),
        ("2403.00002", "2024-03-04", "A Paper", "요약"),
        ("2404.00003", "2024-04-01", "A Paper", "요약"),
    ]
    assert nested_corpus.errors == flat_corpus.errors == []


def test_same_arxiv_id_on_two_days_is_one_paper_with_latest_content_and_first_date(tmp_path):
    older = tmp_path / "2024" / "10" / "16.md"
    newer = tmp_path / "2024" / "10" / "18.md"
    older.parent.mkdir(parents=True)
    older.write_text(day("2410.00001", "2024-10-16", "Old Title", 15, "예전 요약"), encoding="utf-8")
    newer.write_text(day("2410.00001", "2024-10-18", "New Title", 34, "새 요약"), encoding="utf-8")

    corpus = parse_sources([tmp_path])

    assert list(corpus.papers) == ["2410.00001"]
    paper = corpus.papers["2410.00001"]
    assert (paper.title, paper.votes, paper.summary, paper.date, paper.source) == (
        "New Title",
        34,
        "새 요약",
        "2024-10-16",
        str(newer),
    )


def test_papers_are_ordered_by_date_not_by_file_name(tmp_path):
    (tmp_path / "a.md").write_text(day("2402.00002", "2024-02-02"), encoding="utf-8")
    (tmp_path / "b.md").write_text(day("2401.00001", "2024-01-01"), encoding="utf-8")
    assert list(parse_sources([tmp_path]).papers) == ["2401.00001", "2402.00002"]


def test_find_dayfiles_skips_docs_and_hidden_files_but_takes_named_files(tmp_path):
    for name in ("README.md", "LICENSE.md", "SOURCE.md", "notes.json", ".hidden.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "01.md").write_text("x", encoding="utf-8")
    (tmp_path / "2024" / "01").mkdir(parents=True)
    (tmp_path / "2024" / "01" / "02.md").write_text("x", encoding="utf-8")
    (tmp_path / "seed.txt").write_text("x", encoding="utf-8")

    assert find_dayfiles([tmp_path]) == [tmp_path / "2024" / "01" / "02.md", tmp_path / "seed.txt"]
    assert find_dayfiles([tmp_path / "README.md", tmp_path / "seed.txt", tmp_path]) == [
        tmp_path / "2024" / "01" / "02.md",
        tmp_path / "README.md",
        tmp_path / "seed.txt",
    ]


def test_missing_path_raises_source_error(tmp_path):
    with pytest.raises(SourceError) as raised:
        find_dayfiles([tmp_path / "nope"])
    assert str(raised.value) == f"{tmp_path / 'nope'} does not exist; check the path"


def test_folder_without_dayfiles_raises_source_error(tmp_path):
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        find_dayfiles([tmp_path])
    assert str(raised.value) == f"{tmp_path} holds no day-files (*.md or *.txt)"


def test_every_fixture_parses_without_errors():
    corpus = parse_sources([FIXTURES])
    assert corpus.errors == []
    assert len(corpus.files) == 14
    assert len(corpus.papers) == 21


def test_seeds_parse_to_81_papers():
    corpus = parse_sources([SEEDS])
    assert corpus.errors == []
    assert len(corpus.files) == 5
    assert len(corpus.papers) == 81
    assert sorted({p.date for p in corpus.papers.values()}) == [
        "2024-02-12",
        "2024-04-03",
        "2024-06-12",
        "2024-07-02",
        "2024-07-15",
    ]
    assert corpus.papers["2407.01284"].title == (
        "We-Math: Does Your Large Multimodal Model Achieve Human-like Mathematical Reasoning?"
    )


@pytest.fixture(scope="module")
def full_corpus():
    return parse_sources([CORPUS])


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


@needs_corpus
def test_full_corpus_parses_to_5487_papers_without_errors(full_corpus):
    assert full_corpus.errors == []
    assert len(full_corpus.files) == 357
    assert len(full_corpus.papers) == 5487


@needs_corpus
def test_full_corpus_has_clean_fields(full_corpus):
    papers = full_corpus.papers.values()
    assert [p.arxiv_id for p in papers if not p.title or not p.summary] == []
    # Apostrophes inside names are real ("Sean O'Brien"); quotes at the ends or brackets would
    # be leftovers of a list literal.
    assert [
        (p.arxiv_id, author)
        for p in papers
        for author in p.authors
        if author in ("", "+") or author[0] in "'\"[" or author[-1] in "'\"]" or "', '" in author
    ] == []
    assert [p.arxiv_id for p in papers if "**" in p.summary] == []
    assert [p.arxiv_id for p in papers if "{'" in p.summary or "['" in p.summary] == []


@needs_corpus
def test_full_corpus_early_unlabelled_entry_with_nested_bullets(full_corpus):
    paper = full_corpus.papers["2311.10125"]
    assert (paper.title, paper.date, paper.votes, paper.authors) == (
        "UnifiedVisionGPT: Streamlining Vision-Oriented AI through Generalized Multimodal "
        "Framework",
        "2023-11-20",
        None,
        (),
    )
    assert [label for label, _ in paper.sections] == [""] * 6
    nested = paper.summary.splitlines()[4:8]
    assert [line[:4] for line in nested] == ["(1) ", "(2) ", "(3) ", "(4) "]


@needs_corpus
def test_full_corpus_dash_vote_gives_none(full_corpus):
    paper = full_corpus.papers["2312.06353"]
    assert (paper.date, paper.votes, paper.authors) == (
        "2023-12-12",
        None,
        (
            "Zhen Qin",
            "Daoyuan Chen",
            "Bingchen Qian",
            "Bolin Ding",
            "Yaliang Li",
            "Shuiguang Deng",
        ),
    )


@needs_corpus
def test_full_corpus_dict_literal_becomes_key_value_lines(full_corpus):
    paper = full_corpus.papers["2406.09305"]
    assert (paper.date, paper.votes) == ("2024-06-14", 4)
    assert [label for label, _ in paper.sections] == [
        "What's New",
        "Technical Details",
        "Performance Highlights",
    ]
    assert [line.split(":")[0] for line in paper.summary.splitlines()[1:]] == [
        "Dataset Construction",
        "Model Architecture",
        "Efficiency",
        "Scalability",
        "Versatility",
    ]


@needs_corpus
def test_full_corpus_numbered_lines_under_a_bullet_are_own_lines(full_corpus):
    paper = full_corpus.papers["2408.07410"]
    assert (paper.title, paper.date, paper.votes) == ("Aquila2 Technical Report", "2024-08-15", 5)
    numbered = paper.summary.splitlines()[2:7]
    assert [line[:5] for line in numbered] == ["1. To", "2. Gr", "3. Po", "4. AT", "5. DM"]


@needs_corpus
def test_full_corpus_plus_placeholder_is_dropped(full_corpus):
    paper = full_corpus.papers["2409.02795"]
    assert paper.authors[:2] == ("Zhifang Sui", "Peiyi Wang")
    assert len(paper.authors) == 22


@needs_corpus
def test_full_corpus_duplicate_takes_latest_content_and_first_date(full_corpus):
    paper = full_corpus.papers["2410.09342"]
    assert (paper.title, paper.date, paper.votes, paper.authors[:2]) == (
        "LLMtimesMapReduce: Simplified Long-Sequence Processing using Large Language Models",
        "2024-10-16",
        34,
        ("Zihan Zhou", "Zhixing Tan"),
    )
    assert Path(paper.source).relative_to(CORPUS) == Path("2024/10/18.md")


@needs_corpus
def test_full_corpus_brackets_and_latex_in_titles_are_kept(full_corpus):
    assert full_corpus.papers["2412.06676"].title == (
        "I Don't Know: Explicit Modeling of Uncertainty with an [IDK] Token"
    )
    assert full_corpus.papers["2402.14083"].title == (
        "Beyond A*: Better Planning with Transformers via Search Dynamics Bootstrapping"
    )
    assert full_corpus.papers["2311.11255"].title == (
        "M$^{2}$UGen: Multi-modal Music Understanding and Generation with the Power of Large "
        "Language Models"
    )


@needs_corpus
def test_full_corpus_second_header_does_not_split_or_redate_the_day(full_corpus):
    papers = read_dayfile(CORPUS / "2025/01/02.md")
    assert {p.date for p in papers} == {"2025-01-02"}
    assert [p.arxiv_id for p in papers] == ["2412.19723", "2412.19638", "2412.20735"]
