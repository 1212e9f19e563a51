"""Drawing for the page "Batch normalisation" (``docs/batch-norm.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import LINESTYLES, MARKERS, PALETTE, new_figure, styled


@styled
def preactivation_histograms(
    edges: Sequence[float],
    panels: Mapping[str, Mapping[str, Sequence[int]]],
    *,
    good_region: float,
    xlabel: str,
) -> Figure:
    """One panel per entry of ``panels``, each with one step histogram per series
    (shares of the total, same bins), and the band ``|z| < good_region`` shaded.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.preactivation_histograms(
    ...     [-2, -1, 0, 1, 2], {"layer 1": {"plain": [1, 3, 3, 1]}}, good_region=1.5, xlabel="z")
    >>> [ax.get_title() for ax in fig.axes]
    ['layer 1']
    """
    fig, axes = new_figure(len(panels), width=6.4 * len(panels) / 1.6, height=3.4)
    centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
    for ax, (title, series) in zip(axes, panels.items(), strict=True):
        ax.axvspan(-good_region, good_region, color=PALETTE[2], alpha=0.12, lw=0,
                   label=f"good region |z| < {good_region:.2f}")
        for i, (label, counts) in enumerate(series.items()):
            total = sum(counts)
            ax.step(centres, [c / total for c in counts], where="mid", color=PALETTE[i],
                    linestyle=LINESTYLES[i % len(LINESTYLES)], label=label)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("share of inputs per bin")
        ax.set_xlim(edges[0], edges[-1])
    axes[0].legend(loc="upper left")
    return fig


@styled
def accuracy_bands(
    panels: Mapping[str, Mapping[str, Sequence[Sequence[float]]]],
    *,
    xlabel: str = "epoch",
    ylabel: str = "test accuracy",
) -> Figure:
    """Test accuracy over training, one panel per entry of ``panels``: for each
    series the mean over its runs (line and marker) and their range (band).

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.accuracy_bands({"sigmoid": {"plain": [[0.1, 0.5], [0.2, 0.7]]}})
    >>> fig.axes[0].get_ylabel()
    'test accuracy'
    """
    fig, axes = new_figure(len(panels), width=4.2 * len(panels), height=3.4)
    for ax, (title, series) in zip(axes, panels.items(), strict=True):
        for i, (label, runs) in enumerate(series.items()):
            x = range(len(runs[0]))
            columns = list(zip(*runs, strict=True))
            mean = [sum(c) / len(c) for c in columns]
            ax.fill_between(x, [min(c) for c in columns], [max(c) for c in columns],
                            color=PALETTE[i], alpha=0.18, lw=0)
            ax.plot(x, mean, color=PALETTE[i], marker=MARKERS[i],
                    linestyle=LINESTYLES[i % len(LINESTYLES)], label=label)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, 1)
        ax.xaxis.get_major_locator().set_params(integer=True)
    axes[0].legend(loc="lower right")
    return fig

