"""vgp.experiments.diagnosing: bounds that the update rules impose, and direct counts."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from _reference import train_like_vgp

import vgp
from vgp.experiments.diagnosing import layer_histograms, one_epoch, symptoms
from vgp.probe import default_loss, weight_layers

STEPS = math.ceil(670 / 32)  # steps in one epoch of circles at batch size 32


def test_sgd_change_is_bounded_by_the_recorded_gradients() -> None:
    """|W_end - W_start| <= lr * sum of the step gradients, entry by entry; the
    recorded norms are means over the epoch's steps."""
    result = one_epoch()
    row = result.row("sgd")
    lr = dict(result.optimizers)["sgd"]
    for grad, change in zip(result.grad_norms[row], result.mean_change[row], strict=True):
        assert change <= lr * STEPS * grad * (1 + 1e-3) + 1e-7


def test_adam_change_is_bounded_by_its_step_size() -> None:
    """Adam moves an entry by at most about lr (1 - beta1) / sqrt(1 - beta2) per step."""
    result = one_epoch()
    lr = dict(result.optimizers)["adam"]
    bound = STEPS * lr * 0.1 / math.sqrt(0.001)
    assert max(result.mean_change[result.row("adam")]) <= bound


def test_both_optimisers_start_from_the_same_weights() -> None:
    result = one_epoch()
    assert result.mean_weight[0] == result.mean_weight[1]
    net = vgp.mlp(11, 10, activation="sigmoid", init="xavier_uniform")
    sizes = [m.weight.abs().mean().item() for _, m in weight_layers(net)]
    assert result.mean_weight[0] == pytest.approx(sizes)


def test_symptoms_histories_are_sgd_with_momentum_by_hand() -> None:
    """Each history against the documented run written out with torch.optim.SGD
    (momentum 0.9, lr 0.02, batches of 128 on the seed's digits)."""
    result = symptoms(epochs=2, depth=3, width=8)
    assert result.labels == ("sigmoid, default init", "relu, he_normal init")
    data = vgp.datasets.digits(0)
    for (activation, init), history in zip(result.configs, result.histories, strict=True):
        net = vgp.mlp(3, 8, activation=activation, init=init, in_features=64, out_features=10)
        ref = train_like_vgp(net, data, optimizer_name="momentum", lr=0.02, epochs=2,
                             batch_size=128, seed=0)
        assert history.layer_names == ("fc1", "fc2", "fc3", "out")
        assert history.train_loss == pytest.approx(ref.train_loss, rel=1e-5)
        assert history.test_accuracy == pytest.approx(ref.test_accuracy, abs=1e-6)
        assert result.history(activation) is history
    with pytest.raises(ValueError, match="unknown activation 'tanh'"):
        result.history("tanh")


def test_layer_histograms_are_those_of_the_net() -> None:
    result = layer_histograms(depth=3, width=8, bins=12)
    data = vgp.datasets.digits()
    net = vgp.mlp(3, 8, activation="sigmoid", in_features=64, out_features=10)
    grads = torch.autograd.grad(
        default_loss(net(data.X_train), data.y_train), [m.weight for _, m in weight_layers(net)]
    )
    for h, g in zip(result.gradients[0], grads, strict=True):
        nonzero = g.abs()[g != 0].double()
        assert h.zeros == int((g == 0).sum()) and h.total == g.numel()
        assert h.edges[0] == math.floor(np.log10(nonzero.min().item()))
        assert h.edges[-1] == math.ceil(np.log10(nonzero.max().item()))
    assert all(h.total == len(data.X_train) * 8 for h in result.activations[0][:-1])


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        one_epoch(optimizers=(("lbfgs", 0.1),))
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        one_epoch(init="glorot")
    with pytest.raises(ValueError, match="lr must be > 0.0"):
        symptoms(lr=-1.0)
