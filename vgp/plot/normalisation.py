"""Drawing for the page "Layer norm and transformers" (``docs/normalisation.md``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import LINESTYLES, PALETTE, Runs, band, new_figure, series_style, styled


@styled
def seed_bands(
    panels: Mapping[str, Mapping[str, Runs]],
    *,
    x: Sequence[float],
    xlabel: str,
    ylabels: Sequence[str],
    logx: bool = False,
    logy: Sequence[bool] | None = None,
    references: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
) -> Figure:
    """One panel per entry of ``panels``: for each series the geometric mean over
    its runs (one row per seed; line and marker) and their range (band);
    ``references[panel]`` adds thin dashed lines (a prediction). Values are on a
    log scale, except in the panels where ``logy`` (one flag per panel) is false.

    A series keeps its colour and marker in every panel.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.seed_bands({"at init": {"post-norm": [[1.0, 0.5], [2.0, 0.5]]}},
    ...                       x=[1, 2], xlabel="layer", ylabels=["gradient norm"],
    ...                       references={"at init": {"slope -1/2": [1.0, 0.7]}})
    >>> ax = fig.axes[0]
    >>> ax.get_yscale(), [line.get_label() for line in ax.get_lines()]
    ('log', ['slope -1/2', 'post-norm'])
    >>> [round(float(y), 3) for y in ax.get_lines()[1].get_ydata()]
    [1.414, 0.5]
    """
    if len(ylabels) != len(panels):
        raise ValueError(f"ylabels must give one label per panel ({len(panels)}), got {len(ylabels)}")
    fig, axes = new_figure(len(panels), width=4.2 * len(panels) if len(panels) > 1 else 6.4,
                           height=3.6)
    order = list(dict.fromkeys(label for series in panels.values() for label in series))
    logy = [True] * len(panels) if logy is None else list(logy)
    for ax, (title, series), ylabel, log in zip(axes, panels.items(), ylabels, logy, strict=True):
        for j, (label, values) in enumerate((references or {}).get(title, {}).items()):
            ax.plot(x, values, color=PALETTE[6], lw=1, linestyle=LINESTYLES[1 + j % 3], label=label)
        for label, runs in series.items():
            i = order.index(label)
            columns = list(zip(*runs, strict=True))
            typical = [math.exp(sum(math.log(v) for v in c) / len(c)) for c in columns]
            band(ax, x, runs, color=PALETTE[i % 7])
            ax.plot(x, typical, label=label, **series_style(i))
        if log:
            ax.set_yscale("log")
        if logx:
            ax.set_xscale("log", base=2)
            ax.set_xticks(list(x), [f"{v:g}" for v in x])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend()
    return fig
