"""Drawing for the page "LSTM and GRU" (``docs/lstm.md``)."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import LINESTYLES, MARKERS, PALETTE, new_figure, styled


@styled
def accuracy_against_lag(
    accuracy: Mapping[str, Sequence[Sequence[float]]],
    lags: Sequence[int],
    *,
    title: str,
) -> Figure:
    """Test accuracy against the lag: per setting, one marker per run (one row of
    runs per lag, shifted a little sideways so settings do not hide each
    other) and a line through the mean; a dotted line at chance (0.5).

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.accuracy_against_lag({"lstm": [[1.0, 0.98], [0.5, 0.52]]}, [10, 50],
    ...                                 title="demo")
    >>> fig.axes[0].get_xlabel(), [float(y) for y in fig.axes[0].get_ylim()]
    ('lag (steps between the symbol and the answer)', [0.4, 1.04])
    """
    fig, (ax,) = new_figure(width=6.8, height=4.6)
    positions = range(len(lags))
    shift = 0.6 / max(1, len(accuracy))
    for i, (label, rows) in enumerate(accuracy.items()):
        x = [p + (i - (len(accuracy) - 1) / 2) * shift for p in positions]
        for xi, row in zip(x, rows, strict=True):
            ax.plot([xi] * len(row), row, linestyle="none", marker=MARKERS[i % len(MARKERS)],
                    color=PALETTE[i % 7], alpha=0.8)
        ax.plot(x, [statistics.fmean(row) for row in rows], color=PALETTE[i % 7],
                linestyle=LINESTYLES[i % len(LINESTYLES)], marker=MARKERS[i % len(MARKERS)],
                label=label)
    ax.axhline(0.5, color="0.3", lw=1, linestyle=":", label="chance")
    ax.set_xticks(list(positions), [str(lag) for lag in lags])
    ax.set_ylim(0.4, 1.04)
    ax.set_xlabel("lag (steps between the symbol and the answer)")
    ax.set_ylabel("test accuracy after training")
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncols=3, fontsize=8)
    return fig
