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


# Mean-field theory of signal propagation (Schoenholz et al. 2017). A wide net's
# pre-activations z_l are Gaussian with variance q_l; with weight variance
# sigma_w2 / fan_in and bias variance sigma_b2, q_{l+1} = sigma_w2 E[phi(z_l)^2] +
# sigma_b2, and each layer scales the squared back-propagated gradient by
# chi_1 = sigma_w2 E[phi'(z)^2].

from collections.abc import Callable  # noqa: E402

import torch  # noqa: E402
from torch import Tensor  # noqa: E402

from vgp.activations import activation as make_activation  # noqa: E402
from vgp.activations import derivative  # noqa: E402

_CELLS = 4000
_STEP = 20.0 / _CELLS
_NODES = torch.linspace(-10.0 + _STEP / 2, 10.0 - _STEP / 2, _CELLS, dtype=torch.float64)
_WEIGHTS = torch.exp(-0.5 * _NODES**2)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()
# Midpoint rule on [-10, 10] for the standard normal: no node sits at 0, so the
# kink of ReLU-like activations falls between cells and symmetric sums are exact.

_SIGN_ONLY = ("relu", "leaky_relu", "identity")
"""Activations whose slope depends only on the sign of z: chi_1 does not depend on q."""


def gaussian_expectation(fn: Callable[[Tensor], Tensor], q: float) -> float:
    """``E[fn(z)]`` for ``z ~ N(0, q)``, by the midpoint rule on 4000 cells.

    ``fn`` maps a float64 tensor to a tensor of the same shape.

    Examples
    --------
    >>> import torch, vgp
    >>> print(f"{vgp.theory.gaussian_expectation(torch.square, 2.5):.6f}")
    2.500000
    >>> print(f"{vgp.theory.gaussian_expectation(lambda z: (z > 0).double(), 1.0):.6f}")
    0.500000
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable as fn(tensor), got {type(fn).__name__}")
    q = check_number("q", q, minimum=0.0)
    return float((fn(math.sqrt(q) * _NODES) * _WEIGHTS).sum())


def _second_moment(activation: str, q: float) -> float:
    phi = make_activation(activation)
    return gaussian_expectation(lambda z: phi(z) ** 2, q)


def _slope_moment(activation: str, q: float) -> float:
    return gaussian_expectation(lambda z: derivative(activation, z) ** 2, q)


def _check_variances(activation: str, sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
    check_choice("activation", activation, ACTIVATIONS)
    sigma_w2 = check_number("sigma_w2", sigma_w2, minimum=0.0, strict=True)
    sigma_b2 = check_number("sigma_b2", sigma_b2, minimum=0.0)
    return sigma_w2, sigma_b2


def variance_map(activation: str, q: float, sigma_w2: float, sigma_b2: float = 0.0) -> float:
    """Variance of the next layer's pre-activations: ``sigma_w2 E[phi(z)^2] + sigma_b2``.

    ``z ~ N(0, q)`` is this layer's pre-activation; the weights have variance
    ``sigma_w2 / fan_in`` and the biases ``sigma_b2``. ``E[phi^2]`` is the second
    moment, not the variance, so a sigmoid's non-zero mean counts.

    Examples
    --------
    >>> import vgp
    >>> print(f"{vgp.theory.variance_map('relu', 1.0, sigma_w2=2.0):.4f}")   # He init
    1.0000
    """
    sigma_w2, sigma_b2 = _check_variances(activation, sigma_w2, sigma_b2)
    q = check_number("q", q, minimum=0.0)
    return sigma_w2 * _second_moment(activation, q) + sigma_b2


def _bisect(fn: Callable[[float], float], low: float, high: float) -> float:
    """A root of ``fn`` between ``low`` and ``high``, where its sign changes."""
    f_low = fn(low)
    for _ in range(200):
        middle = 0.5 * (low + high)
        if high - low <= 1e-13 * max(1.0, abs(middle)):
            break
        f_middle = fn(middle)
        if (f_middle > 0) == (f_low > 0):
            low, f_low = middle, f_middle
        else:
            high = middle
    return 0.5 * (low + high)


def fixed_point(activation: str, sigma_w2: float, sigma_b2: float = 0.0) -> float:
    """The stable fixed point ``q*`` of :func:`variance_map`: the variance that
    pre-activations settle at deep in a wide net.

    Raises ``ValueError`` where there is none (the variance grows without bound,
    as for ReLU with ``sigma_w2 > 2``).

    Examples
    --------
    >>> import vgp
    >>> print(f"{vgp.theory.fixed_point('tanh', 1.5, 0.05):.4f}")
    0.4180
    >>> vgp.theory.fixed_point("tanh", 0.5)   # no bias: the signal dies out
    0.0
    """
    sigma_w2, sigma_b2 = _check_variances(activation, sigma_w2, sigma_b2)

    def excess(q: float) -> float:
        return sigma_w2 * _second_moment(activation, q) + sigma_b2 - q

    low = 0.0
    if excess(0.0) <= 0.0:  # q = 0 is a fixed point: phi(0) = 0 and no bias ...
        low = 1e-12
        if excess(low) <= 0.0:
            return 0.0  # ... and a stable one
    high = 1.0
    while excess(high) > 0.0:
        high *= 2.0
        if high > 1e12:
            raise ValueError(
                f"no fixed point for activation={activation!r}, sigma_w2={sigma_w2}, "
                f"sigma_b2={sigma_b2}: the variance grows without bound with depth"
            )
    return _bisect(excess, low, high)


def chi_1(activation: str, sigma_w2: float, sigma_b2: float = 0.0, q: float | None = None) -> float:
    """``chi_1 = sigma_w2 E[phi'(z)^2]``, ``z ~ N(0, q)``: the factor by which one
    layer scales the squared norm of the back-propagated gradient.

    Below 1 gradients vanish with depth (the ordered phase), above 1 they explode
    (the chaotic phase), at 1 the net is critical (Schoenholz et al. 2017). ``q``
    defaults to the fixed point :func:`fixed_point`; for ReLU, leaky ReLU and the
    identity the slope depends only on the sign of ``z``, so ``q`` does not matter.

    Examples
    --------
    >>> import vgp
    >>> vgp.theory.chi_1("relu", sigma_w2=2.0)   # He init is critical
    1.0
    >>> print(f"{vgp.theory.chi_1('sigmoid', sigma_w2=1.0):.4f}")
    0.0557
    """
    sigma_w2, sigma_b2 = _check_variances(activation, sigma_w2, sigma_b2)
    if q is None:
        q = 1.0 if activation in _SIGN_ONLY else fixed_point(activation, sigma_w2, sigma_b2)
    q = check_number("q", q, minimum=0.0)
    return sigma_w2 * _slope_moment(activation, q)


def critical_sigma_w2(activation: str, sigma_b2: float = 0.0) -> float:
    """The weight variance ``sigma_w2`` at which ``chi_1 = 1``: the edge of chaos.

    Raises ``ValueError`` if ``chi_1`` does not cross 1 for ``sigma_w2`` between
    1e-3 and 1e4.

    Examples
    --------
    >>> import vgp
    >>> print(f"{vgp.theory.critical_sigma_w2('tanh', sigma_b2=0.05):.3f}")
    1.761
    >>> print(f"{vgp.theory.critical_sigma_w2('relu'):.3f}")
    2.000
    """
    check_choice("activation", activation, ACTIVATIONS)
    sigma_b2 = check_number("sigma_b2", sigma_b2, minimum=0.0)

    def log_chi(log_sigma_w2: float) -> float:
        return math.log(chi_1(activation, math.exp(log_sigma_w2), sigma_b2))

    low, high = math.log(1e-3), math.log(1e4)
    if log_chi(low) > 0 or log_chi(high) < 0:
        raise ValueError(
            f"chi_1 of {activation!r} with sigma_b2={sigma_b2} does not cross 1 for "
            "sigma_w2 between 1e-3 and 1e4"
        )
    return math.exp(_bisect(log_chi, low, high))


def mean_field_gradients(
    activation: str,
    depth: int,
    sigma_w2: float,
    sigma_b2: float = 0.0,
    q1: float | None = None,
) -> tuple[float, ...]:
    """Predicted ``||dL/dW_l|| / ||dL/dW_out||`` for every weight layer of a wide net.

    The net has ``depth`` hidden layers and one output layer, all with weight
    variance ``sigma_w2 / fan_in`` and bias variance ``sigma_b2``; ``q1`` is the
    variance of the first layer's pre-activations (default: the fixed point).
    Per sample, ``dL/dW_l = delta_l h_{l-1}^T``, so the prediction multiplies the
    backward factors ``chi_1(q_k)`` of the layers above ``l`` by the forward
    second moment ``E[phi(z_{l-1})^2]`` of the layer below it:
    ``(||dL/dW_l|| / ||dL/dW_out||)^2 = prod_{k=l}^{depth} chi_1(q_k)
    E[phi(z_{l-1})^2] / E[phi(z_depth)^2]``.

    Returns ``depth + 1`` numbers, first layer first, the last (the output layer)
    1.0. The first is ``nan``: layer 1's gradient also scales with the norm of
    the input, which is not a property of the net.

    Examples
    --------
    >>> import vgp
    >>> ratios = vgp.theory.mean_field_gradients("sigmoid", depth=3, sigma_w2=1 / 3)
    >>> print(", ".join(f"{r:.3f}" for r in ratios))   # PyTorch's default init
    nan, 0.020, 0.141, 1.000
    """
    sigma_w2, sigma_b2 = _check_variances(activation, sigma_w2, sigma_b2)
    depth = check_int("depth", depth)
    if q1 is None:
        q1 = fixed_point(activation, sigma_w2, sigma_b2)
    q = [check_number("q1", q1, minimum=0.0)]
    for _ in range(depth - 1):
        q.append(sigma_w2 * _second_moment(activation, q[-1]) + sigma_b2)
    moments = [_second_moment(activation, v) for v in q]
    if min(moments) == 0.0:
        raise ValueError(
            f"the signal dies out (q = 0) for activation={activation!r}, q1={q1}: "
            "every gradient below the output layer is 0"
        )
    chis = [sigma_w2 * _slope_moment(activation, v) for v in q]
    ratios = [math.nan]
    for layer in range(2, depth + 1):  # weight layer `layer` reads h_{layer-1}
        backward = math.prod(chis[layer - 1 :])
        ratios.append(math.sqrt(backward * moments[layer - 2] / moments[-1]))
    return (*ratios, 1.0)


def saturated_probability(
    activation: str, std: float, threshold: float = SATURATION_THRESHOLD
) -> float:
    """Probability that ``z ~ N(0, std^2)`` falls outside the good region of a
    saturating activation: ``P(|z| > a) = erfc(a / (std sqrt 2))``, with ``a``
    from :func:`good_region`.

    Examples
    --------
    >>> import vgp
    >>> print(f"{vgp.theory.saturated_probability('tanh', std=1.0):.3f}")
    0.069
    """
    a = good_region(activation, threshold)
    std = check_number("std", std, minimum=0.0, strict=True)
    return math.erfc(a / (std * math.sqrt(2.0)))
