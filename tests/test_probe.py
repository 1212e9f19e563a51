"""gradient_norms and Probe against hand-written autograd; hooks always removed."""

import math

import pytest
import torch
from torch import nn

import vgp
from vgp.probe import default_loss


@pytest.fixture(scope="module")
def data():
    return vgp.datasets.circles()


def hand_gradients(model, X, y):
    """The reference: the loss written out by hand, gradients by backward()."""
    model.zero_grad()
    logits = model(X).reshape(-1)
    p = torch.sigmoid(logits.double())
    loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    loss.backward()
    norms = [m.weight.grad.norm().item() for m in model.modules() if isinstance(m, nn.Linear)]
    model.zero_grad()
    return norms


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_gradient_norms_match_hand_computation(data, activation):
    net = vgp.mlp(6, 10, activation=activation)
    expected = hand_gradients(net, data.X_train, data.y_train)
    got = vgp.gradient_norms(net, data.X_train, data.y_train)
    assert got == pytest.approx(expected, rel=1e-4)


def test_gradient_norms_leave_grad_fields_alone(data):
    net = vgp.mlp(2, 4)
    vgp.gradient_norms(net, data.X_train, data.y_train)
    assert all(p.grad is None for p in net.parameters())


def test_gradient_norms_multiclass_and_custom_loss():
    digits = vgp.datasets.digits()
    net = vgp.mlp(2, 16, in_features=64, out_features=10)
    X, y = digits.X_train[:64], digits.y_train[:64]
    default = vgp.gradient_norms(net, X, y)
    explicit = vgp.gradient_norms(net, X, y, loss=nn.CrossEntropyLoss())
    assert default == pytest.approx(explicit)
    doubled = vgp.gradient_norms(net, X, y, loss=lambda out, t: 2 * nn.functional.cross_entropy(out, t))
    assert doubled == pytest.approx([2 * g for g in default], rel=1e-5)


def conv_net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, 4, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 6 * 6, 10),
    )


def test_probe_on_a_conv_net_matches_autograd():
    digits = vgp.datasets.digits()
    net = conv_net()
    X, y = digits.X_train[:100], digits.y_train[:100]
    expected = vgp.gradient_norms(net, X, y)
    with vgp.Probe(net) as probe:
        default_loss(net(X), y).backward()
    stats = probe.stats
    assert [s.name for s in stats] == ["1", "4"]
    assert [s.grad_norm for s in stats] == pytest.approx(expected, rel=1e-5)
    conv_out = torch.relu(net[1](net[0](X)))
    assert stats[0].act_mean == pytest.approx(conv_out.mean().item(), rel=1e-5)
    dead_channels = (net[1](net[0](X)) <= 0).all(dim=(0, 2, 3)).float().mean().item()
    assert stats[0].dead_fraction == pytest.approx(dead_channels)
    assert stats[0].saturated_fraction is None and stats[1].activation is None


def test_probe_statistics_against_direct_computation(data):
    net = vgp.mlp(3, 10, activation="sigmoid", init="normal", gain=6.0)
    X = data.X_train
    with vgp.Probe(net) as probe:
        default_loss(net(X), data.y_train).backward()
    z2 = net.fc2(torch.sigmoid(net.fc1(X)))
    h2 = torch.sigmoid(z2)
    s = probe.stats[1]
    assert s.name == "fc2" and s.activation == "sigmoid"
    assert s.act_mean == pytest.approx(h2.mean().item(), rel=1e-5)
    assert s.act_std == pytest.approx(h2.std().item(), rel=1e-5)
    saturated = (h2 * (1 - h2) < 0.025).float().mean().item()
    assert s.saturated_fraction == pytest.approx(saturated, abs=1e-6)
    assert s.grad_norm == pytest.approx(net.fc2.weight.grad.norm().item())
    assert s.weight_norm == pytest.approx(net.fc2.weight.norm().item())


