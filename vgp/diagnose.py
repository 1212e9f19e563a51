"""A verdict on a model's gradients, with the numbers and thresholds behind it.

:func:`diagnose` runs one forward and one backward pass under a :class:`vgp.Probe`
and checks the per-layer numbers against the thresholds below. Gradient checks
compare every layer with the output layer (the last weight layer, nearest the
loss), so they measure how the gradient changes on its way back through the
net, whatever the scale of the loss. Signal checks compare every hidden layer's
activation std with the first hidden layer's, so they measure how the forward
signal changes on its way up. They are needed for positively homogeneous nets
(ReLU, leaky ReLU, and tanh or GELU near 0): there a badly scaled init shrinks
(or grows) the backward factor of every ``dL/dW`` as fast as it grows (or
shrinks) the forward one, so the gradient ratios stay near 1 while the
activations fade away or blow up.

==============  ============================================================
verdict         when
==============  ============================================================
``non-finite``  the loss, an activation or a gradient is NaN or infinite
``exploding``   some layer's ``||dL/dW||`` is more than :data:`EXPLODING_RATIO`
                times the output layer's, or some hidden layer's activation
                std is more than :data:`SIGNAL_RATIO` times the first hidden
                layer's
``vanishing``   some layer's ``||dL/dW||`` is less than :data:`VANISHING_RATIO`
                times the output layer's (or every gradient is 0), or some
                hidden layer's activation std is less than
                ``1 / SIGNAL_RATIO`` times the first hidden layer's
``dead units``  at least :data:`DEAD_FRACTION` of a layer's units have zero
                slope on every sample of the batch
``saturated``   at least :data:`SATURATED_FRACTION` of a sigmoid or tanh
                layer's activations are saturated
``healthy``     none of the above
==============  ============================================================

The hidden layers are every weight layer but the last; a layer's activation std
is that of the activation that follows it, else of its own output
(:attr:`vgp.probe.LayerStats.act_std`). When the gradient and the signal both
say ``vanishing`` (or both ``exploding``), the gradient finding is reported.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from vgp._checks import check_inputs, check_int, check_module
from vgp.groups import resolve_params
from vgp.losses import Loss, _check_loss, loss_of
from vgp.probe import LayerStats, Probe, format_table
from vgp.through_time import StepInput, _time_input

VERDICTS: tuple[str, ...] = (
    "non-finite",
    "exploding",
    "vanishing",
    "dead units",
    "saturated",
    "healthy",
)
"""Possible verdicts, most urgent first: :func:`diagnose` reports every one that applies."""

VANISHING_RATIO = 1e-3
"""Vanishing: a layer's gradient norm is below this fraction of the output layer's."""

EXPLODING_RATIO = 1e3
"""Exploding: a layer's gradient norm is above this multiple of the output layer's."""

DEAD_FRACTION = 0.5
"""Dead units: at least this share of a layer's units is dead on the batch."""

SATURATED_FRACTION = 0.5
"""Saturated: at least this share of a layer's activations is saturated."""

SIGNAL_RATIO = 10.0
"""Signal: a hidden layer's activation std below ``1 / SIGNAL_RATIO`` of the first
hidden layer's is vanishing, above ``SIGNAL_RATIO`` times it is exploding."""


@dataclass(frozen=True)
class Finding:
    """One check that fired: which, where, the number measured and its threshold.

    ``layer`` is the worst layer (``None`` when the loss itself is at fault);
    ``value`` is what was measured there and ``threshold`` the limit it crossed.
    """

    verdict: str
    layer: str | None
    value: float
    threshold: float
    reason: str

    def __str__(self) -> str:
        return f"{self.verdict}: {self.reason}"


@dataclass(frozen=True)
class Diagnosis:
    """The result of :func:`diagnose`.

    ``verdict`` is the most urgent finding; ``findings`` lists every finding,
    most urgent first; ``stats`` holds the per-layer numbers and ``loss`` the
    loss of the pass. ``params`` is the view of the parameters that was judged
    (``"weights"`` or ``"all"``, :mod:`vgp.groups`), ``frozen`` names the frozen
    parameters left out, and ``time_gradients`` holds the norm of ``dL/dx_t``
    for every step ``t`` of the input when it has a time axis (else ``()``).
    ``print(diagnosis)`` shows the table, the loss, the steps and the findings.
    """

    verdict: str
    findings: tuple[Finding, ...]
    stats: tuple[LayerStats, ...]
    loss: float
    params: str = "weights"
    frozen: tuple[str, ...] = ()
    time_gradients: tuple[float, ...] = ()

    @property
    def verdicts(self) -> tuple[str, ...]:
        """Every verdict that applies, most urgent first (each once)."""
        return tuple(dict.fromkeys(f.verdict for f in self.findings))

    def __str__(self) -> str:
        lines = [format_table(list(self.stats)), "", f"loss {self.loss:.4g}"]
        if self.frozen:
            lines.append(f"frozen, not measured: {', '.join(self.frozen)}")
        if self.time_gradients:
            g = self.time_gradients
            lines.append(
                f"input gradient through time: step 0 {g[0]:.2e}, step {len(g) - 1} {g[-1]:.2e}"
            )
        lines += [f"verdict: {f}" for f in self.findings]
        return "\n".join(lines)


