"""The figures of the page "Chain-rule decay" (``docs/chain-rule.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import chain_rule
from vgp.figures import figure


@figure("chain-depth")
def chain_depth() -> Figure:
    result = chain_rule.depth_profile()
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
    result = chain_rule.tanh_phases()
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

