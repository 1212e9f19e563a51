"""gradient_norms, Probe and diagnose on models a reader writes: recurrent layers,
attention, embeddings, norm layers, bare and parametrized parameters. Every group's
norm is checked against a hand-written reference: the loss written out, backward(),
and the group's parameters listed by hand."""

import math
import warnings

import pytest
import torch
from torch import nn

import vgp
from vgp.probe import default_loss


def bce(output, y):
    p = torch.sigmoid(output.reshape(-1).double())
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def reference(model, X, y, groups):
    """{group name: norm of the gradients of the listed parameters, taken together}."""
    model.zero_grad()
    bce(model(X), y).backward()
    norms = {
        name: math.sqrt(sum(p.grad.double().pow(2).sum().item() for p in params))
        for name, params in groups.items()
    }
    model.zero_grad()
    return norms


def labels(n):
    return torch.arange(n).remainder(2).float()


class Recurrent(nn.Module):
    def __init__(self, kind, layers=2, bidirectional=False):
        super().__init__()
        self.cell = kind(3, 6, num_layers=layers, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(6 * (2 if bidirectional else 1), 1)

    def forward(self, x):
        return self.head(self.cell(x)[0][:, -1])


def rnn_groups(model, layers, bidirectional=False):
    groups = {}
    for k in range(layers):
        for suffix in ("", "_reverse") if bidirectional else ("",):
            groups[f"cell.l{k}{suffix}"] = [
                getattr(model.cell, f"{w}_{g}_l{k}{suffix}") for w in ("weight", "bias") for g in ("ih", "hh")
            ]
    groups["head"] = [model.head.weight, model.head.bias]
    return groups


@pytest.mark.parametrize("kind", [nn.RNN, nn.LSTM, nn.GRU])
def test_recurrent_layers(kind):
    torch.manual_seed(0)
    model, X = Recurrent(kind), torch.randn(5, 7, 3)
    groups = rnn_groups(model, 2)
    groups = {n: sorted(ps, key=lambda p: [id(q) for q in model.parameters()].index(id(p)))
              for n, ps in groups.items()}
    expected = reference(model, X, labels(5), groups)
    got = vgp.gradient_norms(model, X, labels(5), named=True)
    assert list(got) == ["cell.l0", "cell.l1", "head"]
    assert list(got.values()) == pytest.approx(list(expected.values()), rel=1e-5)
    with vgp.Probe(model) as probe:
        default_loss(model(X), labels(5)).backward()
    assert probe.params == "all"
    stats = {s.name: s for s in probe.stats}
    assert [stats[n].grad_norm for n in expected] == pytest.approx(list(expected.values()), rel=1e-5)
    assert stats["cell.l0"].parameters == ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    # the module's output is the last layer's; the first layer's is internal: None, not NaN
    out = model.cell(X)[0]
    assert stats["cell.l1"].act_mean == pytest.approx(out.mean().item(), rel=1e-4, abs=1e-6)
    assert stats["cell.l0"].act_mean is None and stats["cell.l0"].act_std is None


def test_bidirectional_lstm_has_a_group_per_direction():
    torch.manual_seed(1)
    model, X = Recurrent(nn.LSTM, layers=1, bidirectional=True), torch.randn(4, 5, 3)
    expected = reference(model, X, labels(4), rnn_groups(model, 1, bidirectional=True))
    got = vgp.gradient_norms(model, X, labels(4), named=True)
    assert list(got) == ["cell.l0", "cell.l0_reverse", "head"]
    assert list(got.values()) == pytest.approx(list(expected.values()), rel=1e-5)


class Tokens(nn.Module):
    """Registered out of order: the head first, the embedding last."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(8, 1)
        self.norm = nn.LayerNorm(8)
        self.embed = nn.Embedding(20, 8)

    def forward(self, x):
        return self.head(self.norm(self.embed(x)).mean(dim=1))


def test_embedding_with_token_ids_in_forward_order():
    torch.manual_seed(2)
    model, X = Tokens(), torch.randint(0, 20, (6, 5))
    groups = {"embed": [model.embed.weight], "norm": [model.norm.weight, model.norm.bias],
              "head": [model.head.weight, model.head.bias]}
    expected = reference(model, X, labels(6), groups)
    got = vgp.gradient_norms(model, X, labels(6), named=True)
    assert list(got) == list(expected)  # forward order, not registration order
    assert list(got.values()) == pytest.approx(list(expected.values()), rel=1e-5)
    diagnosis = vgp.diagnose(model, X, labels(6))
    assert [s.name for s in diagnosis.stats] == list(expected)
    assert len(diagnosis.time_gradients) == 5


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        return self.head(self.attn(x, x, x)[0].mean(dim=1))


def test_multihead_attention_in_and_out_projections():
    torch.manual_seed(3)
    model, X = Attention(), torch.randn(4, 6, 8)
    groups = {"attn": [model.attn.in_proj_weight, model.attn.in_proj_bias],
              "attn.out_proj": [model.attn.out_proj.weight, model.attn.out_proj.bias],
              "head": [model.head.weight, model.head.bias]}
    expected = reference(model, X, labels(4), groups)
    got = vgp.gradient_norms(model, X, labels(4), named=True)
    assert list(got) == list(expected)
    assert list(got.values()) == pytest.approx(list(expected.values()), rel=1e-5)
    with vgp.Probe(model) as probe:
        default_loss(model(X), labels(4)).backward()
    stats = {s.name: s for s in probe.stats}
    # out_proj is called functionally: its gradient comes from the parameters, its output is unseen
    assert stats["attn.out_proj"].grad_norm == pytest.approx(expected["attn.out_proj"], rel=1e-5)
    assert stats["attn.out_proj"].act_mean is None
    assert stats["attn"].act_mean == pytest.approx(model.attn(X, X, X)[0].mean().item(), rel=1e-4)
    assert vgp.diagnose(model, X, labels(4)).verdict != "non-finite"


class Encoder(nn.Module):
    def __init__(self, norm_first):
        super().__init__()
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        return self.head(self.encoder(x)[:, -1])


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder(norm_first):
    torch.manual_seed(4)
    model, X = Encoder(norm_first), torch.randn(4, 6, 8)
    groups = {}
    for i, layer in enumerate(model.encoder.layers):
        p = f"encoder.layers.{i}."
        attn = {p + "self_attn": [layer.self_attn.in_proj_weight, layer.self_attn.in_proj_bias],
                p + "self_attn.out_proj": [layer.self_attn.out_proj.weight, layer.self_attn.out_proj.bias]}
        norm1 = {p + "norm1": [layer.norm1.weight, layer.norm1.bias]}
        ff = {p + "linear1": [layer.linear1.weight, layer.linear1.bias],
              p + "linear2": [layer.linear2.weight, layer.linear2.bias]}
        norm2 = {p + "norm2": [layer.norm2.weight, layer.norm2.bias]}
        for part in ((norm1, attn, norm2, ff) if norm_first else (attn, norm1, ff, norm2)):
            groups.update(part)
    groups["head"] = [model.head.weight, model.head.bias]
    expected = reference(model, X, labels(4), groups)
    got = vgp.gradient_norms(model, X, labels(4), named=True)
    assert list(got) == list(expected)  # the order the forward pass reaches them
    assert list(got.values()) == pytest.approx(list(expected.values()), rel=1e-5)
    diagnosis = vgp.diagnose(model, X, labels(4))
    assert all(s.act_mean is None or math.isfinite(s.act_mean) for s in diagnosis.stats)
    assert diagnosis.verdict != "non-finite"


class Scaled(nn.Module):
    """A bare parameter on the model itself and one on a custom block."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.gain = nn.Parameter(torch.full((4,), 0.5))
        self.out = nn.Linear(4, 1)

    def forward(self, x):
        return self.out(torch.tanh(self.fc(x)) * self.gain)


def test_bare_parameter_is_its_own_group():
    torch.manual_seed(5)
    model, X = Scaled(), torch.randn(6, 3)
    groups = {"fc": [model.fc.weight, model.fc.bias], "(model)": [model.gain],
              "out": [model.out.weight, model.out.bias]}
    expected = reference(model, X, labels(6), groups)
    got = vgp.gradient_norms(model, X, labels(6), named=True)
    # the model's own parameter sits where the model is first called: before its children
    assert list(got) == ["(model)", "fc", "out"]
    assert [got[n] for n in expected] == pytest.approx(list(expected.values()), rel=1e-5)


@pytest.mark.parametrize("wrap", ["weight_norm", "spectral_norm"])
def test_parametrized_weights_report_their_originals(wrap):
    torch.manual_seed(6)
    parametrize = getattr(nn.utils.parametrizations, wrap)
    model = nn.Sequential(parametrize(nn.Linear(3, 4)), nn.Tanh(), nn.Linear(4, 1))
    X = torch.randn(8, 3)
    originals = list(model[0].parametrizations.weight.parameters())
    # spectral norm's power iteration runs in each training-mode forward: evaluate in eval mode
    model.eval()
    expected = reference(model, X, labels(8), {"0": [model[0].bias, *originals]})["0"]
    got = vgp.gradient_norms(model, X, labels(8), named=True)
    assert got["0"] == pytest.approx(expected, rel=1e-5) and got["0"] > 0
    with vgp.Probe(model) as probe:
        default_loss(model(X), labels(8)).backward()
    first = probe.stats[0]
    assert first.grad_norm == pytest.approx(expected, rel=1e-5)
    names = {"weight_norm": ("original0", "original1"), "spectral_norm": ("original",)}[wrap]
    assert set(first.parameters) == {"bias", *(f"parametrizations.weight.{n}" for n in names)}
    assert vgp.diagnose(model, X, labels(8)).verdict != "non-finite"
    # the weights view reads the originals too: no more silent 0
    weights = vgp.gradient_norms(model, X, labels(8), params="weights")
    assert weights[0] > 0


def test_conv_net_all_parameters():
    torch.manual_seed(7)
    model = nn.Sequential(nn.Conv1d(2, 3, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 1))
    X = torch.randn(5, 2, 6)
    groups = {"0": [model[0].weight, model[0].bias], "1": [model[1].weight, model[1].bias],
              "4": [model[4].weight, model[4].bias]}
    expected = reference(model, X, labels(5), groups)
    got = vgp.gradient_norms(model, X, labels(5), params="all", named=True)
    assert list(got.values()) == pytest.approx(list(expected.values()), rel=1e-5)
    # "auto" keeps the weights view here (Linear, convolution and norm layers only)
    weights = vgp.gradient_norms(model, X, labels(5))
    model.zero_grad()
    bce(model(X), labels(5)).backward()
    assert weights == pytest.approx([model[0].weight.grad.norm().item(), model[4].weight.grad.norm().item()], rel=1e-5)


def test_weights_view_keeps_todays_numbers():
    data = vgp.datasets.circles()
    net = vgp.mlp(4, 10, activation="tanh", norm="batch")
    auto = vgp.gradient_norms(net, data.X_train, data.y_train)
    assert auto == vgp.gradient_norms(net, data.X_train, data.y_train, params="weights")
    net.zero_grad()
    bce(net(data.X_train), data.y_train).backward()
    assert auto == pytest.approx([m.weight.grad.norm().item() for m in net.modules()
                                  if isinstance(m, nn.Linear)], rel=1e-5)


def test_frozen_layer_is_left_out_and_named():
    data = vgp.datasets.circles()
    net = vgp.mlp(3, 8)
    net.fc1.requires_grad_(False)
    with pytest.warns(UserWarning, match=r"frozen parameters \(requires_grad=False\) left out: fc1.weight"):
        norms = vgp.gradient_norms(net, data.X_train, data.y_train, named=True)
    assert list(norms) == ["fc2", "fc3", "out"]
    with vgp.Probe(net) as probe:
        default_loss(net(data.X_train), data.y_train).backward()
    assert probe.frozen == ("fc1.weight",) and [s.name for s in probe.stats] == ["fc2", "fc3", "out"]
    diagnosis = vgp.diagnose(net, data.X_train, data.y_train)
    assert "frozen, not measured: fc1.weight" in str(diagnosis)
    with pytest.warns(UserWarning, match="train: frozen parameters .* not recorded: fc1.weight"):
        history = vgp.train(net, data, lr=0.1, epochs=1, batch_size=64)
    assert history.layer_names == ("fc2", "fc3", "out")


def test_unused_module_is_left_out_in_the_all_view():
    class Spare(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = nn.Linear(2, 1)
            self.unused = nn.Linear(2, 1)

        def forward(self, x):
            return self.used(x)

    got = vgp.gradient_norms(Spare(), torch.randn(4, 2), labels(4), params="all", named=True)
    assert list(got) == ["used"]
    # the weights view keeps its rows: 0.0 for a layer the pass does not use
    assert vgp.gradient_norms(Spare(), torch.randn(4, 2), labels(4), params="weights")[1] == 0.0


def test_packed_sequence_output_is_summarised():
    lstm = nn.LSTM(2, 4, batch_first=True)
    packed = nn.utils.rnn.pack_padded_sequence(torch.randn(3, 5, 2), [5, 3, 2], batch_first=True)
    with vgp.Probe(lstm) as probe:
        out, _ = lstm(packed)
        out.data.sum().backward()
    assert probe.stats[0].act_mean == pytest.approx(lstm(packed)[0].data.mean().item(), rel=1e-5)


def test_hooks_are_removed_when_the_forward_raises():
    model = Recurrent(nn.GRU)
    with pytest.raises(RuntimeError), vgp.Probe(model):
        model(torch.randn(2, 3, 5))  # wrong width: torch raises inside the block
    for module in model.modules():
        assert not module._forward_hooks and not module._forward_pre_hooks
    assert all(not p._backward_hooks for p in model.parameters())


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16, torch.float16])
def test_other_dtypes(dtype):
    torch.manual_seed(8)
    model = Recurrent(nn.LSTM).to(dtype)
    X, y = torch.randn(4, 5, 3, dtype=dtype), labels(4).to(dtype)
    expected = reference(model, X, y, rnn_groups(model, 2))
    got = vgp.gradient_norms(model, X, y, named=True)
    rel = 1e-6 if dtype == torch.float64 else 5e-2
    assert list(got.values()) == pytest.approx(list(expected.values()), rel=rel)
    diagnosis = vgp.diagnose(model, X, y)
    assert [s.grad_norm for s in diagnosis.stats] == pytest.approx(list(expected.values()), rel=rel)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda():
    model, X = Recurrent(nn.LSTM).cuda(), torch.randn(4, 5, 3, device="cuda")
    y = labels(4).cuda()
    expected = reference(model, X, y, rnn_groups(model, 2))
    assert list(vgp.gradient_norms(model, X, y, named=True).values()) == pytest.approx(
        list(expected.values()), rel=1e-4)
    assert vgp.diagnose(model, X, y).verdict in ("healthy", "vanishing")
    assert len(vgp.time_gradients(model, X, y)) == 5