def diagnose(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    loss: Loss | None = None,
    *,
    params: str = "auto",
    time_dim: int | None = 1,
) -> Diagnosis:
    """Probe one forward and backward pass of ``model`` on ``(X, y)`` and judge it.

    Two things are checked for ``vanishing`` and ``exploding``: every layer's
    gradient norm against the output layer's, and every hidden layer's
    activation std against the first hidden layer's. The second is needed
    because ``dL/dW`` of a layer is the back-propagated gradient times the
    layer's input: in a positively homogeneous net (ReLU, leaky ReLU, and tanh
    or GELU near 0) with a badly scaled init one factor shrinks with depth as
    fast as the other grows, so every layer's gradient is off by about the same
    factor and only the forward signal shows it. Dead units and
    saturation are checked per layer.

    Any model: the layers are the parameter groups of ``params``
    (:mod:`vgp.groups`; ``"auto"`` is the weights of Linear and convolution
    layers for a model built of those and norm layers, every parameter grouped
    by module otherwise). In the ``"all"`` view the reference is the group
    nearest the output in the forward pass, named in the finding, and the
    signal check is left out (it is written for stacks of Linear layers and
    activations). When ``X`` has a time axis (floating-point ``X`` with 3 or
    more dimensions, or integer token ids with 2 or more, axis ``time_dim``),
    the input's gradient is also judged step by step
    (:func:`vgp.time_gradients`, in the same pass) against the last step's:
    vanishing through time below :data:`VANISHING_RATIO`, exploding above
    :data:`EXPLODING_RATIO`. ``time_dim=None`` leaves it out.

    The model's ``.grad`` fields are restored afterwards, so a diagnosis never
    changes a training run. Non-finite inputs, losses, activations or gradients
    are reported as the ``"non-finite"`` verdict, never raised. The thresholds are
    the module's constants (:data:`VANISHING_RATIO`, :data:`EXPLODING_RATIO`,
    :data:`SIGNAL_RATIO`, :data:`DEAD_FRACTION`, :data:`SATURATED_FRACTION`).

    Parameters
    ----------
    model
        Any ``torch.nn.Module`` with a parameter that trains.
    X, y
        A batch of inputs and its targets.
    loss
        ``loss(output, y)``; default :func:`vgp.losses.default_loss`.
    params
        ``"auto"``, ``"weights"`` or ``"all"``: which parameters form the layers.
    time_dim
        The time axis of ``X`` when it has one; ``None`` for no check through time.

    Examples
    --------
    >>> import vgp
    >>> data = vgp.datasets.circles()
    >>> deep = vgp.mlp(depth=11, width=10, activation="sigmoid")
    >>> diagnosis = vgp.diagnose(deep, data.X_train, data.y_train)
    >>> diagnosis.verdict
    'vanishing'
    >>> print(diagnosis.findings[0])
    vanishing: fc1 gradient norm 4.53e-12 is 1.71e-10 of the output layer's (< 1e-03)
    >>> vgp.diagnose(vgp.mlp(depth=3, width=10), data.X_train, data.y_train).verdict
    'healthy'

    A deep ReLU net with Xavier init: its gradients look fine, its signal fades.

    >>> xavier = vgp.mlp(depth=20, width=64, init="xavier_normal")
    >>> print(vgp.diagnose(xavier, data.X_train, data.y_train).findings[0])
    vanishing: fc20 activation std 8.94e-05 is 9.47e-04 of fc1's (< 1e-01)
    """
    check_module("model", model)
    view = resolve_params(model, params)
    check_inputs(model, X, y, finite=False)
    loss = _check_loss(loss)
    if time_dim is not None:
        check_int("time_dim", time_dim, minimum=-X.dim())
    timed = time_dim is not None and X.dim() >= (3 if X.is_floating_point() else 2)
    dim = _time_input(model, X, time_dim) if timed else 0
    saved = {p: p.grad for p in model.parameters()}
    try:
        for p in saved:
            p.grad = None
        with (
            warnings.catch_warnings(),  # a non-finite gradient is a finding of its own here
            Probe(model, params=view) as probe,
            StepInput(model, X, dim) as steps,
        ):
            warnings.filterwarnings("ignore", "Probe: the gradient norm", RuntimeWarning)
            value = loss_of(model, steps.x if timed else X, y, loss)
            value.backward()
        through_time = tuple(steps.norms(steps.measured().grad)) if timed else ()
    finally:
        for p, g in saved.items():
            p.grad = g
    stats = tuple(probe.stats)
    findings = []
    if X.is_floating_point() and not bool(torch.isfinite(X).all()):
        bad = int((~torch.isfinite(X)).sum())
        findings.append(
            Finding("non-finite", None, math.nan, math.inf,
                    f"X holds {bad} NaN or infinite entries of {X.numel()}")
        )
    findings += findings_of(stats, value.item(), params=view, steps=through_time)
    if findings[0].verdict == "non-finite":
        findings = [f for f in findings if f.verdict == "non-finite"]
    return Diagnosis(
        findings[0].verdict, tuple(findings), stats, value.item(), view, probe.frozen, through_time
    )


