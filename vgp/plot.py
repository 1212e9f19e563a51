"""Matplotlib drawing functions in one shared style.

Drawing only: every function here takes results that other modules computed and
returns a ``matplotlib.figure.Figure``; nothing here trains or measures.
The palette is Okabe and Ito's, safe for the common forms of colour blindness,
and each series also differs by marker, so no figure relies on colour alone.
"""

from __future__ import annotations

import io
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypeVar

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: weak on white)
)
"""Okabe-Ito colours, in the order series use them."""

MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")

STYLE: dict[str, object] = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE[:7]),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "font.family": "sans-serif",
    "lines.linewidth": 1.8,
    "lines.markersize": 4.5,
    "svg.fonttype": "none",
    "svg.hashsalt": "vgp",
    "path.simplify": True,
    "savefig.facecolor": "white",
}
"""rcParams of every figure: white background (readable in the dark theme too),
text kept as text in SVG (small files, selectable), a fixed hash salt so SVG
ids are the same from build to build."""


@contextmanager
def style() -> Iterator[None]:
    """Apply :data:`STYLE` inside a ``with`` block."""
    with matplotlib.rc_context(STYLE):
        yield


F = TypeVar("F", bound=Callable)


def styled(fn: F) -> F:
    """Decorate a drawing function so that it draws in :data:`STYLE`."""

    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> Figure:
        with style():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(ncols: int = 1, *, width: float = 6.4, height: float = 3.8) -> tuple[Figure, list]:
    """A figure with ``ncols`` axes side by side (call it inside :func:`style`)."""
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), squeeze=False, layout="constrained")
    return fig, list(axes[0])


def to_svg(fig: Figure) -> bytes:
    """Render ``fig`` as SVG bytes, identical from run to run, and close it."""
    buffer = io.BytesIO()
    with style():
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def layer_series(
    ax: plt.Axes,
    series: Mapping[str, Sequence[float]],
    *,
    ylabel: str,
    xlabel: str = "layer (1 = nearest the input)",
    log: bool = True,
) -> None:
    """One line per named series of per-layer values, layer 1 first."""
    for i, (label, values) in enumerate(series.items()):
        layers = range(1, len(values) + 1)
        ax.plot(layers, values, marker=MARKERS[i % len(MARKERS)], color=PALETTE[i % 7], label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()


@styled
def gradient_profile(series: Mapping[str, Sequence[float]], *, title: str) -> Figure:
    """Per-layer gradient norm ``||dL/dW||`` on a log scale, one line per series."""
    fig, (ax,) = new_figure()
    layer_series(ax, series, ylabel=r"gradient norm $\|\partial L / \partial W\|$")
    ax.set_title(title)
    return fig


# --- Chapters "The problem", "Saturation", "Chain-rule decay", "Diagnosing" ---

import math  # noqa: E402

from matplotlib.ticker import MaxNLocator  # noqa: E402

FLOAT32_RESOLUTION = 2.0**-24
"""Relative rounding of float32: an update smaller than about this fraction of a
weight leaves the weight unchanged."""

UPDATE_RATIO_TARGET = 1e-3
"""The rule of thumb for ``||update|| / ||W||`` per step (CS231n)."""


def grid(
    nrows: int, ncols: int, *, width: float, height: float, sharex: bool = False
) -> tuple[Figure, list]:
    """A figure with ``nrows`` by ``ncols`` axes, row by row (call it inside :func:`style`)."""
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width, height), squeeze=False, layout="constrained", sharex=sharex
    )
    return fig, [ax for row in axes for ax in row]


