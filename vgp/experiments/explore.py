"""Experiments of the page "Explore": every state of the explorable, measured.

A *state* is what the reader sets on the page: the activation, the weight
scale ``sigma_w^2`` (weights drawn from ``N(0, sigma_w^2 / fan_in)``), the
depth, the normalisation and the identity skips. :func:`configuration`
measures one state at initialisation with :func:`vgp.diagnose` (per-layer
gradient norm and activation std, and the verdict) and, for a plain net, adds
the mean-field prediction of :func:`vgp.theory.variance_propagation` and
:func:`vgp.theory.chi_1`. :func:`grid` measures every state of :data:`AXES`;
the site's build ships it to the page as JSON (:func:`payload`), so the page
redraws from ``vgp``'s numbers without computing anything.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product

from vgp._checks import check_choice, check_int, check_number
from vgp.data import Dataset, circles
from vgp.diagnose import diagnose
from vgp.experiments import experiment
from vgp.nets import mlp
from vgp.theory import chi_1, variance_propagation

AXES: dict[str, tuple] = {
    "activation": ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "selu"),
    "scale": (0.25, 0.5, 1.0, 2.0, 4.0),
    "depth": (5, 10, 20, 50),
    "norm": ("none", "batch"),
    "residual": (0, 1),
}
"""The values the page offers for each control, in the order it shows them."""

DEFAULT: dict[str, object] = {
    "activation": "sigmoid",
    "scale": 1.0,
    "depth": 20,
    "norm": "none",
    "residual": 0,
}
"""The state a link without a query opens."""

WIDTH = 32
"""Units in every hidden layer of the explorable's nets."""


@dataclass(frozen=True)
class Configuration:
    """One state of the explorable: a :func:`vgp.mlp` at initialisation on ``circles``.

    ``grad_norms`` and ``act_stds`` hold one number per weight layer (the
    hidden layers, then the output layer), as :func:`vgp.diagnose` reports
    them in ``stats``; ``verdicts`` are its verdicts, most urgent first, and
    ``finding`` the first one in words. For a plain net (no norm, no skips)
    ``theory_grad_norms`` and ``theory_act_stds`` are the mean-field prediction
    of :func:`vgp.theory.variance_propagation` for the same layers (the
    gradients anchored at the measured output layer, since the theory predicts
    their ratios; ``theory_act_stds`` covers the hidden layers only, since the
    theory's spread is over units and the output layer has one) and ``chi_1``
    is :func:`vgp.theory.chi_1` at the deepest hidden layer's pre-activation
    variance: the factor by which one layer there scales the squared gradient.
    Otherwise all three are ``None``: the recursion assumes a plain net.

    Examples
    --------
    >>> from vgp.experiments.explore import configuration
    >>> c = configuration("relu", scale=2.0, depth=5)
    >>> c.layers
    ('fc1', 'fc2', 'fc3', 'fc4', 'fc5', 'out')
    >>> c.chi_1, len(c.theory_grad_norms), len(c.theory_act_stds)   # He init: ReLU is critical
    (1.0, 6, 5)
    """

    activation: str
    scale: float
    depth: int
    norm: str
    residual: int
    width: int
    seed: int
    layers: tuple[str, ...]
    grad_norms: tuple[float, ...]
    act_stds: tuple[float, ...]
    verdicts: tuple[str, ...]
    finding: str
    theory_grad_norms: tuple[float, ...] | None
    theory_act_stds: tuple[float, ...] | None
    chi_1: float | None


def _theory(
    activation: str, scale: float, depth: int, width: int, data: Dataset, out_grad: float
) -> tuple[tuple[float, ...], tuple[float, ...], float]:
    """Mean-field gradient norms (anchored at ``out_grad``), activation stds, and
    chi_1 at the deepest hidden layer's variance: the page's code block, step for step."""
    x2 = (data.X_train.double() ** 2).mean().item()  # E[x^2] of one input
    p = variance_propagation(
        activation, "normal", depth, width, in_features=2, out_features=1,
        input_second_moment=x2, gain=scale**0.5,
    )
    stds = [(m2 - m**2) ** 0.5 for m, m2 in zip(p.mean, p.second_moment, strict=True)]
    anchor = out_grad / p.grad_norms[-1]  # the theory predicts ratios
    grads = tuple(g * anchor for g in p.grad_norms)
    return grads, tuple(stds), chi_1(activation, scale, q=p.pre_variance[-1])