def findings_of(
    stats: tuple[LayerStats, ...],
    loss: float,
    *,
    params: str = "weights",
    steps: tuple[float, ...] = (),
) -> list[Finding]:
    """Every verdict that applies to per-layer statistics and a loss, most urgent first.

    ``params`` is the view the statistics come from (``"weights"``: the last
    layer is "the output layer" and the signal is checked; ``"all"``: the last
    group is named as the reference, no signal check); ``steps`` are the input
    gradient's norms through time, judged against the last step's.

    Examples
    --------
    >>> from vgp.diagnose import findings_of
    >>> from vgp.probe import LayerStats
    >>> def layer(i, grad, std=1.0):
    ...     return LayerStats(
    ...         name=f"fc{i}", grad_norm=grad, weight_norm=1.0, update_ratio=0.0,
    ...         act_mean=0.0, act_std=std, saturated_fraction=None, dead_fraction=None,
    ...         activation=None, activation_histogram=None, gradient_histogram=None,
    ...     )
    >>> [f.verdict for f in findings_of((layer(1, 1e-6), layer(2, 1e-3), layer(3, 1.0)), 0.7)]
    ['vanishing']
    >>> [f.verdict for f in findings_of((layer(1, 0.5), layer(2, 1.0)), 0.7)]
    ['healthy']

    Equal gradients, but the second hidden layer's activations spread 40 times
    wider than the first's:

    >>> for f in findings_of((layer(1, 1.0), layer(2, 1.0, std=40.0), layer(3, 1.0)), 0.7):
    ...     print(f)
    exploding: fc2 activation std 4.00e+01 is 4.00e+01 times fc1's (> 1e+01)

    Healthy layers, but the input's first step hears a millionth of what the last does:

    >>> for f in findings_of((layer(1, 0.5), layer(2, 1.0)), 0.7, steps=(1e-6, 0.1, 1.0)):
    ...     print(f)
    vanishing: input step 0 gradient norm 1.00e-06 is 1.00e-06 of step 2's (< 1e-03)
    """
    nonfinite = _nonfinite(stats, loss, steps)
    if nonfinite is not None:
        return [nonfinite]
    against = "the output layer's" if params == "weights" else f"{stats[-1].name}'s (nearest the output)"
    found = _gradient_findings(stats, against)
    fired = {f.verdict for f in found}
    if params == "weights":
        found += [f for f in _signal_findings(stats) if f.verdict not in fired]
    found += _time_findings(steps)
    found.sort(key=lambda f: VERDICTS.index(f.verdict))
    for verdict, attribute, threshold in (
        ("dead units", "dead_fraction", DEAD_FRACTION),
        ("saturated", "saturated_fraction", SATURATED_FRACTION),
    ):
        measured = [
            (getattr(s, attribute), s.name) for s in stats if getattr(s, attribute) is not None
        ]
        if measured and max(measured)[0] >= threshold:
            share, name = max(measured)
            what = "units dead" if verdict == "dead units" else "activations saturated"
            found.append(
                Finding(
                    verdict,
                    name,
                    share,
                    threshold,
                    f"{name}: {share:.0%} of {what} (>= {threshold:.0%})",
                )
            )
    if not found:
        grads = [s.grad_norm for s in stats]
        span = min(grads) / max(grads)
        noun = "layer" if params == "weights" else "group"
        reason = (
            f"every {noun}'s gradient norm is within {VANISHING_RATIO:.0e} to "
            f"{EXPLODING_RATIO:.0e} of {against} (smallest/largest {span:.2e})"
        )
        if params == "weights" and _signal_checked(stats):
            reason += (
                f"; every hidden layer's activation std is within {1 / SIGNAL_RATIO:.0e} to "
                f"{SIGNAL_RATIO:.0e} of {stats[0].name}'s"
            )
        if steps:
            reason += (
                f"; every input step's gradient norm is within {VANISHING_RATIO:.0e} to "
                f"{EXPLODING_RATIO:.0e} of step {len(steps) - 1}'s"
            )
        found.append(Finding("healthy", None, span, VANISHING_RATIO, reason))
    return found


