"""Experiments of the page "Leaky ReLU and friends".

The activations that change ReLU's flat side: their curves
(:func:`activation_curves`), what they do to the mean and the scale of a deep
net's activations at initialisation (:func:`forward_statistics`, beside the
mean-field prediction of :func:`vgp.theory.variance_propagation`), and the same
deep net trained with each (:func:`training_comparison`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import torch

from vgp._checks import check_choice, check_int, check_number
from vgp.activations import ACTIVATIONS, derivative
from vgp.activations import activation as make_activation
from vgp.data import digits
from vgp.experiments import experiment
from vgp.experiments.relu import SEEDS
from vgp.init import SCHEMES
from vgp.nets import mlp
from vgp.probe import weight_layers
from vgp.theory import Propagation, variance_propagation
from vgp.train import History, train

FRIENDS: tuple[tuple[str, str], ...] = (
    ("relu", "he_normal"),
    ("leaky_relu", "he_normal"),
    ("elu", "he_normal"),
    ("selu", "lecun_normal"),
    ("gelu", "he_normal"),
)
"""(activation, init) pairs compared on the page: each with the init it is used with."""

CURVE_SLOPE = 0.1
"""Leaky ReLU slope drawn in the curves: 0.01, the default, is too flat to see."""


@dataclass(frozen=True)
class ActivationCurves:
    """``phi(x)`` and ``phi'(x)`` on a grid, one row per activation."""

    x: tuple[float, ...]
    labels: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    slopes: tuple[tuple[float, ...], ...]


@experiment
def activation_curves(lo: float = -4.0, hi: float = 3.0, points: int = 141) -> ActivationCurves:
    """Each activation of :data:`FRIENDS` and its analytic derivative on ``[lo, hi]``.

    Examples
    --------
    >>> from vgp.experiments.leaky_relu import activation_curves
    >>> curves = activation_curves()
    >>> curves.labels
    ('relu', 'leaky_relu (0.1)', 'elu', 'selu', 'gelu')
    """
    lo = check_number("lo", lo)
    hi = check_number("hi", hi)
    if hi <= lo:
        raise ValueError(f"hi must be greater than lo, got lo={lo}, hi={hi}")
    x = torch.linspace(lo, hi, check_int("points", points, minimum=2), dtype=torch.float64)
    labels, values, slopes = [], [], []
    for name, _ in FRIENDS:
        kw = {"negative_slope": CURVE_SLOPE} if name == "leaky_relu" else {}
        labels.append(f"{name} ({CURVE_SLOPE})" if kw else name)
        with torch.no_grad():
            values.append(tuple(make_activation(name, **kw)(x).tolist()))
        slopes.append(tuple(derivative(name, x, **kw).tolist()))
    return ActivationCurves(tuple(x.tolist()), tuple(labels), tuple(values), tuple(slopes))


@dataclass(frozen=True)
class ForwardRow:
    """Per-layer statistics of one deep net's activations at initialisation,
    measured and predicted.

    ``mean``, ``second_moment`` and ``variance`` are over every unit and input
    of the batch, layer 1 first; ``theory`` is the mean-field prediction.
    """

    activation: str
    init: str
    input_second_moment: float
    mean: tuple[float, ...]
    second_moment: tuple[float, ...]
    variance: tuple[float, ...]
    theory: Propagation

    @property
    def label(self) -> str:
        """``"selu, lecun_normal"`` and, unless it is 1, the input's second moment.

        Examples
        --------
        >>> from vgp.experiments.leaky_relu import forward_statistics
        >>> forward_statistics().row("selu", "lecun_normal", 10.0).label
        'selu, lecun_normal, E[x^2] = 10'
        """
        scale = "" if self.input_second_moment == 1 else f", E[x^2] = {self.input_second_moment:g}"
        return f"{self.activation}, {self.init}{scale}"


@dataclass(frozen=True)
class ForwardStatistics:
    """:class:`ForwardRow` for every (activation, init, input scale) asked for."""

    depth: int
    width: int
    rows: tuple[ForwardRow, ...]

    def row(self, activation: str, init: str, input_second_moment: float = 1.0) -> ForwardRow:
        """The row of one (activation, init, input second moment).

        Examples
        --------
        >>> from vgp.experiments.leaky_relu import forward_statistics
        >>> print(f"{forward_statistics().row('elu', 'he_normal').mean[0]:.2f}")
        0.28
        """
        for row in self.rows:
            if (row.activation, row.init, row.input_second_moment) == (
                activation,
                init,
                input_second_moment,
            ):
                return row
        raise ValueError(
            f"no row for activation={activation!r}, init={init!r}, "
            f"input_second_moment={input_second_moment}; rows: {[r.label for r in self.rows]}"
        )


SIGNAL_CONFIGS: tuple[tuple[str, str, float], ...] = (
    *((a, i, 1.0) for a, i in FRIENDS),
    ("selu", "lecun_normal", 0.1),
    ("selu", "lecun_normal", 10.0),
    ("relu", "lecun_normal", 1.0),
)
"""(activation, init, input second moment) rows of :func:`forward_statistics`."""


