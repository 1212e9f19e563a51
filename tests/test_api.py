"""The public API: every public function and class has a runnable example, and
the API reference page documents every public module."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import vgp
from vgp.experiments import CHAPTERS, load_all
from vgp.figures import FIGURES

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference"


def public_modules() -> list[str]:
    """``vgp``, its public modules and every experiments module."""
    names = ["vgp"] + [
        f"vgp.{m.name}" for m in pkgutil.iter_modules(vgp.__path__) if not m.name.startswith("_")
    ]
    drawing = [f"vgp.plot.{m.name}" for m in pkgutil.iter_modules(vgp.plot.__path__)]
    return names + ["vgp.__main__"] + [f"vgp.experiments.{c}" for c in CHAPTERS] + drawing


def public_callables() -> list[tuple[str, object]]:
    """Every public function and class defined in a public module.

    Figure functions registered in :data:`vgp.figures.FIGURES` are left out: the
    site build draws each of them, which is their test. So are frozen result
    dataclasses: a reader never builds one, and the example of the function that
    returns it shows its fields.
    """
    load_all()
    drawers = {id(spec.draw) for spec in FIGURES.values()}
    found = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or id(obj) in drawers:
                continue
            original = inspect.unwrap(obj) if callable(obj) else obj
            if not (inspect.isfunction(original) or inspect.isclass(original)):
                continue
            if dataclasses.is_dataclass(original) and original.__dataclass_params__.frozen:
                continue
            if getattr(original, "__module__", None) != module_name:
                continue
            found.append((f"{module_name}.{name}", obj))
    return found


def test_the_walk_finds_the_known_public_api():
    names = {name for name, _ in CALLABLES}
    assert {
        "vgp.nets.mlp",
        "vgp.probe.Probe",
        "vgp.diagnose.diagnose",
        "vgp.__main__.main",
        "vgp.experiments.problem.gradient_profile",
        "vgp.plot.profiles.loss_curves",
    } <= names
    assert "vgp.figures.home.home_gradients" not in names


CALLABLES = public_callables()


@pytest.mark.parametrize(("name", "obj"), CALLABLES, ids=[name for name, _ in CALLABLES])
def test_every_public_callable_has_a_runnable_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    section = re.search(r"^Examples\n-{8}\n(.*)", doc, re.M | re.S)
    assert section, f"{name} has no numpy-style Examples section"
    assert ">>> " in section.group(1), f"the Examples of {name} have no >>> line for Sybil"


def test_api_page_documents_every_public_module():
    text = "\n".join(page.read_text() for page in sorted(REFERENCE.glob("*.md")))
    documented = set(re.findall(r"^::: (vgp[\w.]*)\s*$", text, re.M))
    experiments_with_submodules = "show_submodules: true" in text
    for module in public_modules():
        if module.startswith("vgp.experiments.") and experiments_with_submodules:
            continue
        assert module in documented, f"no page under docs/reference has '::: {module}'"
