"""Layer norm, RMS norm and the transformer builder in vgp.nets, and
vgp.experiments.normalisation, checked against the formulas and against autograd
on hand-written passes."""

from __future__ import annotations

import pytest
import torch

import vgp
from vgp import plot
from vgp.experiments import normalisation
from vgp.probe import default_loss


@pytest.mark.parametrize("norm", ["layer", "rms"])
def test_mlp_norms_normalise_each_sample_over_its_units(norm):
    net = vgp.mlp(2, 6, norm=norm, activation="identity", seed=3)
    z = net.fc1(torch.randn(5, 2, generator=torch.Generator().manual_seed(0)))
    centred = z - z.mean(dim=1, keepdim=True) if norm == "layer" else z
    by_hand = centred / (centred.pow(2).mean(dim=1, keepdim=True) + 1e-5 * (norm == "layer")).sqrt()
    layer = net.ln1 if norm == "layer" else net.rms1
    assert torch.allclose(layer(z), by_hand, atol=1e-5)


def test_layer_norm_trains_on_one_sample_where_batch_norm_cannot():
    one = torch.randn(1, 2)
    with pytest.raises(ValueError, match="at least 2 samples"):
        vgp.mlp(2, 4, norm="batch")(one)
    for norm in ("layer", "rms"):
        alone = vgp.mlp(2, 4, norm=norm)(one)
        together = vgp.mlp(2, 4, norm=norm)(torch.cat([one, torch.randn(7, 2)]))[:1]
        assert torch.allclose(alone, together, atol=1e-6)  # no sample sees another


def test_norm_position_after_places_every_norm_after_its_activation():
    names = list(dict(vgp.mlp(2, 4, norm="rms", norm_position="after").named_children()))
    assert names == ["fc1", "act1", "rms1", "fc2", "act2", "rms2", "out"]


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_is_torch_encoder_layers_between_embedding_and_read_out(norm_first):
    net = vgp.transformer(3, 8, heads=2, norm_first=norm_first, in_features=3, seed=1)
    x = torch.randn(4, 5, 3)
    h = net.embed(x)
    for layer in net.layers:
        assert isinstance(layer, torch.nn.TransformerEncoderLayer)
        assert layer.norm_first is norm_first
        h = layer(h)
    if norm_first:
        h = torch.nn.functional.layer_norm(h, (8,), net.norm.weight, net.norm.bias)
    assert torch.allclose(net(x), net.out(h.mean(dim=1)), atol=1e-6)
    assert sum(isinstance(m, torch.nn.LayerNorm) for m in net.modules()) == 2 * 3 + norm_first


def test_transformer_seed_gives_the_same_weights_and_leaves_the_callers_random_state():
    torch.manual_seed(5)
    expected = torch.rand(1)
    torch.manual_seed(5)
    a = vgp.transformer(2, 8, heads=2, norm_first=True, seed=7)
    assert torch.rand(1) == expected
    b = vgp.transformer(2, 8, heads=2, norm_first=True, seed=7)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"depth": 0}, ValueError, "depth must be an integer >= 1, got 0"),
        ({"d_model": 10, "heads": 4}, ValueError, "d_model must be a multiple of heads: got d_model=10, heads=4"),
        ({"heads": 0}, ValueError, "heads must be an integer >= 1, got 0"),
        ({"norm_first": "pre"}, TypeError, "norm_first must be True or False, got 'pre'"),
        ({"seed": -1}, ValueError, "seed must be an integer >= 0, got -1"),
        ({"ff_width": 2.5}, TypeError, "ff_width must be an integer, got 2.5"),
    ],
)
def test_transformer_bad_input(kwargs, error, message):
    args = {"depth": 2, "d_model": 8, "heads": 2, "norm_first": False} | kwargs
    with pytest.raises(error, match=message):
        vgp.transformer(**args)


def test_transformer_names_a_wrongly_shaped_input():
    net = vgp.transformer(1, 8, heads=2, norm_first=False, in_features=3)
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, time, 3\), got \(4, 3\)"):
        net(torch.zeros(4, 3))


def _by_hand(depth, norm_first, seed, X, y):
    """Per-layer gradients, stream RMS and stream gradients from .backward() on a
    hand-walked forward pass."""
    net = vgp.transformer(depth, 16, heads=2, norm_first=norm_first, seed=seed, in_features=4)
    h, states = net.embed(X), []
    for layer in net.layers:
        h = layer(h)
        h.retain_grad()
        states.append(h)
    default_loss(net.out(net.norm(h).mean(dim=1)), y).backward()
    layer_grads = [torch.cat([p.grad.reshape(-1) for p in layer.parameters()]).norm().item()
                   for layer in net.layers]
    return (layer_grads, [layer.linear2.weight.grad.norm().item() for layer in net.layers],
            [s.pow(2).mean().sqrt().item() for s in states], [s.grad.norm().item() for s in states])