def test_tiny_gradients_are_not_rounded_to_zero():
    # entries of 1e-24: their squares underflow float32, the norm must not
    layer = nn.Linear(100, 1, bias=False)
    with torch.no_grad():
        layer.weight.fill_(1e-24)
    with vgp.Probe(layer) as probe:
        layer(torch.ones(1, 100)).sum().backward()
    assert probe.stats[0].weight_norm == pytest.approx(1e-23, rel=1e-6)
    assert probe.stats[0].grad_norm == pytest.approx(10.0, rel=1e-6)


def test_many_logits_on_binary_labels_warn():
    data = vgp.datasets.circles()
    net = vgp.mlp(2, 8, out_features=10)
    with pytest.warns(UserWarning, match="only labels 0 and 1 but the model has 10 outputs"):
        vgp.diagnose(net, data.X_train, data.y_train)
    two = vgp.mlp(2, 8, out_features=2)  # two logits for two classes: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vgp.gradient_norms(two, data.X_train, data.y_train)


def test_probe_refuses_an_empty_batch():
    net = vgp.mlp(2, 4)
    with pytest.raises(ValueError, match=r"fc1's output is empty \(shape \(0, 4\)\)"), vgp.Probe(net):
        net(torch.zeros(0, 2))
    assert not net.fc1._forward_hooks


