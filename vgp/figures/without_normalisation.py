"""The figures of the page "Deep nets without normalisation" (``docs/without-normalisation.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import without_normalisation as nonorm
from vgp.figures import figure
from vgp.plot.profiles import GRADIENT_NORM_LABEL

TRAINED: tuple[str | None, ...] = ("batch", "fixup", "rezero")
"""The nets of the training figures: the unnormalised net's first step is NaN (the
page prints it), and weight standardisation + group norm is left out (its run
takes more than the two seconds an experiment may)."""
ORDER = tuple(nonorm.LABELS.values())


@figure("without-normalisation-stream")
def without_normalisation_stream() -> Figure:
    result = nonorm.initial_profiles()
    return plot.depth_profiles(
        {f"{result.blocks} residual blocks of {result.width} units, at initialisation": {
            nonorm.LABELS[fix]: stds[1:] for fix, stds in zip(result.fixes, result.stream_std,
                                                                 strict=True)}},
        ylabel=r"std of the stream $h_\ell$ over units and samples",
        xlabel=r"block $\ell$",
        order=ORDER,
    )


@figure("without-normalisation-gradients")
def without_normalisation_gradients() -> Figure:
    result = nonorm.initial_profiles()
    runs = [nonorm.training_run(fix) for fix in TRAINED]
    at_init = {nonorm.LABELS[fix]: grads for fix, grads in zip(result.fixes, result.weight_grads,
                                                                strict=True)
               if fix not in ("fixup", "rezero")}
    return plot.depth_profiles(
        {"at initialisation": at_init,
         f"after {runs[0].steps} SGD steps": {run.label: run.weight_grads for run in runs}},
        ylabel=GRADIENT_NORM_LABEL,
        xlabel="weight layer (1 = stem, then two per block)",
        order=ORDER,
    )


@figure("without-normalisation-training")
def without_normalisation_training() -> Figure:
    runs = [nonorm.training_run(fix) for fix in TRAINED]
    return plot.loss_over_steps(
        {run.label: run.loss for run in runs},
        every=runs[0].every,
        title=f"{runs[0].blocks} blocks on moons, SGD, learning rate {runs[0].lr:g}",
        order=ORDER,
    )
