import dataclasses
import signal
from contextlib import contextmanager

import pytest
from helpers_index import day_index

from search import Hit, get_paper, search
from search.errors import NotFoundError, QueryError

MMEVALPRO = "2407.00468"      # "MMEvalPro: Calibrating Multimodal Benchmarks ..."
WE_MATH = "2407.01284"        # "We-Math: Does Your Large Multimodal Model ...", first author Yifan Zhang
LLAVA_GEMMA = "2404.01331"    # "LLaVA-Gemma: Accelerating Multimodal Foundation Models ..."
SPIQA = "2407.09413"          # "SPIQA: A Dataset for Multimodal Question Answering ..."
OMNIJARVIS = "2407.00114"     # summary: "멀티모달 언어 모델(MLMs)의 발전에 이어 ..."
XEUS = "2407.00837"           # authors include Wangyou Zhang and Yifan Peng, not Yifan Zhang

# The seed papers whose title or summary contains "diffusion" (11) and "확산" (8).
DIFFUSION = {
    "2402.06088", "2402.06178", "2404.01367", "2406.06911", "2406.07472", "2406.07520",
    "2406.07524", "2406.07547", "2406.07550", "2407.01519", "2407.09012",
}
HWAKSAN = {
    "2402.06088", "2402.06178", "2404.01367", "2406.06911", "2406.07520", "2406.07547",
    "2407.00402", "2407.01519",
}


def ids(hits) -> set[str]:
    return {hit.arxiv_id for hit in hits}


@contextmanager
def deadline(seconds: float):
    """Fail the test if the block runs longer than ``seconds``."""

    def expired(signum, frame):
        pytest.fail(f"took longer than {seconds} s", pytrace=False)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- results ----------------------------------------------------------------------------------


def test_search_returns_frozen_hits_with_typed_fields(seeds_index):
    hits = search("멀티모달 벤치마크", index_dir=seeds_index)
    assert [f.name for f in dataclasses.fields(Hit)] == [
        "arxiv_id", "title", "url", "authors", "votes", "date", "score", "snippet", "highlights",
    ]
    assert hits and all(type(hit) is Hit for hit in hits)
    for hit in hits:
        assert isinstance(hit.arxiv_id, str) and isinstance(hit.title, str) and isinstance(hit.url, str)
        assert isinstance(hit.authors, tuple) and all(isinstance(a, str) for a in hit.authors)
        assert hit.votes is None or isinstance(hit.votes, int)
        assert len(hit.date) == 10 and hit.date[4] == hit.date[7] == "-"
        assert isinstance(hit.score, float) and isinstance(hit.snippet, str)
    with pytest.raises(dataclasses.FrozenInstanceError):
        hits[0].score = 0.0


def test_korean_query_ranks_the_multimodal_benchmark_paper_first(seeds_index):
    hits = search("멀티모달 벤치마크", index_dir=seeds_index)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert hits[0].arxiv_id == MMEVALPRO
    assert hits[0].title.startswith("MMEvalPro: Calibrating Multimodal Benchmarks")
    # Coordination (issue 14): the papers matching both words, 멀티모달 through any of its forms
    # (We-Math says "Multimodal" in its title and is a benchmark), rank above OmniJARVIS, whose
    # summary says 멀티모달 but no benchmark.
    assert ids(hits[:3]) == {MMEVALPRO, WE_MATH, LLAVA_GEMMA}
    assert hits[3].arxiv_id == OMNIJARVIS


def test_english_query_ranks_the_multimodal_benchmark_paper_first(seeds_index):
    hits = search("multimodal benchmark", index_dir=seeds_index)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert hits[0].arxiv_id == MMEVALPRO
    # The four seed papers with "Multimodal" in the title rank above those that only say "benchmark".
    assert ids(hits[:4]) == {MMEVALPRO, SPIQA, LLAVA_GEMMA, WE_MATH}


