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


def numpy_log_histogram(g: torch.Tensor, bins: int) -> tuple[tuple[int, ...], list[float], int]:
    """Counts and edges of log10 |g| over whole decades, and the zeros, by numpy alone."""
    a = np.abs(g.detach().double().numpy().ravel())
    logs = np.log10(a[a > 0])
    counts, edges = np.histogram(logs, bins=bins, range=(math.floor(logs.min()), math.ceil(logs.max())))
    return tuple(counts.tolist()), edges.tolist(), int((a == 0).sum())


def numpy_histogram(values: torch.Tensor, bins: int, low=None, high=None):
    v = values.detach().double().numpy().ravel()
    low = v.min() if low is None else low
    high = v.max() if high is None else high
    counts, edges = np.histogram(v, bins=bins, range=(low, high))
    return tuple(counts.tolist()), edges.tolist()


def hand_forward(net, X):
    """tanh(fc_i(h)) of every hidden layer and the logits, layer by layer."""
    out, h = [], X
    with torch.no_grad():
        for i in range(1, 5):
            h = torch.tanh(getattr(net, f"fc{i}")(h))
            out.append(h)
        out.append(net.out(h))
    return out


def test_probe_histograms_are_numpys_of_the_values_computed_by_hand() -> None:
    """Every layer's gradient histogram against numpy on autograd's dL/dW, every
    activation histogram against numpy on a forward pass by hand: tanh layers
    over [-1, 1], the logits from their smallest to their largest value."""
    data = vgp.datasets.circles()
    net = vgp.mlp(4, 10, activation="tanh")
    with vgp.Probe(net, bins=20) as probe:
        default_loss(net(data.X_train), data.y_train).backward()
    weights = [m.weight for _, m in vgp.probe.weight_layers(net)]
    grads = torch.autograd.grad(default_loss(net(data.X_train), data.y_train), weights)
    for s, g in zip(probe.stats, grads, strict=True):
        counts, edges, zeros = numpy_log_histogram(g, 20)
        h = s.gradient_histogram
        assert (h.counts, h.zeros, h.total) == (counts, zeros, g.numel())
        assert h.edges == pytest.approx(edges, abs=0)
    values = hand_forward(net, data.X_train)
    for s, v in zip(probe.stats[:-1], values[:-1], strict=True):
        counts, edges = numpy_histogram(v, 20, -1.0, 1.0)
        assert s.activation_histogram.counts == counts
        assert s.activation_histogram.edges == pytest.approx(edges, abs=0)
    counts, edges = numpy_histogram(values[-1], 20)
    assert probe.stats[-1].activation_histogram.counts == counts
    assert probe.stats[-1].activation_histogram.edges == pytest.approx(edges, rel=1e-6)


def test_probe_without_bins_keeps_no_histogram() -> None:
    data = vgp.datasets.circles()
    net = vgp.mlp(2, 4)
    with vgp.Probe(net) as probe:
        default_loss(net(data.X_train), data.y_train).backward()
    assert all(s.activation_histogram is None and s.gradient_histogram is None for s in probe.stats)


def test_forward_only_probe_has_no_gradient_histogram() -> None:
    """Without a backward pass: no gradient histogram, and the ReLU layers'
    activation histograms those of the values by hand."""
    net = vgp.mlp(2, 4)
    X = torch.randn(30, 2, generator=torch.Generator().manual_seed(1))
    with torch.no_grad(), vgp.Probe(net, bins=5) as probe:
        net(X)
    assert all(s.gradient_histogram is None for s in probe.stats)
    with torch.no_grad():
        h1 = torch.relu(net.fc1(X))
        h2 = torch.relu(net.fc2(h1))
    for s, v in zip(probe.stats, [h1, h2, net.out(h2).detach()], strict=True):
        assert s.activation_histogram.counts == numpy_histogram(v, 5)[0]


@pytest.mark.parametrize(("bins", "error"), [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bins_must_be_a_positive_integer(bins, error) -> None:
    with pytest.raises(error, match="bins must be an integer"):
        vgp.Probe(vgp.mlp(2, 4), bins=bins)
