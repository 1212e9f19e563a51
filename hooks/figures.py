"""MkDocs hook: draw every figure of ``vgp.figures.FIGURES`` into the built site.

Each figure becomes a generated file ``figures/<name>.svg`` in the site's file
list: nothing is written under ``docs/`` and nothing is read from a cache, so a
figure can never be stale. A page embeds it as ``![alt](figures/<name>.svg)``.

The figures are drawn in a background thread of the MkDocs process, started
when the file list is made (``on_files``) and awaited just before the files are
written (``on_env``). Meanwhile MkDocs renders the pages and executes the
notebooks, each in its own Jupyter kernel (another process), so the two run on
two cores at once. Being in-process, the experiments the figures ran stay
memoised: the test suite's snippets reuse them. A figure that fails to draw
fails the build with its own traceback.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.figures")

_drawing: dict[str, object] = {}
"""The build in progress: the future of the drawn SVGs and the files to fill."""


def _draw_all(names: list[str]) -> dict[str, bytes]:
    from vgp.figures import render_on_one_thread

    start = time.perf_counter()
    drawn = render_on_one_thread(names)
    log.info("vgp: drew %d figures in %.1f s", len(drawn), time.perf_counter() - start)
    return drawn


def on_files(files: Files, config) -> Files:
    from vgp.figures import FIGURES

    if importlib.util.find_spec("IPython") is not None:
        # mkdocs-jupyter imports IPython while the figures are drawn, and every new
        # matplotlib canvas reads sys.modules["IPython"]: a half-imported module
        # there fails the figure. Import it whole before the thread starts.
        import IPython  # noqa: F401

    names = list(FIGURES)
    pool = ThreadPoolExecutor(1, thread_name_prefix="vgp-figures")
    future: Future = pool.submit(_draw_all, names)
    pool.shutdown(wait=False)
    placeholders = {}
    for name in names:
        placeholders[name] = File.generated(config, f"figures/{name}.svg", content=b"")
        files.append(placeholders[name])
    _drawing.update(future=future, files=placeholders)
    return files


def on_env(env, config, files: Files):
    future: Future = _drawing.pop("future")
    placeholders: dict[str, File] = _drawing.pop("files")
    for name, svg in future.result().items():
        placeholders[name].content_bytes = svg
    return env
