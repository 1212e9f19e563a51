"""A small, seeded training loop that records per-layer statistics over time."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import torch
from torch import nn

from vgp._checks import check_choice, check_inputs, check_int, check_module, check_number
from vgp.data import Dataset
from vgp.groups import trainable_groups
from vgp.losses import default_loss, loss_of
from vgp.nets import BatchNorm
from vgp.probe import _norms

OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
"""The values :func:`train` accepts for ``optimizer`` (``momentum`` is SGD with 0.9)."""

_BATCH_NORMS = (nn.modules.batchnorm._BatchNorm, BatchNorm)
"""Layers that cannot train on a batch of one: a last batch of one sample is skipped."""


@dataclass(frozen=True)
class History:
    """What :func:`train` recorded, one entry per epoch (entry 0: before training).

    ``grad_norms[e][l]`` is the mean over epoch ``e``'s steps of layer ``l``'s
    true gradient norm ``||dL/dW||``; ``update_ratios[e][l]`` the mean of
    ``||W_after - W_before|| / ||W_before||`` over the same steps. Entry 0 of both
    is measured on the first batch before any step (no update: 0), and
    ``train_loss[0]`` on the whole training set; later ``train_loss`` entries
    are the mean mini-batch loss of the epoch.
    If the loss or a gradient stops being finite, training stops there, before
    the optimiser step that would have spread the NaN into the weights, and
    ``nonfinite_epoch`` says in which epoch; the lists end with that epoch.
    ``weight_change[l]`` is ``||W_end - W_start|| / ||W_start||`` of layer ``l``
    over the whole run: how far training moved it, relative to its size (0.0
    exactly where every update was lost to float32 rounding).
    The layers are the weight matrices of every ``nn.Linear`` and convolution
    that trains, in registration order (a weight under a parametrization counts
    each of its originals, ``"fc.parametrizations.weight.original0"``); frozen
    ones (``requires_grad=False``) are left out with a warning.

    Examples
    --------
    >>> import vgp
    >>> net = vgp.mlp(depth=2, width=8)
    >>> history = vgp.train(net, vgp.datasets.moons(), lr=0.1, epochs=3, batch_size=64)
    >>> history.layer_names, history.epochs, len(history.grad_norms), history.diverged
    (('fc1', 'fc2', 'out'), 3, 4, False)
    """

    layer_names: tuple[str, ...]
    train_loss: tuple[float, ...]
    test_loss: tuple[float, ...]
    test_accuracy: tuple[float, ...]
    grad_norms: tuple[tuple[float, ...], ...]
    update_ratios: tuple[tuple[float, ...], ...]
    nonfinite_epoch: int | None = None
    weight_change: tuple[float, ...] = ()

    @property
    def diverged(self) -> bool:
        """True if the loss or a gradient became NaN or infinite."""
        return self.nonfinite_epoch is not None

    @property
    def epochs(self) -> int:
        """Epochs actually run (fewer than asked for if training diverged)."""
        return len(self.train_loss) - 1


def _evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(X)
        loss = default_loss(out, y).item()
        if out.shape[-1] == 1:
            pred = (out.reshape(-1) > 0).to(y.dtype)
        else:
            pred = out.argmax(dim=-1)
        accuracy = (pred == y).float().mean().item()
    model.train(was_training)
    return loss, accuracy


def _change(weights: list[torch.Tensor], before: list[torch.Tensor]) -> list[float]:
    """``||w - b|| / ||b||`` for each weight ``w`` and its earlier copy ``b``."""
    with torch.no_grad():
        change = torch.stack(torch._foreach_norm(torch._foreach_sub(weights, before)))
        return (change / torch.stack(torch._foreach_norm(before))).tolist()


class _Optimizer:
    """PyTorch's CPU update rules for :data:`OPTIMIZERS`, written out.

    The arithmetic is that of ``torch.optim.SGD`` (``momentum=0.9`` for
    ``"momentum"``, no dampening, no weight decay) and ``torch.optim.Adam``
    (betas 0.9 and 0.999, eps 1e-8) on their single-tensor CPU path, op for op,
    so the weights come out bit-identical (``tests/test_train.py`` checks it).
    Importing ``torch.optim`` costs about 1.5 s per process (it imports
    ``torch._dynamo``), more than most of the site's experiments take.
    """

    def __init__(self, name: str, params: list[nn.Parameter], lr: float) -> None:
        self.name, self.params, self.lr = name, params, lr
        self.state: dict[int, dict] = {}

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            grad, state = p.grad, self.state.setdefault(i, {})
            if self.name == "sgd":
                p.add_(grad, alpha=-self.lr)
            elif self.name == "momentum":
                if "buf" not in state:
                    state["buf"] = grad.detach().clone()
                else:
                    state["buf"].mul_(0.9).add_(grad, alpha=1)
                p.add_(state["buf"], alpha=-self.lr)
            else:
                self._adam(p, grad, state)

    def _adam(self, p: torch.Tensor, grad: torch.Tensor, state: dict) -> None:
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        if not state:
            state.update(step=0.0, m=torch.zeros_like(p), v=torch.zeros_like(p))
        state["step"] += 1.0
        state["m"].lerp_(grad, 1 - beta1)
        state["v"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1 ** state["step"]
        bias_correction2 = 1 - beta2 ** state["step"]
        denom = (state["v"].sqrt() / bias_correction2**0.5).add_(eps)
        p.addcdiv_(state["m"], denom, value=-(self.lr / bias_correction1))


def train(
    model: nn.Module,
    data: Dataset,
    *,
    optimizer: str = "sgd",
    lr: float,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    clip: float | None = None,
) -> History:
    """Train ``model`` on ``data`` in place and return its :class:`History`.

    Mini-batches are shuffled with a generator seeded by ``seed``; the loss is
    :func:`vgp.losses.default_loss`. ``clip`` rescales the gradients so that their
    global norm is at most ``clip`` (``torch.nn.utils.clip_grad_norm_``); the
    recorded gradient norms are those *before* clipping, the true ``dL/dW``.
    The test split is evaluated before training and after every epoch; a
    :class:`vgp.data.Dataset` refuses, when it is made, an empty split or an
    ``X_test`` whose shape per sample differs from ``X_train``'s, so the test
    loss and accuracy are never NaN for want of test data.

    Examples
    --------
    >>> import vgp
    >>> data = vgp.datasets.moons()
    >>> net = vgp.mlp(depth=2, width=16, activation="tanh")
    >>> history = vgp.train(net, data, optimizer="momentum", lr=0.1, epochs=10, batch_size=32)
    >>> print(f"test accuracy {history.test_accuracy[0]:.2f} -> {history.test_accuracy[-1]:.2f}")
    test accuracy 0.28 -> 0.96
    >>> print(", ".join(f"{c:.2f}" for c in history.weight_change))   # fc1, fc2, out
    1.36, 1.54, 4.88
    """
    check_module("model", model)
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a vgp.data.Dataset, got {type(data).__name__}")
    check_inputs(model, data.X_train, data.y_train)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    epochs = check_int("epochs", epochs, minimum=0)
    batch_size = check_int("batch_size", batch_size)
    check_int("seed", seed, minimum=0)
    if clip is not None:
        clip = check_number("clip", clip, minimum=0.0, strict=True)

    was_training = model.training
    groups, frozen = trainable_groups(model, "weights")
    if frozen:
        warnings.warn(
            f"train: frozen parameters (requires_grad=False) not recorded: {', '.join(frozen)}",
            UserWarning,
            stacklevel=2,
        )
    layers = [
        (g.name if len(g.parameters) == 1 else f"{g.name}.{local}", p)
        for g in groups
        for local, p in g.parameters
    ]
    weights = [p for _, p in layers]
    opt = _Optimizer(optimizer, list(model.parameters()), lr)
    initial = [w.detach().clone() for w in weights]
    generator = torch.Generator().manual_seed(seed)
    X, y = data.X_train, data.y_train
    n = len(X)

    train_loss, test_loss, test_acc, grads, ratios = [], [], [], [], []

    def record(loss: float, grad_rows: list[list[float]], ratio_rows: list[list[float]]) -> None:
        t_loss, t_acc = _evaluate(model, data.X_test, data.y_test)
        train_loss.append(loss)
        test_loss.append(t_loss)
        test_acc.append(t_acc)
        grads.append(tuple(sum(col) / len(col) for col in zip(*grad_rows, strict=True)))
        ratios.append(tuple(sum(col) / len(col) for col in zip(*ratio_rows, strict=True)))

    first = torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:batch_size]
    loss0 = loss_of(model, X[first], y[first], None, targets=y)
    g0 = torch.autograd.grad(loss0, weights, allow_unused=True)
    record(
        _evaluate(model, X, y)[0],
        [_norms(list(g0))],
        [[0.0] * len(weights)],
    )

    nonfinite = None
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(n, generator=generator)
        losses, grad_rows, ratio_rows = [], [], []
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            if len(idx) < 2 and any(isinstance(m, _BATCH_NORMS) for m in model.modules()):
                continue
            opt.zero_grad()
            loss = default_loss(model(X[idx]), y[idx])
            loss.backward()
            norms = _norms([w.grad for w in weights])
            if not math.isfinite(loss.item()) or not all(map(math.isfinite, norms)):
                nonfinite = epoch
                losses.append(loss.item())
                grad_rows.append(norms)
                ratio_rows.append([math.nan] * len(weights))
                break
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            before = [w.detach().clone() for w in weights]
            opt.step()
            ratio_rows.append(_change(weights, before))
            grad_rows.append(norms)
            losses.append(loss.item())
        record(sum(losses) / len(losses), grad_rows, ratio_rows)
        if nonfinite is not None:
            break
    model.train(was_training)

    return History(
        layer_names=tuple(name for name, _ in layers),
        train_loss=tuple(train_loss),
        test_loss=tuple(test_loss),
        test_accuracy=tuple(test_acc),
        grad_norms=tuple(grads),
        update_ratios=tuple(ratios),
        nonfinite_epoch=nonfinite,
        weight_change=tuple(_change(weights, initial)),
    )
