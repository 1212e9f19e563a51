"""The figures of the page "Vanishing through time" (``docs/recurrent.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import recurrent
from vgp.figures import figure


@figure("recurrent-scales")
def recurrent_scales() -> Figure:
    result = recurrent.through_time()
    labels = [rf"$\|W\| = {gain:g}$" for gain in result.gains]
    return plot.time_profiles(
        dict(zip(labels, result.norms, strict=True)),
        theory=dict(zip(labels, result.bound, strict=True)),
        theory_label=r"bound $\|\partial ℒ/\partial h_T\|\,\|U\|\,\|W\|^k$",
        title=f"tanh RNN, {result.hidden} units, {result.init} $W$ at initialisation, "
        f"{len(result.seeds)} seeds",
    )


@figure("recurrent-clipping")
def recurrent_clipping() -> Figure:
    result = recurrent.clipping_through_time()
    labels = [
        rf"$\|W\| = {result.gains[0]:g}$",
        rf"$\|W\| = {result.gains[1]:g}$, clipped to {result.clip:g}",
        rf"$\|W\| = {result.gains[2]:g}$",
    ]
    grad_label = "gradient norm, before clipping"
    return plot.training_curves(
        {
            "mini-batch loss": dict(zip(labels, result.loss, strict=True)),
            grad_label: dict(zip(labels, result.grad_norm, strict=True)),
        },
        xlabel=f"SGD step (learning rate {result.lr:g}), lag {result.lag}",
        hlines={grad_label: (result.clip, f"clipping threshold {result.clip:g}")},
    )


@figure("recurrent-inits")
def recurrent_inits() -> Figure:
    result = recurrent.init_profiles()
    names = {"default": "PyTorch default", "orthogonal": "orthogonal", "identity": "identity (IRNN)"}
    labels = [f"{activation}, {names[init]}" for activation, init in result.settings]
    return plot.time_profiles(
        dict(zip(labels, result.norms, strict=True)),
        title=f"RNNs of {result.hidden} units at initialisation, {len(result.seeds)} seeds",
        headroom=10.0,
    )
