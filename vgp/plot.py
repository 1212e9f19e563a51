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


# --- normalisation and architecture (batch norm, covariate shift, residual, exploding) ---

from math import isfinite  # noqa: E402

LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")
"""Line styles in the order series use them, so that series differ without colour."""


@styled
def preactivation_histograms(
    edges: Sequence[float],
    panels: Mapping[str, Mapping[str, Sequence[int]]],
    *,
    good_region: float,
    xlabel: str,
) -> Figure:
    """One panel per entry of ``panels``, each with one step histogram per series
    (shares of the total, same bins), and the band ``|z| < good_region`` shaded."""
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
def layer_profiles(
    panels: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    ylabel: str,
    xlabel: str = "layer (1 = nearest the input)",
    predictions: Mapping[str, Sequence[Sequence[float]]] | None = None,
    prediction_label: str = "prediction",
) -> Figure:
    """Per-layer values on a log scale, one panel per entry of ``panels``.

    A series keeps its colour and marker in every panel it appears in (so a
    panel can zoom in on some of the series). ``predictions[panel]``
    optionally adds one thin dashed line per series, in the series' colour,
    labelled once as ``prediction_label``.
    """
    fig, axes = new_figure(len(panels), width=4.2 * len(panels) if len(panels) > 1 else 6.4)
    style_of = {label: i for i, label in enumerate(dict.fromkeys(
        label for series in panels.values() for label in series))}
    for ax, (title, series) in zip(axes, panels.items(), strict=True):
        for i, values in enumerate((predictions or {}).get(title, ())):
            ax.plot(range(1, len(values) + 1), values, color=PALETTE[i % 7], lw=1,
                    linestyle=(0, (4, 3)), label=prediction_label if i == 0 else None)
        for label, values in series.items():
            i = style_of[label]
            ax.plot(range(1, len(values) + 1), values, marker=MARKERS[i % len(MARKERS)],
                    color=PALETTE[i % 7], label=label)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend()
        ax.set_title(title)
    return fig


@styled
def accuracy_bands(
    panels: Mapping[str, Mapping[str, Sequence[Sequence[float]]]],
    *,
    xlabel: str = "epoch",
    ylabel: str = "test accuracy",
) -> Figure:
    """Test accuracy over training, one panel per entry of ``panels``: for each
    series the mean over its runs (line and marker) and their range (band)."""
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


@styled
def covariate_shift(
    steps: Sequence[int],
    accuracy: Mapping[str, Sequence[float]],
    percentiles: Mapping[str, Sequence[Sequence[float]]],
    *,
    quantiles: Sequence[float],
) -> Figure:
    """Ioffe and Szegedy's figure 1 layout: test accuracy over training for every
    variant, then one panel per variant with percentiles of one unit's input."""
    n = 1 + len(percentiles)
    fig, axes = plt.subplots(1, n, figsize=(3.1 * n, 3.2), layout="constrained")
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


@styled
def training_curves(
    panels: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    xlabel: str = "step",
    marks: Mapping[str, str] | None = None,
    hlines: Mapping[str, tuple[float, str]] | None = None,
) -> Figure:
    """Curves over training on a log scale, one panel per entry of ``panels``
    (its key is the y label); non-finite values are left out. ``marks[label] =
    text`` annotates a series' last finite point; ``hlines[panel] = (y, text)``
    draws a labelled dotted line."""
    fig, axes = new_figure(len(panels), width=4.6 * len(panels), height=3.6)
    for ax, (ylabel, series) in zip(axes, panels.items(), strict=True):
        for i, (label, values) in enumerate(series.items()):
            points = [(x, v) for x, v in enumerate(values, start=1) if isfinite(v)]
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, color=PALETTE[i], marker=MARKERS[i], markevery=max(1, len(xs) // 10),
                    linestyle=LINESTYLES[i % len(LINESTYLES)], label=label)
            if marks and label in marks:
                ax.annotate(marks[label], xy=(xs[-1], ys[-1]), xytext=(6, -3),
                            textcoords="offset points", fontsize=8, color=PALETTE[i])
        if hlines and ylabel in hlines:
            y, text = hlines[ylabel]
            ax.axhline(y, color="0.3", lw=1, linestyle=":", label=text)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)
    return fig
