"""vgp.experiments.saturation against the nets' own forward passes and autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import vgp
from vgp.experiments.saturation import activation_curves, glorot_saturation
from vgp.theory import good_region


def test_curves_slopes_are_the_derivatives_of_the_values() -> None:
    curves = activation_curves()
    z = np.array(curves.z)
    for values, slopes in zip(curves.values, curves.slopes, strict=True):
        numeric = np.gradient(np.array(values), z)
        assert np.allclose(numeric[1:-1], np.array(slopes)[1:-1], atol=2e-3)
    assert curves.good_region == pytest.approx((3.6369, 1.8184), abs=1e-4)


@pytest.fixture(scope="module")
def small():
    return glorot_saturation(width=16, epochs=1, every=40, monitor=50, bins=10)


def test_first_record_is_the_untrained_net(small) -> None:
    data = vgp.datasets.digits()
    watched = data.X_test[:50]
    for run in small.runs:
        net = vgp.mlp(4, 16, activation=run.activation, in_features=64, out_features=10)
        h, means, shares = watched, [], []
        with torch.no_grad():
            for k in range(1, 5):
                z = getattr(net, f"fc{k}")(h)
                h = getattr(net, f"act{k}")(z)
                means.append(h.mean().item())
                shares.append((z.abs() > good_region(run.activation)).float().mean().item())
            accuracy = (net(data.X_test).argmax(1) == data.y_test).float().mean().item()
        assert run.act_mean[0] == pytest.approx(means, abs=1e-6)
        assert run.saturated[0] == pytest.approx(shares, abs=1e-6)
        assert run.test_accuracy[0] == pytest.approx(accuracy)


def test_nets_trained_together_train_as_if_alone(small) -> None:
    alone = glorot_saturation(
        activations=("tanh",), width=16, epochs=1, every=40, monitor=50, bins=10
    )
    assert alone.runs[0] == small.run("tanh")


def test_records_and_histograms(small) -> None:
    steps_per_epoch = -(-1203 // 10)
    assert small.steps_per_epoch == steps_per_epoch
    for run in small.runs:
        assert run.steps == (0, 40, 80, 120, steps_per_epoch)
        assert len(run.act_mean) == len(run.act_std) == len(run.saturated) == len(run.steps)
        for h in (*run.initial_histograms, *run.final_histograms):
            assert h.total == 50 * 16 and len(h.counts) == 10
        assert run.initial_histograms != run.final_histograms  # training moved them


def test_run_lookup_and_bad_arguments(small) -> None:
    assert small.run("tanh").activation == "tanh"
    with pytest.raises(ValueError, match="unknown activation 'relu'"):
        small.run("relu")
    with pytest.raises(ValueError, match="index must be a hidden layer from 1 to 4, got 5"):
        small.runs[0].layer(5)
    with pytest.raises(ValueError, match="unknown activation 'relu'; choose one of: sigmoid, tanh"):
        glorot_saturation(activations=("relu",))
    with pytest.raises(ValueError, match="every must be an integer >= 1"):
        glorot_saturation(every=0)