@experiment
def configuration(
    activation: str = "sigmoid",
    scale: float = 1.0,
    depth: int = 20,
    norm: str = "none",
    residual: int = 0,
    width: int = WIDTH,
    seed: int = 0,
) -> Configuration:
    """Measure one state: the same net, data and numbers as the page's code block.

    The net is ``vgp.mlp(depth, width, activation=..., init="normal",
    gain=scale ** 0.5, norm=..., residual=..., seed=seed)``, diagnosed on the
    training set of ``vgp.datasets.circles(seed=seed)``.

    Parameters
    ----------
    activation
        One of ``AXES["activation"]`` (any of :data:`vgp.ACTIVATIONS` works).
    scale
        ``sigma_w^2``: the weights' variance times their fan-in (1 is LeCun's
        init, 2 He's); positive.
    depth
        Hidden layers.
    norm
        ``"none"`` or ``"batch"``.
    residual
        1 for identity skips around hidden layers 2 to ``depth``, else 0.
    width, seed
        Units per hidden layer; seed of the weights and of the data.

    Examples
    --------
    >>> from vgp.experiments.explore import configuration
    >>> c = configuration()   # the page's default state
    >>> c.verdicts
    ('vanishing',)
    >>> print(f"first layer {c.grad_norms[0]:.2e}, mean-field {c.theory_grad_norms[0]:.2e}")
    first layer 6.16e-16, mean-field 3.44e-15
    >>> configuration(norm="layer")
    Traceback (most recent call last):
    ...
    ValueError: unknown norm 'layer'; choose one of: none, batch
    """
    scale = check_number("scale", scale, minimum=0.0, strict=True)
    depth = check_int("depth", depth)
    check_choice("norm", norm, AXES["norm"])
    if residual not in (0, 1) or isinstance(residual, bool):
        raise ValueError(f"residual must be 0 or 1, got {residual!r}")
    width = check_int("width", width)
    seed = check_int("seed", seed, minimum=0)
    data = circles(seed)
    net = mlp(
        depth, width, activation=activation, init="normal", gain=scale**0.5,
        norm=None if norm == "none" else norm, residual=bool(residual), seed=seed,
    )
    found = diagnose(net, data.X_train, data.y_train)
    grads = tuple(s.grad_norm for s in found.stats)
    theory_grads = theory_stds = chi = None
    if norm == "none" and not residual:
        theory_grads, theory_stds, chi = _theory(activation, scale, depth, width, data, grads[-1])
    return Configuration(
        activation, scale, depth, norm, residual, width, seed,
        layers=tuple(s.name for s in found.stats),
        grad_norms=grads,
        act_stds=tuple(s.act_std for s in found.stats),
        verdicts=found.verdicts,
        finding=str(found.findings[0]),
        theory_grad_norms=theory_grads,
        theory_act_stds=theory_stds,
        chi_1=chi,
    )


def states() -> Iterator[dict[str, object]]:
    """Every state of :data:`AXES`, as keyword arguments of :func:`configuration`.

    Examples
    --------
    >>> from vgp.experiments.explore import states
    >>> all_states = list(states())
    >>> len(all_states), all_states[0]
    (480, {'activation': 'sigmoid', 'scale': 0.25, 'depth': 5, 'norm': 'none', 'residual': 0})
    """
    for values in product(*AXES.values()):
        yield dict(zip(AXES, values, strict=True))


def key(state: dict[str, object]) -> str:
    """A state's key in :func:`payload`, also the page's URL query order:
    ``"sigmoid|1|20|none|0"`` (numbers written as the URL writes them).

    Examples
    --------
    >>> from vgp.experiments.explore import DEFAULT, key
    >>> key(DEFAULT), key({**DEFAULT, "scale": 0.25})
    ('sigmoid|1|20|none|0', 'sigmoid|0.25|20|none|0')
    """
    return "|".join(f"{state[axis]:g}" if axis == "scale" else str(state[axis]) for axis in AXES)


def grid(width: int = WIDTH, seed: int = 0) -> tuple[Configuration, ...]:
    """:func:`configuration` of every state of :data:`AXES` (480 nets), in
    :func:`states` order. Each is memoised, so a second call costs nothing.

    Examples
    --------
    The whole grid takes seconds; one of its states:

    >>> from vgp.experiments.explore import configuration, states
    >>> first = next(states())
    >>> configuration(**first).verdicts   # grid()[0] holds this result
    ('vanishing',)
    """
    width = check_int("width", width)
    return tuple(configuration(**s, width=width, seed=seed) for s in states())


FIELDS: tuple[str, ...] = (
    "grad_norms", "theory_grad_norms", "act_stds", "theory_act_stds", "chi_1", "verdicts", "finding"
)
"""What :func:`payload` holds for each state, in this order (the table's columns first)."""


def _formatted(values: tuple[float, ...] | None) -> list | None:
    """Each number as the code block prints it (``:.2e``), as a JSON number; a
    non-finite one as the string Python prints (``"inf"``), which JSON cannot hold."""
    if values is None:
        return None
    return [float(f"{v:.2e}") if math.isfinite(v) else f"{v:.2e}" for v in values]


def payload(configurations: tuple[Configuration, ...]) -> dict:
    """What the page receives as JSON: the axes, the default state, and for each
    state (by :func:`key`) the :data:`FIELDS` of its :class:`Configuration`,
    numbers rounded as the page's code block prints them (``chi_1`` as ``:.3g``).

    Layer names are not shipped: the page names them as :func:`vgp.mlp` does
    (``fc1``, ``block2.block.fc2`` with skips, ``out``).

    Examples
    --------
    >>> from vgp.experiments.explore import configuration, payload
    >>> data = payload((configuration("relu", 2.0, 5),))
    >>> grads, theory, stds, theory_stds, chi, verdicts, finding = data["states"]["relu|2|5|none|0"]
    >>> chi, verdicts, len(grads), data["width"]
    ('1', ['healthy'], 6, 32)
    """
    if not configurations:
        raise ValueError("configurations is empty; pass grid() or some configuration() results")
    first = configurations[0]
    return {
        "width": first.width,
        "seed": first.seed,
        "axes": {axis: list(values) for axis, values in AXES.items()},
        "default": DEFAULT,
        "fields": list(FIELDS),
        "states": {
            key(vars(c)): [
                _formatted(c.grad_norms),
                _formatted(c.theory_grad_norms),
                _formatted(c.act_stds),
                _formatted(c.theory_act_stds),
                None if c.chi_1 is None else f"{c.chi_1:.3g}",
                list(c.verdicts),
                c.finding,
            ]
            for c in configurations
        },
    }
