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


def trainable_parameters(model: nn.Module) -> list[nn.Parameter]:
    """The parameters of ``model`` that require grad; a named error if there are none
    or if they live on the meta device (which holds no values)."""
    params = list(model.parameters())
    if not params:
        raise ValueError(
            f"model must have parameters to measure; {type(model).__name__} has none"
        )
    if any(p.is_meta for p in params):
        raise ValueError(
            "model is on the meta device: its parameters hold no values to differentiate; "
            "materialise it first, e.g. model.to_empty(device='cpu') and initialise the weights"
        )
    trainable = [p for p in params if p.requires_grad]
    if not trainable:
        raise ValueError(
            "model has no parameter that requires grad (every parameter is frozen with "
            "requires_grad=False): there is no gradient to measure"
        )
    return trainable


def _embeds(model: nn.Module) -> bool:
    return any(isinstance(m, nn.Embedding | nn.EmbeddingBag) for m in model.modules())


def check_X(model: nn.Module, X: object, *, finite: bool = True) -> Tensor:
    """``X`` must be a non-empty tensor the model can take, on the model's device.

    Floating-point ``X`` must have the dtype of the model's floating-point
    parameters (it is not converted: a float64 batch into a float32 net is an
    error that names both dtypes). Integer ``X`` (token ids) is accepted only by
    a model with an ``nn.Embedding``. With ``finite``, NaN and infinite entries
    are an error.
    """
    if not isinstance(X, Tensor):
        raise TypeError(
            f"X must be a torch.Tensor, got {type(X).__name__}"
            + (" (convert it with torch.from_numpy(X))" if type(X).__module__ == "numpy" else "")
        )
    if X.is_meta:
        raise ValueError("X is on the meta device and holds no values; give a tensor on cpu or cuda")
    if X.dim() == 0:
        raise ValueError("X must have a batch dimension, got a 0-d tensor")
    if X.shape[0] == 0:
        raise ValueError(f"X must hold at least one sample, got an empty batch of shape {tuple(X.shape)}")
    floating = [p for p in model.parameters() if p.is_floating_point()]
    if X.dtype == torch.bool or X.is_complex():
        raise TypeError(f"X must be a real floating-point tensor (or integer token ids), got dtype {X.dtype}")
    if not X.is_floating_point():
        if not _embeds(model):
            raise TypeError(
                f"X must be a floating-point tensor, got dtype {X.dtype}; integer X (token ids) is "
                "only accepted by a model with an nn.Embedding, and this model has none"
            )
    elif floating and X.dtype not in {p.dtype for p in floating}:
        raise TypeError(
            f"X has dtype {X.dtype} but the model's parameters are {floating[0].dtype}; "
            f"X is not converted: pass X.to({floating[0].dtype}) or convert the model"
        )
    if floating and not floating[0].is_meta and X.device != floating[0].device:
        raise ValueError(
            f"X is on {X.device} but the model's parameters are on {floating[0].device}; "
            f"move one of them, e.g. X.to('{floating[0].device}')"
        )
    if finite and X.is_floating_point() and not bool(torch.isfinite(X).all()):
        nan = int(torch.isnan(X).sum())
        inf = int(torch.isinf(X).sum())
        raise ValueError(
            f"X must be finite, got {nan} NaN and {inf} infinite entries of {X.numel()}; "
            "vgp.diagnose reports a non-finite input as its verdict instead"
        )
    return X


def check_y(X: Tensor, y: object) -> Tensor:
    """``y`` must be a tensor with one target per row of ``X``."""
    if not isinstance(y, Tensor):
        raise TypeError(
            f"y must be a torch.Tensor, got {type(y).__name__}"
            + (" (convert it with torch.from_numpy(y))" if type(y).__module__ == "numpy" else "")
        )
    if y.dim() == 0:
        raise ValueError(
            f"y must have one label per row of X ({X.shape[0]} rows), got a 0-d tensor {y.item()!r}"
        )
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have one label per row of X: X has {X.shape[0]} rows, y has {y.shape[0]}"
        )
    if y.is_floating_point() and not bool(torch.isfinite(y).all()):
        raise ValueError("y must be finite, got NaN or infinite targets")
    return y


