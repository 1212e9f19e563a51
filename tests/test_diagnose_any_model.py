"""diagnose on the recurrent and transformer models other chapters quote: the
verdicts, what they rest on (checked against time_gradients and gradient_norms,
themselves checked against backward() in test_probe_time.py and
test_probe_any_model.py), and the reference group named in the finding."""

import pytest
import torch
from torch import nn

import vgp
from vgp.diagnose import EXPLODING_RATIO, VANISHING_RATIO


class Recurrent(nn.Module):
    """An LSTM of 32 units read out at its last step, its forget-gate bias shifted."""

    def __init__(self, forget_bias: float, hidden: int = 32, seed: int = 0) -> None:
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.cell = nn.LSTM(1, hidden, batch_first=True)
            self.out = nn.Linear(hidden, 1)
            with torch.no_grad():
                self.cell.bias_ih_l0[hidden : 2 * hidden] += forget_bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.cell(x)[0][:, -1])


class Encoder(nn.Module):
    """12 transformer encoder layers (d 32, 4 heads) on a linear embedding, read at the last token."""

    def __init__(self, norm_first: bool, layers: int = 12, width: int = 32, seed: int = 0) -> None:
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.embed = nn.Linear(1, width)
            block = nn.TransformerEncoderLayer(width, 4, 4 * width, dropout=0.0, batch_first=True,
                                               norm_first=norm_first)
            self.encoder = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
            self.out = nn.Linear(width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.encoder(self.embed(x))[:, -1])


def sequences(steps: int, n: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    X = torch.randn(n, steps, 1, generator=torch.Generator().manual_seed(0))
    return X, (X[:, 0, 0] > 0).float()  # the label is the sign of the first step


@pytest.mark.parametrize("bias", [-3.0, 1.0])
def test_lstm_over_100_steps_vanishes_through_time(bias):
    X, y = sequences(100)
    model = Recurrent(bias)
    diagnosis = vgp.diagnose(model, X, y)
    steps = vgp.time_gradients(model, X, y)
    assert diagnosis.time_gradients == pytest.approx(steps, rel=1e-5)
    finding = diagnosis.findings[0]
    assert diagnosis.verdict == "vanishing" and finding.layer == "input step 0"
    assert finding.value == pytest.approx(steps[0] / steps[-1], rel=1e-5)
    assert finding.reason.endswith("of step 99's (< 1e-03)")
    # the parameter groups alone would not tell: they are within the thresholds
    grads = vgp.gradient_norms(model, X, y)
    assert all(VANISHING_RATIO < g / grads[-1] < EXPLODING_RATIO for g in grads)
    if bias == -3.0:
        assert steps[0] == 0.0  # underflowed in float32: the first step hears nothing
    else:
        assert 0 < steps[0] / steps[-1] < 1e-5


def test_lstm_with_a_large_forget_bias_is_healthy():
    X, y = sequences(100)
    diagnosis = vgp.diagnose(Recurrent(3.0), X, y)
    assert diagnosis.verdicts == ("healthy",)
    assert "of out's (nearest the output)" in diagnosis.findings[0].reason
    assert "every input step's gradient norm is within 1e-03 to 1e+03 of step 99's" in str(diagnosis)


@pytest.mark.parametrize("norm_first", [False, True])
def test_twelve_layer_transformer_encoders_at_init_are_healthy(norm_first):
    X, y = sequences(16)
    model = Encoder(norm_first)
    diagnosis = vgp.diagnose(model, X, y)
    assert diagnosis.params == "all" and diagnosis.stats[-1].name == "out"
    assert diagnosis.verdicts == ("healthy",)
    grads = vgp.gradient_norms(model, X, y)
    assert [s.grad_norm for s in diagnosis.stats] == pytest.approx(grads, rel=1e-5)
    assert min(grads) / max(grads) > VANISHING_RATIO
    # the shapes differ: post-norm's feed-forward gradients grow towards the output,
    # pre-norm's shrink
    ff = [s.grad_norm for s in diagnosis.stats if s.name.endswith("linear2")]
    assert len(ff) == 12
    assert (ff[-1] > ff[0]) is (not norm_first)


def test_a_non_finite_gradient_is_a_verdict_not_a_crash():
    X, y = sequences(10)
    model = Recurrent(1.0)
    with torch.no_grad():
        model.cell.weight_hh_l0[0, 0] = float("nan")
    diagnosis = vgp.diagnose(model, X, y)
    assert diagnosis.verdict == "non-finite"
