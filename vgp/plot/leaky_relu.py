"""Drawing for the page "Leaky ReLU and friends" (``docs/leaky-relu.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from vgp.plot.style import (
    accuracy_strip,
    band,
    markevery,
    new_figure,
    positive,
    series_style,
    styled,
)


@styled
def activation_curves(
    x: Sequence[float], values: Mapping[str, Sequence[float]], slopes: Mapping[str, Sequence[float]]
) -> Figure:
    """Each activation (left) and its derivative (right) against the pre-activation.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.activation_curves([-1.0, 1.0], {"relu": [0.0, 1.0]}, {"relu": [0.0, 1.0]})
    >>> fig.axes[1].get_xlabel()
    'pre-activation z'
    """
    fig, (left, right) = new_figure(2, width=9.0)
    for ax, series, ylabel in ((left, values, r"$\phi(z)$"), (right, slopes, r"$\phi'(z)$")):
        for i, (label, y) in enumerate(series.items()):
            ax.plot(x, y, label=label, markevery=markevery(len(x)), **series_style(i))
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel(ylabel)
    left.legend()
    return fig


def _mean_over_rms(mean: Sequence[float], second: Sequence[float]) -> list[float]:
    """``E[h] / sqrt(E[h^2])`` per layer (NaN where the second moment is 0)."""
    return [m / s**0.5 if s > 0 else float("nan") for m, s in zip(mean, second, strict=True)]


def _measured_and_theory(
    ax: plt.Axes, i: int, label: str, measured: Sequence[float], theory: Sequence[float]
) -> None:
    layers = range(1, len(measured) + 1)
    style = series_style(i)
    ax.plot(layers, measured, label=label, linestyle="none", markevery=1, **style)
    ax.plot(layers, theory, color=style["color"], linestyle="--", lw=1.2)


@styled
def mean_activation(
    rows: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float], Sequence[float]]],
) -> Figure:
    """Per layer: the mean activation in units of its root mean square (left)
    and the second moment (right, log scale); markers measured, dashed lines
    the mean-field prediction. ``rows`` maps a label to ``(mean, second moment,
    theory mean, theory second moment)``.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.mean_activation({"relu": ([0.4, 0.4], [0.5, 0.5], [0.4, 0.4], [0.5, 0.5])})
    >>> fig.axes[1].get_yscale()
    'log'
    """
    fig, (left, right) = new_figure(2, width=9.0)
    for i, (label, (mean, second, t_mean, t_second)) in enumerate(rows.items()):
        ratio, t_ratio = _mean_over_rms(mean, second), _mean_over_rms(t_mean, t_second)
        _measured_and_theory(left, i, label, ratio, t_ratio)
        _measured_and_theory(right, i, label, positive(second), positive(t_second))
    left.set_ylabel(r"mean / root mean square, $E[h] / \sqrt{E[h^2]}$")
    right.set_ylabel(r"second moment $E[h^2]$")
    right.set_yscale("log")
    for ax in (left, right):
        ax.set_xlabel("hidden layer (1 = nearest the input)")
    right.plot([], [], color="black", linestyle="--", lw=1.2, label="mean-field theory")
    right.legend(fontsize=8, loc="lower left")
    return fig


@styled
def variance_through_depth(
    rows: Mapping[str, tuple[Sequence[float], Sequence[float]]], *, ylabel: str, title: str
) -> Figure:
    """Measured (markers) and predicted (dashed) per-layer values on a log scale,
    one colour per row; ``rows`` maps a label to ``(measured, theory)``.

    Examples
    --------
    >>> from vgp import plot
    >>> rows = {"selu": ([2.0, 1.0], [2.0, 1.0])}
    >>> fig = plot.variance_through_depth(rows, ylabel="Var", title="t")
    >>> fig.axes[0].get_ylabel()
    'Var'
    """
    fig, (ax,) = new_figure()
    for i, (label, (measured, theory)) in enumerate(rows.items()):
        _measured_and_theory(ax, i, label, positive(measured), positive(theory))
    ax.plot([], [], color="black", linestyle="--", lw=1.2, label="mean-field theory")
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer (1 = nearest the input)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


@styled
def training_runs(
    losses: Mapping[str, Sequence[Sequence[float]]],
    accuracy: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "epoch",
) -> Figure:
    """Left: training loss against epoch, one line per setting (mean of its
    runs, shaded from the lowest to the highest run). Right: final test
    accuracy of every run, one column per setting.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.training_runs({"relu": [[2.3, 1.5], [2.3, 1.7]]}, {"relu": [0.5, 0.6]})
    >>> fig.axes[0].get_xlabel()
    'epoch'
    """
    fig, (left, right) = new_figure(2, width=9.0)
    for i, (label, runs) in enumerate(losses.items()):
        style = series_style(i)
        epochs = range(len(runs[0]))
        mean = [sum(c) / len(c) for c in zip(*runs, strict=True)]
        left.plot(epochs, mean, label=label, **style)
        if len(runs) > 1:
            band(left, epochs, runs, style["color"])
    left.set_xlabel(xlabel)
    left.set_ylabel("training loss (cross-entropy)")
    left.set_xticks(range(len(next(iter(losses.values()))[0])))
    left.legend()
    accuracy_strip(right, accuracy)
    return fig

