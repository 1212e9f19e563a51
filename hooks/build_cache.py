"""The build cache: drawn figures and executed notebooks, kept between builds.

Not a hook of its own: ``hooks/figures.py`` and ``hooks/notebooks.py`` use it.
Everything lives under ``.cache/vgp-build/`` beside ``mkdocs.yml`` (ignored by
git), in one folder per :func:`fingerprint`: a digest of everything a figure or a
notebook's output can depend on besides its own source,

- every file of the ``vgp`` package that is imported (its sources, wherever
  ``PYTHONPATH`` puts it),
- the Python version and the name and version of every installed distribution
  (torch, numpy, matplotlib, scikit-learn, mkdocs-jupyter, nbconvert, ...).

Any change to one of them makes a new folder, so nothing drawn by other code is
ever read; folders not used lately are removed. A clean clone, CI, or a build
after ``rm -rf .cache/vgp-build`` computes everything. The environment variable
``VGP_BUILD_CACHE`` puts the cache in another folder (an empty one: a build that
computes everything, as ``scripts/check_reproducible.py`` wants).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

FOLDER = Path(".cache") / "vgp-build"
"""The cache, relative to the folder of ``mkdocs.yml``."""

KEEP = 4
"""How many fingerprints' folders are kept (the most recently used)."""


def vgp_folder() -> Path:
    """The folder of the ``vgp`` package that ``import vgp`` loads here."""
    spec = importlib.util.find_spec("vgp")
    if spec is None or spec.origin is None:
        raise RuntimeError("the vgp package cannot be found (pip install -e . first)")
    return Path(spec.origin).parent


def sources_digest(folder: Path) -> str:
    """SHA-256 of every file under ``folder`` (names and bytes), compiled files left out."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def environment() -> str:
    """The Python version and every installed distribution with its version, one a line.

    Read again only when a folder on ``sys.path`` has changed (an install or an
    uninstall changes its folder), so a rebuild under ``mkdocs serve`` pays a few
    ``stat`` calls rather than reading every distribution's metadata.
    """
    stamp = tuple((entry, _mtime(entry)) for entry in sys.path)
    if _environment.get("stamp") != stamp:
        _environment.update(stamp=stamp, text=_read_environment())
    return _environment["text"]


_environment: dict[str, object] = {}


def _mtime(path: str) -> int:
    try:
        return os.stat(path or ".").st_mtime_ns
    except OSError:
        return 0


def _read_environment() -> str:
    distributions = {
        (dist.metadata["Name"] or "?").lower(): dist.version
        for dist in importlib.metadata.distributions()
    }
    lines = [f"python {sys.version}", f"machine {platform.machine()}"]
    lines += [f"{name} {version}" for name, version in sorted(distributions.items())]
    return "\n".join(lines)


def fingerprint() -> str:
    """A digest of the vgp sources and of the environment (see the module's doc)."""
    digest = hashlib.sha256()
    digest.update(sources_digest(vgp_folder()).encode())
    digest.update(environment().encode())
    return digest.hexdigest()[:20]


def folder(config_file: str | os.PathLike, kind: str, key: str) -> Path:
    """The cache folder of ``kind`` ("figures", "notebooks") for fingerprint ``key``
    (under ``$VGP_BUILD_CACHE`` if set, else :data:`FOLDER` beside ``config_file``),
    created and marked as used; older fingerprints' folders of ``kind`` beyond the
    :data:`KEEP` most recent are removed."""
    root = Path(os.environ.get("VGP_BUILD_CACHE") or Path(config_file).resolve().parent / FOLDER) / kind
    here = root / key
    here.mkdir(parents=True, exist_ok=True)
    os.utime(here)
    others = sorted((p for p in root.iterdir() if p.is_dir() and p != here),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    return here


def write(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` at once (a reader never sees half a file)."""
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as part:
        part.write(content)
    os.chmod(part.name, 0o644)
    os.replace(part.name, path)
