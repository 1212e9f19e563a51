"""Drawing for the page "Chain-rule decay" (``docs/chain-rule.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import MARKERS, PALETTE, new_figure, styled


@styled
def depth_profile(
    measured: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float]]],
    predicted: Mapping[str, Sequence[float]],
    cartoon: Sequence[float] | None = None,
    *,
    title: str,
) -> Figure:
    """Per-layer gradient norm: measured (markers on the typical value, a band from
    the smallest to the largest seed), mean-field theory (dashed) and, optionally,
    the ``0.25^k`` cartoon bound (dotted).

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.depth_profile(
    ...     {"sigmoid": ([1e-3, 1e-1, 1.0], [5e-4, 5e-2, 0.8], [2e-3, 2e-1, 1.2])},
    ...     {"sigmoid": [1e-3, 1e-1, 1.0]},
    ...     [0.0625, 0.25, 1.0],
    ...     title="depth 3",
    ... )
    >>> len(fig.axes[0].get_lines()), fig.axes[0].get_title()
    (3, 'depth 3')
    """
    fig, (ax,) = new_figure(height=4.2)
    for i, (label, (typical, low, high)) in enumerate(measured.items()):
        layers = list(range(1, len(typical) + 1))
        colour = PALETTE[i % 7]
        ax.fill_between(layers, low, high, color=colour, alpha=0.18, linewidth=0)
        ax.plot(
            layers,
            typical,
            linestyle="none",
            marker=MARKERS[i],
            markersize=3.5,
            color=colour,
            label=f"{label}, measured",
        )
        ax.plot(
            layers,
            predicted[label],
            linestyle="--",
            color=colour,
            linewidth=1.3,
            label=f"{label}, theory",
        )
    if cartoon is not None:
        ax.plot(
            range(1, len(cartoon) + 1),
            cartoon,
            linestyle=":",
            color="0.3",
            linewidth=1.3,
            label=r"sigmoid, cartoon $0.25^{k}$",
        )
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel(r"gradient norm $\|\partial ℒ / \partial W\|$")
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=2)
    return fig


@styled
def phase_profiles(
    measured: Mapping[str, Sequence[float]], predicted: Mapping[str, Sequence[float]], *, title: str
) -> Figure:
    """Per-layer gradient norms (markers) beside mean-field theory (dashed), one
    series per weight scale.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.phase_profiles({"sw 1": [0.1, 1.0]}, {"sw 1": [0.12, 1.0]}, title="tanh")
    >>> fig.axes[0].get_title(), fig.axes[0].get_yscale()
    ('tanh', 'log')
    """
    fig, (ax,) = new_figure()
    for i, (label, values) in enumerate(measured.items()):
        layers = range(1, len(values) + 1)
        ax.plot(layers, values, linestyle="none", marker=MARKERS[i], color=PALETTE[i], label=label)
        ax.plot(layers, predicted[label], linestyle="--", color=PALETTE[i], linewidth=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel(r"gradient norm $\|\partial ℒ / \partial W\|$")
    ax.set_title(title)
    low = min(min(v) for v in measured.values())
    ax.set_ylim(bottom=low / 8)  # room for the legend below the lowest series
    ax.legend(title="measured (markers), theory (dashed)", fontsize=8, loc="lower right")
    return fig

