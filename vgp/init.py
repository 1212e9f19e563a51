"""Weight-initialisation schemes by name.

Each scheme sets the weights of every ``nn.Linear`` (and convolution) of a model.
Every scheme but ``"default"`` sets biases to zero; ``"default"`` is PyTorch's own
reset, ``W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` (the "standard" init of
Glorot and Bengio 2010), so its weight variance is ``1 / (3 fan_in)``.

| scheme             | weight distribution                   | variance                |
| ------------------ | ------------------------------------- | ----------------------- |
| ``default``        | U(-1/sqrt(fan_in), +1/sqrt(fan_in))   | 1 / (3 fan_in)          |
| ``normal``         | N(0, gain^2 / fan_in)                 | gain^2 / fan_in         |
| ``xavier_uniform`` | U(-a, a), a = gain sqrt(6/(in+out))   | gain^2 2 / (in + out)   |
| ``xavier_normal``  | N(0, gain^2 2 / (in + out))           | gain^2 2 / (in + out)   |
| ``he_uniform``     | U(-a, a), a = gain sqrt(3/fan_in)     | gain^2 / fan_in         |
| ``he_normal``      | N(0, gain^2 / fan_in)                 | gain^2 / fan_in         |
| ``lecun_normal``   | N(0, 1 / fan_in)                      | 1 / fan_in              |
| ``orthogonal``     | gain * a random orthogonal matrix     | gain^2 / fan_out (rows) |

``gain`` defaults to 1 except for the He schemes, where it is ``sqrt(2)`` (ReLU).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from vgp._checks import check_choice, check_int, check_module, check_number

SCHEMES: tuple[str, ...] = (
    "default",
    "normal",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "lecun_normal",
    "orthogonal",
)
"""The names :func:`initialise` accepts."""

_DEFAULT_GAIN = {"he_uniform": math.sqrt(2.0), "he_normal": math.sqrt(2.0)}


def fans(weight: torch.Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight, counting a convolution's kernel size.

    Examples
    --------
    >>> import torch
    >>> from vgp.init import fans
    >>> fans(torch.nn.Linear(400, 300).weight), fans(torch.nn.Conv2d(3, 8, 5).weight)
    ((400, 300), (75, 200))
    """
    receptive = weight[0][0].numel() if weight.dim() > 2 else 1
    return weight.shape[1] * receptive, weight.shape[0] * receptive


def weight_variance(scheme: str, fan_in: int, fan_out: int, gain: float | None = None) -> float:
    """The variance of one weight under ``scheme``, from the formula.

    Examples
    --------
    >>> from vgp.init import weight_variance
    >>> print(f'{weight_variance("xavier_normal", 100, 100):.4f}')
    0.0100
    >>> print(f'{weight_variance("he_normal", 100, 100):.4f}')
    0.0200
    >>> weight_variance("he_normal", 0, 100)
    Traceback (most recent call last):
    ...
    ValueError: fan_in must be an integer >= 1, got 0
    """
    check_choice("init", scheme, SCHEMES)
    check_int("fan_in", fan_in)
    check_int("fan_out", fan_out)
    check_gain(scheme, gain)
    gain = _DEFAULT_GAIN.get(scheme, 1.0) if gain is None else gain
    g2 = gain**2
    if scheme == "default":
        return 1.0 / (3 * fan_in)
    if scheme in ("xavier_uniform", "xavier_normal"):
        return g2 * 2.0 / (fan_in + fan_out)
    if scheme == "lecun_normal":
        return 1.0 / fan_in
    if scheme == "orthogonal":
        return g2 / max(fan_in, fan_out)
    return g2 / fan_in


def initialise(model: nn.Module, scheme: str = "default", *, gain: float | None = None) -> nn.Module:
    """Re-initialise every linear and convolutional layer of ``model`` in place.

    Draws from PyTorch's global random generator; seed it (or use
    :func:`vgp.mlp`'s ``seed``) for reproducible weights. Returns ``model``.

    Examples
    --------
    >>> import torch, vgp
    >>> layer = vgp.init.initialise(torch.nn.Linear(400, 300), "he_normal").weight
    >>> round(layer.var().item() * 400, 1)   # He: Var[W] = 2 / fan_in
    2.0
    """
    check_module("model", model)
    check_choice("init", scheme, SCHEMES)
    check_gain(scheme, gain)
    for module in model.modules():
        if not isinstance(module, nn.Linear | nn.modules.conv._ConvNd):
            continue
        if scheme == "default":
            module.reset_parameters()
            continue
        _draw(module.weight, scheme, gain)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    return model


def check_gain(scheme: str, gain: float | None) -> None:
    """``gain`` must be positive, and only given to schemes that have one.

    Examples
    --------
    >>> from vgp.init import check_gain
    >>> check_gain("he_normal", 2.0)
    >>> check_gain("lecun_normal", 2.0)
    Traceback (most recent call last):
    ...
    ValueError: init 'lecun_normal' has a fixed scale and takes no gain; got gain=2.0
    """
    if gain is None:
        return
    check_number("gain", gain, minimum=0.0, strict=True)
    if scheme in ("default", "lecun_normal"):
        raise ValueError(f"init {scheme!r} has a fixed scale and takes no gain; got gain={gain}")


@torch.no_grad()
def _draw(weight: torch.Tensor, scheme: str, gain: float | None) -> None:
    fan_in, fan_out = fans(weight)
    if scheme == "orthogonal":
        nn.init.orthogonal_(weight, gain=1.0 if gain is None else gain)
        return
    std = math.sqrt(weight_variance(scheme, fan_in, fan_out, gain))
    if scheme.endswith("uniform"):
        bound = math.sqrt(3.0) * std
        weight.uniform_(-bound, bound)
    else:
        weight.normal_(0.0, std)
