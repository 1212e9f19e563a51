"""The figures of the page "ReLU and dying ReLU" (``docs/relu.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot, theory
from vgp.experiments import problem, relu
from vgp.figures import figure


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

