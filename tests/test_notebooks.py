"""The notebooks of ``docs/notebooks/``: each runs as a plain script, and says what it shows.

The build executes them as notebooks (mkdocs-jupyter); here each runs as the
Python script it also is, and the claims its prose makes are checked against
what it computed, so that a change in ``vgp`` cannot leave the text stale.
"""

from __future__ import annotations

import math
import runpy
from pathlib import Path

import jupytext
import matplotlib.pyplot as plt
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "docs" / "notebooks").glob("*.py"))


@pytest.fixture(scope="module")
def namespaces():
    """Each notebook run once as a script, by file name."""
    results = {}
    for path in NOTEBOOKS:
        results[path.name] = runpy.run_path(str(path), run_name="__main__")
        plt.close("all")
    return results


def test_there_are_notebooks():
    assert {p.name for p in NOTEBOOKS} >= {"six-treatments.py", "diagnose-your-model.py"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_a_jupytext_notebook_with_a_title_and_download_links(path):
    notebook = jupytext.read(path)
    assert notebook.metadata["kernelspec"]["language"] == "python"
    kinds = {cell.cell_type for cell in notebook.cells}
    assert kinds == {"markdown", "code"}
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert f"]({path.stem}.ipynb)" in first.source and f"]({path.name})" in first.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_math_uses_dollars_not_arithmatex(path):
    # Notebook Markdown is rendered by nbconvert, not by arithmatex: KaTeX's
    # auto-render finds $...$ there, and \( \) would be eaten as escapes.
    for cell in jupytext.read(path).cells:
        if cell.cell_type == "markdown":
            assert "\\(" not in cell.source and "\\[" not in cell.source


def test_notebook_runs_as_a_script(namespaces):
    assert set(namespaces) == {p.name for p in NOTEBOOKS}


def test_six_treatments_says_what_it_measured(namespaces):
    histories = namespaces["six-treatments.py"]["histories"]
    assert len(histories) == 6
    failures = {"sigmoid", "ReLU, default init"}

    def first_to_last(norms):
        return norms[0] / norms[-1]

    for name, h in histories.items():
        if name in failures:
            # "never leave log 10", "test accuracy is that of a guess"
            assert abs(h.train_loss[-1] - math.log(10)) < 0.05
            assert h.test_accuracy[-1] < 0.2
            assert first_to_last(h.grad_norms[0]) < 1e-6
            assert first_to_last(h.grad_norms[-1]) < 1e-6
        else:
            # "same order", "each of those nets learns"
            assert 0.1 < first_to_last(h.grad_norms[0]) < 10
            assert h.test_accuracy[-1] > 0.5
    assert first_to_last(histories["sigmoid"].grad_norms[0]) < 1e-16
    assert first_to_last(histories["ReLU, default init"].grad_norms[0]) < 1e-6
    best = max(histories, key=lambda n: histories[n].test_accuracy[-1])
    lowest_loss = min(histories, key=lambda n: histories[n].train_loss[-1])
    assert best == "sigmoid + batch norm" != lowest_loss
    assert histories["ReLU + residual"].train_loss[0] > 3 * math.log(10)


def test_diagnose_your_model_says_what_it_measured(namespaces):
    ns = namespaces["diagnose-your-model.py"]
    grads = [s.grad_norm for s in ns["probe"].stats]
    # "falls by a factor of about ten per layer"
    for lower, upper in zip(grads, grads[1:], strict=False):
        assert 5 < upper / lower < 20
    assert all(s.saturated_fraction == 0 for s in ns["probe"].stats[:-1])
    assert ns["diagnosis"].verdict == "vanishing"
    assert ns["after"].verdict == "healthy"
    histories = ns["histories"]
    assert abs(histories["sigmoid"].train_loss[-1] - math.log(10)) < 0.05
    assert histories["sigmoid + batch norm"].test_accuracy[-1] > 0.5
    relu = ns["vgp"].diagnose(ns["relu_net"], ns["data"].X_train, ns["data"].y_train)
    assert relu.verdict == "dead units"
    assert "vanishing" not in {f.verdict for f in relu.findings}
