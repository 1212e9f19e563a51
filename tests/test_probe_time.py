"""vgp.time_gradients against a hand-written autograd reference, on the models a
reader writes: RNN, LSTM, GRU, a transformer encoder, a 1-d convolution and an
embedding fed token ids."""

import pytest
import torch
from torch import nn

import vgp


class LastStep(nn.Module):
    """A recurrent layer and a linear head on the last step's output."""

    def __init__(self, kind: type, features: int = 3, hidden: int = 8) -> None:
        super().__init__()
        self.rnn = kind(features, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(x)[0][:, -1])


class Encoder(nn.Module):
    def __init__(self, norm_first: bool) -> None:
        super().__init__()
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True,
                                           norm_first=norm_first)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x).mean(dim=1))


class Conv(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3, padding=1)
        self.head = nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (batch, channels, time)
        return self.head(torch.tanh(self.conv(x)).mean(dim=2))


class Tokens(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.rnn = nn.GRU(8, 8, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(self.embed(x))[0][:, -1])


def reference(model, X, y, time_dim=1):
    """dL/dX by backward() on a leaf copy of X, its norm per step by hand."""
    x = X.clone().requires_grad_(True)
    out = model(x).reshape(-1)
    loss = nn.functional.binary_cross_entropy_with_logits(out, y)
    loss.backward()
    g = x.grad.movedim(time_dim, 0)
    return [g[t].pow(2).sum().sqrt().item() for t in range(g.shape[0])]


def labels(n: int) -> torch.Tensor:
    return torch.arange(n).remainder(2).float()


@pytest.mark.parametrize("kind", [nn.RNN, nn.LSTM, nn.GRU])
def test_recurrent_nets_match_autograd(kind):
    torch.manual_seed(0)
    model, X = LastStep(kind), torch.randn(6, 12, 3)
    got = vgp.time_gradients(model, X, labels(6))
    assert all(p.grad is None for p in model.parameters())
    assert got == pytest.approx(reference(model, X, labels(6)), rel=1e-5)
    assert len(got) == 12 and got[-1] > got[0]  # the last step is nearest the loss


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_matches_autograd(norm_first):
    torch.manual_seed(1)
    model, X = Encoder(norm_first), torch.randn(5, 7, 8)
    assert vgp.time_gradients(model, X, labels(5)) == pytest.approx(
        reference(model, X, labels(5)), rel=1e-5
    )


def test_conv1d_with_time_last():
    torch.manual_seed(2)
    model, X = Conv(), torch.randn(4, 3, 9)
    got = vgp.time_gradients(model, X, labels(4), time_dim=2)
    assert got == pytest.approx(reference(model, X, labels(4), time_dim=2), rel=1e-5)
    assert len(got) == 9


def test_token_ids_measure_the_embedding_output():
    torch.manual_seed(3)
    model, X = Tokens(), torch.randint(0, 20, (4, 6))
    vectors = model.embed(X).detach().requires_grad_(True)
    out = model.head(model.rnn(vectors)[0][:, -1]).reshape(-1)
    nn.functional.binary_cross_entropy_with_logits(out, labels(4)).backward()
    expected = [vectors.grad[:, t].norm().item() for t in range(6)]
    assert vgp.time_gradients(model, X, labels(4)) == pytest.approx(expected, rel=1e-5)


def test_a_custom_loss_and_multiclass_labels():
    torch.manual_seed(4)
    model = nn.Sequential(nn.Flatten(), nn.Linear(15, 3))
    X, y = torch.randn(4, 5, 3), torch.tensor([0, 2, 1, 2])
    x = X.clone().requires_grad_(True)
    (3 * nn.functional.cross_entropy(model(x), y)).backward()
    expected = [x.grad[:, t].norm().item() for t in range(5)]
    got = vgp.time_gradients(model, X, y, loss=lambda o, t: 3 * nn.functional.cross_entropy(o, t))
    assert got == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16, torch.float16])
def test_other_dtypes(dtype):
    torch.manual_seed(5)
    model = LastStep(nn.GRU).to(dtype)
    X = torch.randn(3, 4, 3, dtype=dtype)
    got = vgp.time_gradients(model, X, labels(3).to(dtype))
    expected = reference(model, X, labels(3).to(dtype))
    assert got == pytest.approx(expected, rel=1e-5 if dtype == torch.float64 else 2e-2)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "words"),
    [
        ((torch.randn(6, 3), labels(6)), {}, ValueError, ["X must have a time axis", "(6, 3)"]),
        ((torch.randn(6, 12, 5), labels(6)), {}, ValueError, ["X must have 3 features", "'rnn'"]),
        ((torch.randn(6, 0, 3), labels(6)), {}, ValueError, ["at least one time step"]),
        ((torch.randn(6, 12, 3), labels(6)), {"time_dim": 0}, ValueError, ["time_dim", "got 0"]),
        ((torch.randn(6, 12, 3), labels(6)), {"time_dim": 3}, ValueError, ["time_dim", "got 3"]),
        ((torch.randn(6, 12, 3), labels(6)), {"time_dim": 1.0}, TypeError, ["time_dim", "1.0"]),
        ((torch.randint(0, 3, (6, 12, 3)), labels(6)), {}, TypeError, ["X", "int64", "Embedding"]),
        ((torch.randn(6, 12, 3), labels(5)), {}, ValueError, ["y must have one label", "y has 5"]),
        ((torch.randn(6, 12, 3), labels(6)), {"loss": "bce"}, TypeError, ["loss", "callable"]),
    ],
)
def test_bad_input(args, kwargs, error, words):
    torch.manual_seed(0)
    with pytest.raises(error) as caught:
        vgp.time_gradients(LastStep(nn.LSTM), *args, **kwargs)
    for word in words:
        assert word in str(caught.value)


def test_a_loss_that_ignores_X():
    model = LastStep(nn.RNN)
    with pytest.raises(ValueError, match="does not depend on X"):
        vgp.time_gradients(model, torch.randn(2, 3, 3), labels(2),
                           loss=lambda out, y: model.head.weight.sum())
