"""Drawing for the page "Exploding gradients and clipping" (``docs/exploding.md``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import LINESTYLES, MARKERS, PALETTE, new_figure, styled


@styled
def training_curves(
    panels: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    xlabel: str = "step",
    marks: Mapping[str, str] | None = None,
    hlines: Mapping[str, tuple[float, str]] | None = None,
) -> Figure:
    """Curves over training on a log scale, one panel per entry of ``panels``
    (its key is the y label); non-finite values are left out. ``marks[label] =
    text`` annotates a series' last finite point; ``hlines[panel] = (y, text)``
    draws a labelled dotted line.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.training_curves({"loss": {"clipped": [2.0, 1.0, 0.5]}})
    >>> fig.axes[0].get_ylabel()
    'loss'
    """
    fig, axes = new_figure(len(panels), width=4.6 * len(panels), height=3.6)
    for ax, (ylabel, series) in zip(axes, panels.items(), strict=True):
        for i, (label, values) in enumerate(series.items()):
            points = [(x, v) for x, v in enumerate(values, start=1) if math.isfinite(v)]
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, color=PALETTE[i], marker=MARKERS[i], markevery=max(1, len(xs) // 10),
                    linestyle=LINESTYLES[i % len(LINESTYLES)], label=label)
            if marks and label in marks:
                ax.annotate(marks[label], xy=(xs[-1], ys[-1]), xytext=(6, -3),
                            textcoords="offset points", fontsize=8, color=PALETTE[i])
        if hlines and ylabel in hlines:
            y, text = hlines[ylabel]
            ax.axhline(y, color="0.3", lw=1, linestyle=":", label=text)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)
    return fig