def _time_findings(steps: tuple[float, ...]) -> list[Finding]:
    if not steps:
        return []
    last = len(steps) - 1
    reference, against = steps[-1], f"step {last}'s"
    if reference == 0.0:
        if max(steps) == 0.0:
            return [Finding("vanishing", "input", 0.0, VANISHING_RATIO,
                            "every input step's gradient is exactly 0")]
        top = max(range(len(steps)), key=steps.__getitem__)
        reference, against = steps[top], f"step {top}'s"
    labels = [f"input step {t}" for t in range(len(steps))]
    return _extremes(
        labels, list(steps), reference, "gradient norm", against,
        low=VANISHING_RATIO, high=EXPLODING_RATIO,
    )


def _nonfinite(stats: tuple[LayerStats, ...], loss: float, steps: tuple[float, ...]) -> Finding | None:
    for s in stats:
        if s.act_mean is not None and not (math.isfinite(s.act_mean) and math.isfinite(s.act_std)):
            return Finding(
                "non-finite",
                s.name,
                s.act_mean,
                math.inf,
                f"{s.name} activations are NaN or infinite (loss {loss:.4g})",
            )
    if not math.isfinite(loss):
        return Finding("non-finite", None, loss, math.inf, f"the loss is {loss}")
    for s in stats:
        if not math.isfinite(s.grad_norm):
            return Finding(
                "non-finite",
                s.name,
                s.grad_norm,
                math.inf,
                f"{s.name} gradient norm is {s.grad_norm} (loss {loss:.4g})",
            )
    for t, g in enumerate(steps):
        if not math.isfinite(g):
            return Finding(
                "non-finite", f"input step {t}", g, math.inf,
                f"input step {t} gradient norm is {g} (loss {loss:.4g})",
            )
    return None


def _gradient_findings(stats: tuple[LayerStats, ...], against: str) -> list[Finding]:
    grads = [s.grad_norm for s in stats]
    if max(grads) == 0.0:
        return [
            Finding("vanishing", stats[0].name, 0.0, VANISHING_RATIO, "every gradient is exactly 0")
        ]
    reference = grads[-1] if grads[-1] > 0 else max(grads)
    return _extremes(
        [s.name for s in stats], grads, reference, "gradient norm", against,
        low=VANISHING_RATIO, high=EXPLODING_RATIO,
    )


def _signal_checked(stats: tuple[LayerStats, ...]) -> bool:
    """Whether the signal check applies: two hidden layers, the first with some spread."""
    first = stats[0].act_std
    return len(stats) >= 3 and first is not None and math.isfinite(first) and first > 0


def _signal_findings(stats: tuple[LayerStats, ...]) -> list[Finding]:
    if not _signal_checked(stats):
        return []
    hidden = [s for s in stats[:-1] if s.act_std is not None]
    return _extremes(
        [s.name for s in hidden], [s.act_std for s in hidden], hidden[0].act_std,
        "activation std", f"{hidden[0].name}'s", low=1 / SIGNAL_RATIO, high=SIGNAL_RATIO,
    )


def _extremes(
    names: list[str],
    values: list[float],
    reference: float,
    what: str,
    against: str,
    *,
    low: float,
    high: float,
) -> list[Finding]:
    """``exploding`` for the layer whose value is the most above ``high`` times the
    reference, ``vanishing`` for the one the most below ``low`` times it."""
    ratios = [v / reference for v in values]
    found = []
    top = max(range(len(values)), key=ratios.__getitem__)
    if ratios[top] > high:
        name = names[top]
        found.append(
            Finding(
                "exploding",
                name,
                ratios[top],
                high,
                f"{name} {what} {values[top]:.2e} is {ratios[top]:.2e} times {against} "
                f"(> {high:.0e})",
            )
        )
    bottom = min(range(len(values)), key=ratios.__getitem__)
    if ratios[bottom] < low:
        name = names[bottom]
        found.append(
            Finding(
                "vanishing",
                name,
                ratios[bottom],
                low,
                f"{name} {what} {values[bottom]:.2e} is {ratios[bottom]:.2e} of {against} "
                f"(< {low:.0e})",
            )
        )
    return found


__all__ = [
    "DEAD_FRACTION",
    "EXPLODING_RATIO",
    "SATURATED_FRACTION",
    "SIGNAL_RATIO",
    "VANISHING_RATIO",
    "VERDICTS",
    "Diagnosis",
    "Finding",
    "diagnose",
]