def marked(hit) -> list[str]:
    return [hit.snippet[a:b] for a, b in hit.highlights]


def test_snippet_is_the_best_matching_sentence_with_matches_marked(seeds_index):
    hits = search("멀티모달 벤치마크", index_dir=seeds_index)
    assert hits[0].snippet == (
        "논문에서는 주로 MMMU, ScienceQA 및 MathVista라는 세 가지 유명한 멀티모달 벤치마크를 분석했습니다."
    )
    assert hits[0].highlights == ((48, 52), (53, 57))
    assert marked(hits[0]) == ["멀티모달", "벤치마크"]
    # Every hit matched in its summary, so every snippet marks a match (a compound part or the
    # English word of the loanword counts).
    assert all(set(marked(hit)) & {"멀티모달", "벤치마크", "멀티", "모달", "multimodal"} for hit in hits)
    # The snippet is plain text: the markup of earlier versions is gone.
    assert not any("**" in hit.snippet for hit in hits)


def test_snippet_marks_english_words_whatever_their_case_and_number(seeds_index):
    hits = {hit.arxiv_id: hit for hit in search("multimodal benchmark", index_dir=seeds_index)}
    at = hits[SPIQA].snippet.index("(multimodal)") + 1
    assert (at, at + len("multimodal")) in hits[SPIQA].highlights
    medical = hits["2406.06573"]
    at = medical.snippet.index("(Medical Question and Answering Benchmarks)") + len("(Medical Question and Answering ")
    assert (at, at + len("Benchmarks")) in medical.highlights


def test_snippet_marks_plurals_in_ies_and_words_the_analysis_reads_alike(tmp_path):
    # The analysis reads "studies" as "study" and "series" as "sery"; the snippet marks the
    # words as the summary writes them.
    index_dir = tiny_index(
        tmp_path,
        ("2401.00001", "Forecasting", "Ann Example",
         "여러 case studies에서 time series 예측을 평가합니다. 다른 문장입니다."),
    )
    hit = search("time series study", index_dir=index_dir)[0]
    assert hit.snippet == "여러 case studies에서 time series 예측을 평가합니다."
    assert marked(hit) == ["studies", "time", "series"]


def test_limit_caps_the_hits_but_not_the_total(seeds_index):
    hits = search("diffusion", index_dir=seeds_index, limit=3)
    assert len(hits) == 3
    assert hits.total == 11
    assert ids(hits) <= DIFFUSION


# -- analysis on the query side ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query,same_as",
    [
        pytest.param("LLM을", "LLM", id="particle"),
        pytest.param("GPT-4o는", "GPT-4o", id="particle-after-model-name"),
        pytest.param("LLMs", "LLM", id="plural"),
        pytest.param("Transformers", "transformer", id="case-and-plural"),
        pytest.param("멀티 모달", "멀티모달", id="spacing"),
        pytest.param("강화 학습", "강화학습", id="spacing-2"),
        pytest.param("평가했다", "평가", id="inflection"),
    ],
)
def test_query_variants_find_the_same_papers(seeds_index, query, same_as):
    found = ids(search(query, index_dir=seeds_index, limit=100))
    assert found
    assert found == ids(search(same_as, index_dir=seeds_index, limit=100))


def test_model_name_finds_the_papers_that_name_it_first(seeds_index):
    hits = search("GPT-4o", index_dir=seeds_index)
    # Only these two summaries say GPT-4o; others say GPT-4 or GPT4-o.
    assert ids(hits[:2]) == {WE_MATH, "2407.01231"}


def test_author_name_ranks_that_author_above_namesakes(seeds_index):
    hits = search("Yifan Zhang", index_dir=seeds_index, limit=100)
    # We-Math is the only seed paper by Yifan Zhang; 22 others have a Zhang or a Yifan.
    assert hits[0].arxiv_id == WE_MATH
    assert "Yifan Zhang" in hits[0].authors
    assert XEUS in ids(hits[1:])
    assert len(hits) == 23
    assert all(hit.score < hits[0].score for hit in hits[1:])


