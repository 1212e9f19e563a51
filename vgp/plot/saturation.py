"""Drawing for the page "Saturation" (``docs/saturation.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vgp.plot.style import MARKERS, PALETTE, grid, new_figure, styled


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

