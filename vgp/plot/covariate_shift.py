"""Drawing for the page "Internal covariate shift" (``docs/covariate-shift.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import LINESTYLES, MARKERS, PALETTE, styled, subplots


@styled
def covariate_shift(
    steps: Sequence[int],
    accuracy: Mapping[str, Sequence[float]],
    percentiles: Mapping[str, Sequence[Sequence[float]]],
    *,
    quantiles: Sequence[float],
) -> Figure:
    """Ioffe and Szegedy's figure 1 layout: test accuracy over training for every
    variant, then one panel per variant with percentiles of one unit's input.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.covariate_shift(
    ...     [0, 10], {"plain": [0.1, 0.6]}, {"plain": [[-1, 0, 1], [-0.8, 0.1, 1.2]]},
    ...     quantiles=[15, 50, 85])
    >>> len(fig.axes)
    2
    """
    n = 1 + len(percentiles)
    fig, axes = subplots(1, n, figsize=(3.1 * n, 3.2))
    ax = axes[0]
    for i, (label, values) in enumerate(accuracy.items()):
        ax.plot(steps, values, color=PALETTE[i], marker=MARKERS[i], markevery=4,
                linestyle=LINESTYLES[i % len(LINESTYLES)], label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1)
    ax.set_title("(a) test accuracy")
    ax.legend(loc="lower right")
    low = min(min(p) for rows in percentiles.values() for p in rows)
    high = max(max(p) for rows in percentiles.values() for p in rows)
    for k, (ax, (label, rows)) in enumerate(zip(axes[1:], percentiles.items(), strict=True)):
        columns = list(zip(*rows, strict=True))
        for j, (q, values) in enumerate(zip(quantiles, columns, strict=True)):
            ax.plot(steps, values, color=PALETTE[k], linestyle=LINESTYLES[j % 3],
                    label=f"{q:.0f}th percentile")
        ax.set_ylim(low - 0.2, high + 0.2)
        ax.set_xlabel("training step")
        ax.set_ylabel("input of one sigmoid")
        ax.set_title(f"({chr(ord('b') + k)}) {label}")
    axes[1].legend(loc="lower left", fontsize=8)
    return fig

