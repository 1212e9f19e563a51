"""Experiments of the page "Initialisation".

How the second moment of the activations and the size of the gradient travel
through 50 layers under each init, beside the mean-field prediction
(:func:`signal_through_depth`); a miniature of He et al. (2015), figure 3
(:func:`he_miniature`); the conditioning of a product of Gaussian or orthogonal
layers (:func:`product_conditioning`); and the symmetry that constant weights
never break (:func:`symmetry`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import torch
from torch import nn

from vgp._checks import check_choice, check_int, check_number
from vgp.activations import ACTIVATIONS
from vgp.activations import activation as make_activation
from vgp.data import digits, moons
from vgp.experiments import experiment
from vgp.experiments.relu import SEEDS
from vgp.init import SCHEMES
from vgp.nets import mlp
from vgp.probe import gradient_norms, weight_layers
from vgp.theory import Propagation, log_condition_rate, variance_propagation
from vgp.train import History, train

DEPTH_CONFIGS: tuple[tuple[str, str], ...] = tuple(
    (a, i) for a in ("tanh", "relu") for i in ("default", "xavier_normal", "he_normal")
)
"""(activation, init) rows of :func:`signal_through_depth`."""


def random_signal_loss(output: torch.Tensor, signal: torch.Tensor) -> torch.Tensor:
    """``sum(output * signal)``: back-propagates ``signal`` itself as ``dL/d output``.

    Examples
    --------
    >>> import torch
    >>> from vgp.experiments.initialisation import random_signal_loss
    >>> output = torch.zeros(2, requires_grad=True)
    >>> random_signal_loss(output, torch.tensor([3.0, -1.0])).backward()
    >>> output.grad
    tensor([ 3., -1.])
    """
    return (output * signal).sum()


@dataclass(frozen=True)
class DepthRow:
    """One (activation, init) of :func:`signal_through_depth`, over seeds.

    ``second_moments[s][l]`` is ``E[h^2]`` of hidden layer ``l + 1`` for seed
    ``s``; ``grad_norms[s][l]`` is ``||dL/dW||`` of weight layer ``l + 1``
    (the last one being the output layer).
    """

    activation: str
    init: str
    second_moments: tuple[tuple[float, ...], ...]
    grad_norms: tuple[tuple[float, ...], ...]
    theory: Propagation

    @property
    def label(self) -> str:
        """``"activation, init"``, as the page's tables show it."""
        return f"{self.activation}, {self.init}"


@dataclass(frozen=True)
class SignalThroughDepth:
    """:class:`DepthRow` for every (activation, init)."""

    depth: int
    width: int
    batch_size: int
    seeds: tuple[int, ...]
    rows: tuple[DepthRow, ...]

    def row(self, activation: str, init: str) -> DepthRow:
        """The row of one (activation, init).

        Examples
        --------
        >>> from vgp.experiments.initialisation import signal_through_depth
        >>> signal_through_depth().row("tanh", "he_normal").label
        'tanh, he_normal'
        """
        for row in self.rows:
            if (row.activation, row.init) == (activation, init):
                return row
        raise ValueError(
            f"no row for activation={activation!r}, init={init!r}; "
            f"rows: {[r.label for r in self.rows]}"
        )


