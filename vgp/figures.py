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
    """One site figure: its file name (without ``.svg``) and how to draw it.

    Examples
    --------
    >>> from vgp.figures import FIGURES
    >>> spec = FIGURES["home-gradients"]
    >>> spec.name, spec.svg()[:5]
    ('home-gradients', b'<?xml')
    """

    name: str
    draw: Callable[[], Figure]

    def svg(self) -> bytes:
        """Draw the figure and return it as reproducible SVG bytes."""
        return plot.to_svg(self.draw())


FIGURES: dict[str, FigureSpec] = {}
"""Every site figure by name."""


def figure(name: str) -> Callable[[Callable[[], Figure]], Callable[[], Figure]]:
    """Register the decorated function as the figure ``name``.

    A figure function takes no argument and returns a ``Figure``; it fetches an
    experiment's (memoised) result and hands it to a :mod:`vgp.plot` function.
    Each name is registered once.

    Examples
    --------
    >>> from vgp.figures import FIGURES, figure
    >>> "home-gradients" in FIGURES
    True
    >>> figure("home-gradients")(lambda: None)
    Traceback (most recent call last):
    ...
    ValueError: figure name 'home-gradients' is registered twice
    """

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


def render_on_one_thread(names: list[str]) -> dict[str, bytes]:
    """SVG bytes of each named figure, drawn with torch on one thread.

    The experiments' printed numbers are those of one thread (a sum taken in
    another order can end a long run elsewhere), so the build draws this way.

    Examples
    --------
    >>> from vgp.figures import render_on_one_thread
    >>> list(render_on_one_thread(["home-gradients"]))
    ['home-gradients']
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return {name: render(name) for name in names}
    finally:
        torch.set_num_threads(threads)


@figure("home-gradients")
def home_gradients() -> Figure:
    profile = problem.gradient_profile()
    return plot.gradient_profile(
        dict(zip(profile.labels, profile.norms, strict=True)),
        title=f"{profile.depth} hidden layers of {profile.width} units, at initialisation",
    )


# ---------------------------------------------------------------------------
# Pages "ReLU and dying ReLU", "Leaky ReLU and friends" and "Initialisation".

from vgp import theory  # noqa: E402
from vgp.experiments import initialisation, leaky, relu  # noqa: E402


@figure("relu-gradient-flow")
def relu_gradient_flow() -> Figure:
    shallow = problem.gradient_profile()
    deep = relu.deep_gradient_profile()
    panels = {}
    for profile in (shallow, deep):
        rows = {
            f"ReLU, {'PyTorch default' if i == 'default' else 'He'} init": norms
            for (a, i), norms in zip(profile.configs, profile.norms, strict=True)
            if a == "relu"
        }
        panels[f"{profile.depth} hidden layers of {profile.width} units"] = rows
    return plot.gradient_profiles(panels)


@figure("relu-dying")
def relu_dying() -> Figure:
    sweep = relu.learning_rate_sweep()
    leaky_runs = relu.learning_rate_sweep(learning_rates=(0.1,), slopes=(0.01,))
    dead = {f"lr {lr:g}": [r.inactive for r in sweep.select(lr)] for lr in sweep.learning_rates}
    accuracy = {f"lr {lr:g}": sweep.accuracies(lr) for lr in sweep.learning_rates}
    accuracy["leaky, lr 0.1"] = leaky_runs.accuracies(0.1, 0.01)
    return plot.dying_units(dead, accuracy)


@figure("relu-born-dead")
def relu_born_dead() -> Figure:
    estimate = relu.born_dead()
    examples = relu.born_dead_examples()
    shown = (2, 3, 4, 6, 8, 10)
    depths = range(1, len(estimate.curves[0]) + 1)
    curves = {f"width {w}": estimate.curves[estimate.widths.index(w)] for w in shown}
    bounds = {f"width {w}": [theory.born_dead_bound(w, d) for d in depths] for w in shown}
    return plot.born_dead(
        examples.x,
        examples.outputs,
        examples.constant,
        curves,
        bounds,
        title=f"{len(examples.outputs)} nets, width {examples.width}, depth {examples.depth}",
    )


@figure("leaky-activations")
def leaky_activations() -> Figure:
    curves = leaky.activation_curves()
    return plot.activation_curves(
        curves.x,
        dict(zip(curves.labels, curves.values, strict=True)),
        dict(zip(curves.labels, curves.slopes, strict=True)),
    )


@figure("leaky-mean-activation")
def leaky_mean_activation() -> Figure:
    stats = leaky.forward_statistics()
    rows = {}
    for activation, init in leaky.FRIENDS:
        row = stats.row(activation, init)
        rows[row.label] = (row.mean, row.second_moment, row.theory.mean, row.theory.second_moment)
    return plot.mean_activation(rows)


@figure("leaky-selu-variance")
def leaky_selu_variance() -> Figure:
    stats = leaky.forward_statistics()
    rows = {}
    for activation, init, scale in (
        ("selu", "lecun_normal", 0.1),
        ("selu", "lecun_normal", 1.0),
        ("selu", "lecun_normal", 10.0),
        ("relu", "lecun_normal", 1.0),
    ):
        row = stats.row(activation, init, scale)
        t = row.theory
        predicted = [s - m**2 for s, m in zip(t.second_moment, t.mean, strict=True)]
        rows[f"{activation}, input variance {scale:g}"] = (row.variance, predicted)
    return plot.variance_through_depth(
        rows,
        ylabel=r"variance of the activations $\mathrm{Var}[h]$",
        title=f"LeCun-normal init, {stats.width} units per layer",
    )


@figure("leaky-training")
def leaky_training() -> Figure:
    runs = leaky.training_comparison()
    losses = {
        a: [h.train_loss for h in histories]
        for (a, _), histories in zip(runs.configs, runs.histories, strict=True)
    }
    accuracy = {a: runs.final_accuracies(a) for a, _ in runs.configs}
    return plot.training_runs(losses, accuracy)


@figure("init-signal-through-depth")
def init_signal_through_depth() -> Figure:
    result = initialisation.signal_through_depth()
    names = {"default": "PyTorch default", "xavier_normal": "Xavier", "he_normal": "He"}
    panels: dict = {}
    for row in result.rows:
        forward = panels.setdefault((row.activation, r"$E[h^2]$"), {})
        backward = panels.setdefault((row.activation, r"$\|\partial L/\partial W\|$"), {})
        forward[names[row.init]] = (row.second_moments, row.theory.second_moment)
        backward[names[row.init]] = (row.grad_norms, row.theory.grad_norms)
    return plot.signal_through_depth(panels)


@figure("init-he2015")
def init_he2015() -> Figure:
    result = initialisation.he_miniature()
    names = {"xavier_normal": "Xavier init", "he_normal": "He init"}
    return plot.loss_and_accuracy(
        {
            names[i]: (result.history(i).train_loss, result.history(i).test_accuracy)
            for i in result.inits
        }
    )


@figure("init-orthogonal")
def init_orthogonal() -> Figure:
    result = initialisation.product_conditioning()
    return plot.condition_growth(
        {"Gaussian N(0, 1/n) (lower bound)": result.gaussian, "orthogonal": result.orthogonal},
        result.theory,
        theory_label="Gaussian, asymptotic rate",
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
