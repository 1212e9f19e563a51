"""Drawing for the page "Low precision" (``docs/low-precision.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import LINESTYLES, PALETTE, new_figure, series_style, styled


@styled
def underflow_panels(
    entries: Mapping[str, Sequence[float]],
    thresholds: Mapping[str, float],
    shares: Mapping[str, Sequence[float]],
) -> Figure:
    """Left: per-layer sizes of gradient entries on a log scale, with one dotted
    horizontal line per named threshold. Right: per-layer share of entries that
    are exactly zero, one line per mode. Layer 1 is nearest the input.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.underflow_panels({"median": [1e-9, 1e-3]}, {"tiny": 1e-7},
    ...                             {"float16": [1.0, 0.0]})
    >>> fig.axes[0].get_yscale(), fig.axes[1].get_ylabel()
    ('log', 'share of entries that are exactly 0')
    """
    fig, (left, right) = new_figure(2, width=10.0, height=4.0)
    for i, (label, values) in enumerate(entries.items()):
        left.plot(range(1, len(values) + 1), values, label=label, **series_style(i))
    for j, (label, y) in enumerate(thresholds.items()):
        left.axhline(y, color=PALETTE[(j + 3) % 7], lw=1.2,
                     linestyle=LINESTYLES[(j + 1) % len(LINESTYLES)], label=label)
    left.set_yscale("log")
    left.set_xlabel("layer (1 = nearest the input)")
    left.set_ylabel(r"$|\partial ℒ / \partial W_\ell|$ entries, float32")
    left.legend(fontsize=7, loc="lower right")
    for i, (label, values) in enumerate(shares.items()):
        right.plot(range(1, len(values) + 1), values, label=label,
                   linestyle=LINESTYLES[i % len(LINESTYLES)], **series_style(i))
    right.set_ylim(-0.05, 1.05)
    right.set_xlabel("layer (1 = nearest the input)")
    right.set_ylabel("share of entries that are exactly 0")
    right.legend(fontsize=8)
    return fig
