"""Experiments of "Batch normalisation": restricted inputs, gradients through depth,
placement before or after the activation, and tiny batches."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from vgp._checks import check_choice, check_int, check_number
from vgp.activations import ACTIVATIONS
from vgp.data import circles, digits
from vgp.experiments import experiment
from vgp.experiments._layers import activation_inputs, activation_modules
from vgp.experiments._sgd import accuracy, sgd_steps
from vgp.init import SCHEMES
from vgp.nets import NORM_POSITIONS, mlp
from vgp.probe import default_loss, weight_layers
from vgp.theory import good_region

# --- restricted input ------------------------------------------------------------


@dataclass(frozen=True)
class Preactivations:
    """Histograms of the inputs of one sigmoid layer, without and with batch norm.

    ``plain[i]`` and ``batch[i]`` count, per bin of ``edges``, the inputs of
    layer ``layer``'s sigmoids over the training set, for weights of scale
    ``sigma_ws[i]``; values beyond the edges are counted in the outer bins.
    ``saturated_*[i]`` is the share outside the sigmoid's good region
    ``|z| < good_region``.
    """

    layer: int
    sigma_ws: tuple[float, ...]
    edges: tuple[float, ...]
    plain: tuple[tuple[int, ...], ...]
    batch: tuple[tuple[int, ...], ...]
    saturated_plain: tuple[float, ...]
    saturated_batch: tuple[float, ...]
    good_region: float


def _histogram(z: Tensor, edges: Tensor) -> tuple[int, ...]:
    clamped = z.clamp(edges[0].item(), edges[-1].item())
    return tuple(int(c) for c in torch.histogram(clamped, edges).hist.tolist())


@experiment
def preactivations(
    depth: int = 5,
    width: int = 100,
    sigma_ws: tuple[float, ...] = (1.0, 4.0, 8.0),
    bins: int = 60,
    limit: float = 15.0,
    seed: int = 0,
) -> Preactivations:
    """The inputs of the last of ``depth`` sigmoid layers on ``circles``, at
    initialisation, with weights ``N(0, sigma_w^2 / n_in)``, without and with
    batch norm before each sigmoid.

    Examples
    --------
    >>> from vgp.experiments.batch_norm import preactivations
    >>> result = preactivations()
    >>> for s, p, b in zip(result.sigma_ws, result.saturated_plain, result.saturated_batch):
    ...     print(f"sigma_w = {s:.0f}: saturated {p:.0%} without batch norm, {b:.0%} with")
    sigma_w = 1: saturated 0% without batch norm, 0% with
    sigma_w = 4: saturated 14% without batch norm, 0% with
    sigma_w = 8: saturated 52% without batch norm, 0% with
    """
    depth = check_int("depth", depth)
    width = check_int("width", width)
    bins = check_int("bins", bins)
    limit = check_number("limit", limit, minimum=0.0, strict=True)
    for s in sigma_ws:
        check_number("sigma_w", s, minimum=0.0, strict=True)
    X = circles(seed).X_train
    edges = torch.linspace(-limit, limit, bins + 1)
    region = good_region("sigmoid")
    counts: dict[str | None, list] = {None: [], "batch": []}
    saturated: dict[str | None, list] = {None: [], "batch": []}
    for sigma_w in sigma_ws:
        for norm in (None, "batch"):
            net = mlp(
                depth,
                width,
                activation="sigmoid",
                init="normal",
                gain=sigma_w,
                norm=norm,
                seed=seed,
            )
            z = activation_inputs(net, X)[-1].flatten()
            counts[norm].append(_histogram(z, edges))
            saturated[norm].append((z.abs() >= region).float().mean().item())
    return Preactivations(
        depth,
        tuple(sigma_ws),
        tuple(edges.tolist()),
        tuple(counts[None]),
        tuple(counts["batch"]),
        tuple(saturated[None]),
        tuple(saturated["batch"]),
        region,
    )


# --- gradients through depth -------------------------------------------------------

DEPTH_CONFIGS: tuple[tuple[str, str, str | None], ...] = (
    ("sigmoid", "default", None),
    ("sigmoid", "default", "batch"),
    ("relu", "he_normal", None),
    ("relu", "he_normal", "batch"),
)
"""(activation, init, norm) of the nets of :func:`depth_profiles`."""


@dataclass(frozen=True)
class DepthProfiles:
    """Per-layer gradients of deep nets at initialisation, with and without batch norm.

    ``norms[c]`` lists ``||dL/dW||`` per weight layer of config ``configs[c]``.
    Going down from the top hidden layer to the first, the back-propagated
    gradient is multiplied at every layer by the activation's slope and then by
    the rest of the layer (batch norm and weights): ``slopes[c]`` is the product
    over all layers of the first factor, ``||dL/dz|| / ||dL/dh||``, and
    ``rest[c]`` the product of the second, ``||dL/dh_below|| / ||dL/dz||``.
    """

    depth: int
    width: int
    configs: tuple[tuple[str, str, str | None], ...]
    norms: tuple[tuple[float, ...], ...]
    slopes: tuple[float, ...]
    rest: tuple[float, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """``"relu, he_normal"`` or ``"relu, he_normal + batch norm"``, one per config."""
        return tuple(f"{a}, {i}" + (" + batch norm" if n else "") for a, i, n in self.configs)

    def row(self, activation: str, norm: str | None) -> int:
        """Index of the config with this activation and norm."""
        for index, (a, _, n) in enumerate(self.configs):
            if (a, n) == (activation, norm):
                return index
        raise ValueError(f"no config with activation={activation!r}, norm={norm!r}")

    def first_to_last(self, activation: str, norm: str | None) -> float:
        """``||dL/dW_1|| / ||dL/dW_out||`` of one config."""
        norms = self.norms[self.row(activation, norm)]
        return norms[0] / norms[-1]

    def growth_per_layer(self, activation: str, norm: str | None, skip: int = 5) -> float:
        """Geometric mean of ``||dL/dW_l|| / ||dL/dW_{l+1}||`` over the hidden layers,
        leaving out ``skip`` layers at each end (where the input and output differ)."""
        norms = self.norms[self.row(activation, norm)]
        lo, hi = skip, self.depth - skip
        return (norms[lo] / norms[hi]) ** (1 / (hi - lo))


def _slope_and_rest(net: nn.Module, X: Tensor, y: Tensor) -> tuple[float, float]:
    """Products over layers of the two factors described in :class:`DepthProfiles`."""
    pairs: list[tuple[Tensor, Tensor]] = []

    def keep(_module: nn.Module, args: tuple, out: Tensor) -> None:
        args[0].retain_grad()
        out.retain_grad()
        pairs.append((args[0], out))

    handles = [m.register_forward_hook(keep) for m in activation_modules(net)]
    try:
        default_loss(net(X), y).backward()
    finally:
        for handle in handles:
            handle.remove()
    slopes = rest = 1.0
    for i, (z, h) in enumerate(pairs):
        slopes *= (z.grad.norm() / h.grad.norm()).item()
        if i > 0:
            rest *= (pairs[i - 1][1].grad.norm() / z.grad.norm()).item()
    return slopes, rest


@experiment
def depth_profiles(
    depth: int = 50,
    width: int = 48,
    configs: tuple[tuple[str, str, str | None], ...] = DEPTH_CONFIGS,
    seed: int = 0,
) -> DepthProfiles:
    """Per-layer gradient norms of ``depth``-layer nets on ``circles`` at initialisation.

    Computed in float64: in float32 the 50-layer sigmoid net's first gradients
    underflow to exactly zero.

    Examples
    --------
    >>> from vgp.experiments.batch_norm import depth_profiles
    >>> result = depth_profiles()
    >>> for label, (a, _, n) in zip(result.labels, result.configs):
    ...     print(f"{label:30} first/last = {result.first_to_last(a, n):.0e}")
    sigmoid, default               first/last = 4e-45
    sigmoid, default + batch norm  first/last = 2e+00
    relu, he_normal                first/last = 2e-01
    relu, he_normal + batch norm   first/last = 2e+03
    """
    depth = check_int("depth", depth, minimum=2)
    width = check_int("width", width)
    check_int("seed", seed, minimum=0)
    for activation, init, norm in configs:
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("init", init, SCHEMES)
        if norm is not None:
            check_choice("norm", norm, ("batch",))
    data = circles(seed)
    X, y = data.X_train.double(), data.y_train.double()
    norms, slopes, rest = [], [], []
    for activation, init, norm in configs:
        net = mlp(depth, width, activation=activation, init=init, norm=norm, seed=seed).double()
        s, r = _slope_and_rest(net, X, y)
        norms.append(tuple(m.weight.grad.norm().item() for _, m in weight_layers(net)))
        slopes.append(s)
        rest.append(r)
    return DepthProfiles(depth, width, tuple(configs), tuple(norms), tuple(slopes), tuple(rest))


# --- before or after the activation ---------------------------------------------------

PLACEMENTS: tuple[str, ...] = ("none", *NORM_POSITIONS)
"""No batch norm, batch norm before the activation, batch norm after it."""


@dataclass(frozen=True)
class Placement:
    """Test accuracy per epoch of one net with batch norm placed three ways.

    ``accuracy[a][p][s][e]``: activation ``activations[a]``, placement
    ``placements[p]``, seed ``seeds[s]``, after epoch ``e`` (0: before training).
    """

    depth: int
    width: int
    activations: tuple[str, ...]
    placements: tuple[str, ...]
    seeds: tuple[int, ...]
    accuracy: tuple[tuple[tuple[tuple[float, ...], ...], ...], ...]

    def final(self, activation: str, placement: str) -> tuple[float, ...]:
        """Final test accuracy of one (activation, placement), one per seed."""
        a = self.activations.index(check_choice("activation", activation, self.activations))
        p = self.placements.index(check_choice("placement", placement, self.placements))
        return tuple(run[-1] for run in self.accuracy[a][p])


@experiment
def placement(
    depth: int = 4,
    width: int = 32,
    activations: tuple[str, ...] = ("sigmoid", "relu"),
    epochs: int = 2,
    lr: float = 0.1,
    batch_size: int = 64,
    seeds: tuple[int, ...] = (0, 1),
) -> Placement:
    """Train the same ``depth``-layer net on ``digits`` with plain SGD, without
    batch norm, with it before the activation and with it after, over ``seeds``
    (each seed fixes the weights and the mini-batches of all three).

    Examples
    --------
    >>> from vgp.experiments.batch_norm import placement
    >>> result = placement()
    >>> for a in result.activations:
    ...     for p in result.placements:
    ...         final = result.final(a, p)
    ...         print(f"{a:8}{p:7} mean of the seeds {sum(final) / len(final):.1f}")
    sigmoid none    mean of the seeds 0.1
    sigmoid before  mean of the seeds 0.5
    sigmoid after   mean of the seeds 0.8
    relu    none    mean of the seeds 0.1
    relu    before  mean of the seeds 0.9
    relu    after   mean of the seeds 0.9
    """
    depth = check_int("depth", depth)
    width = check_int("width", width)
    epochs = check_int("epochs", epochs)
    for a in activations:
        check_choice("activation", a, ACTIVATIONS)
    data = digits()
    curves = []
    for activation in activations:
        per_placement = []
        for where in PLACEMENTS:
            runs = []
            for seed in seeds:
                net = mlp(
                    depth,
                    width,
                    activation=activation,
                    norm=None if where == "none" else "batch",
                    norm_position="before" if where == "none" else where,
                    in_features=data.n_features,
                    out_features=data.out_features,
                    seed=seed,
                )
                per_epoch = len(data.X_train) // batch_size
                curve = [accuracy(net, data.X_test, data.y_test)]
                for step in sgd_steps(
                    net,
                    data.X_train,
                    data.y_train,
                    lr=lr,
                    batch_size=batch_size,
                    steps=epochs * per_epoch,
                    seed=seed,
                ):
                    if step % per_epoch == 0:
                        curve.append(accuracy(net, data.X_test, data.y_test))
                runs.append(tuple(curve))
            per_placement.append(tuple(runs))
        curves.append(tuple(per_placement))
    return Placement(depth, width, tuple(activations), PLACEMENTS, tuple(seeds), tuple(curves))


# --- tiny batches -------------------------------------------------------------------


@dataclass(frozen=True)
class SmallBatches:
    """Test accuracy (evaluation mode) after training, per batch size, without
    (``plain``) and with (``batch``) batch norm."""

    batch_sizes: tuple[int, ...]
    plain: tuple[float, ...]
    batch: tuple[float, ...]
    lr: float


@experiment
def small_batches(
    batch_sizes: tuple[int, ...] = (2, 16),
    depth: int = 3,
    width: int = 32,
    lr: float = 0.05,
    epochs: float = 1 / 3,
    seed: int = 0,
) -> SmallBatches:
    """One ReLU net (He init) trained on ``digits`` with plain SGD for ``epochs``
    (a fraction is a share of the training set: with the default third, every
    batch size sees the same 400 images), with each batch size, without and with
    batch norm.

    Examples
    --------
    >>> from vgp.experiments.batch_norm import small_batches
    >>> result = small_batches()
    >>> for b, p, n in zip(result.batch_sizes, result.plain, result.batch):
    ...     print(f"batch {b:2}: {p:.2f} without batch norm, {n:.2f} with")
    batch  2: 0.62 without batch norm, 0.21 with
    batch 16: 0.18 without batch norm, 0.48 with
    """
    for b in batch_sizes:
        check_int("batch_size", b, minimum=2)
    epochs = check_number("epochs", epochs, minimum=0.0, strict=True)
    data = digits(seed)
    results: dict[str | None, list[float]] = {None: [], "batch": []}
    for batch_size in batch_sizes:
        for norm in (None, "batch"):
            net = mlp(
                depth,
                width,
                init="he_normal",
                norm=norm,
                in_features=data.n_features,
                out_features=data.out_features,
                seed=seed,
            )
            steps = int(epochs * (len(data.X_train) // batch_size))
            for _ in sgd_steps(
                net,
                data.X_train,
                data.y_train,
                lr=lr,
                batch_size=batch_size,
                steps=steps,
                seed=seed,
            ):
                pass
            results[norm].append(accuracy(net, data.X_test, data.y_test))
    return SmallBatches(tuple(batch_sizes), tuple(results[None]), tuple(results["batch"]), lr)
