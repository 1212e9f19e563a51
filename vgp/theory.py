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
