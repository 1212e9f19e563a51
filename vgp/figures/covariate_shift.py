"""The figures of the page "Internal covariate shift" (``docs/covariate-shift.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import covariate_shift
from vgp.figures import figure


@figure("covariate-shift")
def hidden_unit_over_training() -> Figure:
    result = covariate_shift.covariate_shift()
    names = {"plain": "without batch norm", "batch": "with batch norm",
             "noisy": "noisy batch norm"}
    labels = [names[v] for v in result.variants]
    return plot.covariate_shift(
        result.steps,
        dict(zip(labels, result.accuracy, strict=True)),
        dict(zip(labels, result.percentiles, strict=True)),
        quantiles=covariate_shift.PERCENTILES,
    )

