"""Experiments of "Layer norm and transformers": post-norm against pre-norm
encoders at initialisation (per-layer gradients, the last layer's gradient
against depth) and a short training run with and without learning-rate warm-up."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from vgp._checks import check_int, check_number
from vgp.experiments import experiment
from vgp.nets import Transformer, transformer
from vgp.probe import default_loss

PLACEMENTS: tuple[str, str] = ("post-norm", "pre-norm")
"""The two encoders compared on the page: ``norm_first=False`` and ``True``."""


def sequences(seed: int = 0, *, samples: int = 64, steps: int = 8, features: int = 4) -> tuple[Tensor, Tensor]:
    """``samples`` random sequences of ``steps`` steps of ``features`` Gaussian
    features, labelled 1 where the first feature's mean over time is positive.

    Examples
    --------
    >>> from vgp.experiments.normalisation import sequences
    >>> X, y = sequences(samples=5)
    >>> tuple(X.shape), y.tolist() == (X[..., 0].mean(1) > 0).float().tolist()
    ((5, 8, 4), True)
    """
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(samples, steps, features, generator=generator)
    return X, (X[..., 0].mean(dim=1) > 0).float()


def geometric_mean(values: list[float]) -> float:
    """The geometric mean: the middle of values spread over a log scale.

    Examples
    --------
    >>> from vgp.experiments.normalisation import geometric_mean
    >>> geometric_mean([0.5, 2.0])
    1.0
    """
    return math.exp(sum(math.log(v) for v in values) / len(values))


@dataclass(frozen=True)
class _AtInit:
    """Per encoder layer ``l`` of one net: ``||dL/dtheta_l||`` over all its
    parameters, ``||dL/dW^{2,l}||`` of its feed-forward output matrix, and the
    root mean square of the residual stream ``x_{l+1}`` it outputs and the norm
    of the gradient on that stream, ``||dL/dx_{l+1}||``."""

    layer: list[float]
    w2: list[float]
    stream: list[float]
    stream_grad: list[float]


def _gradients_at_init(net: Transformer, X: Tensor, y: Tensor) -> _AtInit:
    """One forward and one backward pass of ``net`` on ``(X, y)``, read with autograd."""
    outputs: list[Tensor] = []
    handles = [layer.register_forward_hook(lambda _m, _a, out: outputs.append(out))
               for layer in net.layers]
    try:
        loss = default_loss(net(X), y)
    finally:
        for handle in handles:
            handle.remove()
    per_layer = [list(layer.parameters()) for layer in net.layers]
    grads = torch.autograd.grad(loss, [p for params in per_layer for p in params] + outputs)
    layer_norms, w2_norms, position = [], [], 0
    for layer, params in zip(net.layers, per_layer, strict=True):
        own = grads[position : position + len(params)]
        position += len(params)
        layer_norms.append(torch.cat([g.reshape(-1) for g in own]).norm().item())
        w2_norms.append(own[[p is layer.linear2.weight for p in params].index(True)].norm().item())
    return _AtInit(layer_norms, w2_norms,
                   [out.detach().pow(2).mean().sqrt().item() for out in outputs],
                   [g.norm().item() for g in grads[position:]])


@dataclass(frozen=True)
class LayerGradients:
    """Per-layer gradients of post-norm and pre-norm encoders at initialisation.

    ``layer_grads[p][s][l]`` is ``||dL/dtheta_l||``, the norm of the gradient of
    every parameter of encoder layer ``l`` (attention, feed-forward net and
    norms), for placement ``p`` of :data:`PLACEMENTS` and seed ``s``;
    ``stream_rms[p][s][l]`` the root mean square of the residual stream that
    layer ``l`` outputs, and ``stream_grads[p][s][l]`` the norm of the gradient
    on that stream.
    """

    depth: int
    d_model: int
    seeds: int
    layer_grads: tuple[tuple[tuple[float, ...], ...], ...]
    stream_rms: tuple[tuple[tuple[float, ...], ...], ...]
    stream_grads: tuple[tuple[tuple[float, ...], ...], ...]

    def typical(self, placement: str) -> tuple[float, ...]:
        """Per layer, the geometric mean over seeds of ``||dL/dtheta_l||``."""
        rows = self.layer_grads[PLACEMENTS.index(placement)]
        return tuple(geometric_mean(list(column)) for column in zip(*rows, strict=True))

    def first_to_last(self, placement: str) -> float:
        """Typical gradient of the first layer over that of the last."""
        typical = self.typical(placement)
        return typical[0] / typical[-1]

    def stream_first_to_last(self, placement: str) -> float:
        """Typical ``||dL/dx||`` on the stream after the first layer over that after the last."""
        rows = self.stream_grads[PLACEMENTS.index(placement)]
        typical = [geometric_mean(list(column)) for column in zip(*rows, strict=True)]
        return typical[0] / typical[-1]


@experiment
def layer_gradients(depth: int = 12, d_model: int = 32, heads: int = 4, seeds: int = 8) -> LayerGradients:
    """``depth``-layer encoders (:func:`vgp.transformer`, PyTorch's default
    initialisation), post-norm and pre-norm with the same seeds, on 64
    sequences of :func:`sequences`: one forward and backward pass each.

    Examples
    --------
    >>> from vgp.experiments.normalisation import layer_gradients
    >>> result = layer_gradients()
    >>> for placement in ("post-norm", "pre-norm"):
    ...     print(f"{placement}: first layer / last layer = {result.first_to_last(placement):.1f}")
    post-norm: first layer / last layer = 1.1
    pre-norm: first layer / last layer = 2.3
    """
    depth = check_int("depth", depth)
    seeds = check_int("seeds", seeds)
    X, y = sequences(0, features=4)
    grads, streams, stream_grads = [], [], []
    for norm_first in (False, True):
        rows = [_gradients_at_init(
            transformer(depth, d_model, heads=heads, norm_first=norm_first, seed=seed, in_features=4),
            X, y) for seed in range(seeds)]
        grads.append(tuple(tuple(row.layer) for row in rows))
        streams.append(tuple(tuple(row.stream) for row in rows))
        stream_grads.append(tuple(tuple(row.stream_grad) for row in rows))
    return LayerGradients(depth, d_model, seeds, tuple(grads), tuple(streams), tuple(stream_grads))


@dataclass(frozen=True)
class LastLayerGradients:
    """The last layer's feed-forward gradient against depth, at initialisation.

    ``w2_grads[p][s][d]`` is ``||dL/dW^{2,L}||`` (the output matrix of the last
    layer's feed-forward net, the parameter of Xiong et al.'s theorem 1) of the
    encoder with placement ``p`` of :data:`PLACEMENTS`, seed ``s`` and
    ``depths[d]`` layers; ``stream_rms[p][s][d]`` the root mean square of the
    residual stream that the last layer outputs.
    """

    depths: tuple[int, ...]
    d_model: int
    seeds: int
    w2_grads: tuple[tuple[tuple[float, ...], ...], ...]
    stream_rms: tuple[tuple[tuple[float, ...], ...], ...]

    def typical(self, placement: str) -> tuple[float, ...]:
        """Per depth, the geometric mean over seeds of ``||dL/dW^{2,L}||``."""
        rows = self.w2_grads[PLACEMENTS.index(placement)]
        return tuple(geometric_mean(list(column)) for column in zip(*rows, strict=True))

    def typical_stream(self, placement: str) -> tuple[float, ...]:
        """Per depth, the geometric mean over seeds of the last residual stream's RMS."""
        rows = self.stream_rms[PLACEMENTS.index(placement)]
        return tuple(geometric_mean(list(column)) for column in zip(*rows, strict=True))

    def growth(self, placement: str) -> float:
        """Typical ``||dL/dW^{2,L}||`` of the deepest encoder over that of the shallowest."""
        typical = self.typical(placement)
        return typical[-1] / typical[0]


