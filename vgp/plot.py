"""Matplotlib drawing functions in one shared style.

Drawing only: every function here takes results that other modules computed and
returns a ``matplotlib.figure.Figure``; nothing here trains or measures.
The palette is Okabe and Ito's, safe for the common forms of colour blindness,
and each series also differs by marker, so no figure relies on colour alone.
"""

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

    Examples
    --------
    >>> from vgp.plot import gradient_profile, to_svg
    >>> draw = lambda: gradient_profile({"sigmoid": [1e-6, 1e-3, 1.0]}, title="demo")
    >>> to_svg(draw()) == to_svg(draw())
    True
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
    return buffer.getvalue()


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
    if not series:
        raise ValueError("series is empty: give at least one name -> per-layer values")
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


# ---------------------------------------------------------------------------
# Pages "ReLU and dying ReLU", "Leaky ReLU and friends" and "Initialisation".

import math  # noqa: E402

from matplotlib.ticker import MaxNLocator  # noqa: E402

Runs = Sequence[Sequence[float]]
"""Several runs of one per-layer (or per-epoch) series, one row per run."""


def _series_style(i: int) -> dict[str, object]:
    """Colour and marker of series ``i`` (every series differs by marker too)."""
    return {"color": PALETTE[i % 7], "marker": MARKERS[i % len(MARKERS)]}


def _positive(values: Sequence[float]) -> list[float]:
    """``values`` with zeros and negatives as NaN, so a log axis leaves a gap."""
    return [v if v > 0 else float("nan") for v in values]


