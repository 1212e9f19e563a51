"""The figures of the page "Layer norm and transformers" (``docs/normalisation.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import normalisation
from vgp.experiments.normalisation import PLACEMENTS
from vgp.figures import figure


@figure("normalisation-layer-gradients")
def normalisation_layer_gradients() -> Figure:
    result = normalisation.layer_gradients()
    grads = dict(zip(PLACEMENTS, result.layer_grads, strict=True))
    streams = dict(zip(PLACEMENTS, result.stream_rms, strict=True))
    return plot.seed_bands(
        {f"{result.depth} layers, d_model = {result.d_model}, at initialisation": grads,
         "the residual stream each layer outputs": streams},
        x=range(1, result.depth + 1),
        xlabel="encoder layer (1 = nearest the input)",
        ylabels=[r"$\|\partial ℒ / \partial \theta_\ell\|$, all of layer $\ell$'s parameters",
                 "root mean square of its entries"],
        logy=[True, False],
    )


@figure("normalisation-last-layer")
def normalisation_last_layer() -> Figure:
    result = normalisation.last_layer_gradients()
    grads = dict(zip(PLACEMENTS, result.w2_grads, strict=True))
    pre, stream = result.typical("pre-norm"), result.typical_stream("pre-norm")
    depth_one = result.depths[0]
    return plot.seed_bands(
        {"the last layer's feed-forward output matrix": grads},
        x=result.depths,
        xlabel="number of encoder layers L",
        ylabels=[r"$\|\partial ℒ / \partial W^{2,L}\|$ at initialisation"],
        logx=True,
        references={"the last layer's feed-forward output matrix": {
            "∝ 1/√L (theorem 1's pre-norm bound)":
                [pre[0] * (depth_one / d) ** 0.5 for d in result.depths],
            "∝ 1/rms of the last stream (pre-norm's final norm)":
                [pre[0] * stream[0] / s for s in stream],
        }},
    )


@figure("normalisation-warmup")
def normalisation_warmup() -> Figure:
    panels = {}
    for norm_first in (False, True):
        constant, warm = (normalisation.warmup_runs(norm_first, w) for w in (0, 15))
        panels[f"{constant.placement}, Adam, peak learning rate {constant.lr:g}"] = {
            "constant learning rate": constant.losses,
            f"linear warm-up over {warm.warmup_steps} steps": warm.losses,
        }
    steps = len(constant.losses[0])
    return plot.seed_bands(panels, x=range(1, steps + 1), xlabel="training step",
                           ylabels=["training loss (mini-batch)"] * 2)
