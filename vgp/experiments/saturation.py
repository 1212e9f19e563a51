"""Experiments of "Saturation": a miniature of Glorot and Bengio (2010), figure 2."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from vgp import theory
from vgp._checks import check_choice, check_int, check_number
from vgp.activations import SATURATING, derivative
from vgp.activations import activation as make_activation
from vgp.data import Dataset, digits
from vgp.experiments import experiment
from vgp.nets import mlp
from vgp.probe import Histogram, Probe, default_loss


@dataclass(frozen=True)
class ActivationCurves:
    """Sigmoid and tanh on a grid of pre-activations ``z``: values, slopes and the
    half-width of the good region (:func:`vgp.theory.good_region`)."""

    z: tuple[float, ...]
    names: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    slopes: tuple[tuple[float, ...], ...]
    good_region: tuple[float, ...]


@experiment
def activation_curves(z_max: float = 6.0, points: int = 241) -> ActivationCurves:
    """The saturating activations and their derivatives on ``points`` values of
    ``z`` from ``-z_max`` to ``z_max``.

    Examples
    --------
    >>> from vgp.experiments.saturation import activation_curves
    >>> curves = activation_curves()
    >>> [f"{name}: max slope {max(s):.2f}" for name, s in zip(curves.names, curves.slopes)]
    ['sigmoid: max slope 0.25', 'tanh: max slope 1.00']
    """
    z_max = check_number("z_max", z_max, minimum=0.0, strict=True)
    points = check_int("points", points, minimum=2)
    z = torch.linspace(-z_max, z_max, points, dtype=torch.float64)
    with torch.no_grad():
        values = tuple(tuple(make_activation(name)(z).tolist()) for name in SATURATING)
    slopes = tuple(tuple(derivative(name, z).tolist()) for name in SATURATING)
    return ActivationCurves(
        tuple(z.tolist()),
        SATURATING,
        values,
        slopes,
        tuple(theory.good_region(name) for name in SATURATING),
    )


@dataclass(frozen=True)
class SaturationRun:
    """One net's hidden layers over training, recorded on fixed monitoring inputs.

    ``act_mean[r][l]``, ``act_std[r][l]`` and ``saturated[r][l]`` are the mean,
    the standard deviation and the saturated fraction of hidden layer ``l + 1``'s
    activations at record ``r``, taken after ``steps[r]`` SGD steps;
    ``test_accuracy[r]`` is measured on the whole test set at the same time.
    ``initial_histograms`` and ``final_histograms`` hold one activation
    histogram per hidden layer, before and after training.
    """

    activation: str
    steps: tuple[int, ...]
    act_mean: tuple[tuple[float, ...], ...]
    act_std: tuple[tuple[float, ...], ...]
    saturated: tuple[tuple[float, ...], ...]
    test_accuracy: tuple[float, ...]
    initial_histograms: tuple[Histogram, ...]
    final_histograms: tuple[Histogram, ...]

    def layer(self, index: int) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
        """``(act_mean, act_std, saturated)`` of hidden layer ``index`` (1 = nearest
        the input) at every record."""
        layers = len(self.act_mean[0])
        if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= layers:
            raise ValueError(f"index must be a hidden layer from 1 to {layers}, got {index!r}")
        return tuple(
            tuple(row[index - 1] for row in table)
            for table in (self.act_mean, self.act_std, self.saturated)
        )  # type: ignore[return-value]


@dataclass(frozen=True)
class GlorotMiniature:
    """The same net trained once per activation, with the settings used."""

    depth: int
    width: int
    lr: float
    batch_size: int
    epochs: int
    steps_per_epoch: int
    runs: tuple[SaturationRun, ...]

    def run(self, activation: str) -> SaturationRun:
        """The run of ``activation``."""
        names = tuple(r.activation for r in self.runs)
        check_choice("activation", activation, names)
        return self.runs[names.index(activation)]


def _record(net: torch.nn.Module, monitor: torch.Tensor, bins: int | None = None) -> list:
    """Hidden-layer statistics of one forward pass on ``monitor`` (no gradient)."""
    with torch.no_grad(), Probe(net, bins=bins) as probe:
        net(monitor)
    return probe.stats[:-1]  # the output layer has no activation


def _train_watching(
    nets: list[torch.nn.Module],
    data: Dataset,
    watched: torch.Tensor,
    *,
    lr: float,
    epochs: int,
    batch_size: int,
    every: int,
    seed: int,
) -> tuple[tuple[int, ...], list[list], list[list[float]]]:
    """Plain SGD, ``w <- w - lr dL/dw``, of every net on the same batches in the
    same order; every ``every`` steps (and at both ends) each net's hidden-layer
    statistics on ``watched`` and its test accuracy."""
    params = [param for net in nets for param in net.parameters()]
    generator = torch.Generator().manual_seed(seed)
    n = len(data.X_train)
    steps: list[int] = []
    records: list[list] = [[] for _ in nets]
    accuracy: list[list[float]] = [[] for _ in nets]

    def record(step: int) -> None:
        steps.append(step)
        for net, kept, hits in zip(nets, records, accuracy, strict=True):
            kept.append(_record(net, watched))
            with torch.no_grad():
                correct = net(data.X_test).argmax(dim=1) == data.y_test
            hits.append(correct.float().mean().item())

    record(0)
    step = 0
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        X, y = data.X_train[order], data.y_train[order]  # shuffled once: batches are slices
        for start in range(0, n, batch_size):
            xb, yb = X[start : start + batch_size], y[start : start + batch_size]
            # The nets share no parameter: each one's gradient of the sum is its own loss's.
            total = sum(default_loss(net(xb), yb) for net in nets)
            grads = torch.autograd.grad(total, params)
            with torch.no_grad():
                for param, grad in zip(params, grads, strict=True):
                    param.add_(grad, alpha=-lr)
            step += 1
            if step % every == 0:
                record(step)
    if steps[-1] != step:
        record(step)
    return tuple(steps), records, accuracy


@experiment
def glorot_saturation(
    activations: tuple[str, ...] = ("sigmoid", "tanh"),
    depth: int = 4,
    width: int = 100,
    lr: float = 0.5,
    batch_size: int = 10,
    epochs: int = 9,
    every: int = 60,
    monitor: int = 300,
    bins: int = 25,
    seed: int = 0,
) -> GlorotMiniature:
    """Train a ``depth``-layer net on ``digits`` with plain SGD, one per activation,
    all on the same batches in the same order, with PyTorch's default init (the
    "standard" init of Glorot and Bengio 2010), recording each hidden layer's
    activations on ``monitor`` fixed test inputs every ``every`` steps.

    Examples
    --------
    >>> from vgp.experiments.saturation import glorot_saturation
    >>> result = glorot_saturation()
    >>> mean, _, saturated = result.run("sigmoid").layer(4)   # the top hidden layer
    >>> print(f"mean {mean[0]:.2f} -> {mean[-1]:.2f}, saturated {saturated[-1]:.0%}")
    mean 0.50 -> 0.02, saturated 100%
    >>> [f"{run.activation} learns: {run.test_accuracy[-1] > 0.5}" for run in result.runs]
    ['sigmoid learns: False', 'tanh learns: True']
    """
    for activation in activations:
        check_choice("activation", activation, SATURATING)
    depth = check_int("depth", depth)
    width = check_int("width", width)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    batch_size = check_int("batch_size", batch_size)
    epochs = check_int("epochs", epochs)
    every = check_int("every", every)
    monitor = check_int("monitor", monitor)
    bins = check_int("bins", bins)
    data = digits(seed)
    watched = data.X_test[:monitor]
    nets = [
        mlp(
            depth,
            width,
            activation=activation,
            in_features=data.n_features,
            out_features=data.out_features,
            seed=seed,
        )
        for activation in activations
    ]
    initial = [_record(net, watched, bins) for net in nets]
    steps, records, accuracy = _train_watching(
        nets, data, watched, lr=lr, epochs=epochs, batch_size=batch_size, every=every, seed=seed
    )
    runs = tuple(
        SaturationRun(
            activation=activation,
            steps=steps,
            act_mean=tuple(tuple(s.act_mean for s in r) for r in kept),
            act_std=tuple(tuple(s.act_std for s in r) for r in kept),
            saturated=tuple(tuple(s.saturated_fraction for s in r) for r in kept),
            test_accuracy=tuple(hits),
            initial_histograms=tuple(s.activation_histogram for s in first),
            final_histograms=tuple(s.activation_histogram for s in _record(net, watched, bins)),
        )
        for activation, net, first, kept, hits in zip(
            activations, nets, initial, records, accuracy, strict=True
        )
    )
    steps_per_epoch = -(-len(data.X_train) // batch_size)
    return GlorotMiniature(depth, width, lr, batch_size, epochs, steps_per_epoch, runs)
