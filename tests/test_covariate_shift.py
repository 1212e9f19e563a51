"""vgp.experiments.covariate_shift: the noisy batch norm and the Ioffe-Szegedy miniature."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp.experiments import covariate_shift
from vgp.experiments.covariate_shift import NoisyBatchNorm, noisy_mlp
from vgp.nets import BatchNorm


def test_noisy_output_is_a_shifted_and_scaled_normalisation() -> None:
    bn = NoisyBatchNorm(6, shift=0.7, scale=3.0, eps=1e-12, seed=1)
    x = 5 * torch.randn(200, 6) + 2
    y = bn(x).detach()
    # with gamma = 1 and beta = 0 the batch mean of unit j is its shift m_j and its
    # (biased) std its scale s_j
    mean, std = y.mean(dim=0), y.std(dim=0, unbiased=False)
    assert (mean.abs() <= 0.7 + 1e-5).all()
    assert ((std >= 1 / 3.0 - 1e-5) & (std <= 3.0 + 1e-5)).all()
    x_hat = BatchNorm(6, eps=1e-12)(x).detach()
    torch.testing.assert_close(y, std * x_hat + mean, atol=1e-4, rtol=0)


def test_noise_changes_every_step_and_follows_the_seed() -> None:
    x = torch.randn(50, 4)
    a, b = NoisyBatchNorm(4, seed=3), NoisyBatchNorm(4, seed=3)
    first, second = a(x).detach(), a(x).detach()
    assert not torch.allclose(first, second)
    torch.testing.assert_close(b(x).detach(), first)


def test_no_noise_in_evaluation_mode() -> None:
    noisy, plain = NoisyBatchNorm(4), BatchNorm(4)
    x = torch.randn(30, 4)
    noisy(x), plain(x)  # the running statistics do not depend on the noise
    torch.testing.assert_close(noisy.running_mean, plain.running_mean)
    noisy.eval(), plain.eval()
    torch.testing.assert_close(noisy(x), plain(x))


def test_noisy_mlp_has_the_weights_of_the_batch_norm_mlp() -> None:
    noisy = noisy_mlp(3, 8, activation="sigmoid", seed=2)
    batch = vgp.mlp(3, 8, activation="sigmoid", norm="batch", seed=2)
    assert all(isinstance(getattr(noisy, f"bn{i}"), NoisyBatchNorm) for i in (1, 2, 3))
    for (name, p), (_, q) in zip(noisy.named_parameters(), batch.named_parameters(), strict=True):
        assert torch.equal(p, q), name


def test_running_statistics_frozen_inside_the_context() -> None:
    net = vgp.mlp(2, 5, norm="batch")
    before = [b.clone() for b in net.buffers()]
    with covariate_shift._running_stats_frozen(net):
        net(torch.randn(20, 2))
    for b, saved in zip(net.buffers(), before, strict=True):
        torch.testing.assert_close(b, saved)
    net(torch.randn(20, 2))
    assert not torch.equal(next(net.buffers()), before[0])


def test_percentiles_at_step_zero_are_those_of_the_untrained_net() -> None:
    result = covariate_shift.covariate_shift(steps=4, every=2, width=10, depth=2, lr=0.1)
    assert result.steps == (0, 2, 4)
    data = vgp.datasets.digits()
    net = vgp.mlp(
        2, 10, activation="sigmoid", init="normal", gain=2.0, in_features=64, out_features=10
    )
    with torch.no_grad():
        z = net.fc2(torch.sigmoid(net.fc1(data.X_test)))[:, 0]
    expected = [torch.quantile(z, q / 100).item() for q in covariate_shift.PERCENTILES]
    assert result.percentiles[0][0] == pytest.approx(expected, rel=1e-5)
    accuracy = (net(data.X_test).argmax(dim=-1) == data.y_test).float().mean().item()
    assert result.accuracy[0][0] == pytest.approx(accuracy)
    for rows in result.percentiles:
        assert all(a <= b <= c for a, b, c in rows)


def test_median_drift_and_steps_to() -> None:
    result = covariate_shift.CovariateShift(
        variants=("plain",),
        steps=(0, 10, 20),
        accuracy=((0.1, 0.5, 0.9),),
        percentiles=(((0, 1.0, 2), (0, 3.0, 4), (0, 2.0, 4)),),
        unit=0,
        lr=0.1,
        batch_size=2,
    )
    assert result.median_drift("plain") == pytest.approx(1.5)
    assert result.steps_to("plain", 0.5) == 10
    assert result.steps_to("plain", 0.95) is None
    with pytest.raises(ValueError, match="unknown variant 'noisy'; choose one of: plain"):
        result.final_accuracy("noisy")


def test_bad_arguments_name_the_argument() -> None:
    with pytest.raises(ValueError, match="unit must be below width=100, got 100"):
        covariate_shift.covariate_shift(unit=100)
    with pytest.raises(ValueError, match="unknown variant 'layer'"):
        covariate_shift.covariate_shift(variants=("layer",))
    with pytest.raises(ValueError, match="scale must be >= 1.0"):
        NoisyBatchNorm(3, scale=0.5)
    with pytest.raises(ValueError, match="shift must be >= 0.0"):
        NoisyBatchNorm(3, shift=-1.0)


def test_noisy_scale_is_log_uniform_within_its_range() -> None:
    bn = NoisyBatchNorm(10_000, shift=0.0, scale=2.0, eps=1e-12, seed=0)
    std = bn(torch.randn(3, 10_000)).detach().std(dim=0, unbiased=False)
    logs = torch.log(std)
    assert logs.min() >= -math.log(2) - 1e-4 and logs.max() <= math.log(2) + 1e-4
    assert logs.mean().abs() < 0.02
