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
