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


def chain_rule_bound(
    depth: int, activation: str = "sigmoid", weight_norm: float = 1.0, *, log10: bool = False
) -> float:
    """Upper bound on how much ``depth`` layers can scale a gradient.

    Each layer multiplies the back-propagated gradient by ``W^T diag(phi'(z))``,
    whose spectral norm is at most ``||W|| max phi'``; so after ``depth`` layers
    the factor is at most ``(||W|| max phi')^depth``: ``0.25^depth`` for sigmoid
    with unit-norm weights.

    A bound beyond float64's range (about ``1.8e308``) is returned as ``inf``,
    one below its smallest number as ``0.0``; ``log10=True`` returns
    ``depth * log10(||W|| max phi')`` instead, finite whatever the depth
    (``-inf`` for a zero factor).

    Examples
    --------
    >>> import vgp
    >>> f"{vgp.theory.chain_rule_bound(10, 'sigmoid'):.2e}"
    '9.54e-07'
    >>> vgp.theory.chain_rule_bound(2000, "tanh", 2.0)
    inf
    >>> print(f"{vgp.theory.chain_rule_bound(2000, 'tanh', 2.0, log10=True):.1f}")
    602.1
    """
    depth = check_int("depth", depth, minimum=0)
    weight_norm = check_number("weight_norm", weight_norm, minimum=0.0)
    if not isinstance(log10, bool):
        raise TypeError(f"log10 must be True or False, got {log10!r}")
    factor = weight_norm * max_derivative(activation)
    if log10:
        if depth == 0:
            return 0.0
        return depth * math.log10(factor) if factor > 0 else -math.inf
    try:
        return factor**depth
    except OverflowError:  # float ** raises where float * would give inf
        return math.inf


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
    # sigmoid: sigma (1 - sigma) = t / 4  <=>  sigma = (1 + r) / 2 with r = sqrt(1 - t),
    # so a = log(sigma / (1 - sigma)) = log((1 + r) / (1 - r)); tanh: 1 - tanh^2 = t
    # <=> a = atanh(r), half of that. With 1 - r = t / (1 + r) the logarithm is
    # log((1 + r)^2 / t), which stays finite for a threshold as small as 1e-300.
    r = math.sqrt(1 - threshold)
    log_ratio = 2 * math.log1p(r) - math.log(threshold)
    return log_ratio if activation == "sigmoid" else log_ratio / 2


# ---------------------------------------------------------------------------
# Variance propagation, initialisation and dying ReLU: the closed forms behind
# the pages "ReLU and dying ReLU", "Leaky ReLU and friends" and "Initialisation".

from dataclasses import dataclass  # noqa: E402
from functools import cache  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vgp.activations import activation as _activation_module  # noqa: E402
from vgp.activations import derivative as _derivative  # noqa: E402
from vgp.init import SCHEMES, check_gain, weight_variance  # noqa: E402

_EULER_GAMMA = 0.5772156649015329