def _geometric_mean(values: Sequence[float]) -> float:
    """``exp(mean(log(values)))``, the average of quantities spanning decades
    (NaN if any value is not positive)."""
    if min(values) <= 0:
        return float("nan")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _markevery(n: int) -> int:
    """Mark about ten points of an ``n``-point line."""
    return max(1, n // 10)


def _band(ax: plt.Axes, x: Sequence[float], rows: Sequence[Sequence[float]], color: str) -> None:
    """Shade between the smallest and largest of several runs (one row per run)."""
    columns = list(zip(*rows, strict=True))
    ax.fill_between(
        x, [min(c) for c in columns], [max(c) for c in columns], color=color, alpha=0.18, lw=0
    )


def _accuracy_strip(ax: plt.Axes, accuracy: Mapping[str, Sequence[float]]) -> None:
    """One column of markers per setting: the test accuracy of each of its runs."""
    for i, values in enumerate(accuracy.values()):
        ax.plot([i] * len(values), values, linestyle="none", **_series_style(i))
    ax.set_xticks(range(len(accuracy)), list(accuracy), rotation=20)
    ax.set_ylabel("test accuracy after training")
    ax.set_ylim(0, 1)


@styled
def gradient_profiles(panels: Mapping[str, Mapping[str, Sequence[float]]]) -> Figure:
    """Per-layer gradient norms, one panel per title, one line per series.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.gradient_profiles({"a": {"x": [1e-3, 1e-1]}, "b": {"y": [1.0, 2.0]}})
    >>> [ax.get_title() for ax in fig.axes]
    ['a', 'b']
    """
    fig, axes = new_figure(len(panels), width=4.2 * len(panels))
    for ax, (title, series) in zip(axes, panels.items(), strict=True):
        layer_series(ax, series, ylabel=r"gradient norm $\|\partial L / \partial W\|$")
        for line in ax.get_lines():
            line.set_markevery(_markevery(len(line.get_xdata())))
        ax.set_title(title)
    return fig


@styled
def dying_units(
    dead: Mapping[str, Sequence[Sequence[float]]],
    accuracy: Mapping[str, Sequence[float]],
) -> Figure:
    """Left: dead fraction per layer after training, one line per setting (the
    mean over runs, bars from the lowest to the highest run). Right: test
    accuracy of every run, one column per setting.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.dying_units({"lr 0.1": [[0.9, 0.8], [0.7, 0.6]]}, {"lr 0.1": [0.3, 0.5]})
    >>> fig.axes[1].get_ylabel()
    'test accuracy after training'
    """
    fig, (left, right) = new_figure(2, width=8.4)
    for i, (label, runs) in enumerate(dead.items()):
        columns = list(zip(*runs, strict=True))
        mean = [sum(c) / len(c) for c in columns]
        layers = range(1, len(mean) + 1)
        low = [m - min(c) for m, c in zip(mean, columns, strict=True)]
        high = [max(c) - m for m, c in zip(mean, columns, strict=True)]
        left.errorbar(layers, mean, yerr=[low, high], capsize=3, label=label, **_series_style(i))
    left.set_xlabel("hidden layer (1 = nearest the input)")
    left.set_ylabel("dead units (no input activates them)")
    left.set_ylim(0, 1)
    left.set_xticks(range(1, len(mean) + 1))
    left.legend(loc="center left", bbox_to_anchor=(0.0, 0.62), ncols=2)
    _accuracy_strip(right, accuracy)
    return fig


@styled
def born_dead(
    x: Sequence[float],
    functions: Sequence[Sequence[float]],
    constant: Sequence[bool],
    curves: Mapping[str, Sequence[float]],
    bounds: Mapping[str, Sequence[float]],
    *,
    title: str,
) -> Figure:
    """Left: a few random nets as functions of their input, constant ones dashed.
    Right: probability of being born dead against depth, one line per width,
    with its upper bound dotted in the same colour.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.born_dead(
    ...     [-1.0, 0.0, 1.0], [[0.0, 0.0, 0.0], [1.0, 0.0, 2.0]], [True, False],
    ...     {"width 2": [0.3, 0.5]}, {"width 2": [0.4, 0.6]}, title="two nets",
    ... )
    >>> fig.axes[0].get_title()
    'two nets'
    """
    fig, (left, right) = new_figure(2, width=9.0)
    middle = len(x) // 2
    for y, flat in zip(functions, constant, strict=True):
        shifted = [v - y[middle] for v in y]
        scale = max(abs(v) for v in shifted) or 1.0
        left.plot(
            x,
            [v / scale for v in shifted],
            color=PALETTE[1] if flat else PALETTE[0],
            linestyle="--" if flat else "-",
            lw=2.2 if flat else 1.4,
        )
    left.plot([], [], color=PALETTE[0], label="varies with x")
    left.plot([], [], color=PALETTE[1], linestyle="--", lw=2.2, label="constant: born dead")
    left.set_xlabel("input x")
    left.set_ylabel(r"$(f(x) - f(0))$ / its largest $|\cdot|$")
    left.set_title(title)
    left.legend()
    for i, (label, curve) in enumerate(curves.items()):
        depths = range(1, len(curve) + 1)
        style = _series_style(i)
        right.plot(depths, curve, label=label, markevery=5, **style)
        right.plot(depths, bounds[label], color=style["color"], linestyle=":", lw=1.2)
    right.plot([], [], color="black", linestyle=":", lw=1.2, label="upper bound")
    right.set_xlabel("depth (hidden layers)")
    right.set_ylabel("probability of being born dead")
    right.set_ylim(0, 1.02)
    right.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


@styled
def activation_curves(
    x: Sequence[float], values: Mapping[str, Sequence[float]], slopes: Mapping[str, Sequence[float]]
) -> Figure:
    """Each activation (left) and its derivative (right) against the pre-activation.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.activation_curves([-1.0, 1.0], {"relu": [0.0, 1.0]}, {"relu": [0.0, 1.0]})
    >>> fig.axes[1].get_xlabel()
    'pre-activation z'
    """
    fig, (left, right) = new_figure(2, width=9.0)
    for ax, series, ylabel in ((left, values, r"$\phi(z)$"), (right, slopes, r"$\phi'(z)$")):
        for i, (label, y) in enumerate(series.items()):
            ax.plot(x, y, label=label, markevery=_markevery(len(x)), **_series_style(i))
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel(ylabel)
    left.legend()
    return fig


def _mean_over_rms(mean: Sequence[float], second: Sequence[float]) -> list[float]:
    """``E[h] / sqrt(E[h^2])`` per layer (NaN where the second moment is 0)."""
    return [m / s**0.5 if s > 0 else float("nan") for m, s in zip(mean, second, strict=True)]


def _measured_and_theory(
    ax: plt.Axes, i: int, label: str, measured: Sequence[float], theory: Sequence[float]
) -> None:
    layers = range(1, len(measured) + 1)
    style = _series_style(i)
    ax.plot(layers, measured, label=label, linestyle="none", markevery=1, **style)
    ax.plot(layers, theory, color=style["color"], linestyle="--", lw=1.2)


@styled
def mean_activation(
    rows: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float], Sequence[float]]],
) -> Figure:
    """Per layer: the mean activation in units of its root mean square (left)
    and the second moment (right, log scale); markers measured, dashed lines
    the mean-field prediction. ``rows`` maps a label to ``(mean, second moment,
    theory mean, theory second moment)``.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.mean_activation({"relu": ([0.4, 0.4], [0.5, 0.5], [0.4, 0.4], [0.5, 0.5])})
    >>> fig.axes[1].get_yscale()
    'log'
    """
    fig, (left, right) = new_figure(2, width=9.0)
    for i, (label, (mean, second, t_mean, t_second)) in enumerate(rows.items()):
        ratio, t_ratio = _mean_over_rms(mean, second), _mean_over_rms(t_mean, t_second)
        _measured_and_theory(left, i, label, ratio, t_ratio)
        _measured_and_theory(right, i, label, _positive(second), _positive(t_second))
    left.set_ylabel(r"mean / root mean square, $E[h] / \sqrt{E[h^2]}$")
    right.set_ylabel(r"second moment $E[h^2]$")
    right.set_yscale("log")
    for ax in (left, right):
        ax.set_xlabel("hidden layer (1 = nearest the input)")
    right.plot([], [], color="black", linestyle="--", lw=1.2, label="mean-field theory")
    right.legend(fontsize=8, loc="lower left")
    return fig


