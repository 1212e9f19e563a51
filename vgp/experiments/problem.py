"""Experiments of the home page and of "The problem"."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vgp._checks import check_choice, check_int, check_number
from vgp.activations import ACTIVATIONS
from vgp.data import circles
from vgp.experiments import experiment
from vgp.init import SCHEMES
from vgp.nets import mlp
from vgp.probe import Probe, default_loss, gradient_norms, weight_layers
from vgp.train import _Optimizer

HOME_CONFIGS: tuple[tuple[str, str], ...] = (
    ("sigmoid", "default"),
    ("tanh", "default"),
    ("relu", "default"),
    ("relu", "he_normal"),
)
"""(activation, init) pairs of the home figure."""


@dataclass(frozen=True)
class GradientProfile:
    """Per-layer gradient norms at initialisation, one row per (activation, init).

    Examples
    --------
    >>> from vgp.experiments.problem import gradient_profile
    >>> profile = gradient_profile()
    >>> profile.labels
    ('sigmoid', 'tanh', 'relu', 'relu, he_normal init')
    >>> len(profile.norms[0]) == profile.depth + 1
    True
    """

    depth: int
    width: int
    configs: tuple[tuple[str, str], ...]
    norms: tuple[tuple[float, ...], ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """``"tanh"`` for PyTorch's default init, ``"relu, he_normal init"`` otherwise."""
        return tuple(a if i == "default" else f"{a}, {i} init" for a, i in self.configs)

    def first_to_last(self, activation: str, init: str = "default") -> float:
        """``||dL/dW_1|| / ||dL/dW_out||`` for one (activation, init) row."""
        if (activation, init) not in self.configs:
            raise ValueError(
                f"no row for activation={activation!r}, init={init!r}; rows: {self.configs}"
            )
        row = self.norms[self.configs.index((activation, init))]
        return row[0] / row[-1]

    def decay_per_layer(self, activation: str, init: str = "default") -> float:
        """The factor by which the gradient norm shrinks per layer, on average
        (geometric mean) from the output layer down to the first."""
        layers = len(self.norms[0]) - 1
        return math.exp(math.log(self.first_to_last(activation, init)) / layers)


@experiment
def gradient_profile(
    depth: int = 11,
    width: int = 10,
    configs: tuple[tuple[str, str], ...] = HOME_CONFIGS,
    seed: int = 0,
) -> GradientProfile:
    """The classic net (``depth`` hidden layers of ``width`` units) on ``circles``
    at initialisation: one gradient norm per layer for each (activation, init).

    Examples
    --------
    >>> from vgp.experiments.problem import gradient_profile
    >>> profile = gradient_profile()
    >>> for activation, init in profile.configs:
    ...     ratio = profile.first_to_last(activation, init)
    ...     print(f"{activation:8} {init:10} first/last = {ratio:.0e}")
    sigmoid  default    first/last = 2e-10
    tanh     default    first/last = 6e-04
    relu     default    first/last = 7e-05
    relu     he_normal  first/last = 3e-01
    """
    check_int("depth", depth)
    check_int("width", width)
    for activation, init in configs:
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("init", init, SCHEMES)
    data = circles(seed)
    norms = tuple(
        tuple(
            gradient_norms(
                mlp(depth, width, activation=a, init=i, seed=seed), data.X_train, data.y_train
            )
        )
        for a, i in configs
    )
    return GradientProfile(depth, width, tuple(configs), norms)


@dataclass(frozen=True)
class OneStep:
    """Per-layer numbers of one full-batch SGD step, one row per activation.

    ``grad_norms`` are the true ``||dL/dW||`` of the step, ``weight_norms`` the
    ``||W||`` before it and ``update_ratios`` the measured ``||W_after - W_before||
    / ||W_before||`` in float32, where an update smaller than the weight's
    rounding is lost entirely.
    """

    depth: int
    width: int
    lr: float
    activations: tuple[str, ...]
    grad_norms: tuple[tuple[float, ...], ...]
    weight_norms: tuple[tuple[float, ...], ...]
    update_ratios: tuple[tuple[float, ...], ...]

    @property
    def step_ratios(self) -> tuple[tuple[float, ...], ...]:
        """``lr ||dL/dW|| / ||W||``: the step SGD takes, relative to the weights,
        in exact arithmetic (what the update would be without rounding)."""
        return tuple(
            tuple(self.lr * g / w for g, w in zip(grads, weights, strict=True))
            for grads, weights in zip(self.grad_norms, self.weight_norms, strict=True)
        )

    def row(self, activation: str) -> int:
        """Index of ``activation``'s row."""
        check_choice("activation", activation, self.activations)
        return self.activations.index(activation)


@experiment
def one_step(
    depth: int = 11,
    width: int = 10,
    lr: float = 0.1,
    activations: tuple[str, ...] = ("sigmoid", "tanh", "relu"),
    seed: int = 0,
) -> OneStep:
    """The classic net (PyTorch's default init) on ``circles``: one SGD step on the
    whole training set, measured per layer with :class:`vgp.Probe`.

    Examples
    --------
    >>> from vgp.experiments.problem import one_step
    >>> result = one_step()
    >>> sigmoid = result.row("sigmoid")
    >>> print(f"{result.step_ratios[sigmoid][0]:.0e} {result.update_ratios[sigmoid][0]}")
    3e-13 0.0
    """
    depth = check_int("depth", depth)
    width = check_int("width", width)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    for activation in activations:
        check_choice("activation", activation, ACTIVATIONS)
    data = circles(seed)
    rows = []
    for activation in activations:
        net = mlp(depth, width, activation=activation, seed=seed)
        optimizer = _Optimizer("sgd", list(net.parameters()), lr)  # torch.optim.SGD's step
        with Probe(net) as probe:
            default_loss(net(data.X_train), data.y_train).backward()
            weight_norms = tuple(m.weight.norm().item() for _, m in weight_layers(net))
            optimizer.step()
        rows.append((probe.stats, weight_norms))
    return OneStep(
        depth,
        width,
        lr,
        tuple(activations),
        tuple(tuple(s.grad_norm for s in stats) for stats, _ in rows),
        tuple(norms for _, norms in rows),
        tuple(tuple(s.update_ratio for s in stats) for stats, _ in rows),
    )
