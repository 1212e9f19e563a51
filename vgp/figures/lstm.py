"""The figures of the page "LSTM and GRU" (``docs/lstm.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot, theory
from vgp.experiments import lstm
from vgp.figures import figure

_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "tanh RNN"}


def _label(kind: str, bias: float) -> str:
    return f"LSTM, forget bias {bias:g}" if kind == "lstm" else _NAMES[kind]


@figure("lstm-gates")
def lstm_gates() -> Figure:
    result = lstm.gate_profiles()
    labels = [_label(kind, bias) for kind, bias in result.settings]
    cell_path = {
        label: [median[0] * theory.forget_gate_decay(k, bias) for k in range(result.lag + 1)]
        for label, (kind, bias), median in zip(labels, result.settings, result.median, strict=True)
        if kind == "lstm"
    }
    return plot.time_profiles(
        dict(zip(labels, result.norms, strict=True)),
        theory=cell_path,
        theory_label=r"cell path alone: $\sigma(b_f)^k$",
        title=f"{result.hidden} units, PyTorch's init, {len(result.seeds)} seeds",
        headroom=10.0,
    )


@figure("lstm-long-lag")
def lstm_long_lag() -> Figure:
    result = lstm.long_lag_training()
    labels = [_label(kind, bias) for kind, bias in result.settings]
    return plot.accuracy_against_lag(
        dict(zip(labels, result.accuracy, strict=True)),
        result.lags,
        title=f"{result.hidden} units, Adam, {result.steps} steps, {len(result.seeds)} seeds each",
    )
