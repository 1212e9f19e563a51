"""Experiments of "Internal covariate shift": a miniature of Ioffe and Szegedy's
figure 1, and the "noisy" batch norm of Santurkar et al. (2018)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise

import torch
from torch import Tensor, nn

from vgp._checks import check_choice, check_int, check_number
from vgp.data import Dataset, digits
from vgp.experiments import experiment
from vgp.experiments._layers import activation_inputs
from vgp.experiments._sgd import accuracy as accuracy_of
from vgp.experiments._sgd import sgd_steps
from vgp.nets import BatchNorm, mlp

VARIANTS: tuple[str, ...] = ("plain", "batch", "noisy")
"""The nets compared: no normalisation, batch norm, and noisy batch norm."""

PERCENTILES: tuple[float, ...] = (15.0, 50.0, 85.0)
"""The percentiles of a unit's input that Ioffe and Szegedy's figure 1 follows."""


class NoisyBatchNorm(BatchNorm):
    """Batch norm that shifts and scales its normalised values at random.

    At every training step each unit draws a shift ``m ~ U(-shift, shift)`` and
    a scale ``s = exp(U(-ln scale, ln scale))`` and passes ``s * x_hat + m`` on
    to ``gamma`` and ``beta``: the distribution of the unit's output moves at
    every step, on purpose, far more than it moves in a net without batch norm.
    This is a simplified form of the noise of Santurkar et al. (2018), who also
    vary it from sample to sample. Evaluation mode adds no noise.

    Examples
    --------
    >>> import torch
    >>> from vgp.experiments.covariate_shift import NoisyBatchNorm
    >>> bn = NoisyBatchNorm(3, shift=1.0, scale=2.0, seed=0)
    >>> x = torch.randn(100, 3)
    >>> y = bn(x).detach()
    >>> print(y.mean(dim=0).abs().max() <= 1.0, y.std(dim=0).min() >= 0.5)
    tensor(True) tensor(True)
    >>> bn.eval()(x).shape
    torch.Size([100, 3])
    """

    def __init__(
        self,
        num_features: int,
        *,
        shift: float = 1.0,
        scale: float = 2.0,
        seed: int = 0,
        eps: float = 1e-5,
        momentum: float = 0.1,
    ) -> None:
        super().__init__(num_features, eps=eps, momentum=momentum)
        self.shift = check_number("shift", shift, minimum=0.0)
        self.scale = check_number("scale", scale, minimum=1.0)
        check_int("seed", seed, minimum=0)
        self.generator = torch.Generator().manual_seed(seed)

    def perturb(self, x_hat: Tensor) -> Tensor:
        if not self.training:
            return x_hat
        u = torch.rand(2, self.num_features, generator=self.generator, dtype=x_hat.dtype)
        shift = (2 * u[0] - 1) * self.shift
        scale = torch.exp((2 * u[1] - 1) * math.log(self.scale))
        return scale * x_hat + shift

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, shift={self.shift}, scale={self.scale}"


def noisy_mlp(
    depth: int, width: int, *, shift: float = 1.0, scale: float = 2.0, seed: int = 0, **kw
) -> nn.Sequential:
    """:func:`vgp.mlp` with ``norm="batch"``, every batch norm made a :class:`NoisyBatchNorm`.

    The weights are those of ``vgp.mlp(depth, width, norm="batch", seed=seed, **kw)``;
    layer ``i``'s noise is seeded with ``seed * 1000 + i``.

    Examples
    --------
    >>> from vgp.experiments.covariate_shift import noisy_mlp
    >>> noisy_mlp(2, 4, activation="sigmoid").bn2
    NoisyBatchNorm(4, eps=1e-05, momentum=0.1, shift=1.0, scale=2.0)
    """
    net = mlp(depth, width, norm="batch", seed=seed, **kw)
    for i in range(1, depth + 1):
        setattr(
            net, f"bn{i}", NoisyBatchNorm(width, shift=shift, scale=scale, seed=seed * 1000 + i)
        )
    return net


@contextmanager
def _running_stats_frozen(model: nn.Module) -> Iterator[None]:
    """Train-mode passes inside leave every batch norm's running statistics as they were."""
    norms = [m for m in model.modules() if isinstance(m, BatchNorm)]
    saved = [m.momentum for m in norms]
    for m in norms:
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, momentum in zip(norms, saved, strict=True):
            m.momentum = momentum


