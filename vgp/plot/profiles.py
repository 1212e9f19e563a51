"""Charts of per-layer quantities that several pages and the notebooks share:
gradient profiles, layer profiles, histograms and loss curves."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from vgp.plot.style import LINESTYLES, MARKERS, PALETTE, grid, new_figure, styled


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
    layer_series(ax, series, ylabel=r"gradient norm $\|\partial ℒ / \partial W\|$")
    ax.set_title(title)
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
    ylabel = r"gradient norm $\|\partial ℒ / \partial W\|$"
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



GRADIENT_NORM_LABEL = r"gradient norm $\|\partial ℒ / \partial W_\ell\|$"
"""The y label of a per-layer weight-gradient chart."""
