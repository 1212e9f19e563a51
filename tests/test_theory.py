"""vgp.theory against independent references: scipy's quadrature, closed forms,
Monte Carlo, and the Jacobians of wide random nets taken by autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate, special

from vgp import theory
from vgp.activations import saturated

SMOOTH = {
    "sigmoid": (special.expit, lambda z: special.expit(z) * (1 - special.expit(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
}


def quad_expectation(fn, q: float) -> float:
    """E[fn(z)], z ~ N(0, q), by adaptive quadrature (an independent reference)."""
    if q == 0:
        return float(fn(0.0))
    density = lambda z: math.exp(-z * z / (2 * q)) / math.sqrt(2 * math.pi * q)  # noqa: E731
    scale = 12 * math.sqrt(q)
    return integrate.quad(lambda z: fn(z) * density(z), -scale, scale, points=[0.0], limit=200)[0]


@pytest.mark.parametrize("q", [0.01, 0.5, 1.0, 7.0])
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_gaussian_expectation_matches_quadrature(name: str, q: float) -> None:
    phi, slope = SMOOTH[name]
    got_phi = theory.gaussian_expectation(lambda z: getattr(torch, name)(z) ** 2, q)
    got_slope = theory._slope_moment(name, q)
    assert got_phi == pytest.approx(quad_expectation(lambda z: phi(z) ** 2, q), rel=1e-6)
    assert got_slope == pytest.approx(quad_expectation(lambda z: slope(z) ** 2, q), rel=1e-6)


def test_gaussian_expectation_closed_forms() -> None:
    assert theory.gaussian_expectation(torch.square, 3.0) == pytest.approx(3.0, rel=1e-5)
    assert theory.gaussian_expectation(lambda z: z**4, 2.0) == pytest.approx(3 * 4.0, rel=1e-4)
    relu2 = theory.gaussian_expectation(lambda z: torch.relu(z) ** 2, 2.0)
    assert relu2 == pytest.approx(1.0, rel=1e-5)  # q / 2
    assert theory.gaussian_expectation(lambda z: (z > 0).double(), 5.0) == pytest.approx(
        0.5, abs=1e-12
    )


def test_variance_map_closed_form_for_relu() -> None:
    for q, w2, b2 in [(1.0, 2.0, 0.0), (0.3, 1.5, 0.1), (4.0, 0.5, 0.02)]:
        assert theory.variance_map("relu", q, w2, b2) == pytest.approx(w2 * q / 2 + b2, rel=1e-5)


@pytest.mark.parametrize(
    ("name", "w2", "b2"),
    [("tanh", 1.5, 0.05), ("tanh", 3.0, 0.0), ("sigmoid", 1 / 3, 0.01), ("sigmoid", 4.0, 0.0)],
)
def test_fixed_point_is_the_limit_of_the_variance_map(name: str, w2: float, b2: float) -> None:
    phi, _ = SMOOTH[name]
    q = 1.0
    for _ in range(300):  # iterate the map with quadrature, independently of vgp
        q = w2 * quad_expectation(lambda z: phi(z) ** 2, q) + b2
    assert theory.fixed_point(name, w2, b2) == pytest.approx(q, rel=1e-5)


def test_fixed_point_special_cases() -> None:
    assert theory.fixed_point("tanh", 0.8) == 0.0  # stable at zero without bias
    assert theory.fixed_point("relu", 1.0, 0.1) == pytest.approx(0.1 / (1 - 0.5), rel=1e-6)
    with pytest.raises(ValueError, match="grows without bound"):
        theory.fixed_point("relu", 2.5, 0.1)


def test_chi_1_closed_forms() -> None:
    assert theory.chi_1("relu", 2.0) == pytest.approx(1.0, abs=1e-12)
    assert theory.chi_1("relu", 3.0, 0.5) == pytest.approx(1.5, abs=1e-12)  # no fixed point needed
    assert theory.chi_1("identity", 0.7) == pytest.approx(0.7)
    assert theory.chi_1("tanh", 0.6) == pytest.approx(0.6)  # q* = 0, tanh'(0) = 1
    assert theory.chi_1("sigmoid", 1.0, q=0.0) == pytest.approx(1 / 16)


@pytest.mark.parametrize(("w2", "b2"), [(1.0, 0.05), (1.761, 0.05), (3.0, 0.05)])
def test_chi_1_matches_autograd_on_a_wide_tanh_net(w2: float, b2: float) -> None:
    """Push random vectors back through the Jacobians W^T diag(tanh'(z)) of a wide
    net at its fixed point, with autograd, and compare the squared-norm factor."""
    width, depth = 1500, 6
    generator = torch.Generator().manual_seed(1)
    q_star = theory.fixed_point("tanh", w2, b2)
    h = torch.randn(4, width, generator=generator, dtype=torch.float64)
    h = h * math.sqrt((q_star - b2) / w2)
    h.requires_grad_(True)
    activations = [h]
    for _ in range(depth):
        W = torch.randn(width, width, generator=generator, dtype=torch.float64) * math.sqrt(
            w2 / width
        )
        b = torch.randn(width, generator=generator, dtype=torch.float64) * math.sqrt(b2)
        activations.append(torch.tanh(activations[-1] @ W.T + b))
    v = torch.randn(4, width, generator=generator, dtype=torch.float64)
    (grad,) = torch.autograd.grad(activations[-1], activations[0], v)
    # grad = W_1^T D_1 ... W_d^T D_d v: each pair W^T D scales ||.||^2 by chi_1
    measured = (grad.pow(2).sum() / v.pow(2).sum()).item() ** (1 / depth)
    assert measured == pytest.approx(theory.chi_1("tanh", w2, b2), rel=0.03)


def test_critical_sigma_w2() -> None:
    for name, b2 in [("tanh", 0.05), ("sigmoid", 0.0), ("tanh", 0.2)]:
        assert theory.chi_1(name, theory.critical_sigma_w2(name, b2), b2) == pytest.approx(
            1, abs=1e-6
        )
    assert theory.critical_sigma_w2("relu") == pytest.approx(2.0, rel=1e-9)
    assert theory.critical_sigma_w2("tanh") == pytest.approx(1.0, rel=1e-6)


def test_mean_field_gradients_closed_forms() -> None:
    he = theory.mean_field_gradients("relu", 5, 2.0, q1=1.0)
    assert math.isnan(he[0]) and he[1:] == pytest.approx([1.0] * 5)
    # sigma_w2 = 1, no bias: tanh stays near 0 where tanh' = 1; backward chi = 1
    # exactly at q = 0, so with a tiny q1 every ratio is close to 1
    tiny = theory.mean_field_gradients("tanh", 4, 1.0, q1=1e-8)
    assert tiny[1:] == pytest.approx([1.0] * 4, rel=1e-6)


def test_mean_field_gradients_match_a_wide_net() -> None:
    """RMS over examples of autograd's ||dL/dW_l|| / ||dL/dW_out|| on a wide
    tanh net with Gaussian weights, against the prediction."""
    width, depth, w2, b2 = 800, 6, 2.0, 0.05
    generator = torch.Generator().manual_seed(2)
    layers = []
    for fan_in, fan_out in [(width, width)] * depth + [(width, 1)]:
        W = (
            torch.randn(fan_out, fan_in, generator=generator, dtype=torch.float64)
            * math.sqrt(w2 / fan_in)
        ).requires_grad_(True)
        b = torch.randn(fan_out, generator=generator, dtype=torch.float64) * math.sqrt(b2)
        layers.append((W, b))
    q1 = 0.7
    x = torch.randn(16, width, generator=generator, dtype=torch.float64) * math.sqrt((q1 - b2) / w2)
    squares = torch.zeros(depth + 1, dtype=torch.float64)
    for row in x:
        h = row
        for k, (W, b) in enumerate(layers):
            z = W @ h + b
            h = torch.tanh(z) if k < depth else z
        grads = torch.autograd.grad(h.sum(), [W for W, _ in layers])
        squares += torch.stack([g.pow(2).sum() for g in grads])
    measured = (squares / squares[-1]).sqrt().tolist()
    predicted = theory.mean_field_gradients("tanh", depth, w2, b2, q1=q1)
    assert measured[1:] == pytest.approx(predicted[1:], rel=0.15)


@pytest.mark.parametrize(("name", "std"), [("sigmoid", 3.0), ("tanh", 1.0), ("tanh", 2.5)])
def test_saturated_probability_matches_sampling(name: str, std: float) -> None:
    z = torch.randn(400_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * std
    sampled = saturated(name, z).double().mean().item()
    assert theory.saturated_probability(name, std) == pytest.approx(sampled, abs=3e-3)


def test_good_region_is_where_the_slope_is_a_tenth_of_its_largest() -> None:
    for name, (_, slope) in SMOOTH.items():
        a = theory.good_region(name)
        assert slope(a) == pytest.approx(0.1 * slope(0.0), rel=1e-9)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: theory.chi_1("sigmod", 1.0), ValueError, "unknown activation 'sigmod'"),
        (lambda: theory.chi_1("tanh", -1.0), ValueError, "sigma_w2 must be > 0.0"),
        (lambda: theory.chi_1("tanh", 1.0, sigma_b2=-0.1), ValueError, "sigma_b2 must be >= 0.0"),
        (lambda: theory.chi_1("tanh", "1"), TypeError, "sigma_w2 must be a number"),
        (lambda: theory.variance_map("tanh", -1.0, 1.0), ValueError, "q must be >= 0.0"),
        (lambda: theory.gaussian_expectation(3.0, 1.0), TypeError, "fn must be callable"),
        (lambda: theory.mean_field_gradients("tanh", 0, 1.0), ValueError, "depth must be"),
        (lambda: theory.mean_field_gradients("relu", 3, 1.0), ValueError, "signal dies out"),
        (lambda: theory.saturated_probability("relu", 1.0), ValueError, "unknown activation"),
        (lambda: theory.saturated_probability("tanh", 0.0), ValueError, "std must be > 0.0"),
        (lambda: theory.critical_sigma_w2("relu", sigma_b2=-1), ValueError, "sigma_b2"),
    ],
)
def test_bad_arguments_are_named(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


# --- hostile arguments: past float64's range, reducing functions ---------------


@pytest.mark.parametrize(
    ("depth", "activation", "weight_norm"),
    [(2000, "tanh", 2.0), (10**6, "relu", 1.5), (2000, "sigmoid", 1.0), (7, "tanh", 0.5)],
)
def test_chain_rule_bound_beyond_float_range(depth, activation, weight_norm) -> None:
    """The bound is (||W|| max phi')^depth: inf where that passes float64's range,
    0 where it falls below it, and its log10 exact against mpmath either way."""
    import mpmath

    factor = weight_norm * {"tanh": 1, "relu": 1, "sigmoid": mpmath.mpf("0.25")}[activation]
    exact = mpmath.power(mpmath.mpf(factor), depth)
    bound = theory.chain_rule_bound(depth, activation, weight_norm)
    if exact > mpmath.mpf(np.finfo(np.float64).max):
        assert bound == math.inf
    else:
        assert bound == pytest.approx(float(exact), rel=1e-12, abs=0.0)
    log10 = theory.chain_rule_bound(depth, activation, weight_norm, log10=True)
    assert log10 == pytest.approx(float(mpmath.log10(exact)), rel=1e-12)


def test_chain_rule_bound_log10_edges() -> None:
    assert theory.chain_rule_bound(3, "relu", 0.0, log10=True) == -math.inf
    assert theory.chain_rule_bound(0, "relu", 0.0, log10=True) == 0.0  # 0^0 = 1
    with pytest.raises(TypeError, match="log10 must be True or False"):
        theory.chain_rule_bound(3, "relu", log10="yes")


@pytest.mark.parametrize(
    ("fn", "error", "message"),
    [
        (torch.mean, ValueError, r"act elementwise.*returned shape \(\)"),
        (lambda z: z.sum(), ValueError, "act elementwise"),
        (lambda z: torch.stack([z, z]), ValueError, r"returned shape \(2, "),
        (lambda z: z[:10], ValueError, r"returned shape \(10,\)"),
        (lambda z: 1.0, TypeError, "fn must return a tensor.*got float"),
        (lambda z: z.numpy() ** 2, TypeError, "got ndarray"),
    ],
    ids=["mean", "sum", "stack", "slice", "float", "numpy"],
)
@pytest.mark.parametrize("integral", ["gaussian_expectation", "gaussian_mean"])
def test_expectations_refuse_a_function_that_is_not_elementwise(fn, error, message, integral):
    call = {
        "gaussian_expectation": lambda: theory.gaussian_expectation(fn, 1.0),
        "gaussian_mean": lambda: theory.gaussian_mean(fn),
    }[integral]
    with pytest.raises(error, match=message):
        call()


def test_good_region_for_a_tiny_threshold_matches_mpmath() -> None:
    """sigma'(a) = t/4 and tanh'(a) = t, solved in 50-digit arithmetic."""
    import mpmath

    for t in [1e-300, 1e-12, 0.1, 0.999]:
        with mpmath.workdps(400):  # 1 - 1e-300 must not round to 1
            r = mpmath.sqrt(1 - mpmath.mpf(t))
            sigmoid, tanh = mpmath.log((1 + r) / (1 - r)), mpmath.atanh(r)
            s = 1 / (1 + mpmath.exp(-sigmoid))
            assert s * (1 - s) == pytest.approx(t / 4, rel=1e-12)  # the slope at a is t/4
        assert theory.good_region("sigmoid", t) == pytest.approx(float(sigmoid), rel=1e-12)
        assert theory.good_region("tanh", t) == pytest.approx(float(tanh), rel=1e-12)
    assert theory.good_region("tanh", 1.0) == 0.0


@pytest.mark.parametrize(("width", "depth"), [(60, 10), (30, 1000), (2, 10), (1, 3), (8, 0)])
def test_born_dead_bound_keeps_its_precision(width: int, depth: int) -> None:
    import mpmath

    with mpmath.workdps(50):
        exact = 1 - (1 - mpmath.mpf(2) ** -width) ** depth
    assert theory.born_dead_bound(width, depth) == pytest.approx(float(exact), rel=1e-12, abs=0)


def test_he_variance_with_a_huge_slope_underflows_to_zero() -> None:
    assert theory.he_variance(1, 1e200) == 0.0  # 2 / (1 + 1e400): below float64's range


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: theory.variance_propagation("relu", "he_normal", depth=2000, width=10, gain=3.0),
         "pre-activation variance overflows float64 at hidden layer 472"),
        (lambda: theory.variance_propagation(
            "relu", "he_normal", depth=2000, width=10, gain=3.0, input_second_moment=0.0),
         "back-propagated second moment overflows"),
        (lambda: theory.mean_field_gradients("relu", 3000, sigma_w2=4.0, q1=1.0),
         "pre-activation variance overflows float64 at hidden layer 1020.*sigma_w2=4.0"),
    ],
    ids=["forward", "backward", "mean-field"],
)
def test_moments_that_overflow_are_named(call, message) -> None:
    """He init times gain 3 multiplies ReLU's second moments by 9 per layer; where
    one passes float64's range the message names the layer and the arguments."""
    with pytest.raises(ValueError, match=message):
        call()


def test_gradient_norms_do_not_overflow_before_the_result() -> None:
    """grad_norms is sqrt(B n_out E[delta^2] n_in E[h^2]); its four factors may
    multiply past float64's range while the square root stays far inside it."""
    prop = theory.variance_propagation(
        "relu", "he_normal", depth=3, width=100,
        input_second_moment=1e160, output_gradient_second_moment=1e160,
    )
    expected = [
        exact_root(100, b, 100, h) for b, h in
        zip(prop.backward_second_moment, (1e160, *prop.second_moment), strict=True)
    ]
    assert expected[0] == pytest.approx(1e162, rel=0.1)
    assert all(math.isfinite(g) for g in prop.grad_norms)
    assert list(prop.grad_norms) == pytest.approx(expected, rel=1e-12)


def exact_root(*factors: float) -> float:
    """The square root of a product, in arbitrary precision."""
    import mpmath

    return float(mpmath.sqrt(mpmath.fprod([mpmath.mpf(f) for f in factors])))
