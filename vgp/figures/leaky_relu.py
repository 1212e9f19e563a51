"""The figures of the page "Leaky ReLU and friends" (``docs/leaky-relu.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import leaky_relu
from vgp.figures import figure


@figure("leaky-activations")
def leaky_activations() -> Figure:
    curves = leaky_relu.activation_curves()
    return plot.activation_curves(
        curves.x,
        dict(zip(curves.labels, curves.values, strict=True)),
        dict(zip(curves.labels, curves.slopes, strict=True)),
    )


@figure("leaky-mean-activation")
def leaky_mean_activation() -> Figure:
    stats = leaky_relu.forward_statistics()
    rows = {}
    for activation, init in leaky_relu.FRIENDS:
        row = stats.row(activation, init)
        rows[row.label] = (row.mean, row.second_moment, row.theory.mean, row.theory.second_moment)
    return plot.mean_activation(rows)


@figure("leaky-selu-variance")
def leaky_selu_variance() -> Figure:
    stats = leaky_relu.forward_statistics()
    rows = {}
    for activation, init, scale in (
        ("selu", "lecun_normal", 0.1),
        ("selu", "lecun_normal", 1.0),
        ("selu", "lecun_normal", 10.0),
        ("relu", "lecun_normal", 1.0),
    ):
        row = stats.row(activation, init, scale)
        t = row.theory
        predicted = [s - m**2 for s, m in zip(t.second_moment, t.mean, strict=True)]
        rows[f"{activation}, input variance {scale:g}"] = (row.variance, predicted)
    return plot.variance_through_depth(
        rows,
        ylabel=r"variance of the activations $\mathrm{Var}[h]$",
        title=f"LeCun-normal init, {stats.width} units per layer",
    )


@figure("leaky-training")
def leaky_training() -> Figure:
    runs = leaky_relu.training_comparison()
    losses = {
        a: [h.train_loss for h in histories]
        for (a, _), histories in zip(runs.configs, runs.histories, strict=True)
    }
    accuracy = {a: runs.final_accuracies(a) for a, _ in runs.configs}
    return plot.training_runs(losses, accuracy)