@experiment
def last_layer_gradients(
    depths: tuple[int, ...] = (1, 2, 4, 8, 16), d_model: int = 32, heads: int = 4, seeds: int = 8
) -> LastLayerGradients:
    """Encoders of each depth in ``depths``, post-norm and pre-norm, as in
    :func:`layer_gradients`: the gradient of the last layer's feed-forward output
    matrix and the scale of the residual stream it outputs.

    Examples
    --------
    >>> from vgp.experiments.normalisation import last_layer_gradients
    >>> result = last_layer_gradients()
    >>> for placement in ("post-norm", "pre-norm"):
    ...     print(f"{placement}: ||dL/dW2|| at 16 layers / at 1 layer = {result.growth(placement):.2f}")
    post-norm: ||dL/dW2|| at 16 layers / at 1 layer = 1.43
    pre-norm: ||dL/dW2|| at 16 layers / at 1 layer = 0.44
    """
    depths = tuple(check_int("depths", d) for d in depths)
    seeds = check_int("seeds", seeds)
    X, y = sequences(0, features=4)
    grads, streams = [], []
    for norm_first in (False, True):
        by_depth, stream_by_depth = [], []
        for depth in depths:
            rows = [_gradients_at_init(
                transformer(depth, d_model, heads=heads, norm_first=norm_first, seed=seed, in_features=4),
                X, y) for seed in range(seeds)]
            by_depth.append(tuple(row.w2[-1] for row in rows))
            stream_by_depth.append(tuple(row.stream[-1] for row in rows))
        grads.append(tuple(zip(*by_depth, strict=True)))
        streams.append(tuple(zip(*stream_by_depth, strict=True)))
    return LastLayerGradients(depths, d_model, seeds, tuple(grads), tuple(streams))


