"""Gradients through time and through position: the norm of ``dL/dx_t`` for every
step ``t`` of an input shaped (batch, time, features), for any model that reads
such input (an RNN, LSTM, GRU, transformer or 1-d convolution).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from vgp._checks import (
    check_int,
    check_module,
    check_X,
    check_y,
    trainable_parameters,
)
from vgp.losses import Loss, _check_loss, loss_of


def _time_input(model: nn.Module, X: Tensor, time_dim: int) -> int:
    """Check that ``X`` has a time axis at ``time_dim``; return it as a positive index."""
    check_int("time_dim", time_dim, minimum=-X.dim())
    least = 2 if not X.is_floating_point() else 3
    if X.dim() < least:
        shape = "(batch, time) token ids" if least == 2 else "(batch, time, features)"
        raise ValueError(
            f"X must have a time axis, shaped {shape}, got X of shape {tuple(X.shape)}"
        )
    dim = time_dim % X.dim()
    if dim == 0 or time_dim >= X.dim():
        raise ValueError(
            f"time_dim must name a dimension of X other than the batch (0), one of "
            f"1..{X.dim() - 1}; got {time_dim} for X of shape {tuple(X.shape)}"
        )
    if X.shape[dim] == 0:
        raise ValueError(f"X must have at least one time step, got shape {tuple(X.shape)}")
    return dim


def time_gradients(
    model: nn.Module, X: Tensor, y: Tensor, loss: Loss | None = None, *, time_dim: int = 1
) -> list[float]:
    """The norm of ``dL/dx_t`` for every step ``t`` of a sequence input, first step first.

    ``X`` is shaped (batch, time, features) (``time_dim`` moves the time axis,
    e.g. ``time_dim=2`` for a 1-d convolution's (batch, channels, time)). One
    forward and one backward pass: entry ``t`` is the Frobenius norm, over the
    batch and the features, of the loss's gradient with respect to the inputs
    of step ``t``. How it falls with the distance from the last step is the
    vanishing gradient through time. Any model that takes such an input works
    (RNN, LSTM, GRU, a transformer, a 1-d convolution). Integer ``X`` of shape
    (batch, time) (token ids) is accepted by a model with an ``nn.Embedding``:
    the gradient is then taken with respect to the first embedding's output,
    the vectors that stand for the tokens. The model's ``.grad`` fields are left
    untouched; the loss is the one of :func:`vgp.probe.gradient_norms`.

    Examples
    --------
    >>> import torch
    >>> import vgp
    >>> class LastStep(torch.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.rnn = torch.nn.RNN(1, 16, batch_first=True)
    ...         self.head = torch.nn.Linear(16, 1)
    ...     def forward(self, x):
    ...         return self.head(self.rnn(x)[0][:, -1])
    >>> _ = torch.manual_seed(0)
    >>> model, X = LastStep(), torch.randn(32, 50, 1)
    >>> grads = vgp.time_gradients(model, X, (X.sum(dim=(1, 2)) > 0).float())
    >>> len(grads), grads[0] < 1e-3 * grads[-1]   # step 1 hears almost nothing of the loss
    (50, True)
    """
    check_module("model", model)
    trainable_parameters(model)
    X = check_X(model, X)
    y = check_y(X, y)
    dim = _time_input(model, X, time_dim)
    loss = _check_loss(loss)
    with StepInput(model, X, dim) as steps:
        value = loss_of(model, steps.x, y, loss)
    (grad,) = torch.autograd.grad(value, steps.measured(), allow_unused=True)
    return steps.norms(grad)


class StepInput:
    """The input whose gradient is measured step by step, while the block is open.

    For floating-point ``X``: ``x``, a leaf copy of it that requires grad. For
    integer ``X`` (token ids): ``x`` is ``X`` itself, and the output of the first
    ``nn.Embedding`` that reads it is measured (a forward hook captures it and
    keeps its gradient). :meth:`norms` turns that gradient into one norm per
    step along dimension ``dim``.

    Examples
    --------
    >>> import torch
    >>> from vgp.probe import StepInput
    >>> model = torch.nn.Linear(1, 1, bias=False)
    >>> with StepInput(model, torch.ones(2, 3, 1), dim=1) as steps:
    ...     value = model(steps.x)[:, -1].sum()   # only the last step counts
    >>> steps.norms(torch.autograd.grad(value, steps.measured())[0])[0]
    0.0
    """

    def __init__(self, model: nn.Module, X: Tensor, dim: int) -> None:
        self.model, self.X, self.dim = model, X, dim
        self.captured: list[Tensor] = []
        self.handles: list = []
        self.x = X.detach().requires_grad_(True) if X.is_floating_point() else X

    def __enter__(self) -> StepInput:
        if self.X.is_floating_point():
            self.captured.append(self.x)
        else:
            self.handles = [
                m.register_forward_hook(self._hook)
                for m in self.model.modules()
                if isinstance(m, nn.Embedding)
            ]
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []

    def _hook(self, module: nn.Module, inputs: tuple, output: Tensor) -> Tensor | None:
        if self.captured or inputs[0] is not self.X:
            return None
        if not output.requires_grad:
            output = output.detach().requires_grad_(True)
        output.retain_grad()
        self.captured.append(output)
        return output

    def measured(self) -> Tensor:
        """The tensor whose gradient is measured; a named error if the pass never made it."""
        if not self.captured:
            raise ValueError("X does not reach an nn.Embedding of the model: no step to measure")
        return self.captured[0]

    def norms(self, grad: Tensor | None) -> list[float]:
        """The norm of ``grad`` at every step, over the batch and the features."""
        if grad is None:
            raise ValueError("the loss does not depend on X: no gradient flows back to the input")
        g = grad.detach()
        steps = g.movedim(self.dim, 0).reshape(g.shape[self.dim], -1)
        return torch.linalg.vector_norm(steps.double(), dim=1).tolist()

