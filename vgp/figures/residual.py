"""The figures of the page "Residual connections" (``docs/residual.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import residual
from vgp.figures import figure
from vgp.plot.profiles import GRADIENT_NORM_LABEL


@figure("residual-state-gradients")
def residual_state_gradients() -> Figure:
    result = residual.residual_profiles()
    panels: dict[str, dict[str, tuple[float, ...]]] = {}
    for label, (activation, _, _), grads in zip(result.labels, result.configs, result.state_grads,
                                                strict=True):
        panels.setdefault(activation, {})[label.split(", ", 1)[1]] = grads
    return plot.layer_profiles(
        panels, ylabel=r"$\|\partial ℒ / \partial h_\ell\|$, gradient reaching layer $\ell$"
    )


@figure("residual-weight-gradients")
def residual_weight_gradients() -> Figure:
    result = residual.residual_profiles()
    return plot.layer_profiles(
        {f"{result.depth} layers of {result.width} units, at initialisation":
         dict(zip(result.labels, result.weight_grads, strict=True))},
        ylabel=GRADIENT_NORM_LABEL,
    )

