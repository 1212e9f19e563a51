"""MkDocs hook: draw every figure of ``vgp.figures.FIGURES`` into the built site.

Each figure becomes a generated file ``figures/<name>.svg`` in the site's file
list: nothing is written under ``docs/`` and nothing is read from a cache, so a
figure can never be stale. A page embeds it as ``![alt](figures/<name>.svg)``.
"""

from __future__ import annotations

import logging
import time

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.figures")


def on_files(files: Files, config) -> Files:
    import torch

    from vgp.figures import FIGURES

    torch.set_num_threads(1)
    start = time.perf_counter()
    for name, spec in FIGURES.items():
        files.append(File.generated(config, f"figures/{name}.svg", content=spec.svg()))
    log.info("vgp: drew %d figures in %.1f s", len(FIGURES), time.perf_counter() - start)
    return files
