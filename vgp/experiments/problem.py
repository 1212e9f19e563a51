"""Experiments of the home page and of "The problem"."""

from __future__ import annotations

from dataclasses import dataclass

from vgp._checks import check_choice, check_int
from vgp.activations import ACTIVATIONS
from vgp.data import circles
from vgp.init import SCHEMES
from vgp.experiments import experiment
from vgp.nets import mlp
from vgp.probe import gradient_norms


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