@styled
def variance_through_depth(
    rows: Mapping[str, tuple[Sequence[float], Sequence[float]]], *, ylabel: str, title: str
) -> Figure:
    """Measured (markers) and predicted (dashed) per-layer values on a log scale,
    one colour per row; ``rows`` maps a label to ``(measured, theory)``.

    Examples
    --------
    >>> from vgp import plot
    >>> rows = {"selu": ([2.0, 1.0], [2.0, 1.0])}
    >>> fig = plot.variance_through_depth(rows, ylabel="Var", title="t")
    >>> fig.axes[0].get_ylabel()
    'Var'
    """
    fig, (ax,) = new_figure()
    for i, (label, (measured, theory)) in enumerate(rows.items()):
        _measured_and_theory(ax, i, label, _positive(measured), _positive(theory))
    ax.plot([], [], color="black", linestyle="--", lw=1.2, label="mean-field theory")
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer (1 = nearest the input)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


@styled
def training_runs(
    losses: Mapping[str, Sequence[Sequence[float]]],
    accuracy: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "epoch",
) -> Figure:
    """Left: training loss against epoch, one line per setting (mean of its
    runs, shaded from the lowest to the highest run). Right: final test
    accuracy of every run, one column per setting.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.training_runs({"relu": [[2.3, 1.5], [2.3, 1.7]]}, {"relu": [0.5, 0.6]})
    >>> fig.axes[0].get_xlabel()
    'epoch'
    """
    fig, (left, right) = new_figure(2, width=9.0)
    for i, (label, runs) in enumerate(losses.items()):
        style = _series_style(i)
        epochs = range(len(runs[0]))
        mean = [sum(c) / len(c) for c in zip(*runs, strict=True)]
        left.plot(epochs, mean, label=label, **style)
        if len(runs) > 1:
            _band(left, epochs, runs, style["color"])
    left.set_xlabel(xlabel)
    left.set_ylabel("training loss (cross-entropy)")
    left.set_xticks(range(len(next(iter(losses.values()))[0])))
    left.legend()
    _accuracy_strip(right, accuracy)
    return fig


