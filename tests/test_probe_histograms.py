"""The histograms of vgp.probe (``Probe(model, bins=...)``) against numpy's and
against the activations and gradients computed directly."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import vgp
from vgp.probe import Histogram, activation_histogram, default_loss, gradient_histogram


def test_activation_histogram_matches_numpy() -> None:
    values = torch.randn(1000, generator=torch.Generator().manual_seed(0))
    h = activation_histogram(values, bins=12)
    counts, edges = np.histogram(values.numpy(), bins=12)
    assert h.counts == tuple(counts.tolist())
    assert h.edges == pytest.approx(edges.tolist(), abs=1e-6)  # float32 vs float64 edges
    assert sum(h.fractions) == pytest.approx(1.0)


def test_bounded_activations_use_their_range() -> None:
    h = activation_histogram(torch.tensor([0.2, 0.3]), bins=4, activation="sigmoid")
    assert h.edges == (0.0, 0.25, 0.5, 0.75, 1.0) and h.counts == (1, 1, 0, 0)
    assert activation_histogram(torch.tensor([0.5]), bins=2, activation="tanh").edges == (
        -1.0,
        0.0,
        1.0,
    )


def test_constant_and_non_finite_values() -> None:
    h = activation_histogram(torch.tensor([2.0, 2.0, math.nan, math.inf]), bins=2)
    assert h.total == 2 and h.edges == (1.5, 2.0, 2.5)


def test_gradient_histogram_bins_log10_and_counts_zeros() -> None:
    g = torch.tensor([[3e-7, 0.0, 2e-3], [0.0, -0.5, 1e-45]])
    h = gradient_histogram(g, bins=5)
    logs = np.log10(np.abs(g.double().numpy()[g.numpy() != 0]))
    counts, edges = np.histogram(
        logs, bins=5, range=(math.floor(logs.min()), math.ceil(logs.max()))
    )
    assert h.counts == tuple(counts.tolist()) and h.edges == pytest.approx(edges.tolist())
    assert h.zeros == 2 and h.total == g.numel()
    assert gradient_histogram(torch.zeros(3), bins=4) == Histogram((), (), 3)


def test_probe_histograms_cover_every_value() -> None:
    data = vgp.datasets.circles()
    net = vgp.mlp(4, 10, activation="tanh")
    with vgp.Probe(net, bins=20) as probe:
        default_loss(net(data.X_train), data.y_train).backward()
    grads = [m.weight.grad for _, m in vgp.probe.weight_layers(net)]
    for s, g in zip(probe.stats, grads, strict=True):
        assert s.gradient_histogram == gradient_histogram(g, 20)
        assert s.gradient_histogram.total == g.numel()
    hidden = [s.activation_histogram for s in probe.stats[:-1]]
    assert all(h.total == len(data.X_train) * 10 and h.edges[0] == -1.0 for h in hidden)
    # the first layer's histogram is that of tanh(fc1(X))
    with torch.no_grad():
        first = torch.tanh(net.fc1(data.X_train))
    assert probe.stats[0].activation_histogram == activation_histogram(first, 20, "tanh")
    assert probe.stats[-1].activation_histogram.total == len(data.X_train)  # the logits


def test_probe_without_bins_keeps_no_histogram() -> None:
    data = vgp.datasets.circles()
    net = vgp.mlp(2, 4)
    with vgp.Probe(net) as probe:
        default_loss(net(data.X_train), data.y_train).backward()
    assert all(s.activation_histogram is None and s.gradient_histogram is None for s in probe.stats)


def test_forward_only_probe_has_no_gradient_histogram() -> None:
    net = vgp.mlp(2, 4)
    with torch.no_grad(), vgp.Probe(net, bins=5) as probe:
        net(torch.zeros(3, 2))
    assert all(s.gradient_histogram is None for s in probe.stats)
    assert all(s.activation_histogram is not None for s in probe.stats)


@pytest.mark.parametrize(("bins", "error"), [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bins_must_be_a_positive_integer(bins, error) -> None:
    with pytest.raises(error, match="bins must be an integer"):
        vgp.Probe(vgp.mlp(2, 4), bins=bins)