def _snapshot(net: nn.Module, data: Dataset, unit: int) -> tuple[float, tuple[float, ...]]:
    """Test accuracy, and the :data:`PERCENTILES` of ``unit``'s input in the last
    hidden layer over the test set, as seen in training mode (batch statistics
    of the test set, noise included) without touching the running statistics."""
    with _running_stats_frozen(net):
        z = activation_inputs(net, data.X_test)[-1][:, unit]
    q = torch.tensor(PERCENTILES) / 100
    return accuracy_of(net, data.X_test, data.y_test), tuple(torch.quantile(z, q).tolist())


@dataclass(frozen=True)
class CovariateShift:
    """Test accuracy and one unit's input distribution over training, per variant.

    ``accuracy[v][k]`` is variant ``v``'s test accuracy after ``steps[k]`` SGD
    steps; ``percentiles[v][k]`` the 15th, 50th and 85th percentiles of the
    input of the sigmoid of unit ``unit`` of the last hidden layer, over the
    test set, as the net sees it in training (batch statistics, and noise for
    the noisy variant).
    """

    variants: tuple[str, ...]
    steps: tuple[int, ...]
    accuracy: tuple[tuple[float, ...], ...]
    percentiles: tuple[tuple[tuple[float, float, float], ...], ...]
    unit: int
    lr: float
    batch_size: int

    def final_accuracy(self, variant: str) -> float:
        """Test accuracy of ``variant`` at the end of training."""
        return self.accuracy[self._index(variant)][-1]

    def steps_to(self, variant: str, accuracy: float) -> int | None:
        """The first recorded step at which ``variant`` reaches ``accuracy`` (None: never)."""
        for step, value in zip(self.steps, self.accuracy[self._index(variant)], strict=True):
            if value >= accuracy:
                return step
        return None

    def median_drift(self, variant: str) -> float:
        """Mean absolute change of the unit's median input between two records."""
        medians = [p[1] for p in self.percentiles[self._index(variant)]]
        return sum(abs(b - a) for a, b in pairwise(medians)) / (len(medians) - 1)

    def _index(self, variant: str) -> int:
        check_choice("variant", variant, self.variants)
        return self.variants.index(variant)


@experiment
def covariate_shift(
    steps: int = 100,
    every: int = 10,
    width: int = 100,
    depth: int = 3,
    batch_size: int = 60,
    lr: float = 0.5,
    gain: float = 2.0,
    unit: int = 0,
    variants: tuple[str, ...] = VARIANTS,
    seed: int = 0,
) -> CovariateShift:
    """Ioffe and Szegedy's figure 1 in miniature, with Santurkar et al.'s noisy variant.

    ``depth`` hidden layers of ``width`` sigmoid units (batch norm before each
    sigmoid, or none) trained with plain SGD on ``digits``, mini-batches of
    ``batch_size``; every ``every`` steps the test accuracy and the percentiles
    of one last-hidden-layer unit's input are recorded. Every variant starts
    from the same weights and sees the same mini-batches.

    Examples
    --------
    >>> from vgp.experiments.covariate_shift import covariate_shift
    >>> result = covariate_shift()
    >>> for v in result.variants:
    ...     print(f"{v:6} test accuracy {result.final_accuracy(v):.2f}")
    plain  test accuracy 0.55
    batch  test accuracy 0.95
    noisy  test accuracy 0.95
    """
    steps = check_int("steps", steps)
    every = check_int("every", every)
    width = check_int("width", width)
    depth = check_int("depth", depth)
    batch_size = check_int("batch_size", batch_size, minimum=2)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    check_int("unit", unit, minimum=0)
    if unit >= width:
        raise ValueError(f"unit must be below width={width}, got {unit}")
    for v in variants:
        check_choice("variant", v, VARIANTS)
    check_int("seed", seed, minimum=0)

    data = digits(seed)
    X, y = data.X_train, data.y_train
    shape = dict(
        activation="sigmoid",
        init="normal",
        gain=gain,
        in_features=data.n_features,
        out_features=data.n_classes,
        seed=seed,
    )
    accuracy, percentiles = [], []
    for variant in variants:
        if variant == "noisy":
            net = noisy_mlp(depth, width, **shape)
        else:
            net = mlp(depth, width, norm=None if variant == "plain" else "batch", **shape)
        snapshots = [_snapshot(net, data, unit)]
        for step in sgd_steps(net, X, y, lr=lr, batch_size=batch_size, steps=steps, seed=seed):
            if step % every == 0:
                snapshots.append(_snapshot(net, data, unit))
        accuracy.append(tuple(a for a, _ in snapshots))
        percentiles.append(tuple(p for _, p in snapshots))
    recorded = tuple(range(0, steps + 1, every))
    return CovariateShift(
        tuple(variants), recorded, tuple(accuracy), tuple(percentiles), unit, lr, batch_size
    )
