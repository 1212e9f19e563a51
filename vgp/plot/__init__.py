"""Matplotlib drawing functions in one shared style, one module per chapter.

Drawing only: every function here takes results that other modules computed and
returns a ``matplotlib.figure.Figure``; nothing here trains or measures.
:mod:`vgp.plot.style` holds the palette (Okabe and Ito's, safe for the common
forms of colour blindness; each series also differs by marker, so no figure
relies on colour alone), the rc settings and the SVG output;
:mod:`vgp.plot.profiles` the charts several pages share; every other module is
named like the page whose figures it draws (``docs/chain-rule.md`` <->
``vgp/plot/chain_rule.py``). Every public drawing function is also reachable
as ``vgp.plot.<name>``.
"""

from __future__ import annotations

from vgp.plot.batch_norm import (
    accuracy_bands,
    preactivation_histograms,
)
from vgp.plot.chain_rule import (
    depth_profile,
    phase_profiles,
)
from vgp.plot.covariate_shift import (
    covariate_shift,
)
from vgp.plot.diagnosing import (
    before_and_after,
    ratios_over_training,
    symptoms,
)
from vgp.plot.exploding import (
    training_curves,
)
from vgp.plot.initialisation import (
    condition_growth,
    loss_and_accuracy,
    signal_through_depth,
)
from vgp.plot.leaky_relu import (
    activation_curves,
    mean_activation,
    training_runs,
    variance_through_depth,
)
from vgp.plot.low_precision import (
    underflow_panels,
)
from vgp.plot.lstm import (
    accuracy_against_lag,
)
from vgp.plot.normalisation import (
    seed_bands,
)
from vgp.plot.problem import (
    FLOAT32_RESOLUTION,
    UPDATE_RATIO_TARGET,
    exponential_decay,
    update_ratios,
)
from vgp.plot.profiles import (
    gradient_panels,
    gradient_profile,
    histograms,
    layer_profiles,
    layer_series,
    loss_curves,
)
from vgp.plot.recurrent import (
    time_profiles,
)
from vgp.plot.relu import (
    born_dead,
    dying_units,
    gradient_profiles,
)
from vgp.plot.saturation import (
    saturating_activations,
    saturation_over_training,
)
from vgp.plot.style import (
    LINESTYLES,
    MARKERS,
    PALETTE,
    STYLE,
    PlainTextLogFormatter,
    new_figure,
    plain_text_log_ticks,
    style,
    styled,
    subplots,
    to_svg,
)
from vgp.plot.without_normalisation import (
    depth_profiles,
    loss_over_steps,
)

__all__ = [
    "FLOAT32_RESOLUTION",
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "PlainTextLogFormatter",
    "STYLE",
    "UPDATE_RATIO_TARGET",
    "accuracy_against_lag",
    "accuracy_bands",
    "activation_curves",
    "before_and_after",
    "born_dead",
    "condition_growth",
    "covariate_shift",
    "depth_profile",
    "depth_profiles",
    "dying_units",
    "exponential_decay",
    "gradient_panels",
    "gradient_profile",
    "gradient_profiles",
    "histograms",
    "layer_profiles",
    "layer_series",
    "loss_and_accuracy",
    "loss_curves",
    "loss_over_steps",
    "mean_activation",
    "new_figure",
    "phase_profiles",
    "plain_text_log_ticks",
    "preactivation_histograms",
    "ratios_over_training",
    "saturating_activations",
    "saturation_over_training",
    "seed_bands",
    "signal_through_depth",
    "style",
    "styled",
    "subplots",
    "symptoms",
    "time_profiles",
    "to_svg",
    "training_curves",
    "training_runs",
    "underflow_panels",
    "update_ratios",
    "variance_through_depth",
]