@pytest.mark.parametrize("limit", [0.1, 0.025, 0.5])
def test_fraction_below_counts_exactly_like_a_comparison(limit):
    # The probe counts saturated entries as sum(ceil(limit - slope)): the same
    # count as the comparison, at the edges too (equal to the limit, one float
    # either side, 0 and 1, a NaN).
    from vgp.probe import _fraction_below

    lim = torch.tensor(limit, dtype=torch.float32)
    edges = torch.stack([lim, torch.nextafter(lim, torch.tensor(0.0)),
                         torch.nextafter(lim, torch.tensor(1.0))])
    slope = torch.cat([torch.rand(10_000, generator=torch.Generator().manual_seed(0)),
                       edges, torch.tensor([0.0, 1.0, -0.0])])
    for values in (slope, torch.cat([slope, torch.tensor([math.nan])])):
        expected = torch.count_nonzero(values < limit).item() / values.numel()
        assert _fraction_below(values, limit) == expected
    for dtype in (torch.float64, torch.float16, torch.bfloat16):  # half: counts past 2048 stay exact
        values = slope.to(dtype)
        expected = torch.count_nonzero(values < limit).item() / values.numel()
        assert _fraction_below(values, limit) == expected


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "elu", "selu", "gelu", "identity"])
def test_dead_fraction_matches_the_slope_definition(data, activation):
    # The probe works the slope out only for units with no positive pre-activation;
    # the share must be the one the slope itself gives. Units pushed to -200 have an
    # exactly-0 slope under ReLU, ELU, SELU and GELU (exp and the tails underflow).
    net = vgp.mlp(3, 8, activation=activation)
    with torch.no_grad():
        for layer in (net.fc1, net.fc2):
            layer.bias[:3] = torch.tensor([-200.0, -200.0, 200.0])
    with vgp.Probe(net) as probe:
        net(data.X_train)
    z, expected = data.X_train, []
    for i in (1, 2, 3):
        z = getattr(net, f"fc{i}")(z)
        slope = vgp.derivative(activation, z).abs()
        expected.append((slope.amax(dim=0) == 0).sum().item() / z.shape[1])
        z = getattr(net, f"act{i}")(z)
    assert [s.dead_fraction for s in probe.stats[:3]] == expected
    assert (max(expected) > 0) == (activation in ("relu", "elu", "selu", "gelu"))


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_dead_fraction_with_a_nan_sample(activation):
    # A NaN pre-activation does not hide a unit's positive samples (amax passes
    # NaN on); under ReLU a unit with only NaN and negative samples is dead.
    net = nn.Sequential(nn.Linear(2, 3), vgp.activations.activation(activation))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]))
        net[0].bias.copy_(torch.tensor([0.0, 0.0, -300.0]))
    X = torch.tensor([[math.nan, -1.0], [2.0, math.nan], [3.0, -2.0]])
    with vgp.Probe(net) as probe:
        net(X)
    z = net[0](X)
    expected = (vgp.derivative(activation, z).abs().amax(dim=0) == 0).sum().item() / 3
    assert probe.stats[0].dead_fraction == expected == (2 / 3 if activation == "relu" else 0.0)


def test_dead_fraction_of_a_conv_layer_and_of_a_1d_input():
    conv = nn.Sequential(nn.Conv2d(1, 4, 3), nn.GELU())
    with torch.no_grad():
        conv[0].bias.copy_(torch.tensor([-300.0, 0.0, 300.0, -300.0]))
        conv[0].weight.mul_(0.01)
    with vgp.Probe(conv) as probe:
        conv(torch.randn(2, 1, 5, 5))
    assert probe.stats[0].dead_fraction == 0.5
    unbatched = nn.Sequential(nn.Linear(3, 1), nn.ReLU())
    with torch.no_grad():
        unbatched[0].bias.fill_(-100.0)
    with vgp.Probe(unbatched) as probe:
        unbatched(torch.ones(3))
    assert probe.stats[0].dead_fraction == 1.0


def test_dead_fraction_counts_units_dead_on_every_sample(data):
    net = vgp.mlp(1, 4, activation="relu")
    with torch.no_grad():
        net.fc1.bias.copy_(torch.tensor([-100.0, -100.0, 100.0, 0.0]))
    with vgp.Probe(net) as probe:
        net(data.X_train)
    assert probe.stats[0].dead_fraction == 0.5
    assert math.isnan(probe.stats[0].grad_norm)


def test_update_ratio_is_the_relative_weight_change(data):
    net = vgp.mlp(2, 8)
    before = net.fc1.weight.detach().clone()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    with vgp.Probe(net) as probe:
        default_loss(net(data.X_train), data.y_train).backward()
        opt.step()
    expected = ((net.fc1.weight - before).norm() / before.norm()).item()
    assert probe.stats[0].update_ratio == pytest.approx(expected, rel=1e-5)


def test_update_ratio_is_zero_without_a_step_and_sees_a_replaced_weight(data):
    net = vgp.mlp(2, 8)
    with vgp.Probe(net) as probe:
        default_loss(net(data.X_train), data.y_train).backward()
    assert [s.update_ratio for s in probe.stats] == [0.0, 0.0, 0.0]
    before = net.fc2.weight.detach().clone()
    with vgp.Probe(net) as probe:
        net.fc2.weight = torch.nn.Parameter(2 * before)  # not in place: a new tensor
    assert probe.stats[1].update_ratio == pytest.approx(1.0)
    assert probe.stats[1].weight_norm == pytest.approx(2 * before.norm().item())