def test_layer_gradients_match_backward_on_a_hand_walked_pass():
    result = normalisation.layer_gradients(depth=3, d_model=16, heads=2, seeds=2)
    X, y = normalisation.sequences(0)
    for p, norm_first in enumerate((False, True)):
        for seed in range(2):
            grads, _, stream, stream_grads = _by_hand(3, norm_first, seed, X, y)
            assert result.layer_grads[p][seed] == pytest.approx(grads, rel=1e-5)
            assert result.stream_rms[p][seed] == pytest.approx(stream, rel=1e-5)
            assert result.stream_grads[p][seed] == pytest.approx(stream_grads, rel=1e-5)
    # post-norm: every layer ends with a layer norm (gain 1, shift 0), so its output has RMS 1
    assert result.stream_rms[0][0] == pytest.approx([1.0] * 3, abs=1e-4)


def test_last_layer_gradients_match_backward_on_a_hand_walked_pass():
    result = normalisation.last_layer_gradients(depths=(1, 3), d_model=16, heads=2, seeds=2)
    X, y = normalisation.sequences(0)
    for p, norm_first in enumerate((False, True)):
        for seed in range(2):
            for d, depth in enumerate((1, 3)):
                _, w2, stream, _ = _by_hand(depth, norm_first, seed, X, y)
                assert result.w2_grads[p][seed][d] == pytest.approx(w2[-1], rel=1e-5)
                assert result.stream_rms[p][seed][d] == pytest.approx(stream[-1], rel=1e-5)
    typical = result.typical("pre-norm")
    assert result.growth("pre-norm") == pytest.approx(typical[1] / typical[0])


def test_pre_norm_stream_grows_with_depth_and_post_norm_stays_normalised():
    result = normalisation.layer_gradients()
    post, pre = (tuple(normalisation.geometric_mean(list(c)) for c in zip(*rows, strict=True))
                 for rows in result.stream_rms)
    assert post == pytest.approx([1.0] * result.depth, abs=1e-4)
    assert all(a < b for a, b in zip(pre, pre[1:], strict=False))


def test_bad_experiment_arguments_name_the_argument():
    with pytest.raises(ValueError, match="depth must be an integer >= 1, got 0"):
        normalisation.layer_gradients(depth=0)
    with pytest.raises(ValueError, match="depths must be an integer >= 1, got 0"):
        normalisation.last_layer_gradients(depths=(0, 2))
    with pytest.raises(ValueError, match="seeds must be an integer >= 1, got 0"):
        normalisation.last_layer_gradients(seeds=0)


def test_seed_bands_needs_one_ylabel_per_panel():
    with pytest.raises(ValueError, match=r"ylabels must give one label per panel \(1\), got 2"):
        plot.seed_bands({"a": {"s": [[1.0]]}}, x=[1], xlabel="x", ylabels=["y", "z"])


def test_warmup_runs_record_the_loss_of_each_batch_before_its_step():
    constant = normalisation.warmup_runs(True, 0, steps=3, seeds=2, depth=2)
    warm = normalisation.warmup_runs(True, 3, steps=3, seeds=2, depth=2)
    X, y = normalisation.sequences(0, samples=512)
    for seed in range(2):
        net = vgp.transformer(2, 16, heads=2, norm_first=True, seed=seed, in_features=4)
        batch = torch.randint(0, 512, (32,), generator=torch.Generator().manual_seed(seed))
        first = default_loss(net(X[batch]), y[batch]).item()
        assert constant.losses[seed][0] == pytest.approx(first, rel=1e-6)
        assert warm.losses[seed][0] == pytest.approx(first, rel=1e-6)
        assert warm.losses[seed][1] != constant.losses[seed][1]  # a third of the step
    assert len(constant.losses[0]) == 3 and len(constant.test_loss) == 2
    assert constant.early_peak(steps=2) == max(max(row[:2]) for row in constant.losses)
    assert constant.learned(below=10.0) == 2 and constant.learned(below=0.0) == 0


def test_a_tiny_learning_rate_leaves_the_test_loss_of_the_untrained_net():
    runs = normalisation.warmup_runs(False, 0, lr=1e-12, steps=2, seeds=1, depth=1)
    X, y = normalisation.sequences(1, samples=512)
    net = vgp.transformer(1, 16, heads=2, norm_first=False, seed=0, in_features=4)
    with torch.no_grad():
        assert runs.test_loss[0] == pytest.approx(default_loss(net(X), y).item(), rel=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"norm_first": 1}, TypeError, "norm_first must be True or False, got 1"),
        ({"warmup_steps": -1}, ValueError, "warmup_steps must be an integer >= 0, got -1"),
        ({"lr": 0.0}, ValueError, r"lr must be > 0.0, got 0.0"),
        ({"steps": 0}, ValueError, "steps must be an integer >= 1, got 0"),
    ],
)
def test_warmup_runs_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        normalisation.warmup_runs(**kwargs)
