"""Drawing for the page "Initialisation" (``docs/initialisation.md``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from vgp.plot.style import (
    Runs,
    band,
    markevery,
    new_figure,
    positive,
    series_style,
    styled,
    subplots,
)


def _geometric_mean(values: Sequence[float]) -> float:
    """``exp(mean(log(values)))``, the average of quantities spanning decades
    (NaN if any value is not positive)."""
    if min(values) <= 0:
        return float("nan")
    return math.exp(sum(math.log(v) for v in values) / len(values))


@styled
def signal_through_depth(
    panels: Mapping[tuple[str, str], Mapping[str, tuple[Runs, Sequence[float]]]],
    *,
    xlabel: str = "layer (1 = nearest the input)",
) -> Figure:
    """A grid of log-scale panels keyed ``(row title, column quantity)``; in
    each, one colour per series: the geometric mean of several runs (markers,
    shaded from lowest to highest run) and the prediction (dashed). Series map
    a label to ``(runs, theory)``.

    Examples
    --------
    >>> from vgp import plot
    >>> series = {"He": ([[1.0, 0.9], [1.1, 1.2]], [1.0, 1.0])}
    >>> fig = plot.signal_through_depth({("relu", "E[h^2]"): series, ("tanh", "E[h^2]"): series})
    >>> [ax.get_title() for ax in fig.axes]
    ['relu: E[h^2]', 'tanh: E[h^2]']
    """
    row_titles = list(dict.fromkeys(r for r, _ in panels))
    col_titles = list(dict.fromkeys(c for _, c in panels))
    fig, axes = subplots(
        len(row_titles), len(col_titles), figsize=(4.5 * len(col_titles), 3.3 * len(row_titles)),
        squeeze=False,
    )
    for (row, col), series in panels.items():
        ax = axes[row_titles.index(row)][col_titles.index(col)]
        for i, (label, (runs, theory)) in enumerate(series.items()):
            layers = range(1, len(theory) + 1)
            columns = list(zip(*runs, strict=True))
            geo = [_geometric_mean(c) for c in columns]
            style = series_style(i)
            ax.plot(layers, geo, label=label, ls="none", markevery=3, markersize=3.5, **style)
            band(ax, layers, [positive(r) for r in runs], style["color"])
            ax.plot(layers, positive(theory), color=style["color"], linestyle="--", lw=1.2)
        ax.set_yscale("log")
        ax.set_title(f"{row}: {col}")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(col)
    axes[0][0].plot([], [], color="black", linestyle="--", lw=1.2, label="mean-field theory")
    axes[0][0].legend(fontsize=8)
    return fig


@styled
def condition_growth(
    depth_series: Mapping[str, Sequence[float]], theory: Sequence[float], *, theory_label: str
) -> Figure:
    """``log10`` of a condition number against the number of layers multiplied.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.condition_growth({"Gaussian": [1.3, 2.7]}, [1.3, 2.6], theory_label="rate")
    >>> fig.axes[0].get_legend().get_texts()[-1].get_text()
    'rate'
    """
    fig, (ax,) = new_figure()
    for i, (label, values) in enumerate(depth_series.items()):
        layers = range(1, len(values) + 1)
        ax.plot(layers, values, label=label, markevery=markevery(len(values)), **series_style(i))
    layers = range(1, len(theory) + 1)
    ax.plot(layers, theory, color="black", linestyle="--", lw=1.2, label=theory_label)
    ax.set_xlabel("layers multiplied")
    ax.set_ylabel(r"$\log_{10}$ condition number of $W_k \cdots W_1$")
    ax.legend()
    return fig


@styled
def loss_and_accuracy(
    runs: Mapping[str, Sequence[tuple[Sequence[float], Sequence[float]]]],
) -> Figure:
    """Training loss (left) and test accuracy (right) against epoch; ``runs`` maps
    a label to its runs (one per seed), each ``(train loss, test accuracy)``,
    drawn as one line each in the label's colour.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.loss_and_accuracy({"He init": [([2.4, 1.4], [0.1, 0.4]), ([2.3, 1.1], [0.1, 0.6])]})
    >>> len(fig.axes[0].lines), fig.axes[1].get_ylabel()
    (2, 'test accuracy')
    """
    fig, (left, right) = new_figure(2, width=9.0)
    for i, (label, seeds) in enumerate(runs.items()):
        for k, (loss, accuracy) in enumerate(seeds):
            name = label if k == 0 else None
            left.plot(range(len(loss)), loss, label=name, alpha=0.8, **series_style(i))
            right.plot(range(len(accuracy)), accuracy, label=name, alpha=0.8, **series_style(i))
    left.set_ylabel("training loss (cross-entropy)")
    right.set_ylabel("test accuracy")
    right.set_ylim(0, 1)
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.legend()
    return fig