# -- query syntax ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,expected",
    [
        pytest.param('"GPT-4o"', {WE_MATH, "2407.01231"}, id="phrase-model-name"),
        pytest.param('"Gaussian Splatting"', {"2402.06149", "2407.09473"}, id="phrase-english"),
        pytest.param(
            '"강화 학습"', {"2402.06102", "2402.06147", "2404.01617", "2406.07472", "2406.19741"},
            id="phrase-matches-both-spacings",
        ),
        pytest.param('"Mixture of Experts"', {"2406.06563"}, id="phrase-with-stopword"),
        pytest.param('title:"Mixture of Experts"', {"2406.06563"}, id="title-phrase-with-stopword"),
        pytest.param("title:multimodal", {MMEVALPRO, WE_MATH, LLAVA_GEMMA, SPIQA}, id="title-word"),
        pytest.param(
            "title:LLM",
            {
                "2404.01617", "2404.02060", "2404.02078", "2406.19741", "2406.20086", "2407.00088",
                "2407.00320", "2407.01231", "2407.08770", "2407.09121", "2407.09435", "2407.09450",
            },
            id="title-ignores-summary-mentions",
        ),
        pytest.param("author:Yifan", {WE_MATH, XEUS}, id="author-word"),
        pytest.param('author:"Yifan Zhang"', {WE_MATH}, id="author-phrase-within-one-name"),
        pytest.param("diffusion AND 확산", DIFFUSION & HWAKSAN, id="and"),
        pytest.param("diffusion OR 확산", DIFFUSION | HWAKSAN, id="or"),
        pytest.param("diffusion 확산", DIFFUSION | HWAKSAN, id="or-is-default"),
        pytest.param('diffusion NOT "확산"', DIFFUSION - HWAKSAN, id="not"),
        pytest.param('"diffusion" NOT "확산"', DIFFUSION - HWAKSAN, id="phrase-not"),
        # 확산 is learned as diffusion (확산 모델(diffusion model) and its kin, word by word),
        # and an exclusion is as wide as the word's own search.
        pytest.param("diffusion NOT 확산", set(), id="not-excludes-what-the-word-finds"),
        pytest.param("확산 NOT diffusion", {"2407.00402"}, id="not-reversed"),
        pytest.param('"multimodal" NOT benchmark', {WE_MATH, LLAVA_GEMMA, SPIQA}, id="not-title-word"),
        pytest.param("DPO AND 수학", {"2407.00782"}, id="and-mixed-languages"),
    ],
)
def test_query_syntax_selects_exactly_these_papers(seeds_index, query, expected):
    assert ids(search(query, index_dir=seeds_index, limit=100)) == expected


def test_not_alone_excludes_everything_and_says_why(seeds_index):
    hits = search("NOT diffusion", index_dir=seeds_index)
    assert hits == []
    assert hits.notice.startswith("the query only excludes (NOT or -word) and has nothing to search for")


# -- filters and sorting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "options,expected",
    [
        pytest.param(
            {"since": "2024-06-12"},
            {"2406.06911", "2406.07472", "2406.07520", "2406.07524", "2406.07547", "2406.07550",
             "2407.01519", "2407.09012"},
            id="since-inclusive",
        ),
        pytest.param({"until": "2024-04-03"}, {"2402.06088", "2402.06178", "2404.01367"}, id="until-inclusive"),
        pytest.param(
            {"since": "2024-04-03", "until": "2024-06-12"},
            {"2404.01367", "2406.06911", "2406.07472", "2406.07520", "2406.07524", "2406.07547", "2406.07550"},
            id="since-and-until",
        ),
        pytest.param({"min_votes": 16}, {"2406.07547", "2406.07550", "2407.01519"}, id="min-votes-inclusive"),
        pytest.param({"min_votes": 0}, DIFFUSION, id="min-votes-zero"),
        pytest.param({"min_votes": 1000}, set(), id="min-votes-too-high"),
        pytest.param({"since": "2030-01-01"}, set(), id="since-future"),
    ],
)
def test_filters_keep_exactly_these_papers(seeds_index, options, expected):
    assert ids(search("diffusion", index_dir=seeds_index, limit=100, **options)) == expected