def log_line(
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


def zero_note(ax: plt.Axes, floor: float, zeros: bool) -> None:
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
def exponential_decay(
    series: Mapping[str, Sequence[float]], factors: Mapping[str, float], *, title: str
) -> Figure:
    """Per-layer gradient norms (markers) and, for each series, the exponential
    ``||dL/dW_out|| f^(distance from the output)`` with its average factor ``f``."""
    fig, (ax,) = new_figure()
    for i, (label, values) in enumerate(series.items()):
        layers = range(1, len(values) + 1)
        f = factors[label]
        fit = [values[-1] * f ** (len(values) - k) for k in layers]
        ax.plot(
            layers,
            values,
            linestyle="none",
            marker=MARKERS[i],
            color=PALETTE[i],
            label=f"{label}: x{f:.2f} per layer",
        )
        ax.plot(layers, fit, linestyle="--", color=PALETTE[i], linewidth=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel(r"gradient norm $\|\partial L / \partial W\|$")
    ax.set_title(title)
    ax.legend(title="measured (markers), exponential (dashed)")
    return fig


@styled
def update_ratios(series: Mapping[str, Sequence[float]], *, title: str) -> Figure:
    """Per-layer ``||update|| / ||W||`` of one step, with the rule-of-thumb target
    and the band below float32's resolution, where an update is rounded away."""
    fig, (ax,) = new_figure()
    layer_series(ax, series, ylabel=r"update / weight  $\eta\|\partial L/\partial W\| / \|W\|$")
    ax.legend(loc="upper left")
    layers = len(next(iter(series.values())))
    ax.axhline(UPDATE_RATIO_TARGET, color="0.25", linestyle="--", linewidth=1)
    ax.annotate(
        r"rule of thumb $10^{-3}$",
        xy=(layers, UPDATE_RATIO_TARGET),
        xytext=(-40, 3),
        textcoords="offset points",
        ha="right",
        fontsize=8,
        color="0.25",
    )
    bottom = min(min(v) for v in series.values()) / 3
    ax.axhspan(bottom, FLOAT32_RESOLUTION, color="0.88", zorder=0)
    ax.annotate(
        "below float32 resolution ($2^{-24}$ of the weight):\nthe update is rounded away",
        xy=(layers, bottom),
        xytext=(0, 4),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=8,
        color="0.25",
    )
    ax.set_ylim(bottom=bottom)
    ax.set_title(title)
    return fig


@styled
def saturating_activations(
    z: Sequence[float],
    curves: Mapping[str, tuple[Sequence[float], Sequence[float], float]],
) -> Figure:
    """One panel per activation: the function, its derivative, and the saturated
    tails ``|z| > a`` (shaded), where the slope is below a tenth of its largest."""
    fig, axes = new_figure(len(curves), width=7.2, height=3.3)
    z_max = max(abs(v) for v in z)
    for ax, (name, (values, slopes, half_width)) in zip(axes, curves.items(), strict=True):
        ax.plot(z, values, color=PALETTE[0], label=name)
        ax.plot(z, slopes, color=PALETTE[1], linestyle="--", label=f"{name}'")
        middle = (min(values) + max(values)) / 2
        for side in (-1, 1):
            ax.axvspan(side * half_width, side * z_max, color="0.9", zorder=0)
            ax.annotate(
                "saturated",
                xy=(side * (half_width + z_max) / 2, middle),
                ha="center",
                va="center",
                rotation=90,
                fontsize=8,
                color="0.35",
            )
        ax.set_xlim(-z_max, z_max)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel("value")
        ax.set_title(
            f"{name}: slope at most {max(slopes):.2g}, good region |z| < {half_width:.2f}",
            fontsize=9.5,
        )
        ax.legend(loc="upper left")
    return fig


@styled
def saturation_over_training(
    runs: Mapping[
        str,
        tuple[
            Sequence[float],
            Sequence[Sequence[float]],
            Sequence[Sequence[float]],
            Sequence[Sequence[float]],
            Sequence[float],
        ],
    ],
) -> Figure:
    """Glorot and Bengio (2010), figure 2, in miniature: per net (columns), each
    hidden layer's mean activation with a band of one standard deviation, its
    saturated fraction, and the test accuracy, against epochs.

    ``runs`` maps a title to ``(epochs, mean, std, saturated, accuracy)`` with
    ``mean[r][l]`` the value of hidden layer ``l + 1`` at record ``r``.
    """
    fig, axes = grid(3, len(runs), width=7.2, height=6.6, sharex=True)
    ncols = len(runs)
    for col, (title, (epochs, mean, std, saturated, accuracy)) in enumerate(runs.items()):
        top, middle, bottom = axes[col], axes[ncols + col], axes[2 * ncols + col]
        for layer in range(len(mean[0])):
            m = [row[layer] for row in mean]
            s = [row[layer] for row in std]
            colour, marker = PALETTE[layer % 7], MARKERS[layer % len(MARKERS)]
            label = f"layer {layer + 1}"
            top.plot(epochs, m, color=colour, marker=marker, markevery=6, label=label)
            top.fill_between(
                epochs,
                [a - b for a, b in zip(m, s, strict=True)],
                [a + b for a, b in zip(m, s, strict=True)],
                color=colour,
                alpha=0.12,
                linewidth=0,
            )
            middle.plot(
                epochs,
                [row[layer] for row in saturated],
                color=colour,
                marker=marker,
                markevery=6,
                label=label,
            )
        bottom.plot(epochs, accuracy, color="0.2")
        bottom.axhline(0.1, color="0.5", linestyle=":", linewidth=1)
        bottom.annotate(
            "chance",
            xy=(epochs[-1], 0.1),
            xytext=(0, 3),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color="0.4",
        )
        top.set_title(title)
        top.set_ylabel("mean activation ± std")
        middle.set_ylabel("saturated fraction")
        middle.set_ylim(-0.03, 1.03)
        bottom.set_ylabel("test accuracy")
        bottom.set_ylim(0, 1)
        bottom.set_xlabel("epoch")
    axes[0].legend(fontsize=8, ncols=2, loc="lower right", bbox_to_anchor=(1.0, 0.12))
    return fig


@styled
def histograms(
    panels: Mapping[str, Sequence[tuple[str, Sequence[float], Sequence[float]]]],
    *,
    xlabels: Sequence[str],
) -> Figure:
    """Panels of per-layer histograms, ``len(xlabels)`` to a row: in each, one step line per
    layer, ``(label, edges, fractions)``, with the share of values in each bin;
    ``xlabels`` names the x axis of each column."""
    ncols = len(xlabels)
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = grid(nrows, ncols, width=7.2, height=2.9 * nrows)
    for k, (ax, (title, layers)) in enumerate(zip(axes, panels.items(), strict=False)):
        for i, (label, edges, fractions) in enumerate(layers):
            if fractions:
                ax.stairs(
                    fractions,
                    edges,
                    color=PALETTE[i % 7],
                    linewidth=1.5,
                    linestyle=("-", "--", "-.", ":")[i % 4],
                    label=label,
                )
        ax.set_title(title)
        ax.set_xlabel(xlabels[k % ncols])
        ax.set_ylabel("share of values")
        ax.legend(fontsize=8)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    return fig


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
    the ``0.25^k`` cartoon bound (dotted)."""
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
    ax.set_ylabel(r"gradient norm $\|\partial L / \partial W\|$")
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=2)
    return fig


@styled
def phase_profiles(
    measured: Mapping[str, Sequence[float]], predicted: Mapping[str, Sequence[float]], *, title: str
) -> Figure:
    """Per-layer gradient norms (markers) beside mean-field theory (dashed), one
    series per weight scale."""
    fig, (ax,) = new_figure()
    for i, (label, values) in enumerate(measured.items()):
        layers = range(1, len(values) + 1)
        ax.plot(layers, values, linestyle="none", marker=MARKERS[i], color=PALETTE[i], label=label)
        ax.plot(layers, predicted[label], linestyle="--", color=PALETTE[i], linewidth=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel(r"gradient norm $\|\partial L / \partial W\|$")
    ax.set_title(title)
    low = min(min(v) for v in measured.values())
    ax.set_ylim(bottom=low / 8)  # room for the legend below the lowest series
    ax.legend(title="measured (markers), theory (dashed)", fontsize=8, loc="lower right")
    return fig


@styled
def symptoms(
    losses: Mapping[str, Sequence[float]],
    grad_norms: Mapping[str, Sequence[float]],
    changes: Mapping[str, Sequence[float]],
    *,
    reference_loss: float,
) -> Figure:
    """The three symptoms side by side: training loss per epoch, per-layer gradient
    norm, and per-layer relative weight change over the whole run."""
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
            r"mean $\|\partial L / \partial W\|$ over training",
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
            log_line(ax, range(1, len(values) + 1), values, floor=floor, index=i, label=label)
            for i, (label, values) in enumerate(data.items())
        ]
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        zero_note(ax, floor, any(zeros))
        ax.set_xlabel("layer (1 = nearest the input)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
    return fig


@styled
def ratios_over_training(
    panels: Mapping[str, Mapping[str, Sequence[float]]], *, floor: float
) -> Figure:
    """One panel per net: chosen layers' update-to-weight ratio per epoch, with the
    rule-of-thumb target band; exact zeros drawn on ``floor``."""
    fig, axes = new_figure(len(panels), width=8.4, height=3.4)
    for ax, (title, layers) in zip(axes, panels.items(), strict=True):
        zeros = [
            log_line(ax, range(1, len(values) + 1), values, floor=floor, index=i, label=label)
            for i, (label, values) in enumerate(layers.items())
        ]
        ax.axhline(UPDATE_RATIO_TARGET, color="0.25", linestyle="--", linewidth=1)
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        zero_note(ax, floor, any(zeros))
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
    weight change over the epoch and the mean absolute weight."""
    fig, axes = new_figure(len(panels), width=8.4, height=3.6)
    floor = min(v for g, c, _ in panels.values() for v in (*g, *c) if v > 0) / 10
    for ax, (title, (grads, changes, sizes)) in zip(axes, panels.items(), strict=True):
        layers = range(1, len(grads) + 1)
        zeros = [
            log_line(
                ax,
                layers,
                grads,
                floor=floor,
                index=0,
                label=r"$\|\partial L/\partial W\|$ (true gradient)",
            ),
            log_line(
                ax, layers, changes, floor=floor, index=1, label=r"mean $|\Delta W|$ over the epoch"
            ),
        ]
        ax.plot(layers, sizes, color="0.5", linestyle=":", label=r"mean $|W|$")
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        zero_note(ax, floor, any(zeros))
        ax.set_xlabel("layer (1 = nearest the input)")
        ax.set_ylabel("gradient norm, mean |weight or change|")
        ax.set_title(title)
    axes[-1].legend(fontsize=8, loc="lower right")
    return fig
