"""The figures of the page "Initialisation" (``docs/initialisation.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import initialisation
from vgp.figures import figure


@figure("init-signal-through-depth")
def init_signal_through_depth() -> Figure:
    result = initialisation.signal_through_depth()
    names = {"default": "PyTorch default", "xavier_normal": "Xavier", "he_normal": "He"}
    panels: dict = {}
    for row in result.rows:
        forward = panels.setdefault((row.activation, r"$E[h^2]$"), {})
        backward = panels.setdefault((row.activation, r"$\|\partial ℒ/\partial W\|$"), {})
        forward[names[row.init]] = (row.second_moments, row.theory.second_moment)
        backward[names[row.init]] = (row.grad_norms, row.theory.grad_norms)
    return plot.signal_through_depth(panels)


@figure("init-he2015")
def init_he2015() -> Figure:
    result = initialisation.he_miniature()
    names = {"xavier_normal": "Xavier init", "he_normal": "He init"}
    return plot.loss_and_accuracy(
        {
            names[i]: [(h.train_loss, h.test_accuracy) for h in result.runs(i)]
            for i in result.inits
        }
    )


@figure("init-orthogonal")
def init_orthogonal() -> Figure:
    result = initialisation.product_conditioning()
    return plot.condition_growth(
        {"Gaussian N(0, 1/n) (lower bound)": result.gaussian, "orthogonal": result.orthogonal},
        result.theory,
        theory_label="Gaussian, asymptotic rate",
    )