def hook_count(model):
    total = 0
    for m in model.modules():
        total += len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
    for p in model.parameters():
        total += len(getattr(p, "_backward_hooks", None) or {})
    return total


def test_probe_removes_hooks_even_when_the_body_raises(data):
    net = vgp.mlp(3, 5)
    assert hook_count(net) == 0
    with pytest.raises(ZeroDivisionError), vgp.Probe(net):
        net(data.X_train).sum().backward()
        assert hook_count(net) > 0
        1 / 0  # noqa: B018 - raise inside the with block
    assert hook_count(net) == 0
    with pytest.raises(RuntimeError, match="no statistics yet"):
        vgp.Probe(net).stats  # noqa: B018 - reading it raises


def test_probe_used_many_times_leaves_nothing_behind(data):
    net = vgp.mlp(2, 5)
    for _ in range(200):
        with vgp.Probe(net):
            net(data.X_train[:8]).sum().backward()
    assert hook_count(net) == 0


def test_probe_reentry_is_refused():
    net = vgp.mlp(1, 2)
    probe = vgp.Probe(net)
    with probe, pytest.raises(RuntimeError, match="already open"), probe:
        pass
    assert hook_count(net) == 0


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("X",), TypeError, "X must be a torch.Tensor, got list"),
        (("width",), ValueError, r"X must have 2 features for this model .* got X of shape \(670, 3\)"),
        (("rows",), ValueError, "y must have one label per row of X: X has 670 rows, y has 10"),
        (("int",), TypeError, "X must be a floating-point tensor, got dtype torch.int64"),
        (("model",), TypeError, "model must be a torch.nn.Module, got str"),
        (("loss",), TypeError, "loss must be callable"),
        (("empty",), ValueError, "model must have parameters to measure; Sequential has none"),
    ],
)
def test_gradient_norms_bad_input(data, args, error, message):
    net = vgp.mlp(2, 4)
    X, y = data.X_train, data.y_train
    kind = args[0]
    call = {
        "X": lambda: vgp.gradient_norms(net, X.tolist(), y),
        "width": lambda: vgp.gradient_norms(net, torch.zeros(670, 3), y),
        "rows": lambda: vgp.gradient_norms(net, X, y[:10]),
        "int": lambda: vgp.gradient_norms(net, X.long(), y),
        "model": lambda: vgp.gradient_norms("net", X, y),
        "loss": lambda: vgp.gradient_norms(net, X, y, loss="bce"),
        "empty": lambda: vgp.gradient_norms(nn.Sequential(nn.ReLU()), X, y),
    }[kind]
    with pytest.raises(error, match=message):
        call()


def test_probe_bad_model():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        vgp.Probe(42)


def test_probe_1000_times_no_hooks_no_memory_growth():
    """No hook left, no Python object and no tensor memory kept per use."""
    import gc

    net = vgp.mlp(3, 8)
    X, y = torch.randn(16, 2), torch.ones(16)

    def run(times):
        for _ in range(times):
            with vgp.Probe(net):
                default_loss(net(X), y).backward()

    def resident_bytes() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096

    run(50)
    gc.collect()
    objects, rss = len(gc.get_objects()), resident_bytes()
    run(1000)
    gc.collect()
    assert hook_count(net) == 0
    assert len(gc.get_objects()) - objects < 50, "Python objects pile up"
    assert resident_bytes() - rss < 4_000_000, "resident memory grew by more than 4 MB"


def test_non_finite_input_is_reported_not_raised(data):
    net = vgp.mlp(3, 8)
    X = data.X_train.clone()
    X[0, 0] = float("nan")
    with pytest.raises(ValueError, match="X must be finite, got 1 NaN and 0 infinite"):
        vgp.gradient_norms(net, X, data.y_train)  # it used to return NaN norms without a word
    diagnosis = vgp.diagnose(net, X, data.y_train)
    assert diagnosis.verdict == "non-finite"
    assert "NaN" in str(diagnosis)


def test_probe_warns_when_a_gradient_norm_is_not_finite():
    """NaN in X gives NaN gradients: the probe reports them, with a warning that
    names the layers; diagnose, which makes the same finding its verdict, does not warn."""
    import warnings

    net = vgp.mlp(3, 4)
    X = torch.randn(8, 2)
    X[0, 0] = float("nan")
    y = torch.ones(8)
    with pytest.warns(RuntimeWarning, match="gradient norm of fc1, fc2, fc3, out is not finite"):
        with vgp.Probe(net) as probe:
            vgp.probe.default_loss(net(X), y).backward()
    assert all(math.isnan(s.grad_norm) for s in probe.stats)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert vgp.diagnose(net, X, y).verdict == "non-finite"
