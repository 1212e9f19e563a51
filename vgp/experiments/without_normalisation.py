"""Experiments of "Deep nets without normalisation": a 50-block residual MLP at
initialisation and over a short training run, as is, batch-normalised, with
weight standardisation and group norm, with Fixup and with ReZero (SkipInit)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from vgp._checks import check_choice, check_int, check_number
from vgp.data import moons
from vgp.experiments import experiment
from vgp.experiments._sgd import accuracy, sgd_steps
from vgp.nets import FIXES, resnet
from vgp.probe import default_loss, gradient_norms

NETS: tuple[str | None, ...] = (None, "batch", "group", "fixup", "rezero")
"""The ``fix`` of each net the page compares (``None``: no fix at all)."""

LABELS: dict[str | None, str] = {
    None: "no normalisation",
    "batch": "batch norm",
    "group": "weight standardisation + group norm",
    "fixup": "Fixup",
    "rezero": "ReZero / SkipInit",
}
"""How the page names each net."""


def _check_fix(fix: object) -> str | None:
    if fix is not None:
        check_choice("fix", fix, FIXES)
    return fix


def _stream(net: torch.nn.Sequential, X: Tensor, blocks: int) -> list[Tensor]:
    """The stream after the stem and after each block, ``h_0 ... h_blocks``."""
    h = net.stem(X)
    states = [h]
    for i in range(1, blocks + 1):
        h = net.get_submodule(f"block{i}")(h)
        states.append(h)
    return states


@dataclass(frozen=True)
class InitialProfiles:
    """The nets of :data:`NETS` at initialisation on ``moons``, one row each.

    ``stream_std[r][l]`` is the standard deviation of the stream ``h_l`` over
    every unit and sample (``l = 0`` after the stem, then after each block);
    ``weight_grads[r]`` lists ``||dL/dW||`` of every weight layer, stem first,
    then each block's two, then the output layer; ``loss[r]`` is the loss.
    """

    blocks: int
    width: int
    fixes: tuple[str | None, ...]
    stream_std: tuple[tuple[float, ...], ...]
    weight_grads: tuple[tuple[float, ...], ...]
    loss: tuple[float, ...]

    def row(self, fix: str | None) -> int:
        """Index of the row of ``fix``."""
        if fix not in self.fixes:
            raise ValueError(f"no row for fix={fix!r}; rows: {self.fixes}")
        return self.fixes.index(fix)

    def growth_per_block(self, fix: str | None) -> float:
        """The stream's standard deviation grows by this factor per block, on
        average (geometric mean from ``h_1`` to ``h_blocks``)."""
        stds = self.stream_std[self.row(fix)]
        return (stds[-1] / stds[1]) ** (1 / (len(stds) - 2))


@experiment
def initial_profiles(
    blocks: int = 50, width: int = 32, fixes: tuple[str | None, ...] = NETS, seed: int = 0
) -> InitialProfiles:
    """``vgp.resnet(blocks, width, fix=...)`` for each of ``fixes``, at
    initialisation, on the training set of ``moons``: the stream's scale after
    every block and the gradient of every weight layer (one forward and
    backward pass in training mode).

    Examples
    --------
    >>> from vgp.experiments.without_normalisation import initial_profiles
    >>> result = initial_profiles()
    >>> for fix, stds in zip(result.fixes, result.stream_std):
    ...     print(f"{str(fix):6} std of h_50 {stds[-1]:.1e}")
    None   std of h_50 5.0e+10
    batch  std of h_50 7.0e+00
    group  std of h_50 7.0e+00
    fixup  std of h_50 1.1e+00
    rezero std of h_50 1.1e+00
    """
    blocks = check_int("blocks", blocks, minimum=2)
    width = check_int("width", width)
    check_int("seed", seed, minimum=0)
    fixes = tuple(_check_fix(fix) for fix in fixes)
    data = moons(seed)
    stream_std, weight_grads, loss = [], [], []
    for fix in fixes:
        net = resnet(blocks, width, fix=fix, seed=seed)
        with torch.no_grad():
            stream_std.append(tuple(h.std().item() for h in _stream(net, data.X_train, blocks)))
        weight_grads.append(tuple(gradient_norms(net, data.X_train, data.y_train, params="weights")))
        with torch.no_grad():
            loss.append(default_loss(net(data.X_train), data.y_train).item())
    return InitialProfiles(
        blocks, width, fixes, tuple(stream_std), tuple(weight_grads), tuple(loss)
    )


@dataclass(frozen=True)
class TrainingRun:
    """A short SGD run of one net on ``moons``.

    ``loss[k]`` is the loss on the whole training set (training mode) after
    ``k * every`` steps, ``loss[0]`` at initialisation, ``nan`` once the
    weights are no longer finite; ``weight_grads`` lists ``||dL/dW||`` of every
    weight layer on the whole training set after the last step (training mode);
    ``test_accuracy`` is measured after the last step.
    """

    fix: str | None
    blocks: int
    width: int
    lr: float
    batch_size: int
    steps: int
    every: int
    loss: tuple[float, ...]
    weight_grads: tuple[float, ...]
    test_accuracy: float

    @property
    def label(self) -> str:
        """The net's name on the page."""
        return LABELS[self.fix]


@experiment
def training_run(
    fix: str | None = "rezero",
    blocks: int = 50,
    width: int = 32,
    lr: float = 0.1,
    batch_size: int = 64,
    steps: int = 100,
    every: int = 10,
    seed: int = 0,
) -> TrainingRun:
    """``steps`` steps of plain SGD (``lr``, mini-batches of ``batch_size``) on
    ``moons`` for ``vgp.resnet(blocks, width, fix=fix)``.

    Examples
    --------
    >>> from vgp.experiments.without_normalisation import training_run
    >>> run = training_run("fixup")
    >>> print(f"{run.label}: loss {run.loss[0]:.3f} -> {run.loss[-1]:.1f}")
    Fixup: loss 0.693 -> 0.3
    """
    fix = _check_fix(fix)
    blocks = check_int("blocks", blocks, minimum=2)
    width = check_int("width", width)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    batch_size = check_int("batch_size", batch_size)
    steps = check_int("steps", steps)
    every = check_int("every", every)
    check_int("seed", seed, minimum=0)
    data = moons(seed)
    X, y = data.X_train, data.y_train
    net = resnet(blocks, width, fix=fix, seed=seed)

    def loss_now() -> float:
        # in training mode, as the steps see the net (batch norm: statistics of the
        # whole training set), leaving batch norm's running estimates as they were
        buffers = {name: b.clone() for name, b in net.named_buffers()}
        with torch.no_grad():
            value = default_loss(net(X), y).item()
            for name, b in net.named_buffers():
                b.copy_(buffers[name])
        return value if all(torch.isfinite(p).all() for p in net.parameters()) else math.nan

    losses = [loss_now()]
    for step in sgd_steps(net, X, y, lr=lr, batch_size=batch_size, steps=steps, seed=seed):
        if step % every == 0:
            losses.append(loss_now())
    return TrainingRun(
        fix, blocks, width, lr, batch_size, steps, every, tuple(losses),
        tuple(gradient_norms(net, X, y, params="weights")), accuracy(net, data.X_test, data.y_test),
    )