@experiment
def signal_through_depth(
    depth: int = 50,
    width: int = 128,
    batch_size: int = 32,
    configs: tuple[tuple[str, str], ...] = DEPTH_CONFIGS,
    seeds: tuple[int, ...] = SEEDS,
) -> SignalThroughDepth:
    """A square ``depth`` x ``width`` net at initialisation, fed standard normal
    inputs, with a random standard normal error signal back-propagated from
    its output: ``E[h^2]`` of every hidden layer and ``||dL/dW||`` of every
    weight layer, per seed, beside :func:`vgp.theory.variance_propagation`.

    Examples
    --------
    >>> from vgp.experiments.initialisation import signal_through_depth
    >>> result = signal_through_depth()
    >>> row = result.row("relu", "xavier_normal")
    >>> print(f"{row.second_moments[0][-1]:.1e} (theory {row.theory.second_moment[-1]:.1e})")
    6.8e-16 (theory 8.9e-16)
    """
    depth = check_int("depth", depth)
    width = check_int("width", width)
    batch_size = check_int("batch_size", batch_size)
    rows = []
    drawn: dict[tuple[str, int], list[nn.Module]] = {}
    for activation, init in configs:
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("init", init, SCHEMES)
        phi = make_activation(activation)
        moments, grads = [], []
        for seed in seeds:
            if (init, seed) not in drawn:  # vgp.mlp's weights do not depend on the activation
                net = mlp(depth, width, init=init, in_features=width, out_features=width, seed=seed)
                drawn[init, seed] = [m for _, m in weight_layers(net)]
            layers = drawn[init, seed]
            generator = torch.Generator().manual_seed(seed)
            h = torch.randn(batch_size, width, generator=generator)
            signal = torch.randn(batch_size, width, generator=generator)
            second = []
            for layer in layers[:-1]:
                h = phi(layer(h))
                second.append(h.detach().pow(2).mean())
            loss = random_signal_loss(layers[-1](h), signal)
            norms = torch._foreach_norm(torch.autograd.grad(loss, [m.weight for m in layers]))
            moments.append(tuple(torch.stack(second).tolist()))
            grads.append(tuple(torch.stack(norms).tolist()))
        theory = variance_propagation(activation, init, depth, width, batch_size=batch_size)
        rows.append(DepthRow(activation, init, tuple(moments), tuple(grads), theory))
    return SignalThroughDepth(depth, width, batch_size, tuple(seeds), tuple(rows))


@dataclass(frozen=True)
class HeMiniature:
    """A deep ReLU net on ``digits``, trained from Xavier and from He init.

    ``histories[i]`` holds the training runs from init ``inits[i]``, one per
    seed: the He net is trained on every seed of ``seeds``, the Xavier net, whose
    gradients are tiny on every seed (``initial_grads``), on the first only.
    ``initial_grads[i][s]`` holds the gradient norms ``(first layer, output
    layer)`` at initialisation for init ``i`` and seed ``seeds[s]``, on the first
    64 training images.
    """

    depth: int
    width: int
    inits: tuple[str, ...]
    seeds: tuple[int, ...]
    histories: tuple[tuple[History, ...], ...]
    initial_grads: tuple[tuple[tuple[float, float], ...], ...]

    def runs(self, init: str) -> tuple[History, ...]:
        """The training runs from ``init``, one per trained seed.

        Examples
        --------
        >>> from vgp.experiments.initialisation import he_miniature
        >>> result = he_miniature()
        >>> len(result.runs("he_normal")), len(result.runs("xavier_normal"))
        (3, 1)
        """
        if init not in self.inits:
            raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(self.inits)}")
        return self.histories[self.inits.index(init)]


HE_INITS: tuple[str, ...] = ("xavier_normal", "he_normal")
"""The two inits of :func:`he_miniature`, in the order its results list them."""


def _he_net(init: str, depth: int, width: int, seed: int) -> nn.Sequential:
    data = digits()
    return mlp(
        depth,
        width,
        activation="relu",
        init=init,
        seed=seed,
        in_features=data.n_features,
        out_features=data.out_features,
    )


@experiment
def he_initial_gradients(
    init: str = "xavier_normal", depth: int = 30, width: int = 64, seeds: tuple[int, ...] = SEEDS
) -> tuple[tuple[float, float], ...]:
    """The gradient norms ``(first layer, output layer)`` at initialisation of
    :func:`he_miniature`'s net from ``init``, one pair per seed, on the first 64
    training images of ``digits``.

    Examples
    --------
    >>> from vgp.experiments.initialisation import he_initial_gradients
    >>> [f"{first:.0e}" for first, _ in he_initial_gradients("xavier_normal")]
    ['3e-05', '2e-05', '9e-06']
    """
    check_choice("init", init, HE_INITS)
    depth = check_int("depth", depth)
    width = check_int("width", width)
    data = digits()
    X, y = data.X_train[:64], data.y_train[:64]
    norms = (gradient_norms(_he_net(init, depth, width, s), X, y) for s in seeds)
    return tuple((g[0], g[-1]) for g in norms)


