"""The figures of the page "Batch normalisation" (``docs/batch-norm.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import batch_norm
from vgp.figures import figure
from vgp.plot.profiles import GRADIENT_NORM_LABEL


@figure("batchnorm-preactivations")
def batchnorm_preactivations() -> Figure:
    result = batch_norm.preactivations()
    labels = [rf"$\sigma_w = {s:g}$" for s in result.sigma_ws]
    return plot.preactivation_histograms(
        result.edges,
        {
            "without batch norm": dict(zip(labels, result.plain, strict=True)),
            "with batch norm": dict(zip(labels, result.batch, strict=True)),
        },
        good_region=result.good_region,
        xlabel=f"input z of the sigmoids of layer {result.layer}",
    )


@figure("batchnorm-depth")
def batchnorm_depth() -> Figure:
    result = batch_norm.depth_profiles()
    series = dict(zip(result.labels, result.norms, strict=True))
    vanishing = result.labels[result.row("sigmoid", None)]
    return plot.layer_profiles(
        {
            f"{result.depth} layers of {result.width} units, at initialisation": series,
            f"zoom: all but {vanishing}": {k: v for k, v in series.items() if k != vanishing},
        },
        ylabel=GRADIENT_NORM_LABEL,
    )


@figure("batchnorm-placement")
def batchnorm_placement() -> Figure:
    result = batch_norm.placement()
    names = {"none": "no batch norm", "before": "before the activation",
             "after": "after the activation"}
    return plot.accuracy_bands(
        {
            f"{a}, {result.depth} layers of {result.width}": {
                names[p]: result.accuracy[i][j] for j, p in enumerate(result.placements)
            }
            for i, a in enumerate(result.activations)
        }
    )

