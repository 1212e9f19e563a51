"""Shared fixtures: one strict build of the site per test session, and the order
in which the suite runs so that its two slow parts overlap on two cores.

1. The tests that need the built site run first: the build's figures are drawn
   in its background thread, and their experiments stay memoised for the
   pages' snippets that run later.
2. As soon as the site is built, headless Chromium starts working through it in
   a background thread (``tests/_browser.py``): most of that work is Chromium's,
   in its own processes, so it overlaps the rest of the suite.
3. The browser tests run last and read its report.

Under pytest-xdist (``pytest -n 2``; ``--dist loadfile`` is the default, set in
``pyproject.toml``) each file is one unit of work, so a page's snippets run in
order in one worker, and :func:`pytest_xdist_make_scheduler` puts the files that
need the built site into one unit: one worker builds the site and drives the
browser while the other runs the rest. (A test module of another name that asks
for ``site`` still passes, in a worker that builds the site once more.)
"""

from __future__ import annotations

import ast
import logging
import re
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pytest
from _browser import missing, start

ROOT = Path(__file__).resolve().parents[1]

_BROWSER: dict[str, Future] = {}


def build_site(site_dir: Path) -> Path:
    """Build the site with ``--strict`` into ``site_dir``, in this process."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    build(config)
    return site_dir


SITE_FILES = ("tests/test_site.py", "tests/test_browser.py")
"""The test files that need the built site: one unit of work under pytest-xdist."""


def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's ``loadfile`` scheduling, with :data:`SITE_FILES` in one unit."""
    from xdist.scheduler import LoadFileScheduling

    class SiteFilesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::", 1)[0]
            return "the built site" if file in SITE_FILES else super()._split_scope(nodeid)

    return SiteFilesTogether(config, log)


def _is_browser_test(item: pytest.Item) -> bool:
    return item.path.name == "test_browser.py"


def _needs_site(item: pytest.Item) -> bool:
    return _is_browser_test(item) or "site" in getattr(item, "fixturenames", ())


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that need the built site ``site`` (``-m "not site"`` leaves
    them out, and the build with them); site tests first, browser tests last,
    everything else in between (in order)."""
    for item in items:
        if _needs_site(item):
            item.add_marker(pytest.mark.site)

    def rank(item: pytest.Item) -> int:
        if _is_browser_test(item):
            return 2
        return 0 if _needs_site(item) else 1

    items.sort(key=rank)


@pytest.fixture(scope="session")
def site(tmp_path_factory, request) -> Path:
    """The built site (a strict build that failed fails every test using it)."""
    built = build_site(tmp_path_factory.mktemp("site"))
    if missing() is None and any(_is_browser_test(item) for item in request.session.items):
        _BROWSER["report"] = start(built)
    return built


@pytest.fixture(scope="session")
def browser_report(site) -> Future:
    """The future report of the browser's visit of ``site`` (started with the build)."""
    if "report" not in _BROWSER:
        _BROWSER["report"] = start(site)
    return _BROWSER["report"]


@dataclass(frozen=True)
class NotebookRun:
    """A notebook run once as the script it is, cell by cell in one namespace."""

    namespace: dict
    outputs: list[str]
    """What each cell shows, in order: what it printed, then the value of a last
    expression as Jupyter would display it (Markdown as its text, figures left out)."""


def run_notebook(path: Path) -> NotebookRun:
    """Run a jupytext percent notebook's code cells in order, as ``__main__``."""
    import io
    from contextlib import redirect_stdout

    import jupytext
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    namespace = {"__name__": "__main__", "__file__": str(path)}
    outputs = []
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "code":
            continue
        source = re.sub(
            r"^%", "# %", cell.source, flags=re.MULTILINE
        )  # magics are comments in the script
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        stdout = io.StringIO()
        with redirect_stdout(stdout):
            exec(compile(tree, str(path), "exec"), namespace)
            value = (
                None
                if last is None
                else eval(compile(ast.Expression(last.value), str(path), "eval"), namespace)
            )
        shown = stdout.getvalue()
        if hasattr(value, "_repr_markdown_"):
            shown += value._repr_markdown_()
        elif value is not None and not isinstance(value, Figure):
            shown += repr(value)
        outputs.append(shown)
    plt.close("all")
    return NotebookRun(namespace, outputs)


@pytest.fixture(scope="session")
def notebook_run():
    """``notebook_run(name)``: the run of ``docs/notebooks/<name>``, made when first asked for."""
    runs: dict[str, NotebookRun] = {}

    def run(name: str) -> NotebookRun:
        if name not in runs:
            runs[name] = run_notebook(ROOT / "docs" / "notebooks" / name)
        return runs[name]

    return run
