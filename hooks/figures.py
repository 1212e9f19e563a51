"""MkDocs hook: draw every figure of ``vgp.figures.FIGURES`` into the built site.

Each figure becomes a generated file ``figures/<name>.svg`` in the site's file
list: nothing is written under ``docs/`` and nothing is read from a cache, so a
figure can never be stale. A page embeds it as ``![alt](figures/<name>.svg)``.

Figures are drawn by ``VGP_FIGURE_WORKERS`` processes (default: 2, or 1 on a
one-core machine), each on one thread. Figures of one chapter go to the same
worker, so an experiment that several figures draw on runs once. With one
worker everything is drawn in the MkDocs process itself: the test suite does
that, so that the pages' snippets reuse the experiments the build ran.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.figures")

# Figures whose name prefix differs but which draw on the same chapter's experiments.
_SAME_CHAPTER = {"home": "problem"}


def _workers() -> int:
    value = os.environ.get("VGP_FIGURE_WORKERS", str(min(2, os.cpu_count() or 1)))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"VGP_FIGURE_WORKERS must be a whole number >= 1, got {value!r}")
    return int(value)


def _chapters(names: list[str], n: int) -> list[list[str]]:
    """Split figure names into ``n`` lists, keeping each chapter together."""
    groups: dict[str, list[str]] = {}
    for name in names:
        prefix = name.split("-")[0]
        groups.setdefault(_SAME_CHAPTER.get(prefix, prefix), []).append(name)
    bins: list[list[str]] = [[] for _ in range(n)]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(bins, key=len).extend(group)
    return [b for b in bins if b]


def on_files(files: Files, config) -> Files:
    from vgp.figures import FIGURES, render_on_one_thread

    start = time.perf_counter()
    names = list(FIGURES)
    workers = min(_workers(), len(names))
    if workers == 1:
        drawn = render_on_one_thread(names)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            drawn = {}
            for part in pool.map(render_on_one_thread, _chapters(names, workers)):
                drawn.update(part)
    for name in names:
        files.append(File.generated(config, f"figures/{name}.svg", content=drawn[name]))
    log.info("vgp: drew %d figures in %.1f s with %d process(es)", len(names),
             time.perf_counter() - start, workers)
    return files
