"""Experiments of "Exploding gradients and clipping": weights too large, the
per-layer growth it causes, a run that turns to NaN, and the same run clipped."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vgp._checks import check_int, check_number
from vgp.activations import derivative
from vgp.data import circles, moons
from vgp.experiments import experiment
from vgp.experiments._layers import activation_inputs
from vgp.nets import mlp
from vgp.probe import gradient_norms
from vgp.train import train


@dataclass(frozen=True)
class ChaosProfiles:
    """Per-layer gradient norms of deep tanh nets with weights ``N(0, sigma_w^2 / n_in)``.

    ``norms[i]`` lists ``||dL/dW||`` per weight layer for ``sigma_ws[i]``;
    ``chi_1[i]`` is ``sigma_w^2`` times the mean of ``tanh'(z)^2`` over every
    hidden unit and sample (a forward-pass statistic); ``growth[i]`` is the
    measured factor by which the gradient norm grows per layer toward the input
    (geometric mean over the hidden layers, leaving out ``skip`` at each end).
    """

    depth: int
    width: int
    sigma_ws: tuple[float, ...]
    norms: tuple[tuple[float, ...], ...]
    chi_1: tuple[float, ...]
    growth: tuple[float, ...]


@experiment
def chaos_profiles(
    depth: int = 30,
    width: int = 100,
    sigma_ws: tuple[float, ...] = (1.0, 1.5, 2.0, 3.0),
    skip: int = 3,
    seed: int = 0,
) -> ChaosProfiles:
    """``depth`` tanh layers of ``width`` units on ``circles`` at initialisation, one
    net per weight scale ``sigma_w`` (zero biases, same seed).

    Examples
    --------
    >>> from vgp.experiments.exploding import chaos_profiles
    >>> result = chaos_profiles()
    >>> for s, chi, g in zip(result.sigma_ws, result.chi_1, result.growth):
    ...     print(f"sigma_w = {s}: chi_1 = {chi:.2f}, sqrt(chi_1) = {chi ** 0.5:.2f}, "
    ...           f"measured growth per layer {g:.2f}")
    sigma_w = 1.0: chi_1 = 0.91, sqrt(chi_1) = 0.96, measured growth per layer 0.99
    sigma_w = 1.5: chi_1 = 1.15, sqrt(chi_1) = 1.07, measured growth per layer 1.05
    sigma_w = 2.0: chi_1 = 1.38, sqrt(chi_1) = 1.17, measured growth per layer 1.16
    sigma_w = 3.0: chi_1 = 1.90, sqrt(chi_1) = 1.38, measured growth per layer 1.36
    """
    depth = check_int("depth", depth, minimum=2)
    width = check_int("width", width)
    skip = check_int("skip", skip, minimum=1)
    if 2 * skip >= depth:
        raise ValueError(f"skip must be below depth / 2 = {depth / 2}, got {skip}")
    for s in sigma_ws:
        check_number("sigma_w", s, minimum=0.0, strict=True)
    data = circles(seed)
    norms, chi, growth = [], [], []
    for sigma_w in sigma_ws:
        net = mlp(depth, width, activation="tanh", init="normal", gain=sigma_w, seed=seed)
        grads = gradient_norms(net, data.X_train, data.y_train)
        slopes = [
            derivative("tanh", z).pow(2).mean().item() for z in activation_inputs(net, data.X_train)
        ]
        norms.append(tuple(grads))
        chi.append(sigma_w**2 * sum(slopes) / len(slopes))
        lo, hi = skip, depth - skip
        growth.append((grads[lo] / grads[hi]) ** (1 / (hi - lo)))
    return ChaosProfiles(depth, width, tuple(sigma_ws), tuple(norms), tuple(chi), tuple(growth))


RUNS: tuple[str, ...] = ("too large", "too large, clipped", "He init")
"""The three runs of :func:`clipping`."""


@dataclass(frozen=True)
class Clipping:
    """Full-batch gradient descent on ``moons``, one row per run of :data:`RUNS`.

    ``loss[r][t]`` is the training loss before step ``t + 1`` (so ``loss[r][0]``
    is the loss at initialisation), ``grad_norm[r][t]`` the norm of the
    gradient of all the weight matrices at that point, before any clipping.
    ``nonfinite_step[r]`` is :attr:`vgp.History.nonfinite_epoch` (each epoch is
    one step here): the step at which the loss or a gradient stopped being
    finite, or ``None``.
    """

    runs: tuple[str, ...]
    gains: tuple[float, ...]
    clip: float
    lr: float
    loss: tuple[tuple[float, ...], ...]
    grad_norm: tuple[tuple[float, ...], ...]
    nonfinite_step: tuple[int | None, ...]
    test_accuracy: tuple[float, ...]


@experiment
def clipping(
    depth: int = 10,
    width: int = 64,
    gain: float = 2.0,
    lr: float = 0.05,
    clip: float = 1.0,
    steps: int = 30,
    seed: int = 0,
) -> Clipping:
    """One ReLU net with weights ``N(0, gain^2 / n_in)`` trained by full-batch
    gradient descent with :func:`vgp.train`: as is, with its gradients clipped to
    global norm ``clip``, and (for comparison) the same net with He's scale
    ``sqrt(2)`` and no clipping.

    Examples
    --------
    >>> from vgp.experiments.exploding import clipping
    >>> result = clipping()
    >>> for run, bad, acc in zip(result.runs, result.nonfinite_step, result.test_accuracy):
    ...     print(f"{run:20} non-finite at step {bad}, test accuracy {acc:.2f}")
    too large            non-finite at step 4, test accuracy 0.49
    too large, clipped   non-finite at step None, test accuracy 0.84
    He init              non-finite at step None, test accuracy 0.83
    """
    depth = check_int("depth", depth)
    width = check_int("width", width)
    gain = check_number("gain", gain, minimum=0.0, strict=True)
    steps = check_int("steps", steps)
    data = moons(seed)
    n = len(data.X_train)
    settings = ((gain, None), (gain, clip), (math.sqrt(2.0), None))
    losses, grads, bad, accuracy = [], [], [], []
    for g, c in settings:
        net = mlp(depth, width, init="normal", gain=g, seed=seed)
        history = train(net, data, lr=lr, epochs=steps, batch_size=n, seed=seed, clip=c)
        losses.append(history.train_loss[1:])
        grads.append(tuple(math.sqrt(sum(x * x for x in row)) for row in history.grad_norms[1:]))
        bad.append(history.nonfinite_epoch)
        accuracy.append(history.test_accuracy[-1])
    return Clipping(
        RUNS,
        tuple(g for g, _ in settings),
        clip,
        lr,
        tuple(losses),
        tuple(grads),
        tuple(bad),
        tuple(accuracy),
    )