@styled
def signal_through_depth(
    panels: Mapping[tuple[str, str], Mapping[str, tuple[Runs, Sequence[float]]]],
    *,
    xlabel: str = "layer (1 = nearest the input)",
) -> Figure:
    """A grid of log-scale panels keyed ``(row title, column quantity)``; in
    each, one colour per series: the geometric mean of several runs (markers,
    shaded from lowest to highest run) and the prediction (dashed). Series map
    a label to ``(runs, theory)``.

    Examples
    --------
    >>> from vgp import plot
    >>> series = {"He": ([[1.0, 0.9], [1.1, 1.2]], [1.0, 1.0])}
    >>> fig = plot.signal_through_depth({("relu", "E[h^2]"): series, ("tanh", "E[h^2]"): series})
    >>> [ax.get_title() for ax in fig.axes]
    ['relu: E[h^2]', 'tanh: E[h^2]']
    """
    row_titles = list(dict.fromkeys(r for r, _ in panels))
    col_titles = list(dict.fromkeys(c for _, c in panels))
    fig, axes = subplots(
        len(row_titles), len(col_titles), figsize=(4.5 * len(col_titles), 3.3 * len(row_titles)),
        squeeze=False,
    )
    for (row, col), series in panels.items():
        ax = axes[row_titles.index(row)][col_titles.index(col)]
        for i, (label, (runs, theory)) in enumerate(series.items()):
            layers = range(1, len(theory) + 1)
            columns = list(zip(*runs, strict=True))
            geo = [_geometric_mean(c) for c in columns]
            style = _series_style(i)
            ax.plot(layers, geo, label=label, ls="none", markevery=3, markersize=3.5, **style)
            _band(ax, layers, [_positive(r) for r in runs], style["color"])
            ax.plot(layers, _positive(theory), color=style["color"], linestyle="--", lw=1.2)
        ax.set_yscale("log")
        ax.set_title(f"{row}: {col}")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(col)
    axes[0][0].plot([], [], color="black", linestyle="--", lw=1.2, label="mean-field theory")
    axes[0][0].legend(fontsize=8)
    return fig


@styled
def condition_growth(
    depth_series: Mapping[str, Sequence[float]], theory: Sequence[float], *, theory_label: str
) -> Figure:
    """``log10`` of a condition number against the number of layers multiplied.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.condition_growth({"Gaussian": [1.3, 2.7]}, [1.3, 2.6], theory_label="rate")
    >>> fig.axes[0].get_legend().get_texts()[-1].get_text()
    'rate'
    """
    fig, (ax,) = new_figure()
    for i, (label, values) in enumerate(depth_series.items()):
        layers = range(1, len(values) + 1)
        ax.plot(layers, values, label=label, markevery=_markevery(len(values)), **_series_style(i))
    layers = range(1, len(theory) + 1)
    ax.plot(layers, theory, color="black", linestyle="--", lw=1.2, label=theory_label)
    ax.set_xlabel("layers multiplied")
    ax.set_ylabel(r"$\log_{10}$ condition number of $W_k \cdots W_1$")
    ax.legend()
    return fig


@styled
def loss_and_accuracy(histories: Mapping[str, tuple[Sequence[float], Sequence[float]]]) -> Figure:
    """Training loss (left) and test accuracy (right) against epoch, one line
    per run; ``histories`` maps a label to ``(train loss, test accuracy)``.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.loss_and_accuracy({"He init": ([2.4, 1.4], [0.1, 0.4])})
    >>> fig.axes[1].get_ylabel()
    'test accuracy'
    """
    fig, (left, right) = new_figure(2, width=9.0)
    for i, (label, (loss, accuracy)) in enumerate(histories.items()):
        left.plot(range(len(loss)), loss, label=label, **_series_style(i))
        right.plot(range(len(accuracy)), accuracy, label=label, **_series_style(i))
    left.set_ylabel("training loss (cross-entropy)")
    right.set_ylabel("test accuracy")
    right.set_ylim(0, 1)
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.legend()
    return fig


# --- normalisation and architecture (batch norm, covariate shift, residual, exploding) ---

from math import isfinite  # noqa: E402


