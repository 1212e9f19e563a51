"""Experiments of "Low precision": which of a deep net's gradients survive a
float16 or bfloat16 backward pass, with and without loss scaling."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from vgp._checks import check_choice, check_int
from vgp.activations import ACTIVATIONS
from vgp.data import circles
from vgp.experiments import experiment
from vgp.nets import mlp
from vgp.probe import default_loss, weight_layers

MODES: tuple[str, ...] = ("float32", "float16", "float16 + loss scaling", "bfloat16")
"""How :func:`underflow` runs the backward pass: in float32; under
``torch.autocast`` in float16, without and with ``torch.amp.GradScaler``; under
``torch.autocast`` in bfloat16."""


@dataclass(frozen=True)
class Underflow:
    """One backward pass of one net in each mode of :data:`MODES`.

    ``zero_share[m][l]`` is the share of the entries of ``dL/dW_l`` that are
    exactly zero in mode ``m`` (the weights and their gradients stay float32:
    autocast casts a copy for each operation, so the zeros come from values
    that underflowed on the way back); ``relative_error[m][l]`` is
    ``||dL/dW_l - float32's|| / ||float32's||``; ``median_entry[l]`` and ``largest_entry[l]``
    are the median and the largest ``|dL/dW_l|`` entry in float32; ``scale``
    is the loss scale GradScaler used, ``scaled_overflow`` whether any scaled
    gradient overflowed (GradScaler would then skip the step and halve the scale).
    """

    depth: int
    width: int
    activation: str
    modes: tuple[str, ...]
    zero_share: tuple[tuple[float, ...], ...]
    relative_error: tuple[tuple[float, ...], ...]
    median_entry: tuple[float, ...]
    largest_entry: tuple[float, ...]
    scale: float
    scaled_overflow: bool

    def shares(self, mode: str) -> tuple[float, ...]:
        """The per-layer zero shares of ``mode``."""
        return self.zero_share[self.modes.index(check_choice("mode", mode, self.modes))]


def _gradients(net: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, mode: str) -> tuple[
        list[torch.Tensor], float, bool]:
    """The weight gradients of one backward pass in ``mode`` (float32, unscaled),
    the loss scale used (1 without scaling) and whether a scaled gradient overflowed."""
    net.zero_grad()
    dtype = {"float16": torch.float16, "float16 + loss scaling": torch.float16,
             "bfloat16": torch.bfloat16}.get(mode)
    with torch.autocast("cpu", dtype=dtype or torch.bfloat16, enabled=dtype is not None):
        loss = default_loss(net(X), y)
    if mode != "float16 + loss scaling":
        loss.backward()
        return [m.weight.grad for _, m in weight_layers(net)], 1.0, False
    scaler = torch.amp.GradScaler("cpu")
    optimizer = torch.optim.SGD(net.parameters(), lr=0.0)
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)  # divides the gradients by the scale, in float32
    overflow = not all(torch.isfinite(p.grad).all() for p in net.parameters())
    return [m.weight.grad for _, m in weight_layers(net)], scaler.get_scale(), overflow


@experiment
def underflow(
    depth: int = 11, width: int = 10, activation: str = "sigmoid", seed: int = 0
) -> Underflow:
    """``vgp.mlp(depth, width, activation=activation)`` at initialisation (PyTorch's
    default init), one backward pass on the training set of ``circles`` in each
    mode of :data:`MODES`.

    Examples
    --------
    >>> from vgp.experiments.low_precision import underflow
    >>> result = underflow()
    >>> for mode in result.modes:
    ...     print(f"{mode:23}", " ".join(f"{s:4.0%}" for s in result.shares(mode)))
    float32                   0%   0%   0%   0%   0%   0%   0%   0%   0%   0%   0%   0%
    float16                 100% 100% 100% 100% 100% 100%  90%  20%  10%   0%   0%   0%
    float16 + loss scaling  100%  40%   0%   0%   0%   0%   0%   0%   0%   0%   0%   0%
    bfloat16                  0%   0%   0%   0%   0%   0%   0%   0%   0%   0%   0%   0%
    """
    depth = check_int("depth", depth)
    width = check_int("width", width)
    check_int("seed", seed, minimum=0)
    check_choice("activation", activation, ACTIVATIONS)
    data = circles(seed)
    net = mlp(depth, width, activation=activation, seed=seed)
    shares, errors, scale, overflow = [], [], 1.0, False
    reference, _, _ = _gradients(net, data.X_train, data.y_train, "float32")
    reference = [g.clone() for g in reference]
    for mode in MODES:
        grads, used, over = _gradients(net, data.X_train, data.y_train, mode)
        shares.append(tuple((g == 0).float().mean().item() for g in grads))
        errors.append(tuple(((g - r).norm() / r.norm()).item()
                            for g, r in zip(grads, reference, strict=True)))
        if mode == "float16 + loss scaling":
            scale, overflow = used, over
    return Underflow(
        depth, width, activation, MODES, tuple(shares), tuple(errors),
        tuple(g.abs().median().item() for g in reference),
        tuple(g.abs().max().item() for g in reference), scale, overflow,
    )
