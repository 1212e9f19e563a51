"""The loss ``vgp`` uses when none is given, and the checks on the targets and
on a reader's own loss: one forward pass of a model to one scalar loss.

:func:`default_loss` is binary cross-entropy with logits for one output and
cross-entropy for several; :func:`loss_of` runs the forward pass with the input
checks of ``InputGuard`` (``X`` against the first layer that reads it) and checks what the loss returned.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from torch import Tensor, nn

from vgp._checks import (
    InputGuard,
)

Loss = Callable[[Tensor, Tensor], Tensor]
"""A loss: ``loss(output, y)`` returns a scalar tensor."""


def default_loss(output: Tensor, y: Tensor) -> Tensor:
    """Binary cross-entropy with logits for one output, cross-entropy for several.

    Examples
    --------
    >>> import torch
    >>> from vgp.probe import default_loss
    >>> f"{default_loss(torch.zeros(4, 1), torch.ones(4)):.4f}"   # log 2
    '0.6931'
    >>> f"{default_loss(torch.zeros(4, 10), torch.arange(4)):.4f}"   # log 10
    '2.3026'

    Targets that do not suit the output are refused (:func:`check_targets`),
    not truncated or read as soft labels:

    >>> default_loss(torch.zeros(2, 10), torch.tensor([0.7, 3.0]))
    Traceback (most recent call last):
    ...
    ValueError: y must hold whole class labels 0..9 for a model with 10 outputs, got 0.7 (it would be truncated)
    """
    check_targets(output, y)
    if output.dim() == 1 or output.shape[-1] == 1:
        return nn.functional.binary_cross_entropy_with_logits(
            output.reshape(-1), y.reshape(-1).to(output.dtype)
        )
    return nn.functional.cross_entropy(output, y.long())


def check_targets(output: Tensor, y: Tensor) -> None:
    """``y`` must suit :func:`default_loss` on ``output``: a named error if not.

    One output (shape ``(N,)`` or ``(N, 1)``): one target per sample in [0, 1]
    (labels 0 and 1, or soft targets). ``C`` outputs (shape ``(N, C)``): one whole
    class label in ``0..C-1`` per sample. A net with more than two outputs given
    only labels 0 and 1 gets a warning, not an error: it trains, but on two of
    its classes only.

    Examples
    --------
    >>> import torch
    >>> from vgp.probe import check_targets
    >>> check_targets(torch.zeros(4, 1), torch.tensor([0.0, 1.0, 0.3, 1.0]))   # fine
    >>> try:
    ...     check_targets(torch.zeros(4, 1), torch.arange(4))
    ... except ValueError as error:
    ...     print(str(error).split(":")[0])
    y holds targets from 0 to 3 but the model has one output
    """
    if not isinstance(output, Tensor):
        raise TypeError(
            f"the default loss takes a tensor of logits, but the model returned a "
            f"{type(output).__name__}; pass loss=... that reads it"
        )
    n = output.shape[0] if output.dim() else 1
    if output.dim() <= 1 or (output.dim() == 2 and output.shape[1] == 1):
        if y.numel() != n:
            raise ValueError(
                f"y must hold one target per sample for a model with one output, got y of shape "
                f"{tuple(y.shape)} for output of shape {tuple(output.shape)}"
            )
        low, high = y.min().item(), y.max().item()
        if low < 0 or high > 1:
            raise ValueError(
                f"y holds targets from {low:g} to {high:g} but the model has one output: binary "
                "cross-entropy takes targets in [0, 1]; give the model one output per class "
                "for class labels"
            )
        return
    if output.dim() != 2:
        raise ValueError(
            f"the default loss takes a model output of shape (N,), (N, 1) or (N, classes), got "
            f"{tuple(output.shape)}; pass loss=... for other outputs"
        )
    classes = output.shape[1]
    if y.dim() != 1:
        raise ValueError(
            f"y must be 1-D, one class label per sample, for a model with {classes} outputs; "
            f"got y of shape {tuple(y.shape)}"
        )
    if y.is_floating_point() and not bool((y == y.round()).all()):
        bad = y[y != y.round()][0].item()
        raise ValueError(
            f"y must hold whole class labels 0..{classes - 1} for a model with {classes} "
            f"outputs, got {bad:g} (it would be truncated)"
        )
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= classes:
        raise ValueError(
            f"y holds labels from {low} to {high} but the model has {classes} outputs: labels "
            f"must be in 0..{classes - 1}"
        )
    if classes > 2 and high <= 1:
        warnings.warn(
            f"y holds only labels 0 and 1 but the model has {classes} outputs: cross-entropy "
            f"trains it on two of its {classes} classes; a binary task wants one output",
            UserWarning,
            stacklevel=3,
        )


def check_loss_value(value: object) -> Tensor:
    """What ``loss(output, y)`` returned must be a scalar tensor that depends on the model.

    Examples
    --------
    >>> import torch
    >>> from vgp.probe import check_loss_value
    >>> try:
    ...     check_loss_value(0.5)
    ... except TypeError as error:
    ...     print(error)
    loss must return a torch.Tensor (a scalar with a graph), got float 0.5
    """
    if not isinstance(value, Tensor):
        raise TypeError(
            f"loss must return a torch.Tensor (a scalar with a graph), got {type(value).__name__} "
            f"{value!r}"
        )
    if value.numel() != 1:
        raise ValueError(
            f"loss must return a scalar, got a tensor of shape {tuple(value.shape)}; reduce it, "
            "e.g. with .mean()"
        )
    if not value.requires_grad:
        raise ValueError(
            "loss returned a tensor that does not depend on any parameter that requires grad "
            "(a constant): there is no gradient to measure"
        )
    return value.reshape(())


def _check_loss(loss: object) -> Loss | None:
    if loss is not None and not callable(loss):
        raise TypeError(f"loss must be callable as loss(output, y), got {type(loss).__name__}")
    return loss


def loss_of(
    model: nn.Module, X: Tensor, y: Tensor, loss: Loss | None, *, targets: Tensor | None = None
) -> Tensor:
    """One forward pass under ``InputGuard`` (``X`` checked against the first layer
    that receives it) and the checked loss.

    With the default loss, ``targets`` (default ``y``) are checked against the
    output's shape first (:func:`check_targets`): pass every label of a data set
    to check them all on the output of one batch.

    Examples
    --------
    >>> import torch
    >>> from vgp.probe import loss_of
    >>> model = torch.nn.Linear(2, 1)
    >>> _ = torch.nn.init.zeros_(model.bias)
    >>> f"{loss_of(model, torch.zeros(4, 2), torch.ones(4), None).item():.4f}"   # log 2
    '0.6931'
    """
    with InputGuard(model, X):
        output = model(X)
    if loss is None:
        every = y if targets is None else targets
        if every is not y and isinstance(output, Tensor) and output.dim():
            check_targets(output[:1].expand(len(every), *output.shape[1:]), every)
        else:
            check_targets(output, y)
        return check_loss_value(default_loss(output, y))
    return check_loss_value(loss(output, y))

