"""``hooks/sphinx_roles.py``: the Sphinx roles of vgp's docstrings become
Markdown cross-references and math on the API reference page."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import griffe
import pytest

ROOT = Path(__file__).resolve().parents[1]

spec = importlib.util.spec_from_file_location("sphinx_roles", ROOT / "hooks" / "sphinx_roles.py")
roles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(roles)


@pytest.fixture(scope="module")
def package():
    return griffe.load("vgp", search_paths=[str(ROOT)])


@pytest.mark.parametrize(
    ("where", "text", "expected"),
    [
        ("nets", ":func:`mlp`", "[`mlp`][vgp.nets.mlp]"),
        ("nets", ":class:`BatchNorm`", "[`BatchNorm`][vgp.nets.BatchNorm]"),
        ("nets", ":data:`vgp.ACTIVATIONS`", "[`vgp.ACTIVATIONS`][vgp.activations.ACTIVATIONS]"),
        ("nets", ":class:`~vgp.probe.Probe`", "[`Probe`][vgp.probe.Probe]"),
        ("figures", ":mod:`vgp.plot`", "[`vgp.plot`][vgp.plot]"),
        ("train", ":func:`train`", "[`train`][vgp.train.train]"),
        ("nets", ":func:`no_such_name`", "[`no_such_name`][no_such_name]"),
        ("nets", r":math:`\sigma_B^2`", r"\(\sigma_B^2\)"),
        ("nets", "``mlp`` stays code", "``mlp`` stays code"),
    ],
)
def test_roles_become_markdown(package, where, text, expected):
    assert roles.markdown(package[where], text) == expected


def test_resolution_is_scoped_to_the_docstring_owner(package):
    # `diagnose` inside vgp.diagnose means the function, not the module.
    assert roles.markdown(package["diagnose"]["Diagnosis"], ":func:`diagnose`") == (
        "[`diagnose`][vgp.diagnose.diagnose]"
    )


def test_the_extension_rewrites_every_docstring_of_the_package():
    loaded = griffe.load(
        "vgp",
        search_paths=[str(ROOT)],
        extensions=griffe.load_extensions(str(ROOT / "hooks" / "sphinx_roles.py")),
    )
    assert ":func:`" not in loaded["nets"].docstring.value
    assert "[`mlp`][vgp.nets.mlp]" in loaded["nets"].docstring.value
    assert r"\(y = \gamma" in loaded["nets"]["BatchNorm"].docstring.value
