"""Drawing for the page "Vanishing through time" (``docs/recurrent.md``)."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import (
    LINESTYLES,
    MARKERS,
    PALETTE,
    Runs,
    band,
    markevery,
    new_figure,
    positive,
    styled,
)

TIME_GRADIENT_LABEL = r"gradient norm $\|\partial ℒ / \partial x_{T-k}\|$"
"""The y label of a gradient-through-time chart."""


@styled
def time_profiles(
    series: Mapping[str, Runs],
    *,
    title: str,
    theory: Mapping[str, Sequence[float]] | None = None,
    theory_label: str = "bound",
    headroom: float = 1e3,
) -> Figure:
    """Gradient norm against the lag ``k`` (steps back from the last) on a log
    scale: per series, the median over its runs (one row per run, lag 0 first)
    and a band from the smallest to the largest run. ``theory[label]`` adds a
    dashed line in that series' colour, labelled once as ``theory_label``; the
    y axis stops ``headroom`` times above the largest measured value, so a
    bound that runs away leaves the chart instead of squashing it.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.time_profiles({"tanh": [[1e-3, 1e-4, 1e-5], [2e-3, 1e-4, 2e-5]]},
    ...                          title="demo", theory={"tanh": [1e-2, 1e-3, 1e-4]})
    >>> fig.axes[0].get_yscale(), fig.axes[0].get_xlabel()
    ('log', 'lag k (steps back from the last)')
    """
    fig, (ax,) = new_figure(width=6.8, height=4.2)
    measured = [v for rows in series.values() for row in rows for v in row if v > 0]
    for i, (label, rows) in enumerate(series.items()):
        lags = range(len(rows[0]))
        middle = [statistics.median(column) for column in zip(*rows, strict=True)]
        if len(rows) > 1:
            band(ax, lags, [positive(row) for row in rows], color=PALETTE[i % 7])
        ax.plot(lags, positive(middle), color=PALETTE[i % 7], marker=MARKERS[i % len(MARKERS)],
                markevery=markevery(len(middle)), linestyle=LINESTYLES[i % len(LINESTYLES)],
                label=label)
    for i, label in enumerate(series):
        if theory and label in theory:
            ax.plot(range(len(theory[label])), theory[label], color=PALETTE[i % 7], lw=1,
                    linestyle=(0, (4, 3)), label=theory_label if i == 0 else None)
    ax.set_yscale("log")
    ax.set_ylim(min(measured) / 10, max(measured) * headroom)
    ax.set_xlabel("lag k (steps back from the last)")
    ax.set_ylabel(TIME_GRADIENT_LABEL)
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=2)
    return fig
