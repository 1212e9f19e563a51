"""Argument checks for the public boundary.

Each raises at the call with a message that names the argument, the value it was
given and what is allowed, so the message alone is enough to fix the call.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real

import torch
from torch import Tensor, nn


def check_choice(argument: str, value: object, choices: Iterable[str]) -> str:
    """``value`` must be one of ``choices`` (strings)."""
    choices = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(
            f"{argument} must be a string, one of: {', '.join(choices)}; "
            f"got {value!r} of type {type(value).__name__}"
        )
    if value not in choices:
        raise ValueError(f"unknown {argument} {value!r}; choose one of: {', '.join(choices)}")
    return value


def check_int(argument: str, value: object, *, minimum: int = 1) -> int:
    """``value`` must be an integer (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{argument} must be an integer, got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{argument} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_number(
    argument: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
) -> float:
    """``value`` must be a finite real number within the bounds.

    ``strict`` makes the minimum exclusive (``> minimum`` rather than ``>=``).
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{argument} must be a number, got {value!r} of type {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{argument} must be a finite number, got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        bound = ">" if strict else ">="
        raise ValueError(f"{argument} must be {bound} {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{argument} must be <= {maximum}, got {value}")
    return value


def check_module(argument: str, value: object) -> nn.Module:
    """``value`` must be a ``torch.nn.Module``."""
    if not isinstance(value, nn.Module):
        raise TypeError(f"{argument} must be a torch.nn.Module, got {type(value).__name__}")
    return value


def first_weight_layer(model: nn.Module) -> nn.Module | None:
    """The first ``nn.Linear``, convolution or recurrent layer of ``model``, in
    registration order."""
    for module in model.modules():
        if isinstance(module, nn.Linear | nn.modules.conv._ConvNd | nn.RNNBase):
            return module
    return None


def check_inputs(model: nn.Module, X: object, y: object) -> tuple[Tensor, Tensor]:
    """``X`` and ``y`` must be tensors with one row (or label) per sample.

    ``X`` must be floating point; if the model starts with an ``nn.Linear``, its
    last dimension must equal that layer's ``in_features``.
    """
    for argument, value in (("X", X), ("y", y)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{argument} must be a torch.Tensor, got {type(value).__name__}")
    if not X.is_floating_point():
        raise TypeError(f"X must be a floating-point tensor, got dtype {X.dtype}")
    if X.dim() < 2:
        raise ValueError(f"X must have a batch dimension (at least 2-D), got shape {tuple(X.shape)}")
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one sample, got an empty batch")
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have one label per row of X: X has {X.shape[0]} rows, y has {y.shape[0]}"
        )
    first = first_weight_layer(model)
    if isinstance(first, nn.RNNBase) and X.shape[-1] != first.input_size:
        raise ValueError(
            f"X must have {first.input_size} features per step for this model (its first layer "
            f"is {first}), got X of shape {tuple(X.shape)}"
        )
    if isinstance(first, nn.Linear) and X.shape[-1] != first.in_features:
        raise ValueError(
            f"X must have {first.in_features} features for this model (its first layer is "
            f"{first}), got X of shape {tuple(X.shape)}"
        )
    return X, y


def is_finite(value: float | Tensor) -> bool:
    """True if a number or every element of a tensor is finite."""
    if isinstance(value, Tensor):
        return bool(torch.isfinite(value).all())
    return math.isfinite(value)
