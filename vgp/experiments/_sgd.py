"""A lean mini-batch SGD loop for the chapter experiments (which `@experiment` runs on one thread).

Private to :mod:`vgp.experiments`. :func:`vgp.train` measures every layer's
gradient at every step; the experiments that read only accuracies or
activations over training use this loop instead, which does nothing but step,
so that they stay within their time budget.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor, nn

from vgp.probe import default_loss


def sgd_steps(
    model: nn.Module, X: Tensor, y: Tensor, *, lr: float, batch_size: int, steps: int, seed: int = 0
) -> Iterator[int]:
    """Take ``steps`` plain SGD steps (``w -= lr * dL/dw``) on ``(X, y)`` and yield
    each step's number (from 1).

    Mini-batches are drawn without replacement from a permutation seeded by
    ``seed``, drawn anew whenever fewer than ``batch_size`` samples are left (so
    every batch is full). The model is in training mode while it steps and
    whatever the caller does between two yields, it does in that mode.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(X), generator=generator)
    position = 0
    for step in range(1, steps + 1):
        if position + batch_size > len(X):
            order = torch.randperm(len(X), generator=generator)
            position = 0
        idx = order[position : position + batch_size]
        position += batch_size
        if not model.training:
            model.train()
        grads = torch.autograd.grad(default_loss(model(X[idx]), y[idx]), params)
        with torch.no_grad():
            torch._foreach_add_(params, grads, alpha=-lr)
        yield step


def accuracy(model: nn.Module, X: Tensor, y: Tensor) -> float:
    """Share of correct predictions of ``model`` in evaluation mode (mode restored)."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(X)
        pred = (out.reshape(-1) > 0).to(y.dtype) if out.shape[-1] == 1 else out.argmax(dim=-1)
        value = (pred == y).float().mean().item()
    model.train(was_training)
    return value
