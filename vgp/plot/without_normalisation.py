"""Drawing for the page "Deep nets without normalisation" (``docs/without-normalisation.md``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import LINESTYLES, markevery, new_figure, positive, series_style, styled


def _styles(order: Sequence[str], labels: Sequence[str]) -> dict[str, int]:
    """Style index of each label: its place in ``order``, or after them in order of appearance."""
    return {label: i for i, label in enumerate(dict.fromkeys([*order, *labels]))}


@styled
def depth_profiles(
    panels: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    ylabel: str,
    xlabel: str,
    start: int = 1,
    order: Sequence[str] = (),
) -> Figure:
    """Long per-layer (or per-block) series on a log scale, one panel per entry of
    ``panels``, the first value at x = ``start``; zeros leave a gap. A series
    keeps its colour, marker and line style in every panel it appears in, and
    series named in ``order`` take the style of their place there (so that
    several figures of a page agree).

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.depth_profiles({"at init": {"a": [1.0, 10.0, 0.0]}}, ylabel="std", xlabel="block")
    >>> fig.axes[0].get_yscale(), fig.axes[0].get_title()
    ('log', 'at init')
    """
    fig, axes = new_figure(len(panels), width=4.8 * len(panels) if len(panels) > 1 else 6.4)
    order = _styles(order, [label for series in panels.values() for label in series])
    for ax, (title, series) in zip(axes, panels.items(), strict=True):
        for label, values in series.items():
            i = order[label]
            ax.plot(range(start, start + len(values)), positive(values), label=label,
                    markevery=markevery(len(values)), linestyle=LINESTYLES[i % len(LINESTYLES)],
                    **series_style(i))
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=8)
    return fig


@styled
def loss_over_steps(
    series: Mapping[str, Sequence[float]], *, every: int, title: str, order: Sequence[str] = ()
) -> Figure:
    """Training loss on a log scale, one line per run, one value every ``every``
    steps from step 0; a run's non-finite values are left out and its last
    finite point is marked "then NaN". ``order`` as in :func:`depth_profiles`.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.loss_over_steps({"a": [1.0, 0.5, 0.2], "b": [9.0, float("nan")]}, every=10,
    ...                            title="demo")
    >>> [line.get_label() for line in fig.axes[0].get_lines()], fig.axes[0].get_xlabel()
    (['a', 'b'], 'SGD step')
    """
    fig, (ax,) = new_figure()
    styles = _styles(order, list(series))
    for label, values in series.items():
        i = styles[label]
        points = [(k * every, v) for k, v in enumerate(values) if math.isfinite(v)]
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, label=label, linestyle=LINESTYLES[i % len(LINESTYLES)], **series_style(i))
        if len(points) < len(values):
            ax.annotate("then NaN", xy=(xs[-1], ys[-1]), xytext=(6, -3),
                        textcoords="offset points", fontsize=8, color=series_style(i)["color"])
    ax.set_yscale("log")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("training loss")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig
