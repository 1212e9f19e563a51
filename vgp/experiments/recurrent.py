"""Experiments of "Vanishing through time" (``docs/recurrent.md``): the gradient
that reaches each input step of a recurrent net, against the bound of Pascanu,
Mikolov and Bengio (2013), and what clipping does to a recurrent net whose
gradient explodes."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import torch

from vgp._checks import check_choice, check_int, check_number
from vgp.data import long_lag
from vgp.experiments import experiment
from vgp.experiments._sgd import accuracy
from vgp.experiments._through_time import median, profile
from vgp.nets import RNN_INITS, rnn
from vgp.probe import default_loss, time_gradients


@dataclass(frozen=True)
class TimeProfiles:
    """``||dL/dx_t||`` against the lag ``T - t`` for tanh RNNs, one weight scale per row.

    ``norms[g][s][k]`` is the gradient norm at lag ``k`` (``k = 0`` is the last
    step) for ``gains[g]`` and seed ``seeds[s]``; ``bound[g][k]`` is the bound
    ``||dL/dh_T|| ||U|| (gamma ||W||)^k`` with ``gamma = max tanh' = 1``, the
    largest over the seeds (so it bounds every seed's curve). ``sigma_max[g]``
    and ``radius[g]`` are the largest singular value and the spectral radius of
    the recurrent matrix ``W`` (means over the seeds); ``rate[g]`` is the
    measured factor per step, ``(median norm at lag lag / median norm at lag
    0) ** (1 / lag)``.
    """

    hidden: int
    lag: int
    init: str
    gains: tuple[float, ...]
    seeds: tuple[int, ...]
    norms: tuple[tuple[tuple[float, ...], ...], ...]
    bound: tuple[tuple[float, ...], ...]
    sigma_max: tuple[float, ...]
    radius: tuple[float, ...]
    rate: tuple[float, ...]


@experiment
def through_time(
    hidden: int = 32,
    lag: int = 60,
    gains: tuple[float, ...] = (0.8, 1.0, 1.5, 2.0),
    init: str = "orthogonal",
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4),
    n: int = 300,
) -> TimeProfiles:
    """One-layer tanh RNNs of ``hidden`` units on :func:`vgp.datasets.long_lag`,
    at initialisation: recurrent weights ``init`` at each scale of ``gains``,
    input and output weights PyTorch's; :func:`vgp.time_gradients` on the
    training set, one net and one data set per seed.

    Examples
    --------
    >>> from vgp.experiments.recurrent import through_time
    >>> result = through_time()
    >>> for gain, rate in zip(result.gains, result.rate):
    ...     print(f"||W|| = {gain}: measured factor per step {rate:.2f}")
    ||W|| = 0.8: measured factor per step 0.78
    ||W|| = 1.0: measured factor per step 0.94
    ||W|| = 1.5: measured factor per step 1.07
    ||W|| = 2.0: measured factor per step 1.18
    """
    hidden = check_int("hidden", hidden)
    lag = check_int("lag", lag)
    check_choice("init", init, RNN_INITS[1:])
    for gain in gains:
        check_number("gain", gain, minimum=0.0, strict=True)
    norms, bound, sigma_max, radius, rate = [], [], [], [], []
    for gain in gains:
        rows, bounds, sigmas, radii = [], [], [], []
        for seed in seeds:
            data = long_lag(lag, n, seed)
            net = rnn("rnn", hidden, init=init, gain=gain, seed=seed)
            X, y = data.X_train, data.y_train
            rows.append(tuple(reversed(time_gradients(net, X, y))))
            W = net.cell.weight_hh_l0.detach()
            sigmas.append(torch.linalg.matrix_norm(W, 2).item())
            radii.append(torch.linalg.eigvals(W).abs().max().item())
            with torch.no_grad():
                # dL/dout of the mean binary cross-entropy, and the readout V
                residual = (torch.sigmoid(net(X).reshape(-1)) - y) / len(y)
                top = residual.norm().item() * torch.linalg.matrix_norm(net.out.weight, 2).item()
            top *= torch.linalg.matrix_norm(net.cell.weight_ih_l0.detach(), 2).item()
            bounds.append([top * sigmas[-1] ** k for k in range(lag + 1)])
        norms.append(tuple(rows))
        bound.append(tuple(max(column) for column in zip(*bounds, strict=True)))
        sigma_max.append(statistics.fmean(sigmas))
        radius.append(statistics.fmean(radii))
        middle = median(rows)
        rate.append((middle[lag] / middle[0]) ** (1 / lag))
    return TimeProfiles(
        hidden, lag, init, tuple(gains), tuple(seeds), tuple(norms), tuple(bound),
        tuple(sigma_max), tuple(radius), tuple(rate),
    )


CLIP_RUNS: tuple[str, ...] = ("too large", "too large, clipped", "orthogonal, scale 1")
"""The three runs of :func:`clipping_through_time`."""


@dataclass(frozen=True)
class ClippingThroughTime:
    """Plain SGD on :func:`vgp.datasets.long_lag`, one row per run of :data:`CLIP_RUNS`.

    ``loss[r][t]`` and ``grad_norm[r][t]`` are the mini-batch loss and the
    global norm of the gradient of every parameter at step ``t + 1``, before
    any clipping; ``test_accuracy[r]`` is measured after the last step.
    """

    runs: tuple[str, ...]
    gains: tuple[float, ...]
    clip: float
    lr: float
    lag: int
    loss: tuple[tuple[float, ...], ...]
    grad_norm: tuple[tuple[float, ...], ...]
    test_accuracy: tuple[float, ...]


@experiment
def clipping_through_time(
    hidden: int = 32,
    lag: int = 40,
    gain: float = 3.0,
    lr: float = 0.1,
    clip: float = 1.0,
    steps: int = 150,
    batch_size: int = 32,
    seed: int = 0,
) -> ClippingThroughTime:
    """A tanh RNN whose recurrent weights are ``gain`` times an orthogonal matrix,
    trained by mini-batch SGD at ``lr``: as is, with the global gradient norm
    clipped to ``clip`` (``torch.nn.utils.clip_grad_norm_``), and, for
    comparison, the same net at scale 1, unclipped.

    Examples
    --------
    >>> from vgp.experiments.recurrent import clipping_through_time
    >>> result = clipping_through_time()
    >>> for run, norms, acc in zip(result.runs, result.grad_norm, result.test_accuracy):
    ...     verdict = "learned" if acc > 0.9 else "at chance" if acc < 0.6 else "partly"
    ...     print(f"{run:20} first gradient norm {norms[0]:.0e}, {verdict}")
    too large            first gradient norm 1e+05, at chance
    too large, clipped   first gradient norm 1e+05, at chance
    orthogonal, scale 1  first gradient norm 3e-01, learned
    """
    hidden = check_int("hidden", hidden)
    gain = check_number("gain", gain, minimum=0.0, strict=True)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    clip = check_number("clip", clip, minimum=0.0, strict=True)
    steps = check_int("steps", steps)
    batch_size = check_int("batch_size", batch_size)
    data = long_lag(lag, seed=seed)
    settings = ((gain, None), (gain, clip), (1.0, None))
    losses, norms, accuracies = [], [], []
    for g, c in settings:
        net = rnn("rnn", hidden, init="orthogonal", gain=g, seed=seed)
        params = list(net.parameters())
        generator = torch.Generator().manual_seed(seed)
        run_loss, run_norm = [], []
        for _ in range(steps):
            idx = torch.randint(0, len(data.X_train), (batch_size,), generator=generator)
            loss = default_loss(net(data.X_train[idx]), data.y_train[idx])
            grads = torch.autograd.grad(loss, params)
            norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))).item()
            run_loss.append(loss.item())
            run_norm.append(norm)
            scale = 1.0 if c is None else min(1.0, c / (norm + 1e-6))
            with torch.no_grad():
                torch._foreach_add_(params, grads, alpha=-lr * scale)
        losses.append(tuple(run_loss))
        norms.append(tuple(run_norm))
        accuracies.append(accuracy(net, data.X_test, data.y_test))
    return ClippingThroughTime(
        CLIP_RUNS, tuple(g for g, _ in settings), clip, lr, lag, tuple(losses), tuple(norms),
        tuple(accuracies),
    )


INIT_SETTINGS: tuple[tuple[str, str], ...] = (
    ("tanh", "default"),
    ("relu", "default"),
    ("relu", "orthogonal"),
    ("relu", "identity"),
)
"""``(activation, init)`` of each net of :func:`init_profiles`."""


@dataclass(frozen=True)
class InitProfiles:
    """``||dL/dx_t||`` against the lag for one-layer RNNs of each of :data:`INIT_SETTINGS`.

    ``norms[i][s][k]`` is the gradient norm at lag ``k`` for setting ``i`` and
    seed ``seeds[s]``; ``median[i][k]`` the median over the seeds.
    """

    hidden: int
    lag: int
    settings: tuple[tuple[str, str], ...]
    seeds: tuple[int, ...]
    norms: tuple[tuple[tuple[float, ...], ...], ...]
    median: tuple[tuple[float, ...], ...]


@experiment
def init_profiles(
    hidden: int = 32,
    lag: int = 60,
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4),
    n: int = 300,
) -> InitProfiles:
    """tanh and ReLU RNNs of ``hidden`` units at initialisation on
    :func:`vgp.datasets.long_lag`: PyTorch's default init, orthogonal recurrent
    weights and the identity (the IRNN of Le, Jaitly and Hinton 2015), with
    :func:`vgp.time_gradients` on the training set, one net and data set per seed.

    Examples
    --------
    >>> from vgp.experiments.recurrent import init_profiles
    >>> result = init_profiles()
    >>> for (activation, init), median in zip(result.settings, result.median):
    ...     factor = (median[30] / median[0]) ** (1 / 30)
    ...     print(f"{activation:4} {init:10}: factor per step over 30 steps {factor:.2f}")
    tanh default   : factor per step over 30 steps 0.59
    relu default   : factor per step over 30 steps 0.41
    relu orthogonal: factor per step over 30 steps 0.69
    relu identity  : factor per step over 30 steps 0.99
    """
    hidden = check_int("hidden", hidden)
    lag = check_int("lag", lag)
    norms = [
        tuple(profile("rnn", hidden, seed, lag, n, activation=activation, init=init)
              for seed in seeds)
        for activation, init in INIT_SETTINGS
    ]
    return InitProfiles(
        hidden, lag, INIT_SETTINGS, tuple(seeds), tuple(norms),
        tuple(median(rows) for rows in norms),
    )


