"""Activation functions by name, with their analytic derivatives.

Every activation on the site comes from this registry, so a page, a net and a
formula all mean the same function when they say ``"tanh"``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from vgp._checks import check_choice, check_number

ACTIVATIONS: tuple[str, ...] = (
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "identity",
)
"""The names :func:`activation` and :func:`derivative` accept."""

SATURATING: tuple[str, ...] = ("sigmoid", "tanh")
"""Activations bounded on both sides, whose derivative tends to 0 in both tails."""

MAX_SLOPE: dict[str, float] = {
    "sigmoid": 0.25,
    "tanh": 1.0,
    "relu": 1.0,
    "leaky_relu": 1.0,
    "elu": 1.0,
    "selu": 1.0507009873554805 * 1.6732632423543772,
    "gelu": 1.1289,
    "identity": 1.0,
}
"""The largest value of each activation's derivative (SELU: scale x alpha, its slope just left
of 0; GELU: to four places)."""

SATURATION_THRESHOLD = 0.1
"""A unit is saturated where its slope is below this fraction of the activation's
largest slope (for sigmoid: ``sigma'(z) < 0.025``, that is ``|z| > 3.64``)."""

_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


def _kwargs(name: str, kw: dict) -> dict:
    allowed = {"leaky_relu": {"negative_slope"}, "elu": {"alpha"}}.get(name, set())
    for key, value in kw.items():
        if key not in allowed:
            choices = ", ".join(sorted(allowed)) or "none"
            raise TypeError(
                f"activation {name!r} takes no keyword {key!r}; keywords allowed: {choices}"
            )
        check_number(key, value, minimum=0.0)
    return kw


def activation(name: str, **kw: float) -> nn.Module:
    """Return the activation called ``name`` as a fresh ``torch.nn.Module``.

    Parameters
    ----------
    name
        One of :data:`ACTIVATIONS`.
    **kw
        ``negative_slope`` for ``"leaky_relu"`` (default 0.01), ``alpha`` for
        ``"elu"`` (default 1.0).

    Examples
    --------
    >>> import torch, vgp
    >>> vgp.activation("leaky_relu", negative_slope=0.1)(torch.tensor([-2.0, 3.0]))
    tensor([-0.2000,  3.0000])
    >>> vgp.activation("sigmod")
    Traceback (most recent call last):
    ...
    ValueError: unknown activation 'sigmod'; choose one of: sigmoid, tanh, relu, leaky_relu, elu, selu, gelu, identity
    """
    check_choice("activation", name, ACTIVATIONS)
    kw = _kwargs(name, kw)
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "tanh":
        return nn.Tanh()
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(kw.get("negative_slope", 0.01))
    if name == "elu":
        return nn.ELU(kw.get("alpha", 1.0))
    if name == "selu":
        return nn.SELU()
    if name == "gelu":
        return nn.GELU()
    return nn.Identity()


def derivative(name: str, x: Tensor, **kw: float) -> Tensor:
    """The derivative of activation ``name`` at ``x``, from its closed form.

    Autograd is not used here, so the tests can check these formulas against it.
    At the kink of ReLU and leaky ReLU (``x == 0``) the value is PyTorch's
    convention: the left slope.

    Examples
    --------
    >>> import torch, vgp
    >>> vgp.derivative("sigmoid", torch.tensor([0.0, 5.0]))
    tensor([0.2500, 0.0066])
    >>> vgp.derivative("tanh", torch.tensor([0.0]))
    tensor([1.])
    """
    check_choice("activation", name, ACTIVATIONS)
    kw = _kwargs(name, kw)
    if not isinstance(x, Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if name == "sigmoid":
        s = torch.sigmoid(x)
        return s * (1 - s)
    if name == "tanh":
        return 1 - torch.tanh(x) ** 2
    if name == "relu":
        return (x > 0).to(x.dtype)
    if name == "leaky_relu":
        slope = kw.get("negative_slope", 0.01)
        return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, slope))
    if name == "elu":
        alpha = kw.get("alpha", 1.0)
        return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x))
    if name == "selu":
        return _SELU_SCALE * torch.where(x > 0, torch.ones_like(x), _SELU_ALPHA * torch.exp(x))
    if name == "gelu":
        cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
        pdf = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
        return cdf + x * pdf
    return torch.ones_like(x)


def saturated(name: str, z: Tensor, threshold: float = SATURATION_THRESHOLD) -> Tensor:
    """Boolean mask: where a saturating activation's slope at ``z`` is tiny.

    Only sigmoid and tanh saturate (both tails flat); for every other activation
    the mask is all ``False``. Zero slope of ReLU is a *dead* unit, not a
    saturated one.

    Examples
    --------
    >>> import torch, vgp
    >>> vgp.activations.saturated("sigmoid", torch.tensor([0.0, 3.0, 4.0, -6.0]))
    tensor([False, False,  True,  True])
    """
    check_choice("activation", name, ACTIVATIONS)
    check_number("threshold", threshold, minimum=0.0, maximum=1.0)
    if name not in SATURATING:
        return torch.zeros_like(z, dtype=torch.bool)
    return derivative(name, z) < threshold * MAX_SLOPE[name]


def name_of(module: nn.Module) -> str | None:
    """The registry name of an activation module, or ``None`` if it is not one.

    Examples
    --------
    >>> import torch, vgp
    >>> vgp.activations.name_of(torch.nn.Tanh()), vgp.activations.name_of(torch.nn.Linear(2, 2))
    ('tanh', None)
    """
    for cls, name in _MODULE_NAMES:
        if type(module) is cls:
            return name
    return None


_MODULE_NAMES = (
    (nn.Sigmoid, "sigmoid"),
    (nn.Tanh, "tanh"),
    (nn.ReLU, "relu"),
    (nn.LeakyReLU, "leaky_relu"),
    (nn.ELU, "elu"),
    (nn.SELU, "selu"),
    (nn.GELU, "gelu"),
    (nn.Identity, "identity"),
)


def module_kwargs(module: nn.Module) -> dict[str, float]:
    """The keyword arguments that make :func:`derivative` match ``module``.

    Examples
    --------
    >>> import torch, vgp
    >>> vgp.activations.module_kwargs(torch.nn.LeakyReLU(0.2))
    {'negative_slope': 0.2}
    """
    if isinstance(module, nn.LeakyReLU):
        return {"negative_slope": module.negative_slope}
    if isinstance(module, nn.ELU):
        return {"alpha": module.alpha}
    return {}