@experiment
def forward_statistics(
    depth: int = 32,
    width: int = 128,
    batch_size: int = 128,
    configs: tuple[tuple[str, str, float], ...] = SIGNAL_CONFIGS,
    seed: int = 0,
) -> ForwardStatistics:
    """One forward pass of Gaussian inputs (``E[x^2]`` as asked) through a deep
    square net per config; the mean, second moment and variance of every
    hidden layer's activations, beside the mean-field prediction.

    Examples
    --------
    >>> from vgp.experiments.leaky_relu import forward_statistics
    >>> stats = forward_statistics()
    >>> for scale in (0.1, 1.0, 10.0):
    ...     row = stats.row("selu", "lecun_normal", scale)
    ...     print(f"E[x^2] = {scale:4}: variance at layer 32 {row.variance[-1]:.2f}")
    E[x^2] =  0.1: variance at layer 32 1.07
    E[x^2] =  1.0: variance at layer 32 1.05
    E[x^2] = 10.0: variance at layer 32 1.04
    """
    depth = check_int("depth", depth)
    width = check_int("width", width)
    batch_size = check_int("batch_size", batch_size, minimum=2)
    rows = []
    drawn: dict[str, list[torch.nn.Module]] = {}
    for activation, init, scale in configs:
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("init", init, SCHEMES)
        scale = check_number("input second moment", scale, minimum=0.0, strict=True)
        if init not in drawn:  # vgp.mlp's weights do not depend on the activation
            net = mlp(depth, width, init=init, in_features=width, seed=seed)
            drawn[init] = [m for _, m in weight_layers(net)][:-1]
        phi = make_activation(activation)
        generator = torch.Generator().manual_seed(seed)
        h = torch.randn(batch_size, width, generator=generator) * scale**0.5
        means, seconds, variances = [], [], []
        with torch.no_grad():
            for layer in drawn[init]:
                h = phi(layer(h))
                means.append(h.mean().item())
                seconds.append(h.pow(2).mean().item())
                variances.append(h.var().item())
        theory = variance_propagation(activation, init, depth, width, input_second_moment=scale)
        rows.append(
            ForwardRow(
                activation, init, scale, tuple(means), tuple(seconds), tuple(variances), theory
            )
        )
    return ForwardStatistics(depth, width, tuple(rows))


@dataclass(frozen=True)
class TrainingComparison:
    """The same deep net trained with each activation, over several seeds."""

    configs: tuple[tuple[str, str], ...]
    seeds: tuple[int, ...]
    depth: int
    width: int
    histories: tuple[tuple[History, ...], ...]

    def final_accuracies(self, activation: str) -> tuple[float, ...]:
        """Test accuracy after training, one per seed.

        Examples
        --------
        >>> from vgp.experiments.leaky_relu import training_comparison
        >>> print(" ".join(f"{a:.2f}" for a in training_comparison().final_accuracies("selu")))
        0.57 0.71 0.67
        """
        names = [a for a, _ in self.configs]
        if activation not in names:
            raise ValueError(f"no runs for activation {activation!r}; activations: {names}")
        return tuple(h.test_accuracy[-1] for h in self.histories[names.index(activation)])


@cache
def training_run(activation: str, init: str, seed: int, *, depth: int, width: int) -> History:
    """Train one ``depth`` x ``width`` net on ``digits``: Adam at ``lr`` 4e-3,
    2 epochs of batches of 256 (10 steps).

    One cell of :func:`training_comparison`, memoised on its own.

    Examples
    --------
    >>> from vgp.experiments.leaky_relu import training_run
    >>> history = training_run("elu", "he_normal", 0, depth=8, width=32)
    >>> print(f"{history.train_loss[0]:.2f} -> {history.train_loss[-1]:.2f}")
    2.52 -> 1.37
    """
    data = digits(seed)
    net = mlp(
        depth,
        width,
        activation=activation,
        init=init,
        seed=seed,
        in_features=data.n_features,
        out_features=data.out_features,
    )
    return train(net, data, optimizer="adam", lr=4e-3, epochs=2, batch_size=256, seed=seed)


@experiment
def training_comparison(
    configs: tuple[tuple[str, str], ...] = FRIENDS,
    seeds: tuple[int, ...] = SEEDS,
    depth: int = 8,
    width: int = 32,
) -> TrainingComparison:
    """The same ``depth`` x ``width`` net trained with each (activation, init)
    on ``digits``, once per seed.

    Examples
    --------
    >>> from vgp.experiments.leaky_relu import training_comparison
    >>> runs = training_comparison()
    >>> for activation, _ in runs.configs:
    ...     accuracy = " ".join(f"{a:.2f}" for a in runs.final_accuracies(activation))
    ...     print(f"{activation:10} {accuracy}")
    relu       0.28 0.36 0.31
    leaky_relu 0.29 0.36 0.33
    elu        0.61 0.64 0.56
    selu       0.57 0.71 0.67
    gelu       0.28 0.38 0.38
    """
    for activation, init in configs:
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("init", init, SCHEMES)
    histories = tuple(
        tuple(training_run(a, i, seed, depth=depth, width=width) for seed in seeds)
        for a, i in configs
    )
    return TrainingComparison(tuple(configs), tuple(seeds), depth, width, histories)