def check_inputs(
    model: nn.Module, X: object, y: object, *, finite: bool = True
) -> tuple[Tensor, Tensor]:
    """``model`` has parameters that train; ``X`` and ``y`` are tensors it can take.

    See :func:`trainable_parameters`, :func:`check_X` and :func:`check_y`. The
    width of ``X`` is checked during the forward pass, against the layer that
    really receives it (:class:`InputGuard`).
    """
    trainable_parameters(model)
    X = check_X(model, X, finite=finite)
    return X, check_y(X, y)


_TAKES_INPUT = (nn.Linear, nn.modules.conv._ConvNd, nn.RNNBase, nn.Embedding, nn.EmbeddingBag)


class InputGuard:
    """Forward pre-hooks that check ``X`` against the first layer that receives it.

    The first ``nn.Linear``, convolution, recurrent layer or embedding to run in
    the forward pass is checked, only if its input is ``X`` itself or a view of
    it (same storage): ``X``'s width (channels, features, input size, token ids)
    must be what that layer accepts. A mismatch raises a ``ValueError`` naming
    ``X`` and the layer, before torch would raise its own shape error. The hooks
    are removed on exit.
    """

    def __init__(self, model: nn.Module, X: Tensor) -> None:
        self.X = X
        self.done = False
        self.names = {m: n for n, m in model.named_modules() if isinstance(m, _TAKES_INPUT)}
        self.handles: list = []

    def __enter__(self) -> InputGuard:
        self.handles = [m.register_forward_pre_hook(self._hook) for m in self.names]
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []

    def _hook(self, module: nn.Module, inputs: tuple) -> None:
        if self.done:
            return
        self.done = True
        x = inputs[0] if inputs else None
        if not isinstance(x, Tensor) or x.untyped_storage().data_ptr() != (
            self.X.untyped_storage().data_ptr()
        ):
            return
        problem = _mismatch(module, x)
        if problem:
            name = self.names[module] or type(module).__name__
            raise ValueError(
                f"X {problem} for this model (its first layer to see X is {name!r}: {module}), "
                f"got X of shape {tuple(self.X.shape)}"
            )


def _mismatch(module: nn.Module, x: Tensor) -> str | None:
    """What is wrong with ``x`` as input of ``module``, or ``None``."""
    if isinstance(module, nn.Linear):
        if x.shape[-1] != module.in_features:
            return f"must have {module.in_features} features"
    elif isinstance(module, nn.modules.conv._ConvNd):
        spatial = len(module.kernel_size)
        if x.dim() not in (spatial + 1, spatial + 2):
            return (
                f"must be {spatial + 2}-D (batch, channels, {spatial} spatial) for a "
                f"{spatial}-d convolution"
            )
        if x.shape[-spatial - 1] != module.in_channels:
            return f"must have {module.in_channels} channels (dimension {x.dim() - spatial - 1})"
    elif isinstance(module, nn.RNNBase):
        if x.dim() not in (2, 3):
            return "must be shaped (batch, time, features) for a recurrent layer"
        if x.shape[-1] != module.input_size:
            return f"must have {module.input_size} features per step"
    elif x.is_floating_point():
        return "must hold integer token ids for an embedding"
    elif x.numel() and (int(x.min()) < 0 or int(x.max()) >= module.num_embeddings):
        return (
            f"must hold token ids in 0..{module.num_embeddings - 1}, got ids "
            f"{int(x.min())}..{int(x.max())}"
        )
    return None


def is_finite(value: float | Tensor) -> bool:
    """True if a number or every element of a tensor is finite."""
    if isinstance(value, Tensor):
        return bool(torch.isfinite(value).all())
    return math.isfinite(value)
