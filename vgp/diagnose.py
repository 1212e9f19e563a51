"""A verdict on a model's gradients, with the numbers and thresholds behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from torch import Tensor, nn

from vgp._checks import check_inputs, check_module
from vgp.probe import LayerStats, Loss, Probe, default_loss, format_table

VERDICTS: tuple[str, ...] = ("non-finite", "exploding", "vanishing", "dead units", "saturated", "healthy")
"""Possible verdicts, most urgent first: :func:`diagnose` reports every one that applies."""

VANISHING_RATIO = 1e-3
"""Vanishing: the smallest layer gradient norm is below this fraction of the largest."""

EXPLODING_RATIO = 1e3
"""Exploding: the first layer's gradient norm is above this multiple of the last's
(or, more generally, the largest layer gradient norm is more than ``1 /
VANISHING_RATIO`` times the smallest and lies nearer the input than it)."""

DEAD_FRACTION = 0.5
"""Dead units: at least this share of a layer's units is dead on the batch."""

SATURATED_FRACTION = 0.5
"""Saturated: at least this share of a layer's activations is saturated."""


@dataclass(frozen=True)
class Diagnosis:
    """The result of :func:`diagnose`.

    ``verdict`` is the most urgent finding; ``findings`` lists every finding,
    each as ``(verdict, reason)``; ``stats`` holds the per-layer numbers.

    Examples
    --------
    >>> import vgp
    >>> data = vgp.datasets.circles()
    >>> result = vgp.diagnose(vgp.mlp(depth=11, width=10, activation="sigmoid"),
    ...                       data.X_train, data.y_train)
    >>> for verdict, reason in result.findings:
    ...     print(verdict, "-", reason)
    vanishing - fc1 gradient norm 4.53e-12 is 1.71e-10 of the largest (< 1e-03)
    >>> [s.name for s in result.stats][:3], f"{result.loss:.3f}"
    (['fc1', 'fc2', 'fc3'], '0.694')
    """

    verdict: str
    findings: tuple[tuple[str, str], ...]
    stats: tuple[LayerStats, ...]
    loss: float

    def __str__(self) -> str:
        lines = [format_table(list(self.stats)), "", f"loss {self.loss:.4g}"]
        lines += [f"verdict: {v} - {reason}" for v, reason in self.findings]
        return "\n".join(lines)


def diagnose(model: nn.Module, X: Tensor, y: Tensor, loss: Loss | None = None) -> Diagnosis:
    """Probe one forward and backward pass of ``model`` on ``(X, y)`` and judge it.

    The model's ``.grad`` fields are restored afterwards, so a diagnosis never
    changes a training run. Non-finite losses or gradients are reported as the
    ``"non-finite"`` verdict, never raised.

    Examples
    --------
    >>> import vgp
    >>> data = vgp.datasets.circles()
    >>> deep = vgp.mlp(depth=11, width=10, activation="sigmoid")
    >>> vgp.diagnose(deep, data.X_train, data.y_train).verdict
    'vanishing'
    >>> vgp.diagnose(vgp.mlp(depth=3, width=10), data.X_train, data.y_train).verdict
    'healthy'
    """
    check_module("model", model)
    check_inputs(model, X, y)
    loss_fn = loss or default_loss
    saved = {p: p.grad for p in model.parameters()}
    try:
        for p in saved:
            p.grad = None
        with Probe(model) as probe:
            value = loss_fn(model(X), y)
            value.backward()
    finally:
        for p, g in saved.items():
            p.grad = g
    stats = tuple(probe.stats)
    findings = _findings(stats, value.item())
    return Diagnosis(findings[0][0], tuple(findings), stats, value.item())


def _findings(stats: tuple[LayerStats, ...], loss: float) -> list[tuple[str, str]]:
    grads = [s.grad_norm for s in stats]
    if not math.isfinite(loss) or not all(map(math.isfinite, grads)):
        bad = [s.name for s in stats if not math.isfinite(s.grad_norm)]
        where = f"gradient of {', '.join(bad)}" if bad else "loss"
        return [("non-finite", f"{where} is NaN or infinite (loss {loss:.4g})")]
    found = []
    first, last = grads[0], grads[-1]
    if last > 0 and first / last > EXPLODING_RATIO:
        found.append(
            ("exploding", f"first/last gradient norm {first / last:.2e} > {EXPLODING_RATIO:.0e}")
        )
    low, high = min(grads), max(grads)
    if high == 0 or low / high < VANISHING_RATIO:
        lowest, highest = grads.index(low), grads.index(high)
        ratio = 0.0 if high == 0 else low / high
        if high == 0 or lowest < highest:
            found.append(
                ("vanishing", f"{stats[lowest].name} gradient norm {low:.2e} is {ratio:.2e} of "
                 f"the largest (< {VANISHING_RATIO:.0e})")
            )
        elif not found:
            # the spread grows toward the input: the mirror image of vanishing
            found.append(
                ("exploding", f"{stats[highest].name} gradient norm {high:.2e} is {1 / ratio:.2e} "
                 f"times that of {stats[lowest].name}, nearer the output "
                 f"(> {1 / VANISHING_RATIO:.0e})")
            )
    for s in stats:
        if s.dead_fraction is not None and s.dead_fraction >= DEAD_FRACTION:
            found.append(("dead units", f"{s.name}: {s.dead_fraction:.0%} of units dead "
                          f"(>= {DEAD_FRACTION:.0%})"))
            break
    for s in stats:
        if s.saturated_fraction is not None and s.saturated_fraction >= SATURATED_FRACTION:
            found.append(("saturated", f"{s.name}: {s.saturated_fraction:.0%} of activations "
                          f"saturated (>= {SATURATED_FRACTION:.0%})"))
            break
    if not found:
        found.append(("healthy", f"gradient norms within {low / high:.2e} of each other"))
    return found


__all__ = ["Diagnosis", "diagnose"]
