"""The figures of the page "Exploding gradients and clipping" (``docs/exploding.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import exploding
from vgp.figures import figure
from vgp.plot.profiles import GRADIENT_NORM_LABEL


@figure("exploding-profiles")
def exploding_profiles() -> Figure:
    result = exploding.chaos_profiles()
    title = f"tanh, {result.depth} layers of {result.width} units, at initialisation"
    series, predictions = {}, []
    for sigma_w, chi, norms in zip(result.sigma_ws, result.chi_1, result.norms, strict=True):
        series[rf"$\sigma_w = {sigma_w:g}$, $\chi_1 = {chi:.2f}$"] = norms
        # through the middle layer, growing by sqrt(chi_1) per layer toward the input
        mid = result.depth // 2
        predictions.append(tuple(
            norms[mid - 1] * chi ** ((mid - layer) / 2) for layer in range(1, result.depth + 2)
        ))
    return plot.layer_profiles(
        {title: series},
        ylabel=GRADIENT_NORM_LABEL,
        predictions={title: predictions},
        prediction_label=r"slope predicted by $\chi_1$: $\times\sqrt{\chi_1}$ per layer",
    )


@figure("exploding-clipping")
def exploding_clipping() -> Figure:
    result = exploding.clipping()
    labels = [
        rf"$\sigma_w = {result.gains[0]:g}$",
        rf"$\sigma_w = {result.gains[1]:g}$, clipped to {result.clip:g}",
        r"$\sigma_w = \sqrt{2}$ (He)",
    ]
    marks = {
        label: f"gradient inf/NaN at step {bad}"
        for label, bad in zip(labels, result.nonfinite_step, strict=True)
        if bad is not None
    }
    grad_label = "weight-gradient norm, before clipping"
    return plot.training_curves(
        {
            "training loss": dict(zip(labels, result.loss, strict=True)),
            grad_label: dict(zip(labels, result.grad_norm, strict=True)),
        },
        xlabel="gradient-descent step (full batch)",
        marks=marks,
        hlines={grad_label: (result.clip, f"clipping threshold {result.clip:g}")},
    )