@pytest.mark.parametrize(
    "query,author,expected",
    [
        ("LLM", "Ge Zhang", {"2404.02060", "2406.07436"}),
        ("LLM", "ge zhang", {"2404.02060", "2406.07436"}),
        ("모델", "Yifan Zhang", {WE_MATH}),
        ("benchmark", "Zhang", {MMEVALPRO, "2406.06573"}),
    ],
)
def test_author_filter_keeps_only_that_authors_papers(seeds_index, query, author, expected):
    assert ids(search(query, index_dir=seeds_index, limit=100, author=author)) == expected


def test_sort_by_votes_orders_by_votes_and_keeps_relevance_scores(seeds_index):
    relevance = {hit.arxiv_id: hit.score for hit in search("diffusion", index_dir=seeds_index, limit=100)}
    hits = search("diffusion", index_dir=seeds_index, limit=100, sort="votes")
    assert ids(hits) == DIFFUSION
    assert [hit.arxiv_id for hit in hits[:3]] == ["2406.07550", "2406.07547", "2407.01519"]
    votes = [hit.votes for hit in hits]
    assert votes == sorted(votes, reverse=True)
    assert {hit.arxiv_id: hit.score for hit in hits} == relevance


def test_sort_by_date_puts_the_newest_first(seeds_index):
    hits = search("diffusion", index_dir=seeds_index, limit=100, sort="date")
    assert ids(hits) == DIFFUSION
    dates = [hit.date for hit in hits]
    assert dates == sorted(dates, reverse=True)
    assert [hit.arxiv_id for hit in hits[:2]] == ["2407.09012", "2407.01519"]


def test_sort_with_limit_takes_the_top_of_the_sorted_list(seeds_index):
    hits = search("diffusion", index_dir=seeds_index, limit=2, sort="votes")
    assert [hit.arxiv_id for hit in hits] == ["2406.07550", "2406.07547"]


# -- bad input ---------------------------------------------------------------------------------


HOSTILE = [
    pytest.param('"abc', id="unbalanced-quote"),
    pytest.param('"', id="lone-quote"),
    pytest.param("AND", id="and"),
    pytest.param("NOT", id="not"),
    pytest.param("OR OR", id="or-or"),
    pytest.param("NOT NOT", id="not-not"),
    pytest.param("LLM AND", id="trailing-and"),
    pytest.param("OR LLM", id="leading-or"),
    pytest.param("*", id="star"),
    pytest.param("?", id="question-mark"),
    pytest.param("C++", id="c-plus-plus"),
    pytest.param("😀", id="emoji"),
    pytest.param("🚀 LLM 🤖", id="emoji-around-word"),
    pytest.param("x" * 10_000, id="10000-char-word"),
    pytest.param(("멀티모달 벤치마크 LLM " * 1000)[:10_000], id="10000-char-text"),
    pytest.param("을를이가", id="only-particles"),
    pytest.param("title:", id="empty-title-field"),
    pytest.param("author:", id="empty-author-field"),
    pytest.param('title:"', id="title-lone-quote"),
    pytest.param("title:title:", id="title-title"),
    pytest.param(":::", id="colons"),
    pytest.param('"" ""', id="empty-phrases"),
    pytest.param("-", id="dash"),
    pytest.param("'; DROP TABLE papers; --", id="sql-injection"),
    pytest.param("1' OR '1'='1", id="sql-tautology"),
    pytest.param("\\", id="backslash"),
    pytest.param('\\\\"', id="backslashes-and-quote"),
    pytest.param("C:\\Users\\x", id="windows-path"),
    pytest.param("\x00", id="nul"),
    pytest.param("\x00\x01\x1b[31m", id="control-characters"),
    pytest.param("a\tb\nc", id="tab-and-newline"),
    pytest.param("\u200b", id="zero-width-space"),
    pytest.param("\udcff", id="non-utf8-argv-byte"),
    pytest.param("(", id="paren"),
    pytest.param("${HOME} %s <script>", id="template-and-markup"),
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_returns_a_list_or_a_one_line_query_error(seeds_index, query):
    with deadline(5):
        try:
            hits = search(query, index_dir=seeds_index)
        except QueryError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert isinstance(hits, list)
            assert all(type(hit) is Hit for hit in hits)


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "\u3000"])
def test_empty_query_is_a_query_error(seeds_index, query):
    with pytest.raises(QueryError, match="^the query is empty"):
        search(query, index_dir=seeds_index)


