"""The JSON API and the feed of ``papers serve``, against a real server process."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from helpers_server import Server
from helpers_updates import day
from search import get_paper, search, update_index
from search.server import MAX_QUERY_CHARS


@pytest.fixture(scope="module")
def server(seeds_index, tmp_path_factory):
    running = Server(seeds_index, tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    running.stop()


def test_search_returns_the_library_hits_with_totals_and_timing(server, seeds_index):
    response = server.get("/api/search", q="멀티모달 벤치마크", limit=3)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"query", "total", "complete", "suggestion", "notice", "took_ms", "hits", "completed",
                         "corrected"}
    expected = search("멀티모달 벤치마크", limit=3, index_dir=seeds_index)
    assert body["query"] == "멀티모달 벤치마크"
    assert (body["total"], body["complete"]) == (expected.total, expected.complete)
    assert body["hits"] == [hit.to_dict() for hit in expected]
    assert body["took_ms"] >= 0 and body["completed"] is None


def test_a_misspelt_query_is_searched_corrected_unless_exact(server, seeds_index):
    body = server.get("/api/search", q="transformar").json()
    expected = search("transformar", index_dir=seeds_index)
    assert body["corrected"] == expected.corrected == "transformer"
    assert body["total"] == expected.total > 0
    assert body["hits"] == [hit.to_dict() for hit in expected]
    typed = server.get("/api/search", q="transformar", exact=1).json()
    assert typed["corrected"] is None and typed["suggestion"] == "transformer"
    assert typed["total"] == search("transformar", index_dir=seeds_index, correct=False).total


def test_search_takes_the_filters_sort_and_paging_of_the_library(server, seeds_index):
    options = dict(since="2024-06", until="2024-07", min_votes=5, sort="date")
    body = server.get("/api/search", q="모델", limit=4, offset=2, **options).json()
    expected = search("모델", limit=4, offset=2, index_dir=seeds_index, **options)
    assert [h["arxiv_id"] for h in body["hits"]] == [h.arxiv_id for h in expected]
    assert body["total"] == expected.total
    assert all(h["votes"] >= 5 and "2024-06-01" <= h["date"] <= "2024-07-31" for h in body["hits"])


def test_search_by_author_filter(server):
    body = server.get("/api/search", q="math", author="Yifan Zhang").json()
    assert [h["arxiv_id"] for h in body["hits"]] == ["2407.01284"]


def test_empty_query_lists_the_newest_papers(server):
    body = server.get("/api/search", q="", limit=5).json()
    assert body["query"] is None and body["total"] == 81
    dates = [h["date"] for h in body["hits"]]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2024-07-15"


@pytest.mark.parametrize("typed, completed", [
    ("멀티모", "멀티모달"),
    ("벤치ㅁ", "벤치마크"),    # a syllable still being composed
    ("벤치맠", "벤치마크"),    # its consonant not yet moved on to the next syllable
    ("LoRA 미세 조", "LoRA 미세 조정"),
    ("transf", "transformer"),
])
def test_prefix_search_completes_the_last_word_while_typing(server, typed, completed):
    body = server.get("/api/search", q=typed, prefix=1).json()
    assert body["query"] == typed
    assert body["completed"] == completed
    assert body["total"] > 0


def test_prefix_search_finds_the_papers_of_the_completed_word(server, seeds_index):
    body = server.get("/api/search", q="멀티모", prefix=1, limit=5).json()
    assert [h["arxiv_id"] for h in body["hits"]] == [h.arxiv_id for h in search("멀티모달", limit=5, index_dir=seeds_index)]
    assert server.get("/api/search", q="멀티모").json()["total"] < body["total"]  # without prefix: the word as typed


def test_a_finished_word_is_not_completed(server):
    assert server.get("/api/search", q="멀티모 ", prefix=1).json()["completed"] is None
    assert server.get("/api/search", q="모델", prefix=1).json()["completed"] is None


@pytest.mark.parametrize("params, message", [
    ({"q": "x", "limit": "101"}, "limit must be a whole number from 1 to 100, not '101'"),
    ({"q": "x", "limit": "0"}, "limit must be a whole number from 1 to 100, not '0'"),
    ({"q": "x", "limit": "ten"}, "limit must be a whole number from 1 to 100, not 'ten'"),
    ({"q": "x", "offset": "-1"}, "offset must be a whole number from 0 to 10000, not '-1'"),
    ({"q": "x", "min_votes": "many"}, "min_votes must be a whole number ≥ 0, not 'many'"),
    ({"q": "x", "sort": "random"}, "sort must be one of relevance, votes, date, not 'random'"),
    ({"q": "x", "since": "last week"},
     "since must be a day like 2024-07-01, a month like 2024-07 or a year like 2024, not 'last week'"),
    ({"q": "x", "since": "2024-07", "until": "2024-06"}, "since (2024-07-01) is after until (2024-06-30); nothing can match"),
    ({"q": "x", "author": "!!!"}, "author '!!!' has no letters to match"),
    ({"q": "가" * (MAX_QUERY_CHARS + 1)}, f"the query is longer than {MAX_QUERY_CHARS} characters; shorten it"),
])
def test_bad_parameters_are_a_400_with_the_library_message(server, params, message):
    response = server.get("/api/search", **params)
    assert response.status_code == 400
    assert response.json() == {"error": message}


@pytest.mark.parametrize("q", ['"unclosed', "NOT", "AND OR NOT", "title:", "author:", "((()))", "😀" * 50, "\x00", "%"])
def test_odd_queries_never_fail(server, q):
    response = server.get("/api/search", q=q, prefix=1)
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["hits"], list)


def test_paper_and_unknown_paper(server):
    paper = server.get("/api/papers/2407.01284").json()
    assert paper["arxiv_id"] == "2407.01284" and paper["summary"] and paper["bibtex"].startswith("@misc{")
    response = server.get("/api/papers/9999.99999")
    assert response.status_code == 404
    # A client is told the ID it asked for, not where the server keeps its index.
    assert response.json() == {"error": "no paper '9999.99999' in the index; check the arXiv ID (like 2407.01284)"}
    assert paper_index(server) not in response.text


def paper_index(server) -> str:
    return server.get("/api/stats").json()["index_dir"]


def test_related_papers_leave_out_the_paper_itself(server):
    body = server.get("/api/papers/2407.00468/related", limit=5).json()
    ids = [h["arxiv_id"] for h in body["hits"]]
    assert len(ids) == 5 and "2407.00468" not in ids
    assert "2407.01284" in ids  # another multimodal benchmark for math reasoning
    assert server.get("/api/papers/9999.99999/related").status_code == 404
    assert server.get("/api/papers/2407.00468/related", limit=1000).status_code == 400


def test_unknown_routes_are_json_404(server):
    response = server.get("/api/nothing")
    assert response.status_code == 404 and response.json() == {"error": "Not Found"}


def test_stats_and_health(server):
    stats = server.get("/api/stats").json()
    assert stats["papers"] == 81 and stats["generation"]
    health = server.get("/api/health").json()
    assert health["status"] == "ok" and health["papers"] == 81
    assert health["generation"] == stats["generation"] and health["last_update"]


def test_page_and_its_files_are_served(server):
    page = server.get("/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<input id="q"' in page.text and "/static/app.js" in page.text
    assert server.get("/static/app.js").status_code == 200
    assert server.get("/static/style.css").status_code == 200


def test_atom_feed_lists_the_newest_matching_papers(server, seeds_index):
    response = server.get("/feed.atom", q="멀티모달", min_votes=1)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(response.content)
    assert feed.find("a:title", ns).text == "papers: 멀티모달"
    entries = feed.findall("a:entry", ns)
    expected = search("멀티모달", sort="date", limit=30, min_votes=1, index_dir=seeds_index)
    assert [e.find("a:id", ns).text for e in entries] == [h.url for h in expected]
    updated = [e.find("a:updated", ns).text for e in entries]
    assert updated == sorted(updated, reverse=True)
    first = entries[0]
    assert first.find("a:link", ns).get("href").startswith("https://arxiv.org/abs/")
    assert first.find("a:summary", ns).text and first.find("a:author/a:name", ns).text
    assert [e.find("a:summary", ns).text for e in entries] == [get_paper(h.arxiv_id, seeds_index)["summary"] for h in expected]
    assert server.get("/feed.atom", since="bad").status_code == 400


def test_a_feed_is_the_same_feed_whatever_the_parameter_order(server):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    one = ET.fromstring(server.get("/feed.atom", q="멀티모달", min_votes=1).content)
    other = ET.fromstring(server.get("/feed.atom", min_votes=1, q="멀티모달").content)
    assert one.find("a:id", ns).text == other.find("a:id", ns).text
    assert one.find("a:id", ns).text != ET.fromstring(server.get("/feed.atom", q="멀티모달").content).find("a:id", ns).text


def test_a_new_generation_is_noticed_without_a_restart(tmp_path):
    source = tmp_path / "days"
    source.mkdir()
    (source / "2024-07-01.md").write_text(day("2024-07-01", {"arxiv_id": "2407.00001", "title": "Tiny Planner"}),
                                          encoding="utf-8")
    index_dir = tmp_path / "index"
    update_index(index_dir, sources=[source])
    server = Server(index_dir, tmp_path / "server.log")
    try:
        before = server.get("/api/health").json()
        assert server.get("/api/search", q="planner").json()["total"] == 1
        assert server.get("/api/search", q="critic").json()["total"] == 0
        (source / "2024-07-02.md").write_text(day("2024-07-02", {"arxiv_id": "2407.00002", "title": "Quiet Critic"}),
                                              encoding="utf-8")
        update_index(index_dir)
        found = server.get("/api/search", q="critic").json()
        assert [h["arxiv_id"] for h in found["hits"]] == ["2407.00002"]
        after = server.get("/api/health").json()
        assert after["papers"] == 2 and after["generation"] != before["generation"]
        assert server.get("/api/papers/2407.00002").status_code == 200
        assert server.process.poll() is None
    finally:
        server.stop()


def test_serve_without_the_extra_names_the_install_command(seeds_index):
    import subprocess
    import sys

    code = ("import sys; sys.modules['starlette'] = None\n"
            "from search.cli import main\n"
            f"main(['serve', '--index-dir', {str(seeds_index)!r}])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr == "Error: papers serve needs starlette: pip install 'papers-search[serve]'\n"


def test_random_parameters_never_give_a_server_error(server):
    import random
    from urllib.parse import quote

    rng = random.Random(13)
    alphabet = list("abc가나다ㅁ멀티모달 \"':()-*0123456789.%&?#<>😀\t\n") + ["\x00", "AND", "NOT", "title:", "author:"]
    names = ("q", "since", "until", "author", "min_votes", "sort", "limit", "offset", "prefix")
    for _ in range(150):
        params = {name: "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
                  for name in names if rng.random() < 0.4}
        word = quote("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))), safe="")
        path = rng.choice(["/api/search", "/feed.atom", f"/api/papers/{word}", f"/api/papers/{word}/related"])
        response = server.get(path, **params)
        assert response.status_code in (200, 307, 400, 404), (path, params, response.text)
        if response.status_code in (400, 404):
            assert list(response.json()) == ["error"] and "\n" not in response.json()["error"]


def test_concurrent_requests_get_the_same_answers_as_one_at_a_time(server):
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    asks = [("/api/search", {"q": q, "prefix": p}) for q in ("멀티모달 벤치마크", "LoRA 미세 조", "diffusion", "벤치ㅁ", "")
            for p in ("0", "1")] + [("/api/papers/2407.00468/related", {"limit": "5"}), ("/api/stats", {})]

    def answer(ask):
        with httpx.Client(base_url=server.url, timeout=60) as client:
            body = client.get(ask[0], params=ask[1]).json()
        body.pop("took_ms", None)
        return body

    expected = [answer(ask) for ask in asks]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(answer, asks * 4))
    assert answers == expected * 4
