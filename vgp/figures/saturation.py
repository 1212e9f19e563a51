"""The figures of the page "Saturation" (``docs/saturation.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import saturation
from vgp.figures import figure


@figure("saturation-activations")
def saturation_activations() -> Figure:
    curves = saturation.activation_curves()
    return plot.saturating_activations(
        curves.z,
        {
            name: (values, slopes, a)
            for name, values, slopes, a in zip(
                curves.names, curves.values, curves.slopes, curves.good_region, strict=True
            )
        },
    )


@figure("saturation-training")
def saturation_training() -> Figure:
    result = saturation.glorot_saturation()
    return plot.saturation_over_training(
        {
            f"{run.activation}, lr {result.lr:g}": (
                tuple(s / result.steps_per_epoch for s in run.steps),
                run.act_mean,
                run.act_std,
                run.saturated,
                run.test_accuracy,
            )
            for run in result.runs
        }
    )


@figure("saturation-histograms")
def saturation_histograms() -> Figure:
    result = saturation.glorot_saturation()
    panels = {}
    for run in result.runs:
        for when, histograms in (
            ("at initialisation", run.initial_histograms),
            (f"after {result.epochs} epochs", run.final_histograms),
        ):
            panels[f"{run.activation}, {when}"] = [
                (f"layer {k}", h.edges, h.fractions) for k, h in enumerate(histograms, start=1)
            ]
    return plot.histograms(panels, xlabels=("activation value", "activation value"))

