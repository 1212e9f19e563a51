"""The registry of every figure on the site: name -> function returning a Figure.

The MkDocs hook (``hooks/figures.py``) renders each entry as
``figures/<name>.svg`` during the build; a page embeds it as
``![alt text](figures/<name>.svg)`` (relative to the page). No figure is ever
committed. Figure functions only fetch an experiment's result (memoised, so
several figures share one run) and hand it to :mod:`vgp.plot`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import problem


@dataclass(frozen=True)
class FigureSpec:
    """One site figure: its file name (without ``.svg``) and how to draw it."""

    name: str
    draw: Callable[[], Figure]

    def svg(self) -> bytes:
        """Draw the figure and return it as reproducible SVG bytes."""
        return plot.to_svg(self.draw())


FIGURES: dict[str, FigureSpec] = {}
"""Every site figure by name."""


def figure(name: str) -> Callable[[Callable[[], Figure]], Callable[[], Figure]]:
    """Register the decorated function as the figure ``name``."""

    def register(draw: Callable[[], Figure]) -> Callable[[], Figure]:
        if name in FIGURES:
            raise ValueError(f"figure name {name!r} is registered twice")
        FIGURES[name] = FigureSpec(name, draw)
        return draw

    return register


def render(name: str) -> bytes:
    """The SVG bytes of the figure ``name``.

    Examples
    --------
    >>> from vgp.figures import render
    >>> render("home-gradients")[:5]
    b'<?xml'
    """
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; choose one of: {', '.join(FIGURES)}")
    return FIGURES[name].svg()


@figure("home-gradients")
def home_gradients() -> Figure:
    profile = problem.gradient_profile()
    return plot.gradient_profile(
        dict(zip(profile.labels, profile.norms, strict=True)),
        title=f"{profile.depth} hidden layers of {profile.width} units, at initialisation",
    )


# --- normalisation and architecture: batch norm, covariate shift, residual, exploding ---

from vgp.experiments import batchnorm, covariate, exploding, residual  # noqa: E402

_GRAD_W = r"gradient norm $\|\partial L / \partial W_\ell\|$"


@figure("batchnorm-preactivations")
def batchnorm_preactivations() -> Figure:
    result = batchnorm.preactivations()
    labels = [rf"$\sigma_w = {s:g}$" for s in result.sigma_ws]
    return plot.preactivation_histograms(
        result.edges,
        {
            "without batch norm": dict(zip(labels, result.plain, strict=True)),
            "with batch norm": dict(zip(labels, result.batch, strict=True)),
        },
        good_region=result.good_region,
        xlabel=f"input z of the sigmoids of layer {result.layer}",
    )


@figure("batchnorm-depth")
def batchnorm_depth() -> Figure:
    result = batchnorm.depth_profiles()
    series = dict(zip(result.labels, result.norms, strict=True))
    vanishing = result.labels[result.row("sigmoid", None)]
    return plot.layer_profiles(
        {
            f"{result.depth} layers of {result.width} units, at initialisation": series,
            f"zoom: all but {vanishing}": {k: v for k, v in series.items() if k != vanishing},
        },
        ylabel=_GRAD_W,
    )


@figure("batchnorm-placement")
def batchnorm_placement() -> Figure:
    result = batchnorm.placement()
    names = {"none": "no batch norm", "before": "before the activation",
             "after": "after the activation"}
    return plot.accuracy_bands(
        {
            f"{a}, {result.depth} layers of {result.width}": {
                names[p]: result.accuracy[i][j] for j, p in enumerate(result.placements)
            }
            for i, a in enumerate(result.activations)
        }
    )


@figure("covariate-shift")
def covariate_shift() -> Figure:
    result = covariate.covariate_shift()
    names = {"plain": "without batch norm", "batch": "with batch norm",
             "noisy": "noisy batch norm"}
    labels = [names[v] for v in result.variants]
    return plot.covariate_shift(
        result.steps,
        dict(zip(labels, result.accuracy, strict=True)),
        dict(zip(labels, result.percentiles, strict=True)),
        quantiles=covariate.PERCENTILES,
    )


@figure("residual-state-gradients")
def residual_state_gradients() -> Figure:
    result = residual.residual_profiles()
    panels: dict[str, dict[str, tuple[float, ...]]] = {}
    for label, (activation, _, _), grads in zip(result.labels, result.configs, result.state_grads,
                                                strict=True):
        panels.setdefault(activation, {})[label.split(", ", 1)[1]] = grads
    return plot.layer_profiles(
        panels, ylabel=r"$\|\partial L / \partial h_\ell\|$, gradient reaching layer $\ell$"
    )


@figure("residual-weight-gradients")
def residual_weight_gradients() -> Figure:
    result = residual.residual_profiles()
    return plot.layer_profiles(
        {f"{result.depth} layers of {result.width} units, at initialisation":
         dict(zip(result.labels, result.weight_grads, strict=True))},
        ylabel=_GRAD_W,
    )


@figure("exploding-profiles")
def exploding_profiles() -> Figure:
    result = exploding.chaos_profiles()
    title = f"tanh, {result.depth} layers of {result.width} units, at initialisation"
    series, predictions = {}, []
    for sigma_w, chi, norms in zip(result.sigma_ws, result.chi_1, result.norms, strict=True):
        series[rf"$\sigma_w = {sigma_w:g}$, $\chi_1 = {chi:.2f}$"] = norms
        # through the middle layer, growing by sqrt(chi_1) per layer toward the input
        mid = result.depth // 2
        predictions.append(tuple(
            norms[mid - 1] * chi ** ((mid - layer) / 2) for layer in range(1, result.depth + 2)
        ))
    return plot.layer_profiles(
        {title: series},
        ylabel=_GRAD_W,
        predictions={title: predictions},
        prediction_label=r"slope predicted by $\chi_1$: $\times\sqrt{\chi_1}$ per layer",
    )


@figure("exploding-clipping")
def exploding_clipping() -> Figure:
    result = exploding.clipping()
    labels = [
        rf"$\sigma_w = {result.gains[0]:g}$",
        rf"$\sigma_w = {result.gains[1]:g}$, clipped to {result.clip:g}",
        r"$\sigma_w = \sqrt{2}$ (He)",
    ]
    marks = {
        label: f"gradient inf/NaN at step {bad}"
        for label, bad in zip(labels, result.nonfinite_step, strict=True)
        if bad is not None
    }
    grad_label = "weight-gradient norm, before clipping"
    return plot.training_curves(
        {
            "training loss": dict(zip(labels, result.loss, strict=True)),
            grad_label: dict(zip(labels, result.grad_norm, strict=True)),
        },
        xlabel="gradient-descent step (full batch)",
        marks=marks,
        hlines={grad_label: (result.clip, f"clipping threshold {result.clip:g}")},
    )
