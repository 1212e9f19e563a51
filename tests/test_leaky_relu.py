"""vgp.experiments.leaky_relu, checked against autograd, direct forward passes and
vgp.theory's own prediction function."""

from __future__ import annotations

import pytest
import torch
from _reference import train_like_vgp

import vgp
from vgp.experiments import leaky_relu


def test_activation_curves_slopes_are_the_autograd_derivatives() -> None:
    curves = leaky_relu.activation_curves(lo=-3.0, hi=2.0, points=51)
    x = torch.tensor(curves.x, dtype=torch.float64, requires_grad=True)
    for (name, _), values, slopes in zip(leaky_relu.FRIENDS, curves.values, curves.slopes, strict=True):
        kw = {"negative_slope": leaky_relu.CURVE_SLOPE} if name == "leaky_relu" else {}
        y = vgp.activation(name, **kw)(x)
        (grad,) = torch.autograd.grad(y.sum(), x)
        assert values == pytest.approx(y.tolist())
        assert slopes == pytest.approx(grad.tolist(), abs=1e-12)


def test_activation_curves_reject_an_empty_range() -> None:
    with pytest.raises(ValueError, match="hi must be greater than lo, got lo=1.0, hi=0.0"):
        leaky_relu.activation_curves(lo=1.0, hi=0.0)


def test_forward_statistics_match_a_direct_forward_pass() -> None:
    configs = (("elu", "he_normal", 1.0), ("selu", "lecun_normal", 4.0))
    stats = leaky_relu.forward_statistics(depth=4, width=16, batch_size=8, configs=configs, seed=2)
    for activation, init, scale in configs:
        row = stats.row(activation, init, scale)
        net = vgp.mlp(4, 16, activation=activation, init=init, in_features=16, seed=2)
        h = torch.randn(8, 16, generator=torch.Generator().manual_seed(2)) * scale**0.5
        means = []
        with torch.no_grad():
            for i in range(1, 5):
                h = getattr(net, f"act{i}")(getattr(net, f"fc{i}")(h))
                means.append(h.mean().item())
        assert row.mean == pytest.approx(means)
        assert row.theory == vgp.theory.variance_propagation(
            activation, init, 4, 16, input_second_moment=scale
        )
    with pytest.raises(ValueError, match="no row for activation='relu'"):
        stats.row("relu", "he_normal")


def test_selu_variance_converges_to_one_from_either_side() -> None:
    """The fixed point of Klambauer et al. (2017), measured on a wide net."""
    configs = (("selu", "lecun_normal", 0.1), ("selu", "lecun_normal", 10.0))
    stats = leaky_relu.forward_statistics(depth=30, width=256, batch_size=64, configs=configs)
    for row in stats.rows:
        assert abs(row.variance[0] - 1) > 0.5
        assert row.variance[-1] == pytest.approx(1.0, abs=0.1)
        assert row.mean[-1] == pytest.approx(0.0, abs=0.05)


def test_training_comparison_is_adam_on_digits_by_hand() -> None:
    """Each history against the documented run written out with torch.optim.Adam
    (lr 4e-3, 2 epochs of batches of 256, the seed's digits split and weights)."""
    configs = (("relu", "he_normal"), ("selu", "lecun_normal"))
    runs = leaky_relu.training_comparison(configs=configs, seeds=(0, 1), depth=2, width=8)
    for (activation, init), row in zip(configs, runs.histories, strict=True):
        assert len(row) == 2
        for seed, history in zip((0, 1), row, strict=True):
            data = vgp.datasets.digits(seed)
            net = vgp.mlp(2, 8, activation=activation, init=init, seed=seed,
                          in_features=64, out_features=10)
            ref = train_like_vgp(net, data, optimizer_name="adam", lr=4e-3, epochs=2,
                                 batch_size=256, seed=seed)
            assert history.train_loss == pytest.approx(ref.train_loss, rel=1e-5)
            assert history.test_accuracy == pytest.approx(ref.test_accuracy, abs=1e-6)
        assert runs.final_accuracies(activation) == tuple(h.test_accuracy[-1] for h in row)
    with pytest.raises(ValueError, match="no runs for activation 'gelu'"):
        runs.final_accuracies("gelu")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        leaky_relu.training_comparison(configs=(("swish", "he_normal"),))
