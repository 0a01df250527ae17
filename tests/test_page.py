"""The search page in a real browser: Debian's headless Chromium driven by Selenium, against a
real ``papers serve`` process."""

from __future__ import annotations

import os
import shutil
from urllib.parse import parse_qs, urlparse

import pytest

from helpers_server import Server

CHROMIUM = os.environ.get("PAPERS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PAPERS_CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT = 30


def _executable(path: str) -> str | None:
    return path if os.access(path, os.X_OK) else shutil.which(os.path.basename(path))


@pytest.fixture(scope="module")
def server(seeds_index, tmp_path_factory):
    running = Server(seeds_index, tmp_path_factory.mktemp("page-serve") / "server.log")
    yield running
    running.stop()


@pytest.fixture
def browser(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    chromium, driver_path = _executable(CHROMIUM), _executable(CHROMEDRIVER)
    if chromium is None or driver_path is None:
        pytest.skip(f"no headless browser: install chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER})")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # The network is closed in CI: without the background-networking flags Chromium waits on
    # connections it will never get.
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1280,1100", "--lang=ko-KR",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    from selenium.webdriver.chrome.service import Service

    driver = webdriver.Chrome(service=Service(driver_path, log_output=str(tmp_path / "chromedriver.log")),
                              options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def wait_for(driver, condition, message: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT, poll_frequency=0.1).until(lambda d: condition(d), message)


def by_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def titles(driver) -> list[str]:
    # Read in one script: the list may be re-rendered between two WebDriver calls.
    return driver.execute_script("return Array.from(document.querySelectorAll('.hit h2 a'), a => a.textContent)")


def status(driver) -> str:
    return driver.execute_script("return document.getElementById('status').textContent")


def type_query(driver, text: str) -> None:
    box = by_css(driver, "#q")[0]
    box.clear()
    box.send_keys(text)


def test_typing_a_korean_query_shows_ranked_results(server, browser, tmp_path):
    browser.get(server.url + "/")
    wait_for(browser, lambda d: "최신 논문" in status(d) and len(titles(d)) == 10, "the latest papers when the box is empty")
    type_query(browser, "멀티모달 벤치마크")
    wait_for(browser, lambda d: "편의 논문" in status(d) and titles(d)
             and titles(d)[0].startswith("MMEvalPro"), "results for 멀티모달 벤치마크")
    counts = server.get("/api/search", q="멀티모달 벤치마크").json()
    assert 0 < counts["complete"] < counts["total"]
    assert f"{counts['total']} papers (검색어 전체 {counts['complete']}편 {counts['complete']} match the whole query)" in status(browser)
    first = by_css(browser, ".hit")[0]
    link = by_css(first, "h2 a")[0]
    assert link.get_attribute("href") == "https://arxiv.org/abs/2407.00468"
    assert "2024-07-02" in first.text and "▲ 30" in first.text and "Yichi Zhang" in first.text
    marks = [m.text for m in by_css(first, ".snippet mark")]
    assert "멀티모달" in marks and "벤치마크" in marks
    assert parse_qs(urlparse(browser.current_url).query)["q"] == ["멀티모달 벤치마크"]  # shareable
    shot = tmp_path / "search-page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_an_unfinished_hangul_syllable_already_finds_papers(server, browser):
    browser.get(server.url + "/")
    type_query(browser, "벤치ㅁ")
    wait_for(browser, lambda d: "검색어: “벤치마크”" in status(d) and titles(d), "벤치ㅁ completed to 벤치마크")
    assert any(m.text == "벤치마크" for m in by_css(browser, ".snippet mark"))


def test_filters_narrow_the_results_and_go_into_the_url(server, browser):
    browser.get(server.url + "/?q=모델")
    wait_for(browser, lambda d: "편의 논문" in status(d), "results for 모델")
    unfiltered = int(status(browser).split("편")[0])
    votes = by_css(browser, "#min_votes")[0]
    votes.send_keys("40")
    wait_for(browser, lambda d: "편의 논문" in status(d) and int(status(d).split("편")[0]) < unfiltered,
             "fewer results with min votes 40")
    shown = [int(v.text.lstrip("▲ ")) for v in by_css(browser, ".hit .votes")]
    assert shown and all(v >= 40 for v in shown)
    assert parse_qs(urlparse(browser.current_url).query)["min_votes"] == ["40"]


def test_a_shared_link_restores_the_search(server, browser):
    browser.get(server.url + "/?q=math&author=Yifan+Zhang&sort=date")
    wait_for(browser, lambda d: titles(d) == ["We-Math: Does Your Large Multimodal Model Achieve Human-like "
                                               "Mathematical Reasoning?"], "the one paper of the shared search")
    assert by_css(browser, "#author")[0].get_attribute("value") == "Yifan Zhang"
    assert by_css(browser, "#sort")[0].get_attribute("value") == "date"


def test_a_corrected_query_says_so_and_the_typed_words_and_suggestion_are_links(server, browser):
    """``transformar`` is searched as ``transformer`` and the page says so; "search instead for"
    searches the words as typed (``exact=1`` in the URL), where the correction is a did-you-mean
    link that searches it."""
    browser.get(server.url + "/")
    type_query(browser, "transformar ")
    wait_for(browser, lambda d: by_css(d, "#corrected-line")[0].is_displayed() and titles(d), "the corrected search")
    assert by_css(browser, "#corrected")[0].text == "transformer"
    typed = by_css(browser, "#typed")[0]
    assert typed.text == "transformar" and "exact=1" in typed.get_attribute("href")
    typed.click()
    wait_for(browser, lambda d: "exact=1" in d.current_url and by_css(d, "#suggestion")[0].is_displayed(),
             "the search as typed, with a did-you-mean link")
    assert by_css(browser, "#corrected-line")[0].is_displayed() is False
    link = by_css(browser, "#suggestion")[0]
    assert link.text == "transformer" and "q=transformer" in link.get_attribute("href")
    link.click()
    wait_for(browser, lambda d: by_css(d, "#q")[0].get_attribute("value").strip() == "transformer" and titles(d)
             and "exact=1" not in d.current_url, "the suggested search")


def test_related_papers_open_under_a_result(server, browser):
    browser.get(server.url + "/?q=MMEvalPro")
    wait_for(browser, lambda d: titles(d) and titles(d)[0].startswith("MMEvalPro"), "the MMEvalPro paper")
    button = by_css(browser, ".hit .related-toggle")[0]
    button.click()
    wait_for(browser, lambda d: len(by_css(d, ".hit .related li a")) == 5, "five related papers")
    related = [a.text for a in by_css(browser, ".hit .related li a")]
    assert not any(t.startswith("MMEvalPro") for t in related)
    assert button.get_attribute("aria-expanded") == "true"


def test_paging_and_the_keyboard(server, browser):
    from selenium.webdriver.common.keys import Keys

    browser.get(server.url + "/")
    wait_for(browser, lambda d: len(titles(d)) == 10, "the first page")
    first_page = titles(browser)
    by_css(browser, "#next")[0].click()
    wait_for(browser, lambda d: titles(d) and titles(d) != first_page, "the second page")
    assert parse_qs(urlparse(browser.current_url).query)["page"] == ["2"]
    body = by_css(browser, "body")[0]
    browser.execute_script("document.activeElement.blur()")
    body.send_keys("/")
    assert browser.switch_to.active_element.get_attribute("id") == "q"
    browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    assert browser.switch_to.active_element.text == titles(browser)[0]


def test_text_from_the_index_is_never_markup(browser, tmp_path):
    from helpers_updates import day
    from search import update_index

    source = tmp_path / "days"
    source.mkdir()
    evil = '<img src=x onerror="document.title=1">Evil <b>Planner</b>'
    (source / "2024-07-01.md").write_text(day("2024-07-01", {
        "arxiv_id": "2407.00001", "title": evil,
        "summary": "<script>document.title=2</script> 악성 planner 요약입니다."}), encoding="utf-8")
    update_index(tmp_path / "index", sources=[source])
    server = Server(tmp_path / "index", tmp_path / "server.log")
    try:
        browser.get(server.url + "/?q=planner")
        wait_for(browser, lambda d: titles(d), "the planted paper")
        assert titles(browser) == [evil]
        assert "<script>document.title=2</script>" in by_css(browser, ".hit .snippet")[0].text
        assert not by_css(browser, "#results img, #results script, #results b")
        assert browser.title == "papers — 논문 검색"
    finally:
        server.stop()
