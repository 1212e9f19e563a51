"""Experiments of "Diagnosing": the symptoms measured, histograms per layer, and
the classic "weights before and after one epoch" demonstration redone."""

from __future__ import annotations

from dataclasses import dataclass

from vgp._checks import check_choice, check_int, check_number
from vgp.activations import ACTIVATIONS
from vgp.data import circles, digits
from vgp.experiments import experiment
from vgp.init import SCHEMES
from vgp.nets import mlp
from vgp.probe import Histogram, Probe, default_loss, weight_layers
from vgp.train import OPTIMIZERS, History, train


def _check_configs(configs: tuple[tuple[str, str], ...]) -> None:
    for activation, init in configs:
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("init", init, SCHEMES)


@dataclass(frozen=True)
class Symptoms:
    """Training histories of a vanishing net and a healthy one, trained alike."""

    depth: int
    width: int
    lr: float
    configs: tuple[tuple[str, str], ...]
    histories: tuple[History, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """``"sigmoid, default init"`` for each (activation, init) pair."""
        return tuple(f"{a}, {i} init" for a, i in self.configs)

    def history(self, activation: str) -> History:
        """The history of the net with ``activation``."""
        names = tuple(a for a, _ in self.configs)
        check_choice("activation", activation, names)
        return self.histories[names.index(activation)]


@experiment
def symptoms(
    configs: tuple[tuple[str, str], ...] = (("sigmoid", "default"), ("relu", "he_normal")),
    depth: int = 11,
    width: int = 32,
    lr: float = 0.02,
    epochs: int = 10,
    batch_size: int = 128,
    seed: int = 0,
) -> Symptoms:
    """Train ``depth``-layer nets on ``digits`` with SGD and momentum, one per
    (activation, init), recording per-layer gradients and updates every epoch.

    Examples
    --------
    >>> from vgp.experiments.diagnosing import symptoms
    >>> result = symptoms()
    >>> for label, history in zip(result.labels, result.histories):
    ...     print(f"{label:22} loss {history.train_loss[1]:.2f} -> {history.train_loss[-1]:.2f}")
    sigmoid, default init  loss 2.35 -> 2.30
    relu, he_normal init   loss 2.29 -> 0.48
    """
    _check_configs(configs)
    depth = check_int("depth", depth)
    width = check_int("width", width)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    data = digits(seed)
    histories = tuple(
        train(
            mlp(
                depth,
                width,
                activation=a,
                init=i,
                in_features=data.n_features,
                out_features=data.out_features,
                seed=seed,
            ),
            data,
            optimizer="momentum",
            lr=lr,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
        )
        for a, i in configs
    )
    return Symptoms(depth, width, lr, tuple(configs), histories)


@dataclass(frozen=True)
class LayerHistograms:
    """Per-layer histograms of one forward and backward pass at initialisation.

    ``activations[c][l]`` and ``gradients[c][l]`` are the histograms of weight
    layer ``l`` of the net ``configs[c]``: its activations, and ``log10 |dL/dW|``.
    """

    depth: int
    width: int
    configs: tuple[tuple[str, str], ...]
    layer_names: tuple[str, ...]
    activations: tuple[tuple[Histogram, ...], ...]
    gradients: tuple[tuple[Histogram, ...], ...]


@experiment
def layer_histograms(
    configs: tuple[tuple[str, str], ...] = (("sigmoid", "default"), ("relu", "he_normal")),
    depth: int = 11,
    width: int = 32,
    bins: int = 30,
    seed: int = 0,
) -> LayerHistograms:
    """The nets of :func:`symptoms` on ``digits`` at initialisation, probed with
    ``bins``-bin histograms of every layer's activations and weight gradients.

    Examples
    --------
    >>> from vgp.experiments.diagnosing import layer_histograms
    >>> result = layer_histograms()
    >>> sigmoid = result.gradients[0]
    >>> low, high = sigmoid[0].edges[0], sigmoid[-1].edges[-1]
    >>> print(f"|dL/dW| from 1e{low:.0f} (fc1) to 1e{high:.0f} (out)")
    |dL/dW| from 1e-18 (fc1) to 1e-1 (out)
    """
    _check_configs(configs)
    depth = check_int("depth", depth)
    width = check_int("width", width)
    bins = check_int("bins", bins)
    data = digits(seed)
    activations, gradients = [], []
    for a, i in configs:
        net = mlp(
            depth,
            width,
            activation=a,
            init=i,
            in_features=data.n_features,
            out_features=data.out_features,
            seed=seed,
        )
        with Probe(net, bins=bins) as probe:
            default_loss(net(data.X_train), data.y_train).backward()
        activations.append(tuple(s.activation_histogram for s in probe.stats))
        gradients.append(tuple(s.gradient_histogram for s in probe.stats))
    names = tuple(s.name for s in probe.stats)
    return LayerHistograms(
        depth, width, tuple(configs), names, tuple(activations), tuple(gradients)
    )


@dataclass(frozen=True)
class OneEpoch:
    """Per-layer numbers of one epoch of training, one row per optimiser.

    ``grad_norms[o][l]`` is the mean true gradient norm ``||dL/dW||`` of layer
    ``l`` over the epoch's steps, ``mean_change[o][l]`` the mean absolute change
    ``mean |W_after - W_before|`` of its entries, taken entry by entry on copies
    made before and after the epoch, and ``mean_weight[o][l]`` its mean ``|W|``
    before training.
    """

    depth: int
    width: int
    activation: str
    init: str
    optimizers: tuple[tuple[str, float], ...]
    layer_names: tuple[str, ...]
    grad_norms: tuple[tuple[float, ...], ...]
    mean_change: tuple[tuple[float, ...], ...]
    mean_weight: tuple[tuple[float, ...], ...]

    def row(self, optimizer: str) -> int:
        """Index of ``optimizer``'s row."""
        names = tuple(o for o, _ in self.optimizers)
        check_choice("optimizer", optimizer, names)
        return names.index(optimizer)


@experiment
def one_epoch(
    optimizers: tuple[tuple[str, float], ...] = (("sgd", 0.01), ("adam", 0.001)),
    depth: int = 11,
    width: int = 10,
    activation: str = "sigmoid",
    init: str = "xavier_uniform",
    batch_size: int = 32,
    seed: int = 0,
) -> OneEpoch:
    """The classic demonstration, redone: the net on ``circles`` with Keras's
    defaults (Glorot uniform weights, zero biases, batch size 32, learning rate
    0.01 for SGD and 0.001 for Adam), trained for one epoch by each optimiser
    from the same initial weights.

    Examples
    --------
    >>> from vgp.experiments.diagnosing import one_epoch
    >>> result = one_epoch()
    >>> for (name, lr), grads, change in zip(result.optimizers, result.grad_norms,
    ...                                      result.mean_change):
    ...     print(f"{name:4} first layer: gradient {grads[0]:.0e}, mean |change| {change[0]:.0e}")
    sgd  first layer: gradient 1e-08, mean |change| 0e+00
    adam first layer: gradient 1e-08, mean |change| 3e-04
    """
    _check_configs(((activation, init),))
    for name, lr in optimizers:
        check_choice("optimizer", name, OPTIMIZERS)
        check_number("lr", lr, minimum=0.0, strict=True)
    depth = check_int("depth", depth)
    width = check_int("width", width)
    data = circles(seed)
    grads, changes, sizes = [], [], []
    for name, lr in optimizers:
        net = mlp(depth, width, activation=activation, init=init, seed=seed)
        weights = [module.weight for _, module in weight_layers(net)]
        before = [w.detach().clone() for w in weights]
        history = train(
            net, data, optimizer=name, lr=lr, epochs=1, batch_size=batch_size, seed=seed
        )
        grads.append(history.grad_norms[1])
        changes.append(
            tuple(
                (w.detach() - b).abs().mean().item() for w, b in zip(weights, before, strict=True)
            )
        )
        sizes.append(tuple(b.abs().mean().item() for b in before))
    return OneEpoch(
        depth,
        width,
        activation,
        init,
        tuple(optimizers),
        history.layer_names,
        tuple(grads),
        tuple(changes),
        tuple(sizes),
    )
