"""The trajectory and bench reports in a real browser (headless Chromium): each env family's
page loads from disk with no console error and no request beyond the file; the arrow keys, the
slider, play and the program list do what they say. A missing browser fails the tests with one
line: `make test` installs it, and a skipped browser test would hide a broken report."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import chromium, console_errors, inner_html, missing, open_page, requests, text
from .pages import FAMILIES, OBSERVE, write_report

STEPS = 30


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = missing()
    if reason is not None:
        pytest.fail(f"no browser for the report tests: {reason}", pytrace=False)
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("reports")
    return {family: write_report(family, directory / family, STEPS) for family in FAMILIES}


def press(driver: Any, key: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(key).perform()


def offline(urls: list[str]) -> bool:
    """Only the file itself and inline data: Chromium's own chrome:// pages are no network."""
    own = ("file:", "data:", "chrome:", "chrome-untrusted:", "about:")
    return all(url.startswith(own) for url in urls)


@pytest.mark.parametrize("family", FAMILIES)
def test_a_report_loads_from_disk_with_no_error_and_no_request(
    browser: Any, pages: dict[str, Path], family: str
) -> None:
    open_page(browser, pages[family])
    assert text(browser, "counter") == f"step 0 / {STEPS - 1}"
    assert console_errors(browser) == []
    urls = requests(browser)
    assert offline(urls), urls
    assert pages[family].resolve().as_uri() in urls


@pytest.mark.parametrize("family", FAMILIES)
def test_the_right_arrow_steps_the_board_and_the_prediction(
    browser: Any, pages: dict[str, Path], family: str, tmp_path: Path
) -> None:
    open_page(browser, pages[family], f"#t={OBSERVE - 1}")
    board, bars = inner_html(browser, "board"), inner_html(browser, "bars")
    assert "observed" in text(browser, "status") and bars == ""
    press(browser, "\ue014")  # ArrowRight
    assert text(browser, "counter") == f"step {OBSERVE} / {STEPS - 1}"
    assert browser.current_url.endswith(f"#t={OBSERVE}")
    assert inner_html(browser, "board") != board
    assert inner_html(browser, "bars") != bars
    assert len(browser.find_elements("css selector", "#bars .bar")) >= 2
    assert "actual:" in text(browser, "status")
    press(browser, "\ue012")  # ArrowLeft
    assert text(browser, "counter") == f"step {OBSERVE - 1} / {STEPS - 1}"
    press(browser, "\ue010")  # End
    assert text(browser, "counter") == f"step {STEPS - 1} / {STEPS - 1}"
    browser.save_screenshot(str(tmp_path / f"{family}.png"))
    assert (tmp_path / f"{family}.png").stat().st_size > 0
    assert console_errors(browser) == []


def test_the_slider_jumps(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    open_page(browser, pages["construction"])
    slider = browser.find_element("id", "slider")
    width = slider.size["width"]
    ActionChains(browser).move_to_element_with_offset(slider, width // 2 - 2, 0).click().perform()
    step = int(text(browser, "counter").split()[1])
    assert step >= STEPS - 3
    assert browser.current_url.endswith(f"#t={step}")
    press(browser, "\ue012")  # ArrowLeft on the slider moves it, once
    assert text(browser, "counter") == f"step {step - 1} / {STEPS - 1}"


def test_space_plays_and_pauses(browser: Any, pages: dict[str, Path]) -> None:
    open_page(browser, pages["construction"])
    press(browser, " ")
    time.sleep(1.0)
    press(browser, " ")
    stopped = text(browser, "counter")
    assert stopped != f"step 0 / {STEPS - 1}"
    time.sleep(0.5)
    assert text(browser, "counter") == stopped


def test_selecting_another_program_shows_its_source(browser: Any, pages: dict[str, Path]) -> None:
    open_page(browser, pages["construction"], f"#t={OBSERVE}")
    buttons = browser.find_elements("css selector", "#programs button")
    assert len(buttons) == 3
    first = text(browser, "source")
    assert buttons[0].get_attribute("aria-pressed") == "true"
    always = next(b for b in buttons if "Always" in b.text)
    label = always.text
    always.click()  # the list is drawn again: the old buttons are gone
    assert text(browser, "source") != first and "Always" in text(browser, "source")
    assert "#3" in text(browser, "program-detail")
    assert "acts " in text(browser, "program-detail")  # the tempo layer's reading of the agent
    selected = browser.find_elements("css selector", '#programs button[aria-pressed="true"]')
    assert [b.text for b in selected] == [label]
    # the replaying programs named the action taken; the constant one may not have
    assert text(browser, "agreement").startswith(f"named the action taken at step {OBSERVE}: #1")
    # a description is text, never markup
    assert "<b>escaped</b> & all" in text(browser, "programs")
    assert "&lt;b&gt;escaped&lt;/b&gt; &amp; all" in inner_html(browser, "programs")


def test_a_grid_scene_is_drawn_as_svg(browser: Any, pages: dict[str, Path], tmp_path: Path) -> None:
    open_page(browser, pages["construction"], "#t=3")
    board = browser.find_element("css selector", "#board svg")
    assert len(board.find_elements("css selector", "circle")) == 1  # the agent
    assert len(board.find_elements("css selector", "rect")) >= 3 + 24  # blocks and the walls
    assert text(browser, "caption").startswith("t=3, holding")
    board.screenshot(str(tmp_path / "grid.png"))
    assert console_errors(browser) == []


def test_the_bench_report_loads_with_its_plots(
    browser: Any,
    bench_dir: Path,
    tmp_path: Path,
) -> None:
    from rote.report.html import bench_page, write_page

    page = tmp_path / "bench.html"
    write_page(page, bench_page(bench_dir))
    open_page(browser, page)
    assert console_errors(browser) == []
    assert offline(requests(browser))
    plots = browser.find_elements("css selector", "img.plot")
    assert len(plots) == 3
    assert all(browser.execute_script("return arguments[0].naturalWidth", img) > 0 for img in plots)
    browser.find_element("css selector", 'a[href="#cell-rote-snake-0-frozen"]').click()
    assert browser.current_url.endswith("#cell-rote-snake-0-frozen")
