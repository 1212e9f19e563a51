"""The figures of the page "The problem" (``docs/problem.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import problem
from vgp.figures import figure


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