def test_a_model_returning_a_tuple_with_a_custom_loss():
    torch.manual_seed(9)
    gru, X = nn.GRU(3, 6, num_layers=2, batch_first=True), torch.randn(3, 4, 3)

    def last_step_sum(out, y):
        return out[0][:, -1].sum()

    norms = vgp.gradient_norms(gru, X, labels(3), loss=last_step_sum)
    last_step_sum(gru(X), None).backward()
    expected = [
        math.sqrt(sum(getattr(gru, f"{w}_{g}_l{k}").grad.pow(2).sum().item()
                      for w in ("weight", "bias") for g in ("ih", "hh")))
        for k in (0, 1)
    ]
    assert norms == pytest.approx(expected, rel=1e-5)


def test_leaf_outputs_of_every_module():
    torch.manual_seed(10)
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.0), nn.Tanh(), Recurrent(nn.GRU, layers=1).cell)
    X = torch.randn(5, 2, 3)
    with vgp.Probe(model, leaves=True) as probe:
        model(X)[0].sum().backward()
    outputs = probe.outputs
    assert [(o.name, o.module) for o in outputs] == [("0", "Linear"), ("1", "Dropout"), ("2", "Tanh"),
                                                      ("3", "GRU")]
    h = torch.tanh(model[0](X))
    assert outputs[2].mean == pytest.approx(h.mean().item(), rel=1e-5)
    assert outputs[2].std == pytest.approx(h.std().item(), rel=1e-5)
    assert outputs[3].shape == (5, 2, 6)  # the GRU's output sequence, not its final state
    with pytest.raises(RuntimeError, match="leaves=True"):
        _ = vgp.Probe(model).outputs


@pytest.mark.parametrize("call", [vgp.gradient_norms, vgp.diagnose, vgp.time_gradients])
def test_no_hook_is_left_behind_when_a_check_fails_mid_pass(call):
    model = Recurrent(nn.LSTM)
    with pytest.raises(ValueError, match="X must have 3 features per step"):
        call(model, torch.randn(2, 4, 5), labels(2))  # refused by the input guard inside forward
    for module in model.modules():
        assert not module._forward_hooks and not module._forward_pre_hooks
    assert all(not p._backward_hooks for p in model.parameters())
