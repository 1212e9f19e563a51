"""Drawing for the page "Diagnosing" (``docs/diagnosing.md``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from vgp.plot.problem import UPDATE_RATIO_TARGET
from vgp.plot.style import MARKERS, PALETTE, new_figure, styled


def _log_line(
    ax: plt.Axes,
    x: Sequence[float],
    values: Sequence[float],
    *,
    floor: float,
    index: int,
    label: str | None = None,
    linestyle: str = "-",
    marker: bool = True,
) -> bool:
    """Plot ``values`` on a log axis; exact zeros, which a log axis cannot show,
    are drawn as open down-triangles on ``floor`` in the series' colour.
    Returns whether there were any."""
    colour = PALETTE[index % 7]
    shown = [v if v > 0 else math.nan for v in values]
    ax.plot(
        x,
        shown,
        color=colour,
        linestyle=linestyle,
        marker=MARKERS[index % len(MARKERS)] if marker else None,
        label=label,
    )
    zeros = [xi for xi, v in zip(x, values, strict=True) if v == 0]
    if zeros:
        ax.plot(
            zeros,
            [floor] * len(zeros),
            linestyle="none",
            marker="v",
            markerfacecolor="white",
            markeredgecolor=colour,
            markersize=6,
            clip_on=False,
        )
    return bool(zeros)


def _zero_note(ax: plt.Axes, floor: float, zeros: bool) -> None:
    """Set the log axis to start at ``floor`` and, if ``zeros`` were drawn there,
    say what the triangles mean."""
    ax.set_ylim(bottom=floor)
    if not zeros:
        return
    ax.annotate(
        "▽ exactly 0",
        xy=(1.0, floor),
        xycoords=("axes fraction", "data"),
        xytext=(-2, 3),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=8,
        color="0.3",
    )


@styled
def symptoms(
    losses: Mapping[str, Sequence[float]],
    grad_norms: Mapping[str, Sequence[float]],
    changes: Mapping[str, Sequence[float]],
    *,
    reference_loss: float,
) -> Figure:
    """The three symptoms side by side: training loss per epoch, per-layer gradient
    norm, and per-layer relative weight change over the whole run.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.symptoms(
    ...     {"sigmoid": [0.69, 0.69, 0.69]},
    ...     {"sigmoid": [0.0, 1e-4, 1e-1]},
    ...     {"sigmoid": [1e-6, 1e-3, 1e-1]},
    ...     reference_loss=0.69,
    ... )
    >>> [ax.get_title() for ax in fig.axes]
    ['the loss stalls', 'gradients near 0', 'lower layers do not move']
    """
    fig, (left, middle, right) = new_figure(3, width=9.6, height=3.4)
    for i, (label, values) in enumerate(losses.items()):
        left.plot(range(len(values)), values, color=PALETTE[i], marker=MARKERS[i], label=label)
    epochs = len(next(iter(losses.values()))) - 1
    left.axhline(reference_loss, color="0.4", linestyle=":", linewidth=1)
    left.annotate(
        f"chance: {reference_loss:.2f}",
        xy=(epochs, reference_loss),
        xytext=(0, -11),
        textcoords="offset points",
        ha="right",
        fontsize=8,
        color="0.3",
    )
    left.set_xlabel("epoch")
    left.set_ylabel("training loss")
    left.set_title("the loss stalls")
    left.legend(fontsize=8)
    for ax, data, ylabel, title in (
        (
            middle,
            grad_norms,
            r"mean $\|\partial ℒ / \partial W\|$ over training",
            "gradients near 0",
        ),
        (
            right,
            changes,
            r"$\|W_\mathrm{end} - W_\mathrm{start}\| / \|W_\mathrm{start}\|$",
            "lower layers do not move",
        ),
    ):
        floor = min(v for values in data.values() for v in values if v > 0) / 10
        zeros = [
            _log_line(ax, range(1, len(values) + 1), values, floor=floor, index=i, label=label)
            for i, (label, values) in enumerate(data.items())
        ]
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _zero_note(ax, floor, any(zeros))
        ax.set_xlabel("layer (1 = nearest the input)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
    return fig


@styled
def ratios_over_training(
    panels: Mapping[str, Mapping[str, Sequence[float]]], *, floor: float
) -> Figure:
    """One panel per net: chosen layers' update-to-weight ratio per epoch, with the
    rule-of-thumb target band; exact zeros drawn on ``floor``.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.ratios_over_training({"sigmoid": {"layer 1": [0.0, 1e-6, 1e-5]}}, floor=1e-8)
    >>> fig.axes[0].get_xlabel(), float(fig.axes[0].get_ylim()[0])
    ('epoch', 1e-08)
    """
    fig, axes = new_figure(len(panels), width=8.4, height=3.4)
    for ax, (title, layers) in zip(axes, panels.items(), strict=True):
        zeros = [
            _log_line(ax, range(1, len(values) + 1), values, floor=floor, index=i, label=label)
            for i, (label, values) in enumerate(layers.items())
        ]
        ax.axhline(UPDATE_RATIO_TARGET, color="0.25", linestyle="--", linewidth=1)
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _zero_note(ax, floor, any(zeros))
        ax.set_xlabel("epoch")
        ax.set_ylabel(r"update / weight per step")
        ax.set_title(title)
        ax.legend(fontsize=8)
    return fig


@styled
def before_and_after(
    panels: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float]]],
) -> Figure:
    """One panel per optimiser: per layer, the true gradient norm, the mean absolute
    weight change over the epoch and the mean absolute weight.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.before_and_after({
    ...     "SGD": ([1e-6, 1e-2], [1e-8, 1e-4], [0.1, 0.1]),
    ...     "Adam": ([1e-6, 1e-2], [1e-3, 1e-3], [0.1, 0.1]),
    ... })
    >>> [ax.get_title() for ax in fig.axes]
    ['SGD', 'Adam']
    """
    fig, axes = new_figure(len(panels), width=8.4, height=3.6)
    floor = min(v for g, c, _ in panels.values() for v in (*g, *c) if v > 0) / 10
    for ax, (title, (grads, changes, sizes)) in zip(axes, panels.items(), strict=True):
        layers = range(1, len(grads) + 1)
        zeros = [
            _log_line(
                ax,
                layers,
                grads,
                floor=floor,
                index=0,
                label=r"$\|\partial ℒ/\partial W\|$ (true gradient)",
            ),
            _log_line(
                ax, layers, changes, floor=floor, index=1, label=r"mean $|\Delta W|$ over the epoch"
            ),
        ]
        ax.plot(layers, sizes, color="0.5", linestyle=":", label=r"mean $|W|$")
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _zero_note(ax, floor, any(zeros))
        ax.set_xlabel("layer (1 = nearest the input)")
        ax.set_ylabel("gradient norm, mean |weight or change|")
        ax.set_title(title)
    axes[-1].legend(fontsize=8, loc="lower right")
    return fig