@pytest.mark.parametrize(
    "options,named",
    [
        ({"limit": 0}, "limit"),
        ({"limit": -5}, "limit"),
        ({"sort": "x"}, "sort"),
        ({"since": "2024-13-01"}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"since": "2024-07-01", "until": "2024-06-01"}, "until"),
        ({"min_votes": -1}, "min_votes"),
        ({"min_votes": "3"}, "min_votes"),
        ({"author": "!!"}, "author"),
    ],
)
def test_bad_option_is_a_query_error_naming_the_option(seeds_index, options, named):
    with pytest.raises(QueryError) as caught:
        search("diffusion", index_dir=seeds_index, **options)
    message = str(caught.value)
    assert named in message and "\n" not in message


# -- papers by id ------------------------------------------------------------------------------


def test_get_paper_returns_everything_stored(seeds_index):
    paper = get_paper(MMEVALPRO, index_dir=seeds_index)
    assert set(paper) == {"arxiv_id", "title", "url", "authors", "votes", "date", "summary", "sources", "sections"}
    assert paper["arxiv_id"] == MMEVALPRO
    assert paper["title"] == (
        "MMEvalPro: Calibrating Multimodal Benchmarks Towards Trustworthy and Efficient Evaluation"
    )
    assert paper["url"] == "https://arxiv.org/abs/2407.00468"
    assert paper["authors"][:2] == ["Yichi Zhang", "Haozhe Zhao"] and len(paper["authors"]) == 16
    assert paper["votes"] == 30
    assert paper["date"] == "2024-07-02"
    assert paper["summary"].startswith("최근의 연구에서 GPT4-o, Gemini-1.5, Qwen-VL 및 LLaVA와 같은")
    assert [s.rsplit("/", 1)[-1] for s in paper["sources"]] == ["000_7c823bc87fa1e911.txt"]


def test_get_paper_ignores_surrounding_spaces(seeds_index):
    assert get_paper(f" {MMEVALPRO} ", index_dir=seeds_index)["arxiv_id"] == MMEVALPRO


def test_get_paper_of_unknown_id_is_not_found(seeds_index):
    with pytest.raises(NotFoundError, match=r"^no paper '9999\.99999' in the index at "):
        get_paper("9999.99999", index_dir=seeds_index)


# -- fusion of the analyzed and the literal views ----------------------------------------------


def tiny_index(tmp_path, *papers: tuple[str, str, str, str]):
    """An index of one day-file of (arxiv_id, title, authors, summary) papers."""
    return day_index(tmp_path, papers)


def test_the_written_form_breaks_a_tie_between_analyzed_equals(tmp_path):
    # The analysis reads "Models" and "Model" alike; the literal view prefers what was typed.
    summary = "보상 모델을 학습하는 방법을 제안합니다."
    index_dir = tiny_index(
        tmp_path,
        ("2401.00001", "Reward Model for Alignment", "Ann Example", summary),
        ("2401.00002", "Reward Models for Alignment", "Ann Example", summary),
        ("2401.00003", "Video Generation", "Ann Example", "비디오를 생성합니다."),
    )
    assert [h.arxiv_id for h in search("reward models", index_dir=index_dir)] == ["2401.00002", "2401.00001"]
    assert [h.arxiv_id for h in search("reward model", index_dir=index_dir)] == ["2401.00001", "2401.00002"]


