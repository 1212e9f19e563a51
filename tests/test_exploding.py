"""vgp.experiments.exploding, checked against direct computations and vgp.train."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp.experiments import exploding


def test_chi_1_is_sigma_w_squared_times_the_mean_squared_slope() -> None:
    result = exploding.chaos_profiles(depth=8, width=32, sigma_ws=(2.0,), skip=2)
    net = vgp.mlp(8, 32, activation="tanh", init="normal", gain=2.0)
    X = vgp.datasets.circles().X_train
    slopes, h = [], X
    with torch.no_grad():
        for i in range(1, 9):
            z = getattr(net, f"fc{i}")(h)
            slopes.append((1 - torch.tanh(z) ** 2).pow(2).mean().item())
            h = torch.tanh(z)
    assert result.chi_1[0] == pytest.approx(4.0 * sum(slopes) / len(slopes), rel=1e-5)
    norms = vgp.gradient_norms(net, X, vgp.datasets.circles().y_train)
    assert result.norms[0] == pytest.approx(norms)
    assert result.growth[0] == pytest.approx((norms[2] / norms[6]) ** (1 / 4))


def test_measured_growth_follows_chi_1_on_a_wide_net() -> None:
    # mean-field theory (Schoenholz et al. 2017): the squared gradient norm grows by chi_1
    result = exploding.chaos_profiles(depth=20, width=200, sigma_ws=(1.5, 2.5), skip=4)
    for chi, growth in zip(result.chi_1, result.growth, strict=True):
        assert chi > 1
        assert growth == pytest.approx(math.sqrt(chi), rel=0.05)


def test_clipping_runs_match_vgp_train_and_clipping_keeps_them_finite() -> None:
    result = exploding.clipping(depth=6, width=16, steps=12)
    assert result.runs == exploding.RUNS
    data = vgp.datasets.moons()
    net = vgp.mlp(6, 16, init="normal", gain=2.0)
    history = vgp.train(net, data, lr=0.05, epochs=12, batch_size=len(data.X_train))
    assert result.loss[0] == pytest.approx(history.train_loss[1:], nan_ok=True)
    assert result.nonfinite_step[0] == history.nonfinite_epoch
    grads = [math.sqrt(sum(g * g for g in row)) for row in history.grad_norms[1:]]
    assert result.grad_norm[0] == pytest.approx(grads, nan_ok=True)
    assert result.nonfinite_step[1] is None and result.nonfinite_step[2] is None
    assert all(math.isfinite(x) for x in result.loss[1])


def test_bad_arguments_name_the_argument() -> None:
    with pytest.raises(ValueError, match="skip must be below depth / 2"):
        exploding.chaos_profiles(depth=4, skip=2)
    with pytest.raises(ValueError, match="sigma_w must be > 0.0"):
        exploding.chaos_profiles(sigma_ws=(-1.0,))
    with pytest.raises(ValueError, match="gain must be > 0.0"):
        exploding.clipping(gain=0.0)
