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
from _browser import EXPLORE_STATES, HELD_PAGES, SCREENSHOTS, Report, missing


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


def test_blocks_held_off_screen_stay_where_they_were(report):
    """The loader (hooks/page_load.py) holds the blocks far from the screen, at their
    own size: on eight pages at desktop and phone widths, every block (and every
    block inside the API's documented objects) is where it is with the holding
    undone, to the pixel; and the long pages, the API's among them, do hold blocks."""
    assert len(report.held) == 2 * len(HELD_PAGES)
    moved = {page: blocks for page, (_, blocks) in report.held.items() if blocks}
    assert not moved, moved
    for page in ("chain-rule/", "diagnosing/", "reference/api-theory/"):
        assert report.held[f"{page} at 390 px"][0] > 10, report.held


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


# ---- the page "Explore" ---------------------------------------------------------


def _state(query: str) -> dict:
    from urllib.parse import parse_qs

    from vgp.experiments.explore import AXES

    given = {k: v[0] for k, v in parse_qs(query.lstrip("?")).items()}
    return {axis: type(AXES[axis][0])(given[axis]) for axis in AXES}


def _python_prints(code: str) -> list[str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "explore-code-block", "exec"), {})
    return out.getvalue().splitlines()


def test_explore_tables_are_what_vgp_measures(report):
    """Each URL state loads its own numbers, and the table equals vgp's, run here."""
    from vgp.experiments.explore import configuration, key

    assert list(report.explore["states"]) == list(EXPLORE_STATES)
    for query, seen in report.explore["states"].items():
        state = _state(query)
        assert seen["state"] == key(state)
        c = configuration(**state)
        theory = c.theory_grad_norms is not None
        expected = [
            [name, f"{g:.2e}", f"{c.theory_grad_norms[i]:.2e}" if theory else "-",
             f"{s:.2e}", f"{c.theory_act_stds[i]:.2e}" if theory and i < c.depth else "-"]
            for i, (name, g, s) in enumerate(zip(c.layers, c.grad_norms, c.act_stds, strict=True))
        ]
        assert seen["rows"] == expected, query
        assert c.finding in seen["verdict"]


def test_explore_code_block_prints_the_table(report):
    """The code block as the page shows it in each state, run in Python, prints
    the table's rows, then the verdict the page shows."""
    for query, seen in report.explore["states"].items():
        lines = _python_prints(seen["code"])
        assert lines[0] == "layer gradient predicted std predicted"
        rows = [" ".join(row) for row in seen["rows"]]
        assert lines[1 : 1 + len(rows)] == rows, query
        for line in lines[1 + len(rows) :]:
            assert line in seen["verdict"], query


def test_explore_keyboard_moves_a_control(report):
    """An arrow key on the focused weight-scale slider changes the state, the URL
    and the chart."""
    moved = report.explore["keyboard"]
    before, after = moved["before"], moved["after"]
    assert moved["focused"] == "explore-scale"
    assert "scale=2&" in before["url"] and "scale=4&" in after["url"]
    assert after["state"] == "relu|4|50|none|0"
    assert after["chart"] != before["chart"]
    assert after["rows"] != before["rows"]


def test_explore_redraws_within_100_ms(report):
    """The median of 20 redraws (script, style and layout), timed in the page with
    performance.now(): the median, because on a loaded CI machine one of them can
    wait for the CPU."""
    times = sorted(report.explore["redraw_ms"])
    assert len(times) == 20 and times[10] < 100, times


def test_explore_dark_palette_at_phone_width(report):
    """Dark palette, 390 px wide: no sideways scroll of the page, axe finds nothing."""
    dark = report.explore["dark_phone"]
    assert dark["scheme"] == "slate"
    scroll_width, width = dark["width"]
    assert scroll_width <= width
    assert not dark["axe"], "\n".join(dark["axe"])
    for path in report.explore["screenshots"].values():
        assert path.stat().st_size > 10_000
