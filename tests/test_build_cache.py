"""The build cache (``hooks/build_cache.py``, used by ``hooks/figures.py`` and
``hooks/notebooks.py``): a prose edit reuses the drawn figures and the executed
notebooks; an edit of vgp's code draws and executes again."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from _hooks import HOOKS, load_hook

ROOT = HOOKS.parent
build_cache = importlib.import_module("build_cache")
"""The module the hooks import (``tests/_hooks.py`` put ``hooks/`` on ``sys.path``)."""


def load_config(project: Path):
    """A real MkDocs configuration of ``project``, with mkdocs-jupyter as the site has it."""
    from mkdocs.config import load_config

    (project / "mkdocs.yml").write_text("site_name: test\nplugins:\n  - mkdocs-jupyter:\n      cache: true\n")
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    config.plugins._current_plugin = None  # set while MkDocs runs a hook
    return config


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the docs and of the vgp sources that the fingerprint reads."""
    shutil.copytree(ROOT / "vgp", tmp_path / "vgp", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "index.md", tmp_path / "docs" / "index.md")
    monkeypatch.setattr(build_cache, "vgp_folder", lambda: tmp_path / "vgp")
    return tmp_path


def edit_prose(project: Path) -> None:
    page = project / "docs" / "index.md"
    page.write_text(page.read_text() + "\nOne more sentence of prose.\n")


def edit_code(project: Path) -> None:
    module = project / "vgp" / "theory.py"
    module.write_text(module.read_text() + "\n# an edit of vgp's code\n")


def test_the_fingerprint_follows_the_code_not_the_prose(project):
    before = build_cache.fingerprint()
    edit_prose(project)
    assert build_cache.fingerprint() == before
    edit_code(project)
    assert build_cache.fingerprint() != before


def test_the_fingerprint_covers_the_installed_packages():
    environment = build_cache.environment()
    for package in ("torch", "numpy", "matplotlib", "scikit-learn", "mkdocs-jupyter", "nbconvert"):
        assert f"\n{package} " in environment


def build_figures(hook, config):
    """The figure hook's part of a build: the figures' content and whether any was drawn."""
    from mkdocs.structure.files import Files

    files = hook.on_files(Files([]), config)
    drew = hook._drawing.get("future") is not None
    hook.on_env(None, config, files)
    return {f.src_uri: f.content_bytes for f in files}, drew


def test_figures_a_prose_edit_hits_the_cache_a_code_edit_misses(project, monkeypatch):
    import vgp.figures

    name = "saturation-activations"  # a quick one
    monkeypatch.setattr(vgp.figures, "FIGURES", {name: vgp.figures.FIGURES[name]})
    hook = load_hook("figures")
    config = load_config(project)
    monkeypatch.setitem(hook._imported, "sources", build_cache.sources_digest(project / "vgp"))

    first, drew = build_figures(hook, config)
    assert drew, "an empty cache: the figure is drawn"
    assert first[f"figures/{name}.svg"] == vgp.figures.render(name)

    edit_prose(project)
    second, drew = build_figures(hook, config)
    assert not drew, "a prose edit: the figure comes from the cache"
    assert second == first

    edit_code(project)
    # A new process (a new build, or the test suite) imports the edited code.
    monkeypatch.setitem(hook._imported, "sources", build_cache.sources_digest(project / "vgp"))
    third, drew = build_figures(hook, config)
    assert drew, "an edit of vgp's code: the figure is drawn again"
    assert third == first  # a comment changed nothing in the drawing


def test_notebooks_a_prose_edit_keeps_the_cache_folder_a_code_edit_changes_it(project):
    hook = load_hook("notebooks")
    config = load_config(project)
    jupyter = config.plugins["mkdocs-jupyter"]

    hook.on_config(config)
    first = Path(jupyter.config["cache_dir"])
    assert first.is_dir() and first.parent == project / ".cache" / "vgp-build" / "notebooks"
    edit_prose(project)
    hook.on_config(config)
    assert Path(jupyter.config["cache_dir"]) == first
    edit_code(project)
    hook.on_config(config)
    assert Path(jupyter.config["cache_dir"]) != first


def test_old_fingerprints_are_pruned(tmp_path):
    config_file = tmp_path / "mkdocs.yml"
    for key in ("a", "b", "c", "d", "e", "f"):
        build_cache.folder(config_file, "figures", key)
    kept = sorted(p.name for p in (tmp_path / ".cache" / "vgp-build" / "figures").iterdir())
    assert len(kept) == build_cache.KEEP and "f" in kept



def test_vgp_build_cache_moves_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VGP_BUILD_CACHE", str(tmp_path / "elsewhere"))
    assert build_cache.folder(tmp_path / "mkdocs.yml", "figures", "k") == tmp_path / "elsewhere" / "figures" / "k"