def test_a_query_that_is_an_authors_name_ranks_by_the_name_not_by_mentions(tmp_path):
    # Only the analyzed view knows names; the literal view would lift the paper that
    # mentions Zhang in its summary over the paper Yifan Zhang wrote.
    index_dir = tiny_index(
        tmp_path,
        ("2401.00001", "Video Generation", "Yifan Zhang, Bo Kim", "비디오를 생성합니다."),
        ("2401.00002", "Speech Synthesis", "Yifan Xu, Wei Zhang", "Zhang 등의 음성 합성 방법을 개선합니다."),
    )
    hits = search("Yifan Zhang", index_dir=index_dir)
    assert [h.arxiv_id for h in hits] == ["2401.00001", "2401.00002"]
    # With a topic word the query is no longer a name alone, and both views count.
    assert search("Yifan Zhang speech", index_dir=index_dir)[0].arxiv_id == "2401.00002"


@pytest.mark.parametrize(
    "text, expected",
    [
        # A two-syllable word is its own bigram, at full weight.
        ("음성 합성", ({"음성": 1.0, "합성": 1.0}, {"성합"})),
        # The bigrams of one word share its weight: a long loanword is still one word.
        ("아레나", ({"아레": 0.5, "레나": 0.5}, set())),
        # A solid compound asks for the words Kiwi finds in it, and softly for the pair across
        # their seam, as the spaced words do.
        ("음성합성", ({"음성": 1.0, "합성": 1.0}, {"성합"})),
    ],
)
def test_query_bigrams_share_the_weight_of_their_word(text, expected):
    from search import analysis
    from search.plan import _content_bigrams

    grams, joined = _content_bigrams(text, [t for t in analysis.analyze(text) if t.primary])
    assert (grams, joined) == (pytest.approx(expected[0]), expected[1])


def test_a_compound_asks_both_views_for_the_same_however_it_is_spaced():
    from search import lexicon, plan as plans

    tables = lexicon.Tables({}, {}, {})

    def asked(query):
        plan = plans.build(query, tables)
        return {s.term: s.boost for s in plan.scored if s.field == "grams"}, dict(plan.literal)

    assert asked("음성합성") == asked("음성 합성")
    grams, literal = asked("음성합성 모델")
    # The pair across the seam (성합) counts less than the words, in both views.
    assert grams["성합"] < grams["음성"] and literal["성합"] < literal["음성"] == 1.0


def test_offset_pages_through_the_same_ranking(seeds_index):
    first = search("멀티모달 벤치마크", index_dir=seeds_index, limit=6)
    page = search("멀티모달 벤치마크", index_dir=seeds_index, limit=3, offset=3)
    assert [h.arxiv_id for h in page] == [h.arxiv_id for h in first[3:6]]
    assert page.total == first.total
    with pytest.raises(QueryError, match="offset"):
        search("멀티모달", index_dir=seeds_index, offset=-1)


@pytest.mark.parametrize(
    "query, expected",
    [
        # 최적화 is optimization: the alias of its stem 최적 (optimal) is another word.
        ("프롬프트 최적화", set()),
        # 조건부 has aliases of its own.
        ("조건부 생성", {"conditional"}),
        # A noun made a verb keeps its meaning.
        ("카메라를 제어하는 모델", {"control"}),
        ("최적 수송", {"optimal"}),
    ],
)
def test_a_suffixed_korean_word_uses_its_own_aliases_not_its_stems(query, expected):
    from search import lexicon, plan as plans

    alias = lambda text: [lexicon.Alias(text, 5, 0.9)]  # noqa: E731
    tables = lexicon.Tables({"최적": alias("optimal"), "조건": alias("condition"), "조건부": alias("conditional"),
                             "제어": alias("control")}, {}, {})
    plan = plans.build(query, tables)
    english = {s.term for s in plan.scored if lexicon.is_latin(s.term)}
    assert english == expected


