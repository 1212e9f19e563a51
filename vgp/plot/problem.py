"""Drawing for the page "The problem" (``docs/problem.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.profiles import layer_series
from vgp.plot.style import MARKERS, PALETTE, new_figure, styled

FLOAT32_RESOLUTION = 2.0**-24
"""Relative rounding of float32: an update smaller than about this fraction of a
weight leaves the weight unchanged."""


UPDATE_RATIO_TARGET = 1e-3
"""The rule of thumb for ``||update|| / ||W||`` per step (CS231n)."""


@styled
def exponential_decay(
    series: Mapping[str, Sequence[float]], factors: Mapping[str, float], *, title: str
) -> Figure:
    """Per-layer gradient norms (markers) and, for each series, the exponential
    ``||dL/dW_out|| f^(distance from the output)`` with its average factor ``f``.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.exponential_decay({"sigmoid": [1e-4, 1e-2, 1.0]}, {"sigmoid": 0.1}, title="fit")
    >>> fig.axes[0].get_title(), fig.axes[0].get_yscale()
    ('fit', 'log')
    """
    fig, (ax,) = new_figure()
    for i, (label, values) in enumerate(series.items()):
        layers = range(1, len(values) + 1)
        f = factors[label]
        fit = [values[-1] * f ** (len(values) - k) for k in layers]
        ax.plot(
            layers,
            values,
            linestyle="none",
            marker=MARKERS[i],
            color=PALETTE[i],
            label=f"{label}: x{f:.2f} per layer",
        )
        ax.plot(layers, fit, linestyle="--", color=PALETTE[i], linewidth=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel(r"gradient norm $\|\partial ℒ / \partial W\|$")
    ax.set_title(title)
    ax.legend(title="measured (markers), exponential (dashed)")
    return fig


@styled
def update_ratios(series: Mapping[str, Sequence[float]], *, title: str) -> Figure:
    """Per-layer ``||update|| / ||W||`` of one step, with the rule-of-thumb target
    and the band below float32's resolution, where an update is rounded away.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.update_ratios({"sigmoid": [1e-9, 1e-5, 1e-3]}, title="one step")
    >>> fig.axes[0].get_title(), fig.axes[0].get_yscale()
    ('one step', 'log')
    """
    fig, (ax,) = new_figure()
    layer_series(ax, series, ylabel=r"update / weight  $\eta\|\partial ℒ/\partial W\| / \|W\|$")
    ax.legend(loc="upper left")
    layers = len(next(iter(series.values())))
    ax.axhline(UPDATE_RATIO_TARGET, color="0.25", linestyle="--", linewidth=1)
    ax.annotate(
        r"rule of thumb $10^{-3}$",
        xy=(layers, UPDATE_RATIO_TARGET),
        xytext=(-40, 3),
        textcoords="offset points",
        ha="right",
        fontsize=8,
        color="0.25",
    )
    bottom = min(min(v) for v in series.values()) / 3
    ax.axhspan(bottom, FLOAT32_RESOLUTION, color="0.88", zorder=0)
    ax.annotate(
        "below float32 resolution ($2^{-24}$ of the weight):\nthe update is rounded away",
        xy=(layers, bottom),
        xytext=(0, 4),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=8,
        color="0.25",
    )
    ax.set_ylim(bottom=bottom)
    ax.set_title(title)
    return fig

