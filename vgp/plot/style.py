"""The shared style of every figure: palette, markers, rc settings, SVG output,
and the small helpers that the chapters' drawing modules share."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypeVar

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import LogFormatterSciNotation  # noqa: E402

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


LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")
"""Line styles that, with :data:`MARKERS`, tell series apart without colour."""


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
    fig, axes = subplots(1, ncols, figsize=(width, height), squeeze=False)
    return fig, list(axes[0])


def subplots(nrows: int, ncols: int, *, figsize: tuple[float, float], **kwargs: object) -> tuple:
    """``Figure(figsize, layout="constrained").subplots(nrows, ncols, **kwargs)``.

    The figure is not registered with pyplot: nothing keeps it open once its
    last reference goes, however many figures a session draws (a notebook still
    shows a returned figure).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from vgp.plot import subplots
    >>> fig, axes = subplots(2, 3, figsize=(6.0, 4.0))
    >>> axes.shape, plt.get_fignums()
    ((2, 3), [])
    """
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)


def to_svg(fig: Figure) -> bytes:
    """Render ``fig`` as SVG bytes, identical from run to run, and close it.

    Path coordinates are written to a hundredth of a point (matplotlib writes
    six decimals): invisible on any screen, and about a quarter of the bytes
    of a figure with many lines. Text is left as it is.

    Examples
    --------
    >>> from vgp.plot import gradient_profile, to_svg
    >>> draw = lambda: gradient_profile({"sigmoid": [1e-6, 1e-3, 1.0]}, title="demo")
    >>> to_svg(draw()) == to_svg(draw())
    True
    >>> import re
    >>> paths = re.findall(rb' d="([^"]*)"', to_svg(draw()))
    >>> max(len(x) for p in paths for x in re.findall(rb"\\.(\\d+)", p))
    2
    """
    buffer = io.BytesIO()
    with style():
        plain_text_log_ticks(fig)
        layout = fig.get_layout_engine()
        if layout is not None:  # lay out once here, not twice inside savefig
            layout.execute(fig)
            fig.set_layout_engine(None)
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return _PATH_DATA.sub(_round_path, buffer.getvalue())


_PATH_DATA = re.compile(rb' d="([^"]*)"')
_LONG_DECIMAL = re.compile(rb"(-?\d+\.\d\d)\d+")


def _round_path(match: re.Match) -> bytes:
    return b' d="' + _LONG_DECIMAL.sub(rb"\1", match.group(1)) + b'"'


_SUPERSCRIPT = str.maketrans("0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b")


_SCI = re.compile(r"\$\\mathdefault\{(-?)(?:([\d.]+)\\times)?(\d+)\^\{(-?\d+)\}\}\$")


class PlainTextLogFormatter(LogFormatterSciNotation):
    """Matplotlib's log-axis labels as plain Unicode text: ``10⁻³``, ``2×10⁻¹``.

    The stock formatter writes mathtext (``$\\mathdefault{10^{-3}}$``), which
    matplotlib parses with pyparsing for every tick of every figure: a third of
    the time it takes to draw the site's figures. The labels read the same.

    Examples
    --------
    >>> from vgp.plot import PlainTextLogFormatter
    >>> f = PlainTextLogFormatter(labelOnlyBase=False)
    >>> f(1e-3), f(0.2), f(1e12), f(1.0)
    ('10⁻³', '2×10⁻¹', '10¹²', '10⁰')
    """

    def __call__(self, x: float, pos: int | None = None) -> str:
        text = super().__call__(x, pos)
        match = _SCI.fullmatch(text)
        if match is None:
            return text.removeprefix("$\\mathdefault{").removesuffix("}$")
        sign, coeff, base, exponent = match.groups()
        power = f"{base}{exponent.translate(_SUPERSCRIPT)}"
        return f"{sign}{coeff}\u00d7{power}" if coeff else f"{sign}{power}"


def plain_text_log_ticks(fig: Figure) -> None:
    """Give every log axis of ``fig`` a :class:`PlainTextLogFormatter` (same ticks).

    Examples
    --------
    >>> from vgp.plot import new_figure, plain_text_log_ticks, style, to_svg
    >>> with style():
    ...     fig, (ax,) = new_figure()
    ...     _ = ax.semilogy([1, 2, 3], [1e-4, 1e-2, 1.0])
    ...     plain_text_log_ticks(fig)
    ...     fig.draw_without_rendering()
    >>> [t.get_text() for t in ax.get_yticklabels()][1:4]
    ['10⁻⁴', '10⁻³', '10⁻²']
    >>> _ = to_svg(fig)
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() != "log":
                continue
            for get, set_ in (
                (axis.get_major_formatter, axis.set_major_formatter),
                (axis.get_minor_formatter, axis.set_minor_formatter),
            ):
                old = get()
                if type(old) is LogFormatterSciNotation:
                    new = PlainTextLogFormatter(
                        base=old._base,
                        labelOnlyBase=old.labelOnlyBase,
                        minor_thresholds=old.minor_thresholds,
                        linthresh=getattr(old, "_linthresh", None),
                    )
                    set_(new)


