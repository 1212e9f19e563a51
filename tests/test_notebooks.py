"""The notebooks of ``docs/notebooks/``: each runs as a plain script, and says what it shows.

The build executes them as notebooks (mkdocs-jupyter); here each runs as the
Python script it also is, and the claims its prose makes are checked against
what it computed, so that a change in ``vgp`` cannot leave the text stale.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import jupytext
import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "docs" / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.py"))


@pytest.fixture(scope="module")
def namespaces(notebook_run):
    """Each notebook's namespace after running it once as a script, by file name,
    run when a test first asks for it (the run ``tests/test_numbers.py`` shares)."""
    return lambda name: notebook_run(name).namespace


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


def names_bound_by(source: str) -> set[str]:
    """Every name a script binds at module level when it runs to its end: assigned,
    imported, defined, or a loop or ``with`` target, also inside top-level ``if``,
    ``for``, ``while`` and ``with`` blocks (read from the source, not the run)."""
    names: set[str] = set()

    def targets(node: ast.AST) -> None:
        for leaf in ast.walk(node):
            if isinstance(leaf, ast.Name):
                names.add(leaf.id)

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    targets(target)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                targets(node.target)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.FunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.For):
                targets(node.target)
                visit(node.body)
            elif isinstance(node, ast.With):
                for item in node.items:
                    if item.optional_vars is not None:
                        targets(item.optional_vars)
                visit(node.body)
            elif isinstance(node, ast.If | ast.While):
                visit(node.body)

    visit(ast.parse(source).body)
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_as_a_script_to_its_last_cell(path, namespaces):
    """The build runs each as a notebook; readers may also download the script.
    Run as one, every name its code cells bind is bound: no cell was skipped."""
    expected = names_bound_by(path.read_text())
    assert len(expected) > 5
    missing = expected - set(namespaces(path.name))
    assert not missing, f"{path.name} ran without binding {sorted(missing)}"


def test_six_treatments_says_what_it_measured(namespaces):
    ns = namespaces("six-treatments.py")
    histories = ns["histories"]
    assert len(histories) == 6
    failures = {"sigmoid", "ReLU, default init"}

    def first_to_last(norms):
        return norms[0] / norms[-1]

    for name, h in histories.items():
        start, end = first_to_last(h.grad_norms[0]), first_to_last(h.grad_norms[-1])
        if name in failures:
            # "never leave log 10", "test accuracy is that of a guess"
            assert abs(h.train_loss[-1] - math.log(10)) < 0.05
            assert h.test_accuracy[-1] < 0.2
            # "as steep in the last epoch as before the first"
            assert start < 1e-6 and end < 1e-6 and end < 2 * start
        else:
            # "within about one order of magnitude across the layers", "each learns"
            assert 0.1 < start < 10
            for norms in (h.grad_norms[0], h.grad_norms[-1]):
                assert max(norms) / min(norms) < 15
            assert h.test_accuracy[-1] > 0.5

    # "about 1e-17 ... in both panels"; "about 1e-7 before training and 1e-8 in the last epoch"
    def decade(norms):
        return round(math.log10(first_to_last(norms)))

    sigmoid, relu = histories["sigmoid"].grad_norms, histories["ReLU, default init"].grad_norms
    assert decade(sigmoid[0]) == decade(sigmoid[-1]) == -17
    assert (decade(relu[0]), decade(relu[-1])) == (-7, -8)
    assert histories["ReLU + residual"].train_loss[0] > 3 * math.log(10)
    # batch norm: "training loss lower than the residual net's, yet its test accuracy
    # is the lowest" of the four, and its running averages hide what it has learned
    treated = set(histories) - failures
    bn = histories["sigmoid + batch norm"]
    assert bn.train_loss[-1] < histories["ReLU + residual"].train_loss[-1]
    assert min(treated, key=lambda n: histories[n].test_accuracy[-1]) == "sigmoid + batch norm"
    assert ns["with_running_averages"] == pytest.approx(bn.test_accuracy[-1], abs=1e-6)
    assert ns["with_test_statistics"] > max(histories[n].test_accuracy[-1] for n in treated)


def test_diagnose_your_model_says_what_it_measured(namespaces):
    ns = namespaces("diagnose-your-model.py")
    grads = [s.grad_norm for s in ns["probe"].stats]
    # "falls by a factor of about ten per layer"
    for lower, upper in zip(grads, grads[1:], strict=False):
        assert 5 < upper / lower < 20
    assert all(s.saturated_fraction == 0 for s in ns["probe"].stats[:-1])
    assert ns["diagnosis"].verdict == "vanishing"
    assert ns["after"].verdict == "healthy"
    # "every convolution's gradient is between about 0.05 and 0.3, and the output layer's about 2"
    *convs, out = (s.grad_norm for s in ns["after"].stats)
    assert all(0.05 < g < 0.3 for g in convs) and 1.5 < out < 2.5
    histories = ns["histories"]
    assert abs(histories["sigmoid"].train_loss[-1] - math.log(10)) < 0.05
    # "falls below 1 in two epochs"
    fixed = histories["sigmoid + batch norm"]
    assert fixed.epochs == 2 and fixed.train_loss[-1] < 1
    assert fixed.test_accuracy[-1] > 0.5
    relu = ns["vgp"].diagnose(ns["relu_net"], ns["X"], ns["y"])
    assert relu.verdict == "dead units"
    assert "vanishing" not in {f.verdict for f in relu.findings}
    # "in some layers at least half of the channels are dead"
    assert any(s.dead_fraction is not None and s.dead_fraction >= 0.5 for s in relu.stats)


def test_diagnose_your_model_on_an_lstm_and_a_transformer(namespaces):
    ns = namespaces("diagnose-your-model.py")
    probe = ns["lstm_probe"]
    # "the probe switched to its "all" view"; "lstm.l0 ... its two biases, measured together"
    assert probe.params == "all" and [s.name for s in probe.stats] == ["lstm.l0", "head"]
    assert len(probe.stats[0].parameters) == 4
    # "the per-layer gradients look harmless"
    assert probe.stats[0].grad_norm > 1e-3 * probe.stats[1].grad_norm
    # "the earliest steps receive no gradient at all"; the positive bias is within the threshold
    broken, opened = ns["through_time"][-3.0], ns["through_time"][3.0]
    assert broken[0] == 0 and broken[-1] > 0 and min(opened) > 1e-3 * opened[-1]
    # "each encoder layer shows up as ...", "out_proj ... its output is never seen"
    names = [s.name for s in ns["encoder_diagnosis"].stats]
    layer = ("self_attn", "self_attn.out_proj", "norm1", "linear1", "linear2", "norm2")
    assert names == ["embed", *(f"encoder.layers.{i}.{n}" for i in range(4) for n in layer), "out"]
    out_proj = ns["encoder_diagnosis"].stats[2]
    assert out_proj.act_mean is None and out_proj.grad_norm > 0
    assert ns["encoder_diagnosis"].findings[0].reason.endswith(
        "of out's (nearest the output) (smallest/largest "
        f"{ns['encoder_diagnosis'].findings[0].value:.2e})")
