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
"""Marker of each series, in order, so that series differ without colour."""

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
    """Apply :data:`STYLE` inside a ``with`` block.

    Examples
    --------
    >>> import matplotlib
    >>> from vgp.plot import style
    >>> with style():
    ...     print(matplotlib.rcParams["svg.hashsalt"])
    vgp
    """
    with matplotlib.rc_context(STYLE):
        yield


F = TypeVar("F", bound=Callable)


def styled(fn: F) -> F:
    """Decorate a drawing function so that it draws in :data:`STYLE`.

    Examples
    --------
    >>> import matplotlib
    >>> from vgp.plot import styled
    >>> @styled
    ... def grid_alpha():
    ...     return matplotlib.rcParams["grid.alpha"]
    >>> grid_alpha()
    0.3
    """

    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> Figure:
        with style():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(ncols: int = 1, *, width: float = 6.4, height: float = 3.8) -> tuple[Figure, list]:
    """A figure with ``ncols`` axes side by side (call it inside :func:`style`).

    Examples
    --------
    >>> from vgp.plot import new_figure, style, to_svg
    >>> with style():
    ...     fig, axes = new_figure(2, width=8)
    >>> len(axes), fig.get_size_inches().tolist()
    (2, [8.0, 3.8])
    >>> _ = to_svg(fig)   # closes the figure
    """
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), squeeze=False, layout="constrained")
    return fig, list(axes[0])


def to_svg(fig: Figure) -> bytes:
    """Render ``fig`` as SVG bytes, identical from run to run, and close it.

    Examples
    --------
    >>> from vgp.plot import gradient_profile, to_svg
    >>> draw = lambda: gradient_profile({"sigmoid": [1e-6, 1e-3, 1.0]}, title="demo")
    >>> to_svg(draw()) == to_svg(draw())
    True
    """
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
    """One line per named series of per-layer values, layer 1 first.

    Examples
    --------
    >>> from vgp.plot import layer_series, new_figure, style, to_svg
    >>> with style():
    ...     fig, (ax,) = new_figure()
    ...     layer_series(ax, {"a": [1.0, 0.1], "b": [1.0, 1.0]}, ylabel="gradient norm")
    >>> [line.get_label() for line in ax.get_lines()], ax.get_yscale()
    (['a', 'b'], 'log')
    >>> _ = to_svg(fig)
    """
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
    """Per-layer gradient norm ``||dL/dW||`` on a log scale, one line per series.

    Examples
    --------
    >>> from vgp.plot import gradient_profile, to_svg
    >>> fig = gradient_profile({"sigmoid": [1e-6, 1e-3, 1.0]}, title="demo")
    >>> fig.axes[0].get_title(), fig.axes[0].get_yscale()
    ('demo', 'log')
    >>> _ = to_svg(fig)
    """
    fig, (ax,) = new_figure()
    layer_series(ax, series, ylabel=r"gradient norm $\|\partial L / \partial W\|$")
    ax.set_title(title)
    return fig


LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")
"""Line styles that, with :data:`MARKERS`, tell series apart without colour."""


@styled
def loss_curves(
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    ylabel: str = "training loss",
    log: bool = True,
) -> Figure:
    """One line per named series of per-epoch values, epoch 0 (before training) first.

    A log scale (``log=True``) keeps a run that starts high from flattening the
    others.

    Examples
    --------
    >>> from vgp.plot import loss_curves, to_svg
    >>> fig = loss_curves({"a": [2.3, 1.0, 0.5], "b": [2.3, 2.3, 2.3]}, title="demo")
    >>> fig.axes[0].get_xlabel(), [line.get_label() for line in fig.axes[0].get_lines()]
    ('epoch', ['a', 'b'])
    >>> fig.axes[0].get_yscale()
    'log'
    >>> _ = to_svg(fig)
    """
    fig, (ax,) = new_figure()
    for i, (label, values) in enumerate(series.items()):
        ax.plot(
            range(len(values)),
            values,
            marker=MARKERS[i % len(MARKERS)],
            color=PALETTE[i % 7],
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            label=label,
        )
    if log:
        ax.set_yscale("log")
        # a loss spans one or two decades: label 1, 2, 5 of each, in plain numbers
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return fig


@styled
def gradient_panels(
    panels: Mapping[str, Mapping[str, Sequence[float]]], *, title: str
) -> Figure:
    """Per-layer gradient norms in side-by-side panels sharing one log axis.

    ``panels`` maps each panel's title (``"before training"``) to its series,
    as :func:`gradient_profile` takes them; the legend is drawn once, below.

    Examples
    --------
    >>> from vgp.plot import gradient_panels, to_svg
    >>> fig = gradient_panels(
    ...     {"start": {"a": [1e-6, 1.0]}, "end": {"a": [1e-3, 1.0]}}, title="demo")
    >>> [ax.get_title() for ax in fig.axes], fig.axes[1].get_yscale()
    (['start', 'end'], 'log')
    >>> _ = to_svg(fig)
    """
    fig, axes = new_figure(len(panels), width=4.2 * len(panels) + 1.0, height=4.4)
    ylabel = r"gradient norm $\|\partial L / \partial W\|$"
    for ax, (name, series) in zip(axes, panels.items(), strict=True):
        layer_series(ax, series, ylabel=ylabel if ax is axes[0] else "")
        ax.get_legend().remove()
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_title(name)
    low = min(min(v for v in values if v > 0) for s in panels.values() for values in s.values())
    high = max(max(values) for s in panels.values() for values in s.values())
    for ax in axes:
        ax.set_ylim(low / 3, high * 3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(3, len(labels)))
    fig.suptitle(title)
    return fig
