"""Drawing for the page "ReLU and dying ReLU" (``docs/relu.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.profiles import layer_series
from vgp.plot.style import (
    PALETTE,
    accuracy_strip,
    markevery,
    new_figure,
    series_style,
    styled,
)


@styled
def gradient_profiles(panels: Mapping[str, Mapping[str, Sequence[float]]]) -> Figure:
    """Per-layer gradient norms, one panel per title, one line per series.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.gradient_profiles({"a": {"x": [1e-3, 1e-1]}, "b": {"y": [1.0, 2.0]}})
    >>> [ax.get_title() for ax in fig.axes]
    ['a', 'b']
    """
    fig, axes = new_figure(len(panels), width=4.2 * len(panels))
    for ax, (title, series) in zip(axes, panels.items(), strict=True):
        layer_series(ax, series, ylabel=r"gradient norm $\|\partial ℒ / \partial W\|$")
        for line in ax.get_lines():
            line.set_markevery(markevery(len(line.get_xdata())))
        ax.set_title(title)
    return fig


@styled
def dying_units(
    dead: Mapping[str, Sequence[Sequence[float]]],
    accuracy: Mapping[str, Sequence[float]],
) -> Figure:
    """Left: dead fraction per layer after training, one line per setting (the
    mean over runs, bars from the lowest to the highest run). Right: test
    accuracy of every run, one column per setting.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.dying_units({"lr 0.1": [[0.9, 0.8], [0.7, 0.6]]}, {"lr 0.1": [0.3, 0.5]})
    >>> fig.axes[1].get_ylabel()
    'test accuracy after training'
    """
    fig, (left, right) = new_figure(2, width=8.4)
    for i, (label, runs) in enumerate(dead.items()):
        columns = list(zip(*runs, strict=True))
        mean = [sum(c) / len(c) for c in columns]
        layers = range(1, len(mean) + 1)
        low = [m - min(c) for m, c in zip(mean, columns, strict=True)]
        high = [max(c) - m for m, c in zip(mean, columns, strict=True)]
        left.errorbar(layers, mean, yerr=[low, high], capsize=3, label=label, **series_style(i))
    left.set_xlabel("hidden layer (1 = nearest the input)")
    left.set_ylabel("dead units (no input activates them)")
    left.set_ylim(0, 1)
    left.set_xticks(range(1, len(mean) + 1))
    left.legend(loc="center left", bbox_to_anchor=(0.0, 0.62), ncols=2)
    accuracy_strip(right, accuracy)
    return fig


@styled
def born_dead(
    x: Sequence[float],
    functions: Sequence[Sequence[float]],
    constant: Sequence[bool],
    curves: Mapping[str, Sequence[float]],
    bounds: Mapping[str, Sequence[float]],
    *,
    title: str,
) -> Figure:
    """Left: a few random nets as functions of their input, constant ones dashed.
    Right: probability of being born dead against depth, one line per width,
    with its upper bound dotted in the same colour.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.born_dead(
    ...     [-1.0, 0.0, 1.0], [[0.0, 0.0, 0.0], [1.0, 0.0, 2.0]], [True, False],
    ...     {"width 2": [0.3, 0.5]}, {"width 2": [0.4, 0.6]}, title="two nets",
    ... )
    >>> fig.axes[0].get_title()
    'two nets'
    """
    fig, (left, right) = new_figure(2, width=9.0)
    middle = len(x) // 2
    for y, flat in zip(functions, constant, strict=True):
        shifted = [v - y[middle] for v in y]
        scale = max(abs(v) for v in shifted) or 1.0
        left.plot(
            x,
            [v / scale for v in shifted],
            color=PALETTE[1] if flat else PALETTE[0],
            linestyle="--" if flat else "-",
            lw=2.2 if flat else 1.4,
        )
    left.plot([], [], color=PALETTE[0], label="varies with x")
    left.plot([], [], color=PALETTE[1], linestyle="--", lw=2.2, label="constant: born dead")
    left.set_xlabel("input x")
    left.set_ylabel(r"$(f(x) - f(0))$ / its largest $|\cdot|$")
    left.set_title(title)
    left.legend()
    for i, (label, curve) in enumerate(curves.items()):
        depths = range(1, len(curve) + 1)
        style = series_style(i)
        right.plot(depths, curve, label=label, markevery=5, **style)
        right.plot(depths, bounds[label], color=style["color"], linestyle=":", lw=1.2)
    right.plot([], [], color="black", linestyle=":", lw=1.2, label="upper bound")
    right.set_xlabel("depth (hidden layers)")
    right.set_ylabel("probability of being born dead")
    right.set_ylim(0, 1.02)
    right.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig

