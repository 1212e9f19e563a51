"""The figures of the page "Diagnosing" (``docs/diagnosing.md``)."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import diagnosing
from vgp.figures import figure


@figure("diagnosing-symptoms")
def diagnosing_symptoms() -> Figure:
    result = diagnosing.symptoms()
    labels = result.labels
    return plot.symptoms(
        {label: h.train_loss for label, h in zip(labels, result.histories, strict=True)},
        {
            label: tuple(sum(col) / len(col) for col in zip(*h.grad_norms[1:], strict=True))
            for label, h in zip(labels, result.histories, strict=True)
        },
        {label: h.weight_change for label, h in zip(labels, result.histories, strict=True)},
        reference_loss=math.log(10),
    )


@figure("diagnosing-update-ratio")
def diagnosing_update_ratio() -> Figure:
    result = diagnosing.symptoms()
    panels = {}
    for label, history in zip(result.labels, result.histories, strict=True):
        names = history.layer_names
        chosen = (0, len(names) // 2, len(names) - 2, len(names) - 1)
        panels[label] = {
            names[k]: tuple(row[k] for row in history.update_ratios[1:]) for k in chosen
        }
    return plot.ratios_over_training(panels, floor=1e-14)


@figure("diagnosing-histograms")
def diagnosing_histograms() -> Figure:
    result = diagnosing.layer_histograms()
    names = result.layer_names
    hidden = (0, 3, 6, len(names) - 2)
    panels = {}
    for (a, i), acts, grads in zip(
        result.configs, result.activations, result.gradients, strict=True
    ):
        panels[f"{a}, {i} init: activations"] = [
            (names[k], acts[k].edges, acts[k].fractions) for k in hidden
        ]
        panels[f"{a}, {i} init: gradients"] = [
            (names[k], grads[k].edges, grads[k].fractions) for k in (*hidden, len(names) - 1)
        ]
    return plot.histograms(
        panels, xlabels=("activation value", r"$\log_{10} |\partial ℒ/\partial W|$")
    )


@figure("diagnosing-one-epoch")
def diagnosing_one_epoch() -> Figure:
    result = diagnosing.one_epoch()
    return plot.before_and_after(
        {
            f"{name.upper() if name == 'sgd' else name.capitalize()}, learning rate {lr:g}": (
                result.grad_norms[k],
                result.mean_change[k],
                result.mean_weight[k],
            )
            for k, (name, lr) in enumerate(result.optimizers)
        }
    )