@experiment
def he_training_run(
    init: str = "he_normal",
    seed: int = 0,
    depth: int = 30,
    width: int = 64,
    epochs: int = 15,
    lr: float = 0.03,
    batch_size: int = 128,
    clip: float = 1.0,
) -> History:
    """One training run of :func:`he_miniature`: the ``depth``-layer ReLU net of
    ``width`` units from ``init`` and ``seed``, trained on ``digits`` with SGD and
    momentum 0.9, gradients clipped to norm ``clip``.

    Examples
    --------
    >>> from vgp.experiments.initialisation import he_training_run
    >>> history = he_training_run("xavier_normal", 0)
    >>> print(f"{history.train_loss[0]:.2f} -> {history.train_loss[-1]:.2f}")
    2.30 -> 2.30
    """
    check_choice("init", init, HE_INITS)
    depth = check_int("depth", depth)
    width = check_int("width", width)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    clip = check_number("clip", clip, minimum=0.0, strict=True)
    batch_size = check_int("batch_size", batch_size)
    return train(
        _he_net(init, depth, width, seed),
        digits(),
        optimizer="momentum",
        lr=lr,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        clip=clip,
    )


@cache
def he_miniature(
    depth: int = 30,
    width: int = 64,
    epochs: int = 15,
    lr: float = 0.03,
    batch_size: int = 128,
    clip: float = 1.0,
    seeds: tuple[int, ...] = SEEDS,
) -> HeMiniature:
    """He et al. (2015), figure 3, in miniature: a ``depth``-layer ReLU net of
    ``width`` units trained on ``digits`` with SGD and momentum 0.9, gradients
    clipped to norm ``clip``, from Xavier init (first seed) and from He init
    (every seed of ``seeds``). The gradients at initialisation are measured for
    every seed.

    Each training run is an experiment of its own (:func:`he_training_run`,
    about 0.7 s on one core), and so are the gradients at initialisation
    (:func:`he_initial_gradients`): this function gathers their memoised results.

    Examples
    --------
    >>> from vgp.experiments.initialisation import he_miniature
    >>> result = he_miniature()
    >>> for init in result.inits:   # trained losses differ in the last digits between CPUs
    ...     print(init, [h.train_loss[-1] < 1.0 for h in result.runs(init)])
    xavier_normal [False]
    he_normal [True, True, True]
    """
    depth = check_int("depth", depth)
    seeds = tuple(check_int("seeds", s, minimum=0) for s in seeds)
    grads = tuple(he_initial_gradients(init, depth, width, seeds) for init in HE_INITS)
    trained = {"xavier_normal": seeds[:1], "he_normal": seeds}
    histories = tuple(
        tuple(
            he_training_run(init, s, depth, width, epochs, lr, batch_size, clip)
            for s in trained[init]
        )
        for init in HE_INITS
    )
    return HeMiniature(depth, width, HE_INITS, seeds, histories, grads)


@dataclass(frozen=True)
class ProductConditioning:
    """``log10`` of the condition number of ``W_k ... W_1`` for ``k = 1 .. depth``.

    ``gaussian`` is a lower bound (see :func:`log10_condition_bounds`), exact
    to within a few decades; ``orthogonal`` is exact. ``theory`` is the
    asymptotic growth :func:`vgp.theory.log_condition_rate` times ``k``.
    """

    depth: int
    width: int
    gaussian: tuple[float, ...]
    orthogonal: tuple[float, ...]
    theory: tuple[float, ...]


def log10_condition_bounds(matrices: list[torch.Tensor]) -> tuple[float, ...]:
    """Lower bounds on ``log10 cond(M_k ... M_1)`` for every ``k``, stable at any depth.

    The product is accumulated as ``Q_k R_k ... R_1`` (``M_k Q_{k-1} = Q_k R_k``,
    a QR factorisation), so it has the singular values of the triangular
    ``T = R_k ... R_1``, whose diagonal is the product of the ``R``'s
    diagonals. A triangular matrix's largest singular value is at least its
    largest diagonal entry and its smallest at most its smallest, so the ratio
    of those entries bounds the condition number from below; in logarithms it
    never overflows.

    Examples
    --------
    >>> import torch
    >>> from vgp.experiments.initialisation import log10_condition_bounds
    >>> [round(b, 6) for b in log10_condition_bounds([torch.eye(3, dtype=torch.float64)] * 2)]
    [0.0, 0.0]
    """
    n = matrices[0].shape[0]
    q = torch.eye(n, dtype=torch.float64)
    log_diag = torch.zeros(n, dtype=torch.float64)
    bounds = []
    for matrix in matrices:
        q, r = torch.linalg.qr(matrix.to(torch.float64) @ q)
        log_diag += torch.log(torch.diagonal(r).abs())
        bounds.append(((log_diag.max() - log_diag.min()) / math.log(10)).item())
    return tuple(bounds)