def _pointwise(fn, z: torch.Tensor) -> torch.Tensor:
    """``fn(z)``, checked to be a tensor of ``z``'s shape: one value per node.

    A reducing function (``torch.mean``, ``lambda z: z.sum()``) would otherwise
    broadcast its one number against the quadrature weights and return garbage.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable as fn(tensor), got {type(fn).__name__}")
    values = fn(z)
    if not isinstance(values, torch.Tensor):
        raise TypeError(
            "fn must return a tensor of the same shape as its input (one value per point), "
            f"got {type(values).__name__}; for a constant c write torch.full_like(z, c)"
        )
    if values.shape != z.shape:
        raise ValueError(
            "fn must act elementwise, returning a tensor of the same shape as its input: "
            f"given shape {tuple(z.shape)} it returned shape {tuple(values.shape)}"
        )
    return values


@cache
def _legendre_nodes(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


def _gaussian_expectation(fn, variance: float) -> float:
    """``E[fn(z)]`` for ``z ~ N(0, variance)``, by Gauss-Legendre quadrature on
    ``[-10 sd, 0]`` and ``[0, 10 sd]`` (split at 0, where ReLU-like functions
    have their kink, so each half is smooth and the rule converges fast)."""
    if variance == 0:
        return float(fn(torch.zeros(1, dtype=torch.float64))[0])
    sd = math.sqrt(variance)
    x, w = _legendre_nodes()
    half = 5.0 * sd * (x + 1.0)
    weights = 5.0 * sd * w * np.exp(-(half**2) / (2 * variance)) / math.sqrt(2 * math.pi * variance)
    z = torch.from_numpy(np.concatenate([-half, half]))
    return float((fn(z) * torch.from_numpy(np.concatenate([weights, weights]))).sum())


@dataclass(frozen=True)
class GaussianMoments:
    """Moments of an activation of a centred Gaussian pre-activation ``z``.

    Attributes
    ----------
    mean
        ``E[phi(z)]``.
    second_moment
        ``E[phi(z)^2]``: what the next layer's variance is made of.
    slope_second_moment
        ``E[phi'(z)^2]``: what each layer multiplies the backward signal's
        second moment by (besides the weights).
    """

    mean: float
    second_moment: float
    slope_second_moment: float


def gaussian_moments(activation: str, variance: float, **kw: float) -> GaussianMoments:
    r"""Moments of ``phi(z)`` and ``phi'(z)`` for ``z ~ N(0, variance)``.

    Exact for ReLU, leaky ReLU and the identity (for ReLU:
    :math:`E[\phi] = \sigma/\sqrt{2\pi}`, :math:`E[\phi^2] = \sigma^2/2`,
    :math:`E[\phi'^2] = 1/2`); by numerical quadrature for the others.

    Parameters
    ----------
    activation
        One of :data:`vgp.ACTIVATIONS`.
    variance
        Variance of the pre-activation ``z`` (at least 0).
    **kw
        ``negative_slope`` (leaky ReLU) or ``alpha`` (ELU), as for
        :func:`vgp.activation`.

    Examples
    --------
    >>> import vgp
    >>> m = vgp.theory.gaussian_moments("relu", 1.0)
    >>> print(f"{m.mean:.4f} {m.second_moment:.4f} {m.slope_second_moment:.4f}")
    0.3989 0.5000 0.5000
    >>> m = vgp.theory.gaussian_moments("selu", 1.0)   # SELU's fixed point
    >>> print(f"{m.mean:.4f} {m.second_moment:.4f}")
    0.0000 1.0000
    """
    check_choice("activation", activation, ACTIVATIONS)
    variance = check_number("variance", variance, minimum=0.0)
    module = _activation_module(activation, **kw).double()
    if activation in ("relu", "leaky_relu", "identity"):
        slope = {"relu": 0.0, "identity": 1.0}.get(activation, kw.get("negative_slope", 0.01))
        return GaussianMoments(
            mean=(1 - slope) * math.sqrt(variance / (2 * math.pi)),
            second_moment=(1 + slope**2) * variance / 2,
            slope_second_moment=(1 + slope**2) / 2,
        )
    with torch.no_grad():
        return GaussianMoments(
            mean=_gaussian_expectation(module, variance),
            second_moment=_gaussian_expectation(lambda z: module(z) ** 2, variance),
            slope_second_moment=_gaussian_expectation(
                lambda z: _derivative(activation, z, **kw) ** 2, variance
            ),
        )


def bias_variance(init: str, fan_in: int) -> float:
    """Variance of one bias under ``init``: ``1 / (3 fan_in)`` for PyTorch's
    default ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, 0 for every other scheme
    (they zero the biases).

    Examples
    --------
    >>> import vgp
    >>> print(f"{vgp.theory.bias_variance('default', 100):.5f}")
    0.00333
    >>> vgp.theory.bias_variance("he_normal", 100)
    0.0
    """
    check_choice("init", init, SCHEMES)
    fan_in = check_int("fan_in", fan_in)
    return 1.0 / (3 * fan_in) if init == "default" else 0.0


def he_variance(fan_in: int, negative_slope: float = 0.0) -> float:
    r"""The weight variance that keeps a (leaky) ReLU layer's second moment:
    :math:`2 / ((1 + a^2)\, n_\text{in})` (He et al. 2015, eq. 10 with PReLU slope ``a``).

    Examples
    --------
    >>> import vgp
    >>> vgp.theory.he_variance(100), round(vgp.theory.he_variance(100, negative_slope=1.0), 6)
    (0.02, 0.01)
    """
    fan_in = check_int("fan_in", fan_in)
    a = check_number("negative_slope", negative_slope, minimum=0.0)
    return 2.0 / ((1.0 + a * a) * fan_in)  # a * a: inf past 1e154 where a**2 raises


@dataclass(frozen=True)
class Propagation:
    """Mean-field prediction for a :func:`vgp.mlp` at initialisation, layer by layer.

    Hidden layers are numbered ``1 .. depth``; the output layer is ``depth + 1``.

    Attributes
    ----------
    pre_variance
        ``Var[z_l]`` of each hidden layer's pre-activation.
    mean, second_moment
        ``E[h_l]`` and ``E[h_l^2]`` of each hidden layer's activation.
    backward_second_moment
        ``E[(dL/dz_l)^2]`` for ``l = 1 .. depth + 1``, the last one (the output's)
        being the second moment of the error signal put in at the top.
    grad_norms
        Predicted ``||dL/dW_l||`` for ``l = 1 .. depth + 1`` when the loss is
        ``sum(output * R)`` over a batch of ``batch_size`` independent inputs,
        ``R`` a random error signal.
    """

    pre_variance: tuple[float, ...]
    mean: tuple[float, ...]
    second_moment: tuple[float, ...]
    backward_second_moment: tuple[float, ...]
    grad_norms: tuple[float, ...]


def variance_propagation(
    activation: str,
    init: str,
    depth: int,
    width: int,
    *,
    in_features: int | None = None,
    out_features: int | None = None,
    input_second_moment: float = 1.0,
    output_gradient_second_moment: float = 1.0,
    batch_size: int = 1,
    gain: float | None = None,
    **kw: float,
) -> Propagation:
    r"""Propagate second moments forward and backward through a deep net.

    Forward, each pre-activation is a sum of ``n_in`` independent terms:

    .. math:: \operatorname{Var}[z_\ell] = n_\text{in} \operatorname{Var}[W_\ell]\,
              E[h_{\ell-1}^2] + \operatorname{Var}[b_\ell],
              \qquad E[h_\ell^2] = E[\phi(z_\ell)^2],

    with ``z`` taken as Gaussian. Backward, the error signal
    :math:`\delta_\ell = \partial \mathcal{L} / \partial z_\ell` obeys

    .. math:: E[\delta_\ell^2] = n_\text{out} \operatorname{Var}[W_{\ell+1}]\,
              E[\phi'(z_\ell)^2]\, E[\delta_{\ell+1}^2],

    and, with the backward signal taken independent of the forward one,
    :math:`E\|\partial \mathcal{L}/\partial W_\ell\|^2 = B\, n_\text{out} E[\delta_\ell^2]\,
    n_\text{in} E[h_{\ell-1}^2]` for a batch of ``B`` independent inputs.

    Parameters
    ----------
    activation, init, depth, width, gain
        As for :func:`vgp.mlp`.
    in_features, out_features
        Widths of the input and the output (default: ``width``, a square net).
    input_second_moment
        ``E[x^2]`` of the input (1 for standard normal inputs).
    output_gradient_second_moment
        ``E[(dL/d output)^2]`` of the error signal put in at the top.
    batch_size
        Rows in the batch, for :attr:`Propagation.grad_norms`.
    **kw
        Activation keywords (``negative_slope``, ``alpha``).

    Examples
    --------
    >>> import vgp
    >>> he = vgp.theory.variance_propagation("relu", "he_normal", depth=50, width=100)
    >>> xavier = vgp.theory.variance_propagation("relu", "xavier_normal", depth=50, width=100)
    >>> print(f"E[h^2] at layer 50: He {he.second_moment[-1]:.2f}, "
    ...       f"Xavier {xavier.second_moment[-1]:.1e}")
    E[h^2] at layer 50: He 1.00, Xavier 8.9e-16
    """
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("init", init, SCHEMES)
    check_gain(init, gain)
    depth = check_int("depth", depth)
    width = check_int("width", width)
    n_in = width if in_features is None else check_int("in_features", in_features)
    n_out = width if out_features is None else check_int("out_features", out_features)
    second = check_number("input_second_moment", input_second_moment, minimum=0.0)
    top = check_number("output_gradient_second_moment", output_gradient_second_moment, minimum=0.0)
    batch_size = check_int("batch_size", batch_size)

    fans = [(n_in, width)] + [(width, width)] * (depth - 1) + [(width, n_out)]
    w_var = [weight_variance(init, a, b, gain) for a, b in fans]
    b_var = [bias_variance(init, a) for a, _ in fans]

    inputs, q, means, moments, slopes = [second], [], [], [], []
    for layer in range(depth):
        fan_in = fans[layer][0]
        q.append(fan_in * w_var[layer] * inputs[-1] + b_var[layer])
        _check_overflow(q[-1], "pre-activation variance", layer + 1, activation, init, gain)
        m = gaussian_moments(activation, q[-1], **kw)
        means.append(m.mean)
        moments.append(m.second_moment)
        slopes.append(m.slope_second_moment)
        inputs.append(m.second_moment)

    backward = [top]
    for layer in reversed(range(depth)):
        fan_out = fans[layer + 1][1]
        backward.append(fan_out * w_var[layer + 1] * slopes[layer] * backward[-1])
        _check_overflow(backward[-1], "back-propagated second moment", layer + 1, activation, init, gain)
    backward.reverse()

    grads = tuple(
        # two square roots: the product of the four can overflow where the result does not
        math.sqrt(batch_size * fan_out * backward[layer]) * math.sqrt(fan_in * inputs[layer])
        for layer, (fan_in, fan_out) in enumerate(fans)
    )
    return Propagation(tuple(q), tuple(means), tuple(moments), tuple(backward), grads)


def _check_overflow(
    value: float, what: str, layer: int, activation: str, init: str, gain: float | None
) -> None:
    """Raise if a propagated moment left float64's range (it grows without bound)."""
    if not math.isfinite(value):
        raise ValueError(
            f"the {what} overflows float64 at hidden layer {layer} for activation={activation!r}, "
            f"init={init!r}, gain={gain}: it grows without bound with depth; ask for fewer "
            "layers or a smaller gain"
        )


def born_dead_bound(width: int, depth: int) -> float:
    r"""Upper bound on the probability that a ReLU net is *born dead*: a constant
    function of its input at initialisation.

    With weights and biases drawn from continuous distributions symmetric about
    zero, each unit of a layer is inactive at a given input with probability
    1/2, independently of the others, whatever the layer below computed. So at
    any one input a layer of ``width`` units is entirely zero with probability
    :math:`2^{-N}`, and some layer among ``depth`` is with probability
    :math:`1 - (1 - 2^{-N})^{L}`. A net is born dead exactly when some layer is
    zero at *every* input of the domain, which implies it is zero at one, so
    this bounds the probability from above; it is reached as the domain shrinks
    to a point. Lu et al. (2020) prove that the probability tends to 1 as the
    depth grows, at any fixed width.

    Examples
    --------
    >>> import vgp
    >>> print(f"{vgp.theory.born_dead_bound(2, 10):.3f} {vgp.theory.born_dead_bound(10, 50):.3f}")
    0.944 0.048
    >>> print(f"{vgp.theory.born_dead_bound(60, 10):.3e}")   # about 10 / 2**60
    8.674e-18
    """
    width = check_int("width", width)
    depth = check_int("depth", depth, minimum=0)
    # 1 - (1 - p)^L without cancellation: for p = 2^-60, 1 - p rounds to 1.
    return -math.expm1(depth * math.log1p(-(2.0**-width)))


def _digamma_of_half(m: int) -> float:
    """``digamma(m / 2)`` for a positive integer ``m``, from its closed forms (a sum
    of ``m / 2`` terms), or past ``m = 2000`` from the asymptotic series
    ``log x - 1/(2x) - 1/(12x^2) + 1/(120x^4) - 1/(252x^6)``, whose next term is
    below 1e-26 there (the sum would take minutes for a width of 1e9)."""
    if m > 2000:
        x = m / 2
        inv2 = 1.0 / (x * x)
        return math.log(x) - 0.5 / x - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 / 252))
    if m % 2 == 0:
        return -_EULER_GAMMA + sum(1.0 / k for k in range(1, m // 2))
    odd = sum(2.0 / (2 * k - 1) for k in range(1, (m - 1) // 2 + 1))
    return -_EULER_GAMMA - 2 * math.log(2) + odd


def log_condition_rate(width: int) -> float:
    r"""How fast the condition number of a product of Gaussian matrices grows.

    For a product of ``L`` independent ``width x width`` matrices with i.i.d.
    Gaussian entries, the ``i``-th singular value grows like
    :math:`e^{L \mu_i}` with :math:`\mu_i = \tfrac12[\log(2\sigma^2) +
    \psi(\tfrac{n - i + 1}{2})]` (Newman 1986), so
    :math:`\log \kappa \approx L (\mu_1 - \mu_n) = \tfrac{L}{2}[\psi(n/2) - \psi(1/2)]`,
    whatever the weights' scale. Returns that rate, in nats per layer.

    Examples
    --------
    >>> import math, vgp
    >>> rate = vgp.theory.log_condition_rate(128)
    >>> print(f"{rate:.3f} nats, {rate / math.log(10):.2f} decades per layer")
    3.057 nats, 1.33 decades per layer
    """
    width = check_int("width", width)
    return 0.5 * (_digamma_of_half(width) - _digamma_of_half(1))


# --- batch normalisation (chapter "Batch normalisation") -----------------------


def gaussian_mean(fn, *, points: int = 24_000, limit: float = 12.0) -> float:
    """``E[fn(z)]`` for ``z ~ N(0, 1)``, by the midpoint rule on ``[-limit, limit]``.

    ``fn`` maps a float64 tensor to a tensor of the same shape (it must act
    elementwise: a reducing function such as ``torch.mean`` raises
    ``ValueError``). An even number of cells puts ``z = 0`` on a cell boundary,
    so a step at 0 (the slope of ReLU) is integrated exactly.

    Examples
    --------
    >>> import vgp
    >>> round(vgp.theory.gaussian_mean(lambda z: z**2), 6)
    1.0
    """
    points = check_int("points", points, minimum=2)
    limit = check_number("limit", limit, minimum=0.0, strict=True)
    if points % 2:
        points += 1
    h = 2 * limit / points
    z = torch.linspace(-limit + h / 2, limit - h / 2, points, dtype=torch.float64)
    density = torch.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    return float((_pointwise(fn, z) * density).sum() * h)


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


# Mean-field theory of signal propagation (Schoenholz et al. 2017). A wide net's
# pre-activations z_l are Gaussian with variance q_l; with weight variance
# sigma_w2 / fan_in and bias variance sigma_b2, q_{l+1} = sigma_w2 E[phi(z_l)^2] +
# sigma_b2, and each layer scales the squared back-propagated gradient by
# chi_1 = sigma_w2 E[phi'(z)^2].

from collections.abc import Callable  # noqa: E402

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

    ``fn`` maps a float64 tensor to a tensor of the same shape: it must act
    elementwise, and a function that reduces (``torch.mean``) or returns
    something else than a tensor raises ``ValueError`` or ``TypeError``.

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
    return float((_pointwise(fn, math.sqrt(q) * _NODES) * _WEIGHTS).sum())


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
    for layer in range(2, depth + 1):
        q.append(sigma_w2 * _second_moment(activation, q[-1]) + sigma_b2)
        if not math.isfinite(q[-1]):
            raise ValueError(
                f"the pre-activation variance overflows float64 at hidden layer {layer} for "
                f"activation={activation!r}, sigma_w2={sigma_w2}, sigma_b2={sigma_b2}, q1={q1}: "
                "it grows without bound with depth; ask for fewer layers"
            )
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


def through_time_bound(lag: int, weight_norm: float, activation: str = "tanh") -> float:
    r"""Upper bound on how much ``lag`` steps of a recurrent net can scale a gradient.

    For :math:`h_t = \phi(W h_{t-1} + U x_t + b)`, one step back multiplies the
    gradient by :math:`W^\top \operatorname{diag}(\phi'(z_t))`, whose norm is at
    most :math:`\gamma \|W\|`, with :math:`\gamma = \max \phi'` and
    :math:`\|W\|` the largest singular value; so
    :math:`\|\partial h_T / \partial h_t\| \le (\gamma \|W\|)^{T-t}`. Below 1 the
    gradient must vanish with the lag; above 1 it may explode (Pascanu, Mikolov
    and Bengio 2013). It is the chain-rule bound of :func:`chain_rule_bound`
    with one weight matrix shared by every step.

    Examples
    --------
    >>> import vgp
    >>> print(f"{vgp.theory.through_time_bound(50, 0.8):.1e}")   # tanh, ||W|| = 0.8
    1.4e-05
    >>> print(f"{vgp.theory.through_time_bound(50, 1.2):.1e}")
    9.1e+03
    """
    lag = check_int("lag", lag, minimum=0)
    return chain_rule_bound(lag, activation, weight_norm)


def forget_gate_decay(lag: int, forget_bias: float) -> float:
    r"""The factor :math:`\sigma(b_f)^{\text{lag}}` by which an LSTM's cell path
    scales a gradient over ``lag`` steps when every forget gate sits at its bias.

    The cell update :math:`c_t = f_t \odot c_{t-1} + i_t \odot g_t` makes
    :math:`\partial c_T / \partial c_t` along the cell path the product of the
    forget gates :math:`f_{t+1} \cdots f_T` (the paths through the gates and the
    output are left out); with :math:`f = \sigma(b_f)` for each, it is
    :math:`\sigma(b_f)^{T-t}`.

    Examples
    --------
    >>> import vgp
    >>> for b in (0, 1, 3):
    ...     print(f"forget bias {b}: {vgp.theory.forget_gate_decay(50, b):.1e}")
    forget bias 0: 8.9e-16
    forget bias 1: 1.6e-07
    forget bias 3: 8.8e-02
    """
    lag = check_int("lag", lag, minimum=0)
    forget_bias = check_number("forget_bias", forget_bias)
    return (1.0 / (1.0 + math.exp(-forget_bias))) ** lag
