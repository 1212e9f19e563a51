"""Independent references for the experiment tests: training written out with
``torch.optim`` and plain loops, from what the docstrings document (the
mini-batches, the optimiser, the loss), calling nothing of ``vgp`` but the
net it is handed and the data.

An experiment that returns a :class:`vgp.train.History` or accuracies is
compared with these, so that a wrong optimiser, learning rate, batch size,
seed or dataset in the experiment shows as a different number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import Tensor, nn


def loss_of(out: Tensor, y: Tensor) -> Tensor:
    """Binary cross-entropy with logits for one output, cross-entropy for several."""
    if out.shape[-1] == 1:
        return nn.functional.binary_cross_entropy_with_logits(out.reshape(-1), y.float())
    return nn.functional.cross_entropy(out, y)


def accuracy(net: nn.Module, X: Tensor, y: Tensor) -> float:
    """Share of right answers in evaluation mode (the mode is restored)."""
    was_training = net.training
    net.eval()
    with torch.no_grad():
        out = net(X)
    net.train(was_training)
    pred = (out.reshape(-1) > 0).long() if out.shape[-1] == 1 else out.argmax(dim=-1)
    return (pred == y.long()).float().mean().item()


def optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    """vgp's optimiser names as torch.optim objects, on the single-tensor path."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, foreach=False)
    return torch.optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0, foreach=False)


@dataclass(frozen=True)
class Run:
    """What :func:`train_like_vgp` saw: per epoch (0: before training)."""

    train_loss: tuple[float, ...]
    test_accuracy: tuple[float, ...]


def train_like_vgp(net: nn.Module, data, *, optimizer_name: str, lr: float, epochs: int,
                   batch_size: int, seed: int) -> Run:
    """Train as :func:`vgp.train` documents: a new permutation of the training set
    every epoch from one generator seeded with ``seed``, every mini-batch taken
    (the last may be short), the mean mini-batch loss recorded per epoch and the
    test accuracy (in evaluation mode) before training and after each epoch."""
    opt = optimizer(optimizer_name, net.parameters(), lr)
    generator = torch.Generator().manual_seed(seed)
    X, y = data.X_train, data.y_train
    net.eval()
    with torch.no_grad():
        losses = [loss_of(net(X), y).item()]
    accuracies = [accuracy(net, data.X_test, data.y_test)]
    for _ in range(epochs):
        net.train()
        order = torch.randperm(len(X), generator=generator)
        epoch = []
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            opt.zero_grad()
            loss = loss_of(net(X[idx]), y[idx])
            loss.backward()
            opt.step()
            epoch.append(loss.item())
        losses.append(sum(epoch) / len(epoch))
        accuracies.append(accuracy(net, data.X_test, data.y_test))
    return Run(tuple(losses), tuple(accuracies))


def full_batches(n: int, batch_size: int, steps: int, seed: int) -> Iterator[Tensor]:
    """The mini-batches of the experiments' lean SGD loop: drawn without
    replacement from a permutation seeded by ``seed``, redrawn when fewer than
    ``batch_size`` samples are left, so every batch is full."""
    generator = torch.Generator().manual_seed(seed)
    order, position = torch.randperm(n, generator=generator), 0
    for _ in range(steps):
        if position + batch_size > n:
            order, position = torch.randperm(n, generator=generator), 0
        yield order[position : position + batch_size]
        position += batch_size


def sgd_by_hand(net: nn.Module, X: Tensor, y: Tensor, *, lr: float, batch_size: int, steps: int,
                seed: int) -> Iterator[int]:
    """Plain SGD with torch.optim over :func:`full_batches`, in training mode;
    yields each step's number (from 1) after the step."""
    opt = optimizer("sgd", net.parameters(), lr)
    for step, idx in enumerate(full_batches(len(X), batch_size, steps, seed), 1):
        net.train()
        opt.zero_grad()
        loss_of(net(X[idx]), y[idx]).backward()
        opt.step()
        yield step