@experiment
def product_conditioning(depth: int = 50, width: int = 128, seed: int = 0) -> ProductConditioning:
    """Condition number of the product of ``depth`` square layers: Gaussian
    ``N(0, 1/width)`` (variance preserving on average) against random
    orthogonal (Saxe et al. 2014), both drawn by :mod:`vgp.init`.

    Examples
    --------
    >>> from vgp.experiments.initialisation import product_conditioning
    >>> result = product_conditioning()
    >>> print(f"Gaussian >= 1e{result.gaussian[-1]:.0f}, orthogonal 1e{result.orthogonal[-1]:.0f}")
    Gaussian >= 1e66, orthogonal 1e0
    """
    depth = check_int("depth", depth)
    width = check_int("width", width)
    products = {}
    for init in ("normal", "orthogonal"):
        net = mlp(depth, width, activation="identity", init=init, in_features=width, seed=seed)
        matrices = [m.weight.detach().double() for _, m in weight_layers(net)[:depth]]
        if init == "normal":
            products[init] = log10_condition_bounds(matrices)
        else:
            product, exact = torch.eye(width, dtype=torch.float64), []
            for matrix in matrices:
                product = matrix @ product
                exact.append(math.log10(torch.linalg.cond(product).item()))
            products[init] = tuple(exact)
    rate = log_condition_rate(width) / math.log(10)
    theory = tuple(k * rate for k in range(1, depth + 1))
    return ProductConditioning(depth, width, products["normal"], products["orthogonal"], theory)


@dataclass(frozen=True)
class Symmetry:
    """A small net on ``moons`` trained from zero, constant and random weights.

    ``distinct_units[i]`` counts, per hidden layer, the units whose incoming
    weights and bias differ from every other unit's after training (out of
    ``width``); ``hidden_grad[i]`` is the largest hidden-layer gradient norm
    at initialisation; ``test_accuracy[i]`` is after training.
    """

    inits: tuple[str, ...]
    width: int
    distinct_units: tuple[tuple[int, ...], ...]
    hidden_grad: tuple[float, ...]
    test_accuracy: tuple[float, ...]


def distinct_rows(weight: torch.Tensor, bias: torch.Tensor, tol: float = 1e-6) -> int:
    """How many different rows ``[W | b]`` has (rows closer than ``tol`` count once).

    Examples
    --------
    >>> import torch
    >>> from vgp.experiments.initialisation import distinct_rows
    >>> distinct_rows(torch.tensor([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]]), torch.zeros(3))
    2
    """
    rows = torch.cat([weight.detach(), bias.detach().unsqueeze(1)], dim=1)
    kept: list[torch.Tensor] = []
    for row in rows:
        if all((row - other).abs().max() > tol for other in kept):
            kept.append(row)
    return len(kept)


@experiment
def symmetry(depth: int = 3, width: int = 16, epochs: int = 5, seed: int = 0) -> Symmetry:
    """Zero, constant (0.1) and He-normal weights, biases zero, trained with SGD
    and momentum on ``moons``.

    Examples
    --------
    >>> from vgp.experiments.initialisation import symmetry
    >>> result = symmetry()
    >>> for init, units in zip(result.inits, result.distinct_units):
    ...     print(f"{init:9} distinct units per layer {units}")
    zeros     distinct units per layer (1, 1, 1)
    constant  distinct units per layer (1, 1, 1)
    he_normal distinct units per layer (16, 16, 16)
    """
    inits = ("zeros", "constant", "he_normal")
    data = moons(seed)
    units, grads, accuracy = [], [], []
    for init in inits:
        net = mlp(depth, width, activation="tanh", init="he_normal", seed=seed)
        if init != "he_normal":
            with torch.no_grad():
                for _, layer in weight_layers(net):
                    layer.weight.fill_(0.0 if init == "zeros" else 0.1)
                    layer.bias.zero_()
        grads.append(max(gradient_norms(net, data.X_train, data.y_train)[:-1]))
        history = train(
            net, data, optimizer="momentum", lr=0.1, epochs=epochs, batch_size=64, seed=seed
        )
        hidden = weight_layers(net)[:-1]
        units.append(tuple(distinct_rows(m.weight, m.bias) for _, m in hidden))
        accuracy.append(history.test_accuracy[-1])
    return Symmetry(inits, width, tuple(units), tuple(grads), tuple(accuracy))