def test_an_alias_expands_to_every_spelling_the_corpus_glosses_it_with():
    from search import lexicon, plan as plans

    tables = lexicon.Tables({"위치": [lexicon.Alias("position", 16, 0.8, ("positional",))],
                             "위치인코딩": [lexicon.Alias("positional encoding", 3, 1.0, ("position encoding",))]},
                            {}, {})
    plan = plans.build("위치 인코딩", tables)
    english = {s.term: s.boost for s in plan.scored if s.field == "title" and lexicon.is_latin(s.term)}
    # One alias, two index terms, each at the alias's weight.
    assert english["position"] == english["positional"] > 0
    pairs = {(p.a, p.b) for p in plan.pairs if p.field == "title"}
    assert {("positional", "encoding"), ("position", "encoding")} <= pairs


def test_an_english_term_pivots_through_its_korean_compound_to_its_other_glosses():
    from search import lexicon, plan as plans
    from search.params import DEFAULT

    tables = lexicon.Tables(
        {"상태공간모델": [lexicon.Alias("ssm", 23, 0.88), lexicon.Alias("state space model", 8, 0.31)],
         "추론": [lexicon.Alias("reasoning", 36, 0.55), lexicon.Alias("inference", 21, 0.32)]},
        {"state space model": [lexicon.Alias("상태 공간 모델", 8, 1.0)],
         "reasoning": [lexicon.Alias("추론", 36, 0.9)]}, {})
    plan = plans.build("state space model", tables)
    ssm = [s for s in plan.scored if s.term == "ssm"]
    # Two hops weigh the product of the two confidences, below a direct alias ...
    assert {s.field: s.boost for s in ssm} == pytest.approx(
        {"title": DEFAULT.title_boost * DEFAULT.alias_boost * 0.88, "summary": DEFAULT.alias_boost * 0.88})
    # ... and the acronym stands for every word it abbreviates.
    assert all(len(s.concepts) == 3 for s in ssm)
    # A single Korean word carries several senses: reasoning is not inference.
    assert not any(s.term == "inference" for s in plans.build("reasoning", tables).scored)
    off = plans.build("state space model", tables, params=dataclasses.replace(DEFAULT, pivot_boost=0.0))
    assert not any(s.term == "ssm" for s in off.scored)


def test_a_paper_that_writes_only_the_acronym_is_found_by_the_spelled_out_term(tmp_path):
    from search import plan as plans, ranking
    from search.opened import open_index
    from search.params import DEFAULT

    index_dir = day_index(tmp_path, [
        # The corpus glosses 상태 공간 모델 both ways, so each English term is its alias.
        *[(f"2407.001{i:02d}", f"Sequence Study {i}", "Ann Example", "상태 공간 모델(SSM)을 연구합니다.", 1)
          for i in range(3)],
        *[(f"2407.002{i:02d}", f"Recurrent Study {i}", "Ann Example",
           "상태 공간 모델(state space model)을 분석합니다.", 1) for i in range(3)],
        ("2407.00301", "Fast SSM Kernels", "Ann Example", "SSM 커널을 빠르게 만듭니다.", 1),
    ] + [(f"2407.004{i:02d}", f"Filler {i}", "Ann Example", "음성 합성을 연구합니다.", 1) for i in range(6)])
    opened = open_index(index_dir)

    def found(params):
        plan = plans.build("state space model", opened.tables(), opened.loanword, params=params, words=opened.word)
        return [opened.arrays.arxiv_id(doc) for _, doc in ranking.rank(opened.arrays, plan, params, "relevance", 20).top]

    assert "2407.00301" in found(DEFAULT)
    assert "2407.00301" not in found(dataclasses.replace(DEFAULT, pivot_boost=0.0))
