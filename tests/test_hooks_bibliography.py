"""hooks/bibliography.py: the bibliography's backlinks are generated from the pages."""

from __future__ import annotations

import doctest
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_hook():
    spec = importlib.util.spec_from_file_location("bibliography_hook", ROOT / "hooks" / "bibliography.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = load_hook()


def test_the_hooks_examples_hold():
    result = doctest.testmod(hook, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0


def test_entries_are_sorted_by_year_then_label_and_keep_their_text():
    bib = "".join(
        f'<dt id="{k}">{label}</dt>\n<dd markdown>About {k}.</dd>\n\n'
        for k, label in [("c", "C 2001"), ("a", "A 1999"), ("b2", "B 2001")]
    )
    pages = {"p.md": ("P", "[a](bibliography.md#a) [b](bibliography.md#b2) [c](bibliography.md#c)")}
    text, problems = hook.cited_on(bib, pages)
    assert re.findall(r'<dt id="(\w+)">', text) == ["a", "b2", "c"]
    assert "About b2.\n\nCited on: [P](p.md).</dd>" in text
    assert problems == []


def test_citing_pages_follow_the_navigation_order_and_each_appears_once():
    bib = '<dt id="k">K 2000</dt>\n<dd markdown>K.</dd>\n'
    pages = {
        "z.md": ("Zed", "[k](bibliography.md#k) and again [k](bibliography.md#k)"),
        "a.md": ("Ay", "nothing"),
        "notebooks/n.py": ("Nb", "# [k](../../bibliography/#k)"),
    }
    text, _ = hook.cited_on(bib, pages)
    assert "Cited on: [Zed](z.md), [Nb](notebooks/n.py).</dd>" in text


def test_a_key_that_is_a_prefix_of_another_is_not_confused_with_it():
    bib = '<dt id="he2016">He 2016</dt>\n<dd markdown>.</dd>\n<dt id="he2016b">He 2016b</dt>\n<dd markdown>.</dd>\n'
    text, problems = hook.cited_on(bib, {"p.md": ("P", "[x](bibliography.md#he2016b)")})
    assert problems == ["bibliography entry he2016 (He 2016) is cited by no page"]


def test_the_source_holds_no_hand_written_backlinks():
    source = (ROOT / "docs" / "bibliography.md").read_text()
    assert "Cited on" not in source and "Reproduced on" not in source


@pytest.mark.usefixtures("site")
def test_built_backlinks_match_the_links_in_the_built_pages(site):
    """Independent of the hook's own parsing: read the built HTML of every page."""
    bib = (site / "bibliography" / "index.html").read_text()
    entries = re.findall(r'<dt id="([\w-]+)">.*?</dt>\s*<dd>(.*?)</dd>', bib, re.S)
    assert len(entries) >= 25
    citing: dict[str, set[str]] = {key: set() for key, _ in entries}
    for page in site.rglob("index.html"):
        rel = page.parent.relative_to(site).as_posix()
        if rel in ("bibliography", ".") and rel != ".":
            continue
        for key in re.findall(r'href="[./]*bibliography/#([\w-]+)"', page.read_text()):
            citing.setdefault(key, set()).add(rel)
    for key, body in entries:
        cited_on = body.rsplit("Cited on:", 1)[1]
        linked = {h.strip("./").removesuffix("/") or "." for h in re.findall(r'href="([^"#]*)"', cited_on)}
        linked = {("." if h in ("", "..") else h.removeprefix("../")) for h in linked}
        assert linked == citing[key], key
