"""The built site in a real browser: headless Chromium, served on 127.0.0.1.

For every page: no request to another host, no console error, every formula
rendered by KaTeX, every image loaded; axe-core finds no accessibility
violation (none serious or critical, and no lesser one either). The copy button copies code without prompts or output.
Screenshots of the home page and of one chapter go to ``$VGP_ARTIFACTS``
(default ``artifacts/``).

The browser works in a background thread (``tests/_browser.py``) started right
after the site is built; these tests run last and read its report.
Skipped with a reason where Chromium, chromedriver, selenium or axe-core is
missing, unless ``VGP_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes that
a failure.
"""

from __future__ import annotations

import os

import pytest
from _browser import SCREENSHOTS, Report, missing


@pytest.fixture(scope="module")
def report(request) -> Report:
    reason = missing()
    if reason is not None:
        if os.environ.get("VGP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"VGP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return request.getfixturevalue("browser_report").result()


def test_every_page_loads_cleanly_with_math_and_figures(report):
    """No foreign request, no console error, every formula and image rendered."""
    assert len(report.pages) >= 20
    problems = [f"{path}: {p}" for path, found in report.pages.items() for p in found]
    assert not problems, "\n".join(problems)


def test_accessibility_with_axe(report):
    """axe-core: no serious or critical violation on any page."""
    assert report.axe.keys() == report.pages.keys()
    serious = [f"{path}: {v}" for path, found in report.axe.items() for v in found
               if "(serious," in v or "(critical," in v]
    assert not serious, "\n".join(serious)


def test_accessibility_with_axe_finds_nothing_at_all(report):
    """axe-core: no moderate or minor violation either; the site has none, and
    a new one should be seen."""
    found = [f"{path}: {v}" for path, found in report.axe.items() for v in found]
    assert not found, "\n".join(found)


def test_copy_button_copies_runnable_code(report):
    """A real click on a pycon block's copy button copies code, not prompts or output."""
    lines = report.copied.splitlines()
    assert lines[0] == "import vgp"
    assert not any(line.startswith((">>>", "... ")) for line in lines)
    assert not any("first/last layer gradient: " in line and "print" not in line for line in lines)
    compile(report.copied, "copied", "exec")


def test_screenshots_show_the_pages_figures_and_math(report, site):
    """Each screenshot against its page in the built HTML: at the moment of the
    shot every figure of the page had loaded and every formula was rendered by
    KaTeX (none in error); the PNG is the viewport those numbers describe; and
    where each figure in view lies, the PNG is not blank (a painted figure has
    many colours, an empty box one)."""
    from bs4 import BeautifulSoup
    from PIL import Image

    assert report.screenshots.keys() == report.shots.keys() == SCREENSHOTS.keys()
    for name, page in SCREENSHOTS.items():
        html = BeautifulSoup((site / page / "index.html").read_text(), "html.parser")
        figures = {img["src"] for img in html.select("img") if "figures/" in img["src"]}
        formulas = len(html.select(".arithmatex"))
        assert figures and formulas, f"{name}: the page should show figures and math"
        state = report.shots[name]
        loaded = {src for src, ok, *_ in state["images"] if ok}
        assert figures <= loaded, f"{name}: not loaded at the shot: {figures - loaded}"
        assert state["math"] == [formulas, formulas, 0], f"{name}: formulas at the shot"
        ratio = state["ratio"]
        with Image.open(report.screenshots[name]) as png:
            shot = png.convert("RGB")
        assert shot.size == (round(state["width"] * ratio), round(state["height"] * ratio))
        in_view = [
            (left, top, w, h) for src, ok, left, top, w, h in state["images"]
            if src in figures and top >= 0 and top + h <= state["height"] and w > 50 and h > 50
        ]
        assert in_view, f"{name}: no figure inside the screenshot"
        for left, top, w, h in in_view:
            box = tuple(round(v * ratio) for v in (left, top, left + w, top + h))
            colours = shot.crop(box).getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 20, f"{name}: a figure's box is blank"
