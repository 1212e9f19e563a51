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


# --- Chapters "The problem", "Saturation", "Chain-rule decay", "Diagnosing" ---

import math  # noqa: E402

from vgp.experiments import chain, diagnosis, saturation  # noqa: E402


@figure("problem-gradient-decay")
def problem_gradient_decay() -> Figure:
    profile = problem.gradient_profile()
    rows = [(a, i) for a, i in profile.configs if i == "default"]
    return plot.exponential_decay(
        {a: profile.norms[profile.configs.index((a, i))] for a, i in rows},
        {a: profile.decay_per_layer(a, i) for a, i in rows},
        title=f"{profile.depth} hidden layers of {profile.width} units, PyTorch's default init",
    )


@figure("problem-update-ratio")
def problem_update_ratio() -> Figure:
    step = problem.one_step()
    return plot.update_ratios(
        dict(zip(step.activations, step.step_ratios, strict=True)),
        title=f"one SGD step, learning rate {step.lr:g}, on the whole training set",
    )


@figure("saturation-activations")
def saturation_activations() -> Figure:
    curves = saturation.activation_curves()
    return plot.saturating_activations(
        curves.z,
        {
            name: (values, slopes, a)
            for name, values, slopes, a in zip(
                curves.names, curves.values, curves.slopes, curves.good_region, strict=True
            )
        },
    )


@figure("saturation-training")
def saturation_training() -> Figure:
    result = saturation.glorot_saturation()
    return plot.saturation_over_training(
        {
            f"{run.activation}, lr {result.lr:g}": (
                tuple(s / result.steps_per_epoch for s in run.steps),
                run.act_mean,
                run.act_std,
                run.saturated,
                run.test_accuracy,
            )
            for run in result.runs
        }
    )


@figure("saturation-histograms")
def saturation_histograms() -> Figure:
    result = saturation.glorot_saturation()
    panels = {}
    for run in result.runs:
        for when, histograms in (
            ("at initialisation", run.initial_histograms),
            (f"after {result.epochs} epochs", run.final_histograms),
        ):
            panels[f"{run.activation}, {when}"] = [
                (f"layer {k}", h.edges, h.fractions) for k, h in enumerate(histograms, start=1)
            ]
    return plot.histograms(panels, xlabels=("activation value", "activation value"))


@figure("chain-depth")
def chain_depth() -> Figure:
    result = chain.depth_profile()
    measured = {}
    for a in result.activations:
        runs = result.norms[result.row(a)]
        measured[a] = (
            result.typical(a),
            tuple(map(min, zip(*runs, strict=True))),
            tuple(map(max, zip(*runs, strict=True))),
        )
    sigmoid = result.typical("sigmoid")
    cartoon = tuple(sigmoid[-1] * 0.25 ** (len(sigmoid) - k) for k in range(1, len(sigmoid) + 1))
    return plot.depth_profile(
        measured,
        {a: result.predicted(a) for a in result.activations},
        cartoon,
        title=f"{result.depth} hidden layers of {result.width} units, PyTorch's default init "
        f"({len(result.seeds)} seeds)",
    )


@figure("chain-phases")
def chain_phases() -> Figure:
    result = chain.tanh_phases()
    labels = [
        f"{phase}: $\\sigma_w^2$ = {s:g}, $\\chi_1$ = {chi:.2f}"
        for phase, s, chi in zip(result.phases, result.sigma_w2s, result.chi_theory, strict=True)
    ]
    return plot.phase_profiles(
        dict(zip(labels, result.norms, strict=True)),
        {
            label: tuple(ratio * norms[-1] for ratio in theory)
            for label, norms, theory in zip(labels, result.norms, result.theory, strict=True)
        },
        title=f"tanh, {result.depth} layers of {result.width} units, "
        f"$\\sigma_b^2$ = {result.sigma_b2:g}",
    )


@figure("diagnosing-symptoms")
def diagnosing_symptoms() -> Figure:
    result = diagnosis.symptoms()
    labels = result.labels
    return plot.symptoms(
        {label: h.train_loss for label, h in zip(labels, result.histories, strict=True)},
        {
            label: tuple(sum(col) / len(col) for col in zip(*h.grad_norms[1:], strict=True))
            for label, h in zip(labels, result.histories, strict=True)
        },
        {label: h.weight_change for label, h in zip(labels, result.histories, strict=True)},
        reference_loss=math.log(10),
    )


@figure("diagnosing-update-ratio")
def diagnosing_update_ratio() -> Figure:
    result = diagnosis.symptoms()
    panels = {}
    for label, history in zip(result.labels, result.histories, strict=True):
        names = history.layer_names
        chosen = (0, len(names) // 2, len(names) - 2, len(names) - 1)
        panels[label] = {
            names[k]: tuple(row[k] for row in history.update_ratios[1:]) for k in chosen
        }
    return plot.ratios_over_training(panels, floor=1e-14)


@figure("diagnosing-histograms")
def diagnosing_histograms() -> Figure:
    result = diagnosis.layer_histograms()
    names = result.layer_names
    hidden = (0, 3, 6, len(names) - 2)
    panels = {}
    for (a, i), acts, grads in zip(
        result.configs, result.activations, result.gradients, strict=True
    ):
        panels[f"{a}, {i} init: activations"] = [
            (names[k], acts[k].edges, acts[k].fractions) for k in hidden
        ]
        panels[f"{a}, {i} init: gradients"] = [
            (names[k], grads[k].edges, grads[k].fractions) for k in (*hidden, len(names) - 1)
        ]
    return plot.histograms(
        panels, xlabels=("activation value", r"$\log_{10} |\partial L/\partial W|$")
    )


@figure("diagnosing-one-epoch")
def diagnosing_one_epoch() -> Figure:
    result = diagnosis.one_epoch()
    return plot.before_and_after(
        {
            f"{name.upper() if name == 'sgd' else name.capitalize()}, learning rate {lr:g}": (
                result.grad_norms[k],
                result.mean_change[k],
                result.mean_weight[k],
            )
            for k, (name, lr) in enumerate(result.optimizers)
        }
    )
