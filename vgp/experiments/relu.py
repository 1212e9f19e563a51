"""Experiments of the page "ReLU and dying ReLU".

Three questions, one experiment each: how a gradient flows through ReLU layers
(:func:`deep_gradient_profile`, beside the home page's 11-layer run); how units
die while training with a large learning rate (:func:`dying_run`, gathered by
:func:`learning_rate_sweep`); and how often a deep, narrow ReLU net is a
constant function before any training (:func:`born_dead`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import torch
from torch import Tensor, nn

from vgp._checks import check_int, check_module, check_number
from vgp.data import digits
from vgp.experiments import experiment
from vgp.experiments._layers import activation_inputs
from vgp.experiments.problem import GradientProfile, gradient_profile
from vgp.nets import mlp
from vgp.train import train

RELU_CONFIGS: tuple[tuple[str, str], ...] = (("relu", "default"), ("relu", "he_normal"))
"""(activation, init) rows of the 50-layer gradient profile."""

LEARNING_RATES: tuple[float, ...] = (1e-3, 1e-2, 3e-2, 1e-1)
"""Adam learning rates of the dying-ReLU sweep."""

SEEDS: tuple[int, ...] = (0, 1, 2)
"""Seeds over which every training claim of the page is shown."""

BORN_DEAD_WIDTHS: tuple[int, ...] = (2, 3, 4, 6, 8, 10)
BORN_DEAD_DEPTHS: tuple[int, ...] = (5, 10, 20, 30, 40, 50)


# -- reading pre-activations -------------------------------------------------


def preactivations(model: nn.Module, X: Tensor) -> list[Tensor]:
    """The input ``z`` of every activation module of ``model`` on ``X``, in order.

    One forward pass without gradients; the hooks are removed whatever happens.

    Examples
    --------
    >>> import torch, vgp
    >>> from vgp.experiments.relu import preactivations
    >>> net = vgp.mlp(depth=3, width=5)
    >>> [tuple(z.shape) for z in preactivations(net, torch.zeros(4, 2))]
    [(4, 5), (4, 5), (4, 5)]
    """
    check_module("model", model)
    if not isinstance(X, Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__}")
    return activation_inputs(model, X)


def inactive_fractions(model: nn.Module, X: Tensor) -> tuple[float, ...]:
    """Per activation layer, the share of units whose pre-activation is ``<= 0``
    for every row of ``X``.

    For ReLU these units are *dead*: they output 0 and pass no gradient for any
    input of ``X``. For leaky ReLU they still pass ``negative_slope`` times the
    gradient, so the same count says how many units sit on the flat side.

    Examples
    --------
    >>> import torch, vgp
    >>> from vgp.experiments.relu import inactive_fractions
    >>> net = vgp.mlp(depth=2, width=4, init="he_normal")
    >>> with torch.no_grad():
    ...     _ = net.fc2.bias.fill_(-100.0)   # push every unit of layer 2 below zero
    >>> inactive_fractions(net, torch.randn(50, 2))
    (0.0, 1.0)
    """
    return tuple((z <= 0).all(dim=0).float().mean().item() for z in preactivations(model, X))


# -- gradient flow -----------------------------------------------------------


@experiment
def deep_gradient_profile(depth: int = 50, width: int = 64, seed: int = 0) -> GradientProfile:
    """Per-layer gradient norms of a deep ReLU net on ``circles`` at
    initialisation, with PyTorch's default init and with He init.

    Examples
    --------
    >>> from vgp.experiments.relu import deep_gradient_profile
    >>> profile = deep_gradient_profile()
    >>> for activation, init in profile.configs:
    ...     print(f"{init:10} first/last = {profile.first_to_last(activation, init):.0e}")
    default    first/last = 3e-20
    he_normal  first/last = 8e-02
    """
    return gradient_profile(depth, width, RELU_CONFIGS, seed)


# -- dying during training ---------------------------------------------------


def relu_net(
    depth: int, width: int, *, negative_slope: float, seed: int, **kw: object
) -> nn.Sequential:
    """:func:`vgp.mlp` with ReLU (``negative_slope=0``) or leaky ReLU of that slope, He init.

    Examples
    --------
    >>> from vgp.experiments.relu import relu_net
    >>> relu_net(2, 4, negative_slope=0.3, seed=0).act1
    LeakyReLU(negative_slope=0.3)
    """
    negative_slope = check_number("negative_slope", negative_slope, minimum=0.0)
    activation = "relu" if negative_slope == 0 else "leaky_relu"
    net = mlp(depth, width, activation=activation, init="he_normal", seed=seed, **kw)
    for module in net.modules():
        if isinstance(module, nn.LeakyReLU):
            module.negative_slope = negative_slope
    return net


@dataclass(frozen=True)
class DyingRun:
    """One training run of the dying-ReLU sweep.

    ``inactive_*`` hold one fraction per hidden layer: units whose
    pre-activation is ``<= 0`` on every training image. ``update_ratio`` is the
    first layer's relative weight change ``||dW|| / ||W||`` per optimiser step
    (as recorded by :func:`vgp.train`, averaged over epoch 1).
    """

    lr: float
    negative_slope: float
    seed: int
    inactive_at_init: tuple[float, ...]
    inactive: tuple[float, ...]
    test_accuracy: float
    update_ratio: float


@cache
def dying_run(
    lr: float,
    negative_slope: float = 0.0,
    seed: int = 0,
    *,
    depth: int = 4,
    width: int = 64,
    epochs: int = 1,
    batch_size: int = 128,
) -> DyingRun:
    """Train a ReLU (or leaky ReLU) net on ``digits`` with Adam at ``lr`` (by
    default one epoch: 10 steps of 128 images) and count its inactive units on
    the training set before and after.

    One cell of :func:`learning_rate_sweep`, memoised on its own (but not a
    named experiment: it has no default learning rate).

    Examples
    --------
    >>> from vgp.experiments.relu import dying_run
    >>> run = dying_run(0.1)
    >>> print(f"dead units per layer: {[round(f, 2) for f in run.inactive]}")
    dead units per layer: [0.95, 0.58, 0.86, 0.64]
    """
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    check_int("seed", seed, minimum=0)
    data = digits(seed)
    net = relu_net(
        depth,
        width,
        negative_slope=negative_slope,
        seed=seed,
        in_features=data.n_features,
        out_features=data.out_features,
    )
    before = inactive_fractions(net, data.X_train)
    history = train(
        net, data, optimizer="adam", lr=lr, epochs=epochs, batch_size=batch_size, seed=seed
    )
    return DyingRun(
        lr=lr,
        negative_slope=negative_slope,
        seed=seed,
        inactive_at_init=before,
        inactive=inactive_fractions(net, data.X_train),
        test_accuracy=history.test_accuracy[-1],
        update_ratio=history.update_ratios[1][0],
    )


@dataclass(frozen=True)
class LearningRateSweep:
    """:func:`dying_run` for every (learning rate, slope, seed)."""

    learning_rates: tuple[float, ...]
    slopes: tuple[float, ...]
    seeds: tuple[int, ...]
    runs: tuple[DyingRun, ...]

    def select(self, lr: float, negative_slope: float = 0.0) -> tuple[DyingRun, ...]:
        """The runs (one per seed) at one learning rate and slope.

        Examples
        --------
        >>> from vgp.experiments.relu import learning_rate_sweep
        >>> [run.seed for run in learning_rate_sweep().select(0.01)]
        [0, 1, 2]
        """
        runs = tuple(r for r in self.runs if r.lr == lr and r.negative_slope == negative_slope)
        if not runs:
            raise ValueError(
                f"no runs for lr={lr}, negative_slope={negative_slope}; learning rates: "
                f"{self.learning_rates}, slopes: {self.slopes}"
            )
        return runs

    def mean_inactive(self, lr: float, negative_slope: float = 0.0) -> tuple[float, ...]:
        """Inactive fraction per layer, averaged over seeds.

        Examples
        --------
        >>> from vgp.experiments.relu import learning_rate_sweep
        >>> print(" ".join(f"{f:.2f}" for f in learning_rate_sweep().mean_inactive(0.1)))
        0.93 0.76 0.78 0.68
        """
        runs = self.select(lr, negative_slope)
        return tuple(sum(col) / len(col) for col in zip(*(r.inactive for r in runs), strict=True))

    def accuracies(self, lr: float, negative_slope: float = 0.0) -> tuple[float, ...]:
        """Test accuracy after training, one per seed.

        Examples
        --------
        >>> from vgp.experiments.relu import learning_rate_sweep
        >>> print(" ".join(f"{a:.2f}" for a in learning_rate_sweep().accuracies(0.01)))
        0.79 0.89 0.80
        """
        return tuple(r.test_accuracy for r in self.select(lr, negative_slope))


@experiment
def learning_rate_sweep(
    learning_rates: tuple[float, ...] = LEARNING_RATES,
    slopes: tuple[float, ...] = (0.0,),
    seeds: tuple[int, ...] = SEEDS,
) -> LearningRateSweep:
    """:func:`dying_run` over a grid; each run is memoised on its own, so two
    sweeps that share a (learning rate, slope, seed) train it once.

    Examples
    --------
    >>> from vgp.experiments.relu import learning_rate_sweep
    >>> sweep = learning_rate_sweep()
    >>> for lr in sweep.learning_rates:
    ...     dead = sum(sweep.mean_inactive(lr)) / 4
    ...     print(f"lr {lr:<6} dead {dead:.2f}")
    lr 0.001  dead 0.04
    lr 0.01   dead 0.16
    lr 0.03   dead 0.42
    lr 0.1    dead 0.79
    """
    runs = tuple(
        dying_run(lr, slope, seed) for slope in slopes for lr in learning_rates for seed in seeds
    )
    return LearningRateSweep(tuple(learning_rates), tuple(slopes), tuple(seeds), runs)


# -- born dead -----------------------------------------------------------------


def domain(points: int = 32) -> Tensor:
    """``points`` evenly spaced inputs on ``[-1, 1]``, as a ``(points, 1)`` tensor.

    Examples
    --------
    >>> from vgp.experiments.relu import domain
    >>> domain(3).squeeze(1)
    tensor([-1.,  0.,  1.])
    """
    return torch.linspace(-1.0, 1.0, check_int("points", points, minimum=2)).unsqueeze(1)


@dataclass(frozen=True)
class RandomReLUNets:
    """``trials`` ReLU nets of ``depth`` hidden layers of ``width`` units on a
    1-D input, drawn like PyTorch's default ``nn.Linear`` (weights and biases
    ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``): symmetric about zero.

    ``first`` is ``(trials, width, 1)``, ``hidden`` ``(trials, depth - 1, width,
    width)``, ``biases`` ``(trials, depth, width)``. The output layer does not
    matter for being born dead and is not drawn.
    """

    first: Tensor
    hidden: Tensor
    biases: Tensor

    def layers(self, trial: int) -> nn.Sequential:
        """Net number ``trial`` as an ``nn.Sequential`` of ``Linear`` and ``ReLU``.

        Examples
        --------
        >>> from vgp.experiments.relu import random_relu_nets
        >>> random_relu_nets(width=2, depth=2, trials=3).layers(0)
        Sequential(
          (0): Linear(in_features=1, out_features=2, bias=True)
          (1): ReLU()
          (2): Linear(in_features=2, out_features=2, bias=True)
          (3): ReLU()
        )
        """
        parts: list[nn.Module] = []
        weights = [self.first[trial], *self.hidden[trial]]
        for weight, bias in zip(weights, self.biases[trial], strict=True):
            linear = nn.Linear(weight.shape[1], weight.shape[0])
            with torch.no_grad():
                linear.weight.copy_(weight)
                linear.bias.copy_(bias)
            parts += [linear, nn.ReLU()]
        return nn.Sequential(*parts)


def random_relu_nets(width: int, depth: int, trials: int, seed: int = 0) -> RandomReLUNets:
    """Draw ``trials`` independent nets (see :class:`RandomReLUNets`) from one seed.

    Examples
    --------
    >>> from vgp.experiments.relu import random_relu_nets
    >>> nets = random_relu_nets(width=3, depth=4, trials=10)
    >>> tuple(nets.hidden.shape), tuple(nets.biases.shape)
    ((10, 3, 3, 3), (10, 4, 3))
    """
    width = check_int("width", width)
    depth = check_int("depth", depth)
    trials = check_int("trials", trials)
    generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))

    def uniform(shape: tuple[int, ...], fan_in: int) -> Tensor:
        return torch.rand(shape, generator=generator).mul_(2).sub_(1).div_(fan_in**0.5)

    first = uniform((trials, width, 1), 1)
    hidden = uniform((trials, depth - 1, width, width), width)
    first_bias = uniform((trials, 1, width), 1)
    hidden_bias = uniform((trials, depth - 1, width), width)
    return RandomReLUNets(first, hidden, torch.cat([first_bias, hidden_bias], dim=1))


def first_dead_layer(nets: RandomReLUNets, X: Tensor) -> Tensor:
    """For each net, the first hidden layer (1-based) whose units are all zero at
    every row of ``X``, or ``depth + 1`` if there is none: all trials at once.

    A net is born dead on ``X`` (its output is the same for every row) exactly
    when this is at most its depth.

    Examples
    --------
    >>> from vgp.experiments.relu import domain, first_dead_layer, random_relu_nets
    >>> first_dead_layer(random_relu_nets(width=2, depth=6, trials=8), domain())
    tensor([3, 7, 4, 4, 4, 5, 5, 7])
    """
    trials, depth, _ = nets.biases.shape
    first = torch.full((trials,), depth + 1)
    alive = torch.arange(trials)
    with torch.no_grad():
        h = torch.relu(torch.einsum("pi,twi->tpw", X, nets.first) + nets.biases[:, None, 0])
        for layer in range(depth):
            if layer > 0:
                weight = nets.hidden[alive, layer - 1].transpose(1, 2)
                h = torch.relu(torch.baddbmm(nets.biases[alive, None, layer], h, weight))
            dead = h.flatten(1).amax(dim=1) == 0
            first[alive[dead]] = layer + 1
            alive, h = alive[~dead], h[~dead]
    return first


@dataclass(frozen=True)
class BornDead:
    """Estimated probability that a ReLU net is born dead, by width and depth.

    ``curves[i][L - 1]`` is the estimate for width ``widths[i]`` and depth ``L``,
    for every depth up to the largest; ``depths`` are the columns of :meth:`table`.
    """

    widths: tuple[int, ...]
    depths: tuple[int, ...]
    trials: int
    points: int
    curves: tuple[tuple[float, ...], ...]

    def at(self, width: int, depth: int) -> float:
        """The estimate for one (width, depth).

        Examples
        --------
        >>> from vgp.experiments.relu import born_dead
        >>> print(f"{born_dead().at(4, 20):.2f}")
        0.69
        """
        if width not in self.widths or not 1 <= depth <= len(self.curves[0]):
            raise ValueError(
                f"no estimate for width={width}, depth={depth}; widths: {self.widths}, "
                f"depths: 1 to {len(self.curves[0])}"
            )
        return self.curves[self.widths.index(width)][depth - 1]

    def table(self) -> str:
        """The estimates at :attr:`depths` as a Markdown table, one row per width.

        Examples
        --------
        >>> from vgp.experiments.relu import born_dead
        >>> print(born_dead(widths=(2,), depths=(5, 10)).table())
        | width | depth 5 | depth 10 |
        |---:|---:|---:|
        | 2 | 0.64 | 0.92 |
        """
        head = "| width | " + " | ".join(f"depth {d}" for d in self.depths) + " |"
        rule = "|" + "---:|" * (len(self.depths) + 1)
        rows = [
            f"| {w} | " + " | ".join(f"{self.at(w, d):.2f}" for d in self.depths) + " |"
            for w in self.widths
        ]
        return "\n".join([head, rule, *rows])


@experiment
def born_dead(
    widths: tuple[int, ...] = BORN_DEAD_WIDTHS,
    depths: tuple[int, ...] = BORN_DEAD_DEPTHS,
    trials: int = 1000,
    points: int = 32,
    seed: int = 0,
) -> BornDead:
    """Simulate ``trials`` nets per width on ``points`` inputs in ``[-1, 1]`` and
    count those born dead at every depth up to the largest of ``depths``.

    One net of the largest depth serves every depth: its first ``L`` layers
    are a net of depth ``L``, born dead if one of them is all zero.

    Examples
    --------
    >>> from vgp.experiments.relu import born_dead
    >>> estimate = born_dead()
    >>> print(f"{estimate.at(2, 50):.2f} {estimate.at(10, 50):.2f}")
    1.00 0.04
    """
    trials = check_int("trials", trials)
    X = domain(points)
    deepest = max(check_int("depth", d) for d in depths)
    curves = []
    for i, width in enumerate(widths):
        nets = random_relu_nets(width, deepest, trials, seed=seed * 1000 + i)
        first = first_dead_layer(nets, X)
        counts = torch.bincount(first, minlength=deepest + 2)[1 : deepest + 1]
        curves.append(tuple((counts.cumsum(0).double() / trials).tolist()))
    return BornDead(tuple(widths), tuple(depths), trials, points, tuple(curves))


@dataclass(frozen=True)
class NetFunctions:
    """A few random ReLU nets as functions of one input: ``outputs[i][j]`` is
    net ``i`` at ``x[j]``; ``constant[i]`` says whether it is the same at every ``x``."""

    width: int
    depth: int
    x: tuple[float, ...]
    outputs: tuple[tuple[float, ...], ...]
    constant: tuple[bool, ...]


@experiment
def born_dead_examples(
    width: int = 3, depth: int = 10, count: int = 8, points: int = 101
) -> NetFunctions:
    """``count`` nets :func:`vgp.mlp` (ReLU, PyTorch's default init, seeds
    ``0 .. count - 1``) with one input, evaluated on ``points`` inputs in
    ``[-1, 1]`` in double precision (their outputs vary by as little as
    ``1e-7``, below single precision's resolution of a value near 1).

    Examples
    --------
    >>> from vgp.experiments.relu import born_dead_examples
    >>> examples = born_dead_examples()
    >>> print(f"{sum(examples.constant)} of {len(examples.constant)} nets are constant")
    3 of 8 nets are constant
    """
    X = domain(points).double()
    outputs, constant = [], []
    for seed in range(check_int("count", count)):
        net = mlp(depth, width, in_features=1, seed=seed).double()
        with torch.no_grad():
            y = net(X).squeeze(1)
        outputs.append(tuple(y.tolist()))
        constant.append(bool((y == y[0]).all()))
    return NetFunctions(width, depth, tuple(X.squeeze(1).tolist()), tuple(outputs), tuple(constant))
