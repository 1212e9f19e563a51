"""hooks/snippets.py: every page with code says at its top how its blocks run."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("snippets_hook", ROOT / "hooks" / "snippets.py")
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)


def test_the_hooks_examples_hold():
    result = doctest.testmod(hook)
    assert result.attempted >= 2 and result.failed == 0


@pytest.mark.parametrize("fence", ["```pycon", "```python", "```py title=\"x\""])
def test_the_note_follows_the_title_for_every_python_fence(fence):
    text = hook.with_note(f"---\ntitle: t\n---\n\n# Title\n\nIntro.\n\n{fence}\nx = 1\n```\n")
    head, rest = text.split("# Title\n", 1)
    assert head == "---\ntitle: t\n---\n\n"
    assert rest.startswith("\n!!! info") and rest.index("Intro.") > rest.index("in order")


def test_a_bash_block_gets_no_note():
    assert hook.with_note("# T\n\n```bash\nls\n```\n") == "# T\n\n```bash\nls\n```\n"


def test_every_chapter_with_code_shows_the_note(site):
    for page in ["problem", "chain-rule", "diagnosing", "relu"]:
        html = (site / page / "index.html").read_text()
        assert "Running this page" in html and "run-it-yourself" in html, page