@styled
def preactivation_histograms(
    edges: Sequence[float],
    panels: Mapping[str, Mapping[str, Sequence[int]]],
    *,
    good_region: float,
    xlabel: str,
) -> Figure:
    """One panel per entry of ``panels``, each with one step histogram per series
    (shares of the total, same bins), and the band ``|z| < good_region`` shaded.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.preactivation_histograms(
    ...     [-2, -1, 0, 1, 2], {"layer 1": {"plain": [1, 3, 3, 1]}}, good_region=1.5, xlabel="z")
    >>> [ax.get_title() for ax in fig.axes]
    ['layer 1']
    """
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

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.layer_profiles({"sigmoid": {"plain": [1e-6, 1e-3, 1.0]}}, ylabel="gradient norm")
    >>> fig.axes[0].get_yscale()
    'log'
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
    series the mean over its runs (line and marker) and their range (band).

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.accuracy_bands({"sigmoid": {"plain": [[0.1, 0.5], [0.2, 0.7]]}})
    >>> fig.axes[0].get_ylabel()
    'test accuracy'
    """
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
    draws a labelled dotted line.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.training_curves({"loss": {"clipped": [2.0, 1.0, 0.5]}})
    >>> fig.axes[0].get_ylabel()
    'loss'
    """
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


# --- Chapters "The problem", "Saturation", "Chain-rule decay", "Diagnosing" ---



FLOAT32_RESOLUTION = 2.0**-24
"""Relative rounding of float32: an update smaller than about this fraction of a
weight leaves the weight unchanged."""

UPDATE_RATIO_TARGET = 1e-3
"""The rule of thumb for ``||update|| / ||W||`` per step (CS231n)."""


def _grid(
    nrows: int, ncols: int, *, width: float, height: float, sharex: bool = False
) -> tuple[Figure, list]:
    """A figure with ``nrows`` by ``ncols`` axes, row by row (call it inside :func:`style`)."""
    fig, axes = subplots(nrows, ncols, figsize=(width, height), squeeze=False, sharex=sharex)
    return fig, [ax for row in axes for ax in row]


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
def exponential_decay(
    series: Mapping[str, Sequence[float]], factors: Mapping[str, float], *, title: str
) -> Figure:
    """Per-layer gradient norms (markers) and, for each series, the exponential
    ``||dL/dW_out|| f^(distance from the output)`` with its average factor ``f``.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.exponential_decay({"sigmoid": [1e-4, 1e-2, 1.0]}, {"sigmoid": 0.1}, title="fit")
    >>> fig.axes[0].get_title(), fig.axes[0].get_yscale()
    ('fit', 'log')
    """
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
    and the band below float32's resolution, where an update is rounded away.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.update_ratios({"sigmoid": [1e-9, 1e-5, 1e-3]}, title="one step")
    >>> fig.axes[0].get_title(), fig.axes[0].get_yscale()
    ('one step', 'log')
    """
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
    tails ``|z| > a`` (shaded), where the slope is below a tenth of its largest.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.saturating_activations(
    ...     [-4.0, 0.0, 4.0], {"tanh": ([-1.0, 0.0, 1.0], [0.0, 1.0, 0.0], 1.5)}
    ... )
    >>> fig.axes[0].get_xlabel()
    'pre-activation z'
    """
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

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.saturation_over_training({
    ...     "sigmoid": ([0, 1], [[0.5, 0.6], [0.7, 0.9]], [[0.1, 0.1], [0.1, 0.05]],
    ...                 [[0.0, 0.1], [0.2, 0.8]], [0.5, 0.6]),
    ... })
    >>> len(fig.axes), fig.axes[0].get_title(), fig.axes[2].get_ylabel()
    (3, 'sigmoid', 'test accuracy')
    """
    fig, axes = _grid(3, len(runs), width=7.2, height=6.6, sharex=True)
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
    ``xlabels`` names the x axis of each column.

    Examples
    --------
    >>> from vgp import plot
    >>> fig = plot.histograms(
    ...     {"activations": [("layer 1", [0.0, 0.5, 1.0], [0.25, 0.75])]}, xlabels=["value"]
    ... )
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('value', 'share of values')
    """
    ncols = len(xlabels)
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = _grid(nrows, ncols, width=7.2, height=2.9 * nrows)
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
    ax.set_ylabel(r"gradient norm $\|\partial L / \partial W\|$")
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
                label=r"$\|\partial L/\partial W\|$ (true gradient)",
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