@dataclass(frozen=True)
class WarmupRuns:
    """Short Adam runs of one encoder, one row per seed.

    ``losses[s][t]`` is the training loss of the mini-batch of step ``t + 1``
    (before that step's update) of seed ``s``; ``test_loss[s]`` the loss on 512
    held-out sequences after the last step.
    """

    placement: str
    warmup_steps: int
    lr: float
    losses: tuple[tuple[float, ...], ...]
    test_loss: tuple[float, ...]

    def learned(self, below: float = 0.6) -> int:
        """How many runs end with a test loss below ``below`` (chance is ``log 2 = 0.69``)."""
        return sum(loss < below for loss in self.test_loss)

    def early_peak(self, steps: int = 10) -> float:
        """The highest training loss of any run over its first ``steps`` steps."""
        return max(max(row[:steps]) for row in self.losses)


@experiment
def warmup_runs(
    norm_first: bool = False,
    warmup_steps: int = 0,
    lr: float = 0.02,
    steps: int = 30,
    seeds: int = 4,
    depth: int = 6,
    d_model: int = 16,
    heads: int = 2,
) -> WarmupRuns:
    """Train a ``depth``-layer encoder with Adam (peak learning rate ``lr``,
    mini-batches of 32 of 512 training sequences of :func:`sequences`) for
    ``steps`` steps, once per seed; the learning rate rises linearly from
    ``lr / warmup_steps`` to ``lr`` over the first ``warmup_steps`` steps (0: constant).
    The page runs the four settings of ``norm_first`` and ``warmup_steps`` (0 or 15).

    Examples
    --------
    >>> from vgp.experiments.normalisation import warmup_runs
    >>> for norm_first in (False, True):
    ...     for warmup in (0, 15):
    ...         result = warmup_runs(norm_first, warmup)
    ...         print(f"{result.placement}, warm-up over {warmup:2} steps: "
    ...               f"{result.learned()} of {len(result.test_loss)} runs learn")
    post-norm, warm-up over  0 steps: 0 of 4 runs learn
    post-norm, warm-up over 15 steps: 3 of 4 runs learn
    pre-norm, warm-up over  0 steps: 4 of 4 runs learn
    pre-norm, warm-up over 15 steps: 4 of 4 runs learn
    """
    if not isinstance(norm_first, bool):
        raise TypeError(f"norm_first must be True or False, got {norm_first!r}")
    warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
    steps = check_int("steps", steps)
    seeds = check_int("seeds", seeds)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    X, y = sequences(0, samples=512)
    X_test, y_test = sequences(1, samples=512)
    losses, test_loss = [], []
    for seed in range(seeds):
        net = transformer(depth, d_model, heads=heads, norm_first=norm_first, seed=seed, in_features=4)
        optimizer = torch.optim.Adam(net.parameters(), lr=lr)
        generator = torch.Generator().manual_seed(seed)
        row = []
        for step in range(1, steps + 1):
            for group in optimizer.param_groups:
                group["lr"] = lr * min(1.0, step / warmup_steps) if warmup_steps else lr
            batch = torch.randint(0, len(X), (32,), generator=generator)
            loss = default_loss(net(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            row.append(loss.item())
        with torch.no_grad():
            test_loss.append(default_loss(net(X_test), y_test).item())
        losses.append(tuple(row))
    return WarmupRuns(PLACEMENTS[norm_first], warmup_steps, lr, tuple(losses), tuple(test_loss))
