"""vgp.theory's variance propagation, born-dead bound and product conditioning,
checked against samples through torch's own layers, autograd and scipy."""

from __future__ import annotations

import math

import pytest
import torch
from scipy.special import digamma
from torch import nn

import vgp
from vgp import theory

TORCH_MODULES = {
    "relu": nn.ReLU(),
    "leaky_relu": nn.LeakyReLU(0.01),
    "elu": nn.ELU(),
    "selu": nn.SELU(),
    "gelu": nn.GELU(),
    "tanh": nn.Tanh(),
    "sigmoid": nn.Sigmoid(),
    "identity": nn.Identity(),
}


def sampled(module: nn.Module, variance: float, n: int = 100_000) -> tuple[float, float, float]:
    """E[phi], E[phi^2] and E[phi'^2] over a stratified sample of N(0, variance)
    (one point at the middle quantile of each of n equally likely strata), the
    slope by autograd: far more accurate than n random draws, and not the
    quadrature vgp.theory uses."""
    quantiles = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    z = (torch.special.ndtri(quantiles) * variance**0.5).requires_grad_()
    h = module(z)
    (slope,) = torch.autograd.grad(h.sum(), z)
    return h.mean().item(), h.pow(2).mean().item(), slope.pow(2).mean().item()


@pytest.mark.parametrize("name", sorted(TORCH_MODULES))
@pytest.mark.parametrize("variance", [0.3, 2.0])
def test_gaussian_moments_match_a_stratified_sample(name: str, variance: float) -> None:
    moments = theory.gaussian_moments(name, variance)
    mean, second, slope = sampled(TORCH_MODULES[name], variance)
    scale = math.sqrt(second)
    assert moments.mean == pytest.approx(mean, abs=5e-3 * scale)
    assert moments.second_moment == pytest.approx(second, rel=5e-3)
    assert moments.slope_second_moment == pytest.approx(slope, rel=5e-3)


def test_relu_moments_are_the_closed_forms() -> None:
    m = theory.gaussian_moments("relu", 4.0)
    assert (m.mean, m.second_moment, m.slope_second_moment) == pytest.approx(
        (2 / math.sqrt(2 * math.pi), 2.0, 0.5)
    )


def test_leaky_slope_enters_the_moments() -> None:
    m = theory.gaussian_moments("leaky_relu", 1.0, negative_slope=0.5)
    mean, second, slope = sampled(nn.LeakyReLU(0.5), 1.0)
    assert m.mean == pytest.approx(mean, abs=5e-3)
    assert (m.second_moment, m.slope_second_moment) == pytest.approx((second, slope), rel=5e-3)


def test_selu_fixed_point_is_mean_zero_variance_one() -> None:
    """Klambauer et al. (2017) chose SELU's constants so that N(0, 1) maps to mean 0, variance 1."""
    m = theory.gaussian_moments("selu", 1.0)
    assert m.mean == pytest.approx(0.0, abs=1e-6)
    assert m.second_moment == pytest.approx(1.0, abs=1e-6)


def test_bias_variance_matches_torch_default_linear() -> None:
    torch.manual_seed(0)
    biases = torch.cat([nn.Linear(50, 200).bias.detach() for _ in range(200)])
    assert biases.var().item() == pytest.approx(theory.bias_variance("default", 50), rel=0.02)
    assert theory.bias_variance("xavier_normal", 50) == 0.0


def test_he_variance_preserves_second_moment_of_leaky_relu() -> None:
    torch.manual_seed(0)
    n, slope = 400, 0.3
    x = torch.randn(2000, n)
    std = math.sqrt(theory.he_variance(n, negative_slope=slope))
    z = x @ (torch.randn(n, n) * std).T
    z_next = nn.functional.leaky_relu(z, slope) @ (torch.randn(n, n) * std).T
    assert z_next.pow(2).mean().item() == pytest.approx(z.pow(2).mean().item(), rel=0.05)
    assert theory.he_variance(n) == pytest.approx(vgp.init.weight_variance("he_normal", n, n))


