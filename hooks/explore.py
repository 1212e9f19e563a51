"""MkDocs hook: measure every state of the page "Explore" and embed the numbers in it.

``vgp.experiments.explore.grid()`` (one :func:`vgp.diagnose` per state, a few
seconds of CPU) runs in a separate Python process started when the file list
is made (``on_files``), so it neither waits for nor holds the GIL of the
figures' thread; its JSON (``payload``) replaces the ``<!-- explore-data -->``
marker of ``explore.md`` as ``<script type="application/json">`` once the page
is rendered (``on_post_page``: after the search index has read the page, so
the numbers are not indexed). The page's script and stylesheet (:data:`ASSETS`)
are linked from this page alone, not listed in ``mkdocs.yml`` for every page:
the other pages neither fetch nor run them.

The JSON is kept in ``.cache/explore/<key>.json``, ``key`` being a hash of every
source file of ``vgp`` and of the versions of Python, torch, numpy and
scikit-learn: a rebuild under ``mkdocs serve`` that changed none of them reuses
it, any change recomputes it. A clean checkout computes it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.explore")

PAGE = "explore.md"
MARKER = "<!-- explore-data -->"
ASSETS = {"</head>": "assets/stylesheets/explore.css", "</body>": "assets/javascripts/explore.js"}
"""What the page alone loads, by the closing tag it goes before (the script after Material's)."""
COMPUTE = (
    "import json, sys\n"
    "from vgp.experiments.explore import grid, payload\n"
    "json.dump(payload(grid()), sys.stdout, separators=(',', ':'))\n"
)

_run: dict[str, object] = {}
"""The build in progress: the cache file, and the process computing it (if any)."""


def _package() -> Path:
    import vgp

    return Path(vgp.__file__).resolve().parent


def cache_key() -> str:
    """A hash of everything the grid's numbers depend on."""
    digest = hashlib.sha256()
    for name in ("torch", "numpy", "scikit-learn"):
        digest.update(f"{name}=={version(name)}\n".encode())
    digest.update(sys.version.encode())
    package = _package()
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:20]


def on_files(files, config):
    root = Path(config.config_file_path).resolve().parent
    cached = root / ".cache" / "explore" / f"{cache_key()}.json"
    _run.clear()
    _run["cache"] = cached
    if not cached.exists():
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(_package().parent), *filter(None, [os.environ.get("PYTHONPATH")])]
        ))
        _run["started"] = time.perf_counter()
        _run["process"] = subprocess.Popen(
            [sys.executable, "-c", COMPUTE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
    return files


def _json() -> str:
    cached: Path = _run["cache"]
    process: subprocess.Popen | None = _run.pop("process", None)
    if process is not None:
        out, err = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"the Explore grid failed:\n{err.decode(errors='replace')}")
        log.info("vgp: measured the Explore grid in %.1f s", time.perf_counter() - _run["started"])
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            for old in cached.parent.glob("*.json"):
                old.unlink()
            cached.write_bytes(out)
        except OSError as error:  # a read-only checkout builds, without a cache
            log.warning("vgp: could not cache the Explore grid: %s", error)
        return out.decode()
    return cached.read_text()


def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri != PAGE:
        return output
    if MARKER not in output:
        raise ValueError(f"{PAGE} has no {MARKER} marker for the Explore data")
    data = _json().replace("</", "<\\/")  # a string holding "</script>" cannot end the element
    script = f'<script type="application/json" id="explore-data">{data}</script>'
    output = output.replace(MARKER, script, 1)
    for tag, path in ASSETS.items():
        url = get_relative_url(path, page.url)
        element = (f'<link rel="stylesheet" href="{url}">' if path.endswith(".css")
                   else f'<script src="{url}"></script>')
        output = output.replace(tag, f"{element}\n{tag}", 1)
    return output


def on_post_build(config) -> None:
    """Wait for (and cache) a grid no page asked for, so no process outlives the build."""
    if "process" in _run:
        _json()
