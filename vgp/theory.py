"""Closed forms: derivative bounds, the chain-rule bound and the good region.

Everything here is a formula, computed without training anything, so the pages
can draw theory beside measurement and the tests can check one against the other.
"""

from __future__ import annotations

import math

from vgp._checks import check_choice, check_int, check_number
from vgp.activations import ACTIVATIONS, MAX_SLOPE, SATURATING, SATURATION_THRESHOLD


def max_derivative(activation: str) -> float:
    """The largest slope of ``activation`` (0.25 for sigmoid, 1 for tanh and ReLU).

    Examples
    --------
    >>> import vgp
    >>> vgp.theory.max_derivative("sigmoid"), vgp.theory.max_derivative("tanh")
    (0.25, 1.0)
    """
    check_choice("activation", activation, ACTIVATIONS)
    return MAX_SLOPE[activation]


def chain_rule_bound(depth: int, activation: str = "sigmoid", weight_norm: float = 1.0) -> float:
    """Upper bound on how much ``depth`` layers can scale a gradient.

    Each layer multiplies the back-propagated gradient by ``W^T diag(phi'(z))``,
    whose spectral norm is at most ``||W|| max phi'``; so after ``depth`` layers
    the factor is at most ``(||W|| max phi')^depth``: ``0.25^depth`` for sigmoid
    with unit-norm weights.

    Examples
    --------
    >>> import vgp
    >>> f"{vgp.theory.chain_rule_bound(10, 'sigmoid'):.2e}"
    '9.54e-07'
    """
    depth = check_int("depth", depth, minimum=0)
    weight_norm = check_number("weight_norm", weight_norm, minimum=0.0)
    return (weight_norm * max_derivative(activation)) ** depth


def good_region(activation: str, threshold: float = SATURATION_THRESHOLD) -> float:
    """Half-width ``a`` of the region ``|z| < a`` where a saturating activation's
    slope is at least ``threshold`` times its largest slope.

    Examples
    --------
    >>> import vgp
    >>> round(vgp.theory.good_region("sigmoid"), 2), round(vgp.theory.good_region("tanh"), 2)
    (3.64, 1.82)
    """
    check_choice("activation", activation, SATURATING)
    threshold = check_number("threshold", threshold, minimum=0.0, maximum=1.0, strict=True)
    if activation == "sigmoid":
        # sigma(1 - sigma) = t / 4  <=>  sigma = (1 + sqrt(1 - t)) / 2
        s = (1 + math.sqrt(1 - threshold)) / 2
        return math.log(s / (1 - s))
    # 1 - tanh^2 = t  <=>  tanh = sqrt(1 - t)
    return math.atanh(math.sqrt(1 - threshold))


# --- batch normalisation (chapter "Batch normalisation") -----------------------


def gaussian_mean(fn, *, points: int = 24_000, limit: float = 12.0) -> float:
    """``E[fn(z)]`` for ``z ~ N(0, 1)``, by the midpoint rule on ``[-limit, limit]``.

    ``fn`` maps a float64 tensor to a tensor of the same shape. An even number
    of cells puts ``z = 0`` on a cell boundary, so a step at 0 (the slope of
    ReLU) is integrated exactly.

    Examples
    --------
    >>> import vgp
    >>> round(vgp.theory.gaussian_mean(lambda z: z**2), 6)
    1.0
    """
    import torch

    points = check_int("points", points, minimum=2)
    limit = check_number("limit", limit, minimum=0.0, strict=True)
    if points % 2:
        points += 1
    h = 2 * limit / points
    z = torch.linspace(-limit + h / 2, limit - h / 2, points, dtype=torch.float64)
    density = torch.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    return float((fn(z) * density).sum() * h)


def batchnorm_gain(activation: str) -> float:
    r"""Growth per layer of the back-propagated gradient in a wide net with batch
    norm before every activation, at initialisation, for large batches:

    .. math:: \lambda = \sqrt{\mathbb{E}[\phi'(z)^2] / \operatorname{Var}[\phi(z)]},
              \quad z \sim \mathcal{N}(0, 1).

    Batch norm divides each pre-activation by its batch standard deviation,
    about :math:`\sigma_w \sqrt{\operatorname{Var}\phi}`, while the weights
    multiply the gradient by :math:`\sigma_w` and the activation by
    :math:`\phi'`: the weight scale cancels and this ratio is left. By the
    Gaussian Poincaré inequality it is at least 1 for every activation, and 1
    only for a linear one: the explosion of Yang et al. (2019). The formula
    treats the samples of a batch as independent; for ReLU it gives Yang et
    al.'s large-batch rate :math:`\lambda^2 = \pi / (\pi - 1)` exactly, while
    for smooth activations the correlations a deep net builds between samples
    make the measured growth larger (about 1.08 per layer for sigmoid).

    Examples
    --------
    >>> import math, vgp
    >>> for name in ["sigmoid", "tanh", "relu", "identity"]:
    ...     print(f"{name:8} {vgp.theory.batchnorm_gain(name):.3f}")
    sigmoid  1.017
    tanh     1.085
    relu     1.211
    identity 1.000
    >>> print(f"{math.sqrt(math.pi / (math.pi - 1)):.3f}")
    1.211
    """
    from vgp.activations import activation as make_activation
    from vgp.activations import derivative

    check_choice("activation", activation, ACTIVATIONS)
    phi = make_activation(activation)
    slope_sq = gaussian_mean(lambda z: derivative(activation, z) ** 2)
    mean = gaussian_mean(phi)
    variance = gaussian_mean(lambda z: (phi(z) - mean) ** 2)
    return math.sqrt(slope_sq / variance)
