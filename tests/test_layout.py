"""One module per chapter, named like its page: a reader of ``docs/chain-rule.md``
finds its code in ``experiments/chain_rule.py``, ``plot/chain_rule.py``,
``figures/chain_rule.py`` and ``tests/test_chain_rule.py``."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import pytest

import vgp.experiments
import vgp.figures
import vgp.plot

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SHARED_DRAWING = {"style", "profiles"}  # vgp.plot's modules that belong to no one page


def page_of(module: str) -> Path:
    """The page a chapter module is named after (the home page is ``index.md``)."""
    return DOCS / ("index.md" if module == "home" else f"{module.replace('_', '-')}.md")


def chapter_modules(package) -> list[str]:
    return [m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")]


@pytest.mark.parametrize(
    ("package", "module"),
    [(p, m) for p in (vgp.experiments, vgp.plot, vgp.figures) for m in chapter_modules(p)
     if not (p is vgp.plot and m in SHARED_DRAWING)],
    ids=lambda x: x if isinstance(x, str) else x.__name__,
)
def test_every_chapter_module_is_named_like_a_page(package, module):
    assert page_of(module).exists(), f"{package.__name__}.{module} names no page: {page_of(module)}"


@pytest.mark.parametrize("module", chapter_modules(vgp.figures))
def test_a_chapters_figures_appear_on_its_page(module):
    registered = [s.name for s in vgp.figures.FIGURES.values() if s.draw.__module__.endswith(f".{module}")]
    text = page_of(module).read_text()
    shown = set(re.findall(r"figures/([\w-]+)\.svg", text))
    assert registered, f"vgp.figures.{module} registers no figure"
    assert set(registered) <= shown, f"{page_of(module).name} does not show {set(registered) - shown}"


@pytest.mark.parametrize("module", chapter_modules(vgp.experiments))
def test_every_chapter_has_tests_named_like_it(module):
    assert (ROOT / "tests" / f"test_{module}.py").exists()


NOT_CHAPTERS = {"index.md", "cheatsheet.md", "bibliography.md"}


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md") if p.name not in NOT_CHAPTERS))
def test_every_chapter_ends_with_a_key_points_box(page):
    text = (DOCS / page).read_text()
    assert '!!! abstract "Key points"' in text, f"{page} has no Key points box"
    after = text.split('!!! abstract "Key points"', 1)[1]
    assert not re.search(r"^#{1,3} ", after, re.M), f"{page}: a section follows its Key points box"
