"""MkDocs hook: draw every figure of ``vgp.figures.FIGURES`` into the built site.

Each figure becomes a generated file ``figures/<name>.svg`` in the site's file
list: nothing is written under ``docs/``. A page embeds it as
``![alt](figures/<name>.svg)``; the hook gives that ``<img>`` the figure's width
and height and, below the page's first figure, ``loading="lazy"``.

Drawn figures are kept in the build cache (``hooks/build_cache.py``) under a
fingerprint of the vgp sources and the installed packages: a build whose
fingerprint matches reads them from there (an edit of prose redraws nothing;
the cache's manifest names them all, so vgp is not even imported), and any
change to vgp's code or to a package version draws them all again.

The figures missing from the cache are drawn in a background thread of the
MkDocs process, started when the file list is made (``on_files``) and awaited
just before the files are written (``on_env``). Meanwhile MkDocs renders the
pages and executes the notebooks, each in its own Jupyter kernel (another
process), so the two run on two cores at once. Being in-process, the
experiments the figures ran stay memoised: the test suite's snippets reuse
them. Under ``mkdocs serve``, once vgp's code has changed since this process
imported it, the figures are drawn by a fresh ``python -m vgp figures`` process
instead, so that the new code draws them. A figure that fails to draw fails the
build with its own traceback.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import build_cache
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.figures")

_drawing: dict[str, object] = {}
"""The build in progress: the future of the drawn SVGs, the files to fill, the cache."""

MANIFEST = "FIGURES.txt"
"""In a cache folder: the names of all the figures, written once all are there."""

_imported: dict[str, str] = {}
"""The digest of the vgp sources this process imported (set when it first draws)."""


def _draw_all(names: list[str]) -> dict[str, bytes]:
    from vgp.figures import render_on_one_thread

    start = time.perf_counter()
    drawn = render_on_one_thread(names)
    log.info("vgp: drew %d figures in %.1f s", len(drawn), time.perf_counter() - start)
    return drawn


def _draw_in_fresh_process() -> dict[str, bytes]:
    """Every figure, drawn by the vgp sources as they are now on disk."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "vgp", "figures", out], check=True,
                       stdout=subprocess.DEVNULL)
        drawn = {p.stem: p.read_bytes() for p in sorted(Path(out).glob("*.svg"))}
    log.info("vgp: vgp's code changed; drew %d figures in a new process in %.1f s",
             len(drawn), time.perf_counter() - start)
    return drawn


def _store(cache: Path, drawn: dict[str, bytes], names: list[str] | None = None) -> None:
    """Put ``drawn`` into ``cache``; once it holds every figure (``names``, default
    those drawn), list them in its manifest."""
    for name, svg in drawn.items():
        build_cache.write(cache / f"{name}.svg", svg)
    build_cache.write(cache / MANIFEST, "\n".join(names or drawn).encode())


def _complete(cache: Path) -> dict[str, bytes] | None:
    """Every figure in ``cache``, if its manifest says it holds them all."""
    manifest = cache / MANIFEST
    if not manifest.is_file():
        return None
    names = manifest.read_text().split()
    if not all((cache / f"{name}.svg").is_file() for name in names):
        return None
    return {name: (cache / f"{name}.svg").read_bytes() for name in names}


def on_files(files: Files, config) -> Files:
    sources = build_cache.sources_digest(build_cache.vgp_folder())
    cache = build_cache.folder(config.config_file_path, "figures", build_cache.fingerprint())
    complete = _complete(cache)
    if complete is None and _imported.get("sources", sources) != sources:
        complete = _draw_in_fresh_process()
        _store(cache, complete)
    if complete is not None:  # no need to import vgp (and torch) at all
        for name, svg in complete.items():
            files.append(File.generated(config, f"figures/{name}.svg", content=svg))
        return files

    from vgp.figures import FIGURES

    _imported.setdefault("sources", sources)
    names = list(FIGURES)
    cached = {name: (cache / f"{name}.svg").read_bytes()
              for name in names if (cache / f"{name}.svg").is_file()}
    missing = [name for name in names if name not in cached]
    log.info("vgp: %d figures from the cache, %d to draw", len(cached), len(missing))
    future: Future | None = None
    if missing:
        if importlib.util.find_spec("IPython") is not None:
            # mkdocs-jupyter imports IPython while the figures are drawn, and every new
            # matplotlib canvas reads sys.modules["IPython"]: a half-imported module
            # there fails the figure. Import it whole before the thread starts.
            import IPython  # noqa: F401

        pool = ThreadPoolExecutor(1, thread_name_prefix="vgp-figures")
        future = pool.submit(_draw_all, missing)
        pool.shutdown(wait=False)
    placeholders = {}
    for name in names:
        placeholders[name] = File.generated(config, f"figures/{name}.svg", content=cached.get(name, b""))
        files.append(placeholders[name])
    _drawing.update(future=future, files=placeholders, cache=cache)
    return files


def on_env(env, config, files: Files):
    future: Future | None = _drawing.pop("future", None)
    placeholders: dict[str, File] = _drawing.pop("files", {})
    cache: Path | None = _drawing.pop("cache", None)
    if future is not None:
        drawn = future.result()
        for name, svg in drawn.items():
            placeholders[name].content_bytes = svg
        _store(cache, drawn, list(placeholders))
    _sizes.clear()
    for file in files:
        if file.generated_by is not None and FIGURE_URI.fullmatch(file.src_uri):
            _sizes[Path(file.src_uri).stem] = svg_size(file.content_bytes)
    return env


FIGURE_URI = re.compile(r"figures/[^/]+\.svg")
FIGURE_IMG = re.compile(r'<img (?P<attributes>[^>]*\bsrc="(?:[^"]*/)?figures/(?P<name>[^"/]+)\.svg"[^>]*?)\s*/?>')
SVG_SIZE = re.compile(rb'<svg[^>]*?\bwidth="([\d.]+)pt" height="([\d.]+)pt"')

_sizes: dict[str, tuple[int, int]] = {}
"""Each figure's size in CSS pixels, for its ``<img>``'s width and height."""


def svg_size(svg: bytes) -> tuple[int, int]:
    """The size of a matplotlib SVG in CSS pixels (it gives points: 1pt = 4/3 px)."""
    found = SVG_SIZE.search(svg[:2000])
    if found is None:
        raise ValueError("the SVG gives no width and height in points")
    return round(float(found[1]) * 4 / 3), round(float(found[2]) * 4 / 3)


def sized_and_lazy(page: str, sizes: dict[str, tuple[int, int]]) -> str:
    """``page`` with every figure's ``<img>`` given its width and height (the browser
    reserves the space: nothing moves when it arrives) and, but for the page's
    first figure, ``loading="lazy"``: a figure further down is fetched and drawn
    when the reader scrolls near it, not while the page loads."""
    seen = []

    def replace(match: re.Match) -> str:
        attributes, name = match["attributes"], match["name"]
        extra = []
        if name in sizes and " width=" not in attributes:
            extra.append('width="{}" height="{}"'.format(*sizes[name]))
        if seen and "loading=" not in attributes:
            extra.append('loading="lazy"')
        if "decoding=" not in attributes:
            extra.append('decoding="async"')
        seen.append(name)
        return f"<img {attributes} {' '.join(extra)} />" if extra else match[0]

    return FIGURE_IMG.sub(replace, page)


def on_post_page(output: str, page, config) -> str:
    return sized_and_lazy(output, _sizes) if "figures/" in output else output
