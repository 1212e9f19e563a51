"""vgp.experiments.initialisation, checked against autograd, torch's own linear
algebra and direct counts."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp.experiments import initialisation as init


def test_random_signal_loss_backpropagates_the_signal() -> None:
    output = torch.randn(4, 3, requires_grad=True)
    signal = torch.randn(4, 3)
    (grad,) = torch.autograd.grad(init.random_signal_loss(output, signal), output)
    torch.testing.assert_close(grad, signal)


def test_signal_through_depth_matches_autograd_and_a_direct_forward_pass() -> None:
    result = init.signal_through_depth(
        depth=5, width=16, batch_size=8, configs=(("tanh", "xavier_normal"),), seeds=(3,)
    )
    row = result.row("tanh", "xavier_normal")
    net = vgp.mlp(
        5, 16, activation="tanh", init="xavier_normal", in_features=16, out_features=16, seed=3
    )
    generator = torch.Generator().manual_seed(3)
    X, signal = torch.randn(8, 16, generator=generator), torch.randn(8, 16, generator=generator)
    h, moments = X, []
    for i in range(1, 6):
        h = torch.tanh(getattr(net, f"fc{i}")(h))
        moments.append(h.pow(2).mean().item())
    weights = [m.weight for _, m in vgp.probe.weight_layers(net)]
    grads = torch.autograd.grad((net.out(h) * signal).sum(), weights)
    assert row.second_moments[0] == pytest.approx(moments, rel=1e-5)
    assert row.grad_norms[0] == pytest.approx([g.norm().item() for g in grads], rel=1e-5)
    with pytest.raises(ValueError, match="no row for activation='relu'"):
        result.row("relu", "he_normal")


def test_condition_bounds_are_below_the_exact_condition_number() -> None:
    torch.manual_seed(0)
    matrices = [torch.randn(12, 12, dtype=torch.float64) for _ in range(6)]
    bounds = init.log10_condition_bounds(matrices)
    product = torch.eye(12, dtype=torch.float64)
    for matrix, bound in zip(matrices, bounds, strict=True):
        product = matrix @ product
        exact = math.log10(torch.linalg.cond(product).item())
        assert exact - 3 <= bound <= exact + 1e-9


def test_product_conditioning_orthogonal_stays_at_one_gaussian_grows_at_the_rate() -> None:
    result = init.product_conditioning(depth=150, width=16)
    assert max(result.orthogonal) < 1e-4  # float32 weights: orthogonal to about 1e-7
    slope = result.gaussian[-1] / 150
    # the smallest exponent converges slowly: about 10% short after 150 layers
    assert slope == pytest.approx(vgp.theory.log_condition_rate(16) / math.log(10), rel=0.15)


def test_distinct_rows_counts_rows_and_biases() -> None:
    weight = torch.tensor([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]])
    assert init.distinct_rows(weight, torch.tensor([0.0, 0.0, 0.0])) == 1
    assert init.distinct_rows(weight, torch.tensor([0.0, 1.0, 0.0])) == 2


def test_symmetry_zero_init_gets_no_hidden_gradient() -> None:
    result = init.symmetry(depth=2, width=6, epochs=2)
    zeros = result.inits.index("zeros")
    assert result.hidden_grad[zeros] == 0.0
    assert result.distinct_units[zeros] == (1, 1)
    assert result.distinct_units[result.inits.index("he_normal")] == (6, 6)


def test_he_miniature_measures_the_gradients_of_each_init() -> None:
    result = init.he_miniature(depth=3, width=8, epochs=1, seeds=(0, 1))
    data = vgp.datasets.digits()
    for i, name in enumerate(result.inits):
        for k, seed in enumerate(result.seeds):
            net = vgp.mlp(3, 8, init=name, in_features=64, out_features=10, seed=seed)
            norms = vgp.gradient_norms(net, data.X_train[:64], data.y_train[:64])
            assert result.initial_grads[i][k] == pytest.approx((norms[0], norms[-1]))
    # He is trained on every seed (its spread is the point), Xavier on the first
    assert [h.epochs for h in result.runs("he_normal")] == [1, 1]
    assert [h.epochs for h in result.runs("xavier_normal")] == [1]
    with pytest.raises(ValueError, match="unknown init 'orthogonal'"):
        result.runs("orthogonal")


def test_he_miniature_trains_with_clipping_like_vgp_train() -> None:
    result = init.he_miniature(depth=3, width=8, epochs=1, lr=0.5, clip=0.01, seeds=(0,))
    net = vgp.mlp(3, 8, init="he_normal", in_features=64, out_features=10, seed=0)
    data = vgp.datasets.digits()
    expected = vgp.train(
        net, data, optimizer="momentum", lr=0.5, epochs=1, batch_size=128, seed=0, clip=0.01
    )
    assert result.runs("he_normal")[0].train_loss == pytest.approx(expected.train_loss)