Runs = Sequence[Sequence[float]]
"""Several runs of one per-layer (or per-epoch) series, one row per run."""


def series_style(i: int) -> dict[str, object]:
    """Colour and marker of series ``i`` (every series differs by marker too).

    Examples
    --------
    >>> from vgp.plot.style import series_style
    >>> series_style(0), series_style(8)
    ({'color': '#0072B2', 'marker': 'o'}, {'color': '#D55E00', 'marker': 'o'})
    """
    return {"color": PALETTE[i % 7], "marker": MARKERS[i % len(MARKERS)]}


def positive(values: Sequence[float]) -> list[float]:
    """``values`` with zeros and negatives as NaN, so a log axis leaves a gap.

    Examples
    --------
    >>> from vgp.plot.style import positive
    >>> positive([1e-3, 0.0, -2.0, 5.0])
    [0.001, nan, nan, 5.0]
    """
    return [v if v > 0 else float("nan") for v in values]


def markevery(n: int) -> int:
    """Mark about ten points of an ``n``-point line.

    Examples
    --------
    >>> from vgp.plot.style import markevery
    >>> markevery(5), markevery(50), markevery(101)
    (1, 5, 10)
    """
    return max(1, n // 10)


def band(ax: plt.Axes, x: Sequence[float], rows: Sequence[Sequence[float]], color: str) -> None:
    """Shade between the smallest and largest of several runs (one row per run).

    Examples
    --------
    >>> from vgp.plot.style import band, new_figure, style, to_svg
    >>> with style():
    ...     fig, (ax,) = new_figure()
    ...     band(ax, [1, 2], [[0.1, 0.5], [0.3, 0.2]], color="#0072B2")
    >>> [[round(float(y), 2) for y in p.get_paths()[0].vertices[1:3, 1]] for p in ax.collections]
    [[0.1, 0.2]]
    >>> _ = to_svg(fig)
    """
    columns = list(zip(*rows, strict=True))
    ax.fill_between(
        x, [min(c) for c in columns], [max(c) for c in columns], color=color, alpha=0.18, lw=0
    )


def accuracy_strip(ax: plt.Axes, accuracy: Mapping[str, Sequence[float]]) -> None:
    """One column of markers per setting: the test accuracy of each of its runs.

    Examples
    --------
    >>> from vgp.plot.style import accuracy_strip, new_figure, style, to_svg
    >>> with style():
    ...     fig, (ax,) = new_figure()
    ...     accuracy_strip(ax, {"relu": [0.9, 0.95], "tanh": [0.5]})
    >>> [t.get_text() for t in ax.get_xticklabels()], [float(y) for y in ax.get_ylim()]
    (['relu', 'tanh'], [0.0, 1.0])
    >>> _ = to_svg(fig)
    """
    for i, values in enumerate(accuracy.values()):
        ax.plot([i] * len(values), values, linestyle="none", **series_style(i))
    ax.set_xticks(range(len(accuracy)), list(accuracy), rotation=20)
    ax.set_ylabel("test accuracy after training")
    ax.set_ylim(0, 1)


def grid(
    nrows: int, ncols: int, *, width: float, height: float, sharex: bool = False
) -> tuple[Figure, list]:
    """A figure with ``nrows`` by ``ncols`` axes, row by row (call it inside :func:`style`).

    Examples
    --------
    >>> from vgp.plot.style import grid, style, to_svg
    >>> with style():
    ...     fig, axes = grid(2, 3, width=6.0, height=4.0)
    >>> len(axes)
    6
    >>> _ = to_svg(fig)
    """
    fig, axes = subplots(nrows, ncols, figsize=(width, height), squeeze=False, sharex=sharex)
    return fig, [ax for row in axes for ax in row]