def measured_propagation(activation: str, init: str, depth: int, width: int, seeds: int = 4):
    """E[h^2] per hidden layer and ||dL/dW|| per weight layer, averaged over seeds,
    from torch's forward pass and autograd with a random error signal."""
    moments = torch.zeros(depth)
    grads = torch.zeros(depth + 1)
    for seed in range(seeds):
        net = vgp.mlp(
            depth,
            width,
            activation=activation,
            init=init,
            in_features=width,
            out_features=width,
            seed=seed,
        )
        generator = torch.Generator().manual_seed(100 + seed)
        x = torch.randn(16, width, generator=generator)
        signal = torch.randn(16, width, generator=generator)
        h, hidden = x, []
        for module in net:
            h = module(h)
            if not isinstance(module, nn.Linear):
                hidden.append(h.detach().pow(2).mean())
        weights = [m.weight for m in net if isinstance(m, nn.Linear)]
        g = torch.autograd.grad((h * signal).sum(), weights)
        moments += torch.stack(hidden) / seeds
        grads += torch.stack([t.norm() for t in g]).log() / seeds
    return moments, grads.exp()


@pytest.mark.parametrize(
    ("activation", "init"),
    [("relu", "he_normal"), ("relu", "default"), ("tanh", "xavier_normal"), ("tanh", "he_normal")],
)
def test_variance_propagation_predicts_a_wide_net(activation: str, init: str) -> None:
    depth, width = 6, 400
    predicted = theory.variance_propagation(activation, init, depth, width, batch_size=16)
    moments, grads = measured_propagation(activation, init, depth, width)
    assert moments.tolist() == pytest.approx(predicted.second_moment, rel=0.15)
    assert grads.tolist() == pytest.approx(predicted.grad_norms, rel=0.2)


def test_variance_propagation_xavier_relu_halves_every_layer() -> None:
    p = theory.variance_propagation("relu", "xavier_normal", depth=10, width=64)
    ratios = [b / a for a, b in zip(p.second_moment, p.second_moment[1:], strict=False)]
    assert ratios == pytest.approx([0.5] * 9)
    assert p.backward_second_moment[-1] == 1.0


def test_variance_propagation_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown init 'kaiming'"):
        theory.variance_propagation("relu", "kaiming", 3, 4)
    with pytest.raises(ValueError, match="depth must be an integer >= 1, got 0"):
        theory.variance_propagation("relu", "he_normal", 0, 4)
    with pytest.raises(ValueError, match="variance must be >= 0.0"):
        theory.gaussian_moments("relu", -1.0)


def test_born_dead_bound_is_exact_at_a_single_input() -> None:
    """At one input, the share of default-init nets with an all-zero layer is the bound.

    The nets are drawn as torch's nn.Linear draws them, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    for weights and biases, all at once."""
    width, depth, nets = 2, 4, 20_000
    generator = torch.Generator().manual_seed(0)

    def uniform(*shape: int, fan_in: int) -> torch.Tensor:
        return (torch.rand(nets, *shape, generator=generator) * 2 - 1) / math.sqrt(fan_in)

    h = torch.ones(nets, 1)
    zero = torch.zeros(nets, dtype=torch.bool)
    for layer in range(depth):
        fan_in = 1 if layer == 0 else width
        weight, bias = uniform(width, fan_in, fan_in=fan_in), uniform(width, fan_in=fan_in)
        h = torch.relu(torch.einsum("noi,ni->no", weight, h) + bias)
        zero |= ~h.any(dim=1)
    dead = zero.sum().item()
    p = theory.born_dead_bound(width, depth)
    assert dead / nets == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / nets))


def test_born_dead_bound_limits() -> None:
    assert theory.born_dead_bound(3, 0) == 0.0
    assert theory.born_dead_bound(1, 1) == 0.5
    assert theory.born_dead_bound(2, 200) == pytest.approx(1.0)


@pytest.mark.parametrize("width", [1, 2, 3, 10, 128, 129, 2000, 2001, 2002, 10**6, 10**9 + 1])
def test_log_condition_rate_matches_scipy_digamma(width: int) -> None:
    """Exact closed forms up to 2000, the asymptotic series above (a width of 1e9
    took a minute of summing before)."""
    expected = 0.5 * (digamma(width / 2) - digamma(0.5))
    assert theory.log_condition_rate(width) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_log_condition_rate_matches_the_growth_of_a_gaussian_product() -> None:
    torch.manual_seed(0)
    n, depth = 16, 200
    q, log_diag = torch.eye(n, dtype=torch.float64), torch.zeros(n, dtype=torch.float64)
    for _ in range(depth):
        q, r = torch.linalg.qr(torch.randn(n, n, dtype=torch.float64) @ q)
        log_diag += torch.diagonal(r).abs().log()
    measured = (log_diag.max() - log_diag.min()).item() / depth
    assert measured == pytest.approx(theory.log_condition_rate(n), rel=0.1)
