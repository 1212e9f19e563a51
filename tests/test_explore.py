"""vgp.experiments.explore and the page "Explore": the numbers the page ships are
what its code block prints, state by state."""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from pathlib import Path

import pytest

import vgp
from vgp.experiments import EXPERIMENTS, load_all
from vgp.experiments.explore import (
    AXES,
    DEFAULT,
    FIELDS,
    configuration,
    key,
    payload,
    states,
)

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "explore.md"

STATES = [
    DEFAULT,
    {"activation": "relu", "scale": 2.0, "depth": 50, "norm": "none", "residual": 0},
    {"activation": "tanh", "scale": 0.5, "depth": 10, "norm": "batch", "residual": 1},
    {"activation": "gelu", "scale": 4.0, "depth": 5, "norm": "none", "residual": 1},
]
"""States checked against the code block: the default, a critical plain net, both
fixes at once, and skips without a norm."""


def code_block() -> str:
    """The page's "This configuration as code" block, as written for the default state."""
    text = PAGE.read_text()
    section = text.split("## This configuration as code", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def python_value(axis: str, value: object) -> str:
    """How the code block writes a state's value (the page's script does the same)."""
    if axis == "norm":
        return "None" if value == "none" else f'"{value}"'
    if axis == "residual":
        return "True" if value else "False"
    if axis == "activation":
        return f'"{value}"'
    return repr(value)


def code_for(state: dict) -> str:
    """The code block with the state's five values put in."""
    code = code_block()
    for axis in AXES:
        code, count = re.subn(rf"(?m)^{axis} = \S+", f"{axis} = {python_value(axis, state[axis])}", code)
        assert count == 1, axis
    return code


def printed(code: str) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "explore-code-block", "exec"), {})
    return out.getvalue().splitlines()


def shipped_lines(state: dict, shipped: list, layers: tuple[str, ...]) -> list[str]:
    """The lines the code block should print, built from what the page ships
    (numbers formatted as the page's script formats them)."""
    row = dict(zip(FIELDS, shipped, strict=True))

    def e(x: float | str) -> str:
        return x if isinstance(x, str) else f"{x:.2e}"

    lines = ["layer gradient predicted std predicted"]
    for i, name in enumerate(layers):
        theory = row["theory_grad_norms"] is not None
        lines.append(" ".join([
            name, e(row["grad_norms"][i]),
            e(row["theory_grad_norms"][i]) if theory else "-",
            e(row["act_stds"][i]),
            e(row["theory_act_stds"][i]) if theory and i < state["depth"] else "-",
        ]))
    if row["chi_1"] is not None:
        lines.append(f"chi_1 at layer {state['depth']}: {row['chi_1']}")
    lines.append("verdict: " + ", ".join(row["verdicts"]))
    lines.append(row["finding"])
    return lines


def test_registered() -> None:
    load_all()
    assert "explore.configuration" in EXPERIMENTS


@pytest.mark.parametrize("state", STATES, ids=key)
def test_the_code_block_prints_what_the_page_ships(state) -> None:
    result = configuration(**state)
    shipped = payload((result,))["states"][key(state)]
    assert printed(code_for(state)) == shipped_lines(state, shipped, result.layers)


def test_the_code_block_on_the_page_is_the_default_state() -> None:
    assert code_for(DEFAULT) == code_block()


def test_measurements_are_vgps_own() -> None:
    """Independent of the code block: gradient norms by vgp.gradient_norms, the
    std of every activation by hand."""
    import torch

    state = STATES[1]
    result = configuration(**state)
    data = vgp.datasets.circles()
    net = vgp.mlp(50, 32, activation="relu", init="normal", gain=2.0**0.5)
    assert result.grad_norms == pytest.approx(vgp.gradient_norms(net, data.X_train, data.y_train), rel=1e-6)
    stds, h = [], data.X_train
    with torch.no_grad():
        for name, module in net.named_children():
            h = module(h)
            if name.startswith("act") or name == "out":
                stds.append(h.std().item())
    assert result.act_stds == pytest.approx(stds, rel=1e-4)


def test_theory_is_the_mean_field_recursion() -> None:
    """The predicted activation std of a deep He ReLU net stays where it starts
    (Var[z] constant), and chi_1 is sigma_w^2 / 2 for ReLU at any depth."""
    for scale in AXES["scale"]:
        result = configuration("relu", scale, 20)
        assert result.chi_1 == pytest.approx(scale / 2)
    he = configuration("relu", 2.0, 50)
    hidden = he.theory_act_stds
    assert len(hidden) == 50 and max(hidden) / min(hidden) == pytest.approx(1.0)
    ratios = vgp.theory.mean_field_gradients("relu", 50, 2.0, q1=1.0)
    predicted = [g / he.theory_grad_norms[-1] for g in he.theory_grad_norms]
    assert predicted[1:] == pytest.approx(ratios[1:], rel=1e-6)


def test_no_theory_where_it_does_not_apply() -> None:
    for norm, residual in (("batch", 0), ("none", 1), ("batch", 1)):
        result = configuration("tanh", 1.0, 10, norm, residual)
        assert result.theory_grad_norms is result.theory_act_stds is result.chi_1 is None


def test_states_cover_every_combination_once() -> None:
    every = list(states())
    assert len(every) == math.prod(len(v) for v in AXES.values())
    assert len({key(s) for s in every}) == len(every)
    assert DEFAULT in every


def test_payload_is_json_and_rounded_as_printed() -> None:
    result = configuration()
    data = json.loads(json.dumps(payload((result,))))
    grads = data["states"][key(DEFAULT)][0]
    assert [f"{g:.2e}" for g in grads] == [f"{g:.2e}" for g in result.grad_norms]
    assert data["axes"] == {axis: list(values) for axis, values in AXES.items()}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"norm": "layer"}, ValueError, "unknown norm 'layer'; choose one of: none, batch"),
        ({"residual": 2}, ValueError, "residual must be 0 or 1, got 2"),
        ({"residual": True}, ValueError, "residual must be 0 or 1, got True"),
        ({"scale": 0.0}, ValueError, "scale must be > 0.0, got 0.0"),
        ({"depth": "20"}, TypeError, "depth must be an integer"),
        ({"activation": "sigmod"}, ValueError, "unknown activation 'sigmod'"),
    ],
)
def test_bad_input(kwargs, error, message) -> None:
    with pytest.raises(error, match=re.escape(message)):
        configuration(**kwargs)


def test_payload_needs_a_configuration() -> None:
    with pytest.raises(ValueError, match="configurations is empty"):
        payload(())


def _shipped(site: Path) -> dict:
    from bs4 import BeautifulSoup

    page = BeautifulSoup((site / "explore" / "index.html").read_bytes(), "lxml")
    return json.loads(page.find("script", id="explore-data").string)


def test_the_built_page_ships_every_state_as_vgp_measures_it(site) -> None:
    data = _shipped(site)
    assert set(data["states"]) == {key(s) for s in states()}
    assert data["fields"] == list(FIELDS) and data["default"] == DEFAULT
    for state in STATES:
        assert data["states"][key(state)] == payload((configuration(**state),))["states"][key(state)]


def test_only_the_explore_page_loads_its_script_and_stylesheet(site) -> None:
    pages = {p.parent.name: p.read_text() for p in site.rglob("index.html")}
    loading = {name for name, html in pages.items() if "explore.js" in html or "explore.css" in html}
    assert loading == {"explore"}
    assert 'data-after-paint="../assets/javascripts/explore.js"' in pages["explore"]  # run by hooks/page_load.py


def test_the_page_weighs_under_400_kb(site) -> None:
    """Its HTML (the numbers included) plus the script and the stylesheet only it uses."""
    own = [site / "explore" / "index.html", site / "assets" / "javascripts" / "explore.js",
           site / "assets" / "stylesheets" / "explore.css"]
    assert sum(p.stat().st_size for p in own) < 400_000


def _hook():
    import importlib.util

    spec = importlib.util.spec_from_file_location("explore_hook", ROOT / "hooks" / "explore.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Page:
    def __init__(self, src_uri: str) -> None:
        self.file = type("File", (), {"src_uri": src_uri})()
        self.url = src_uri.removesuffix(".md") + "/"


def test_hook_embeds_the_cached_numbers_in_the_explore_page_only(tmp_path) -> None:
    hook = _hook()
    cached = tmp_path / "grid.json"
    cached.write_text('{"states": {"a": "</script>"}}')
    hook._run.update(cache=cached)
    assert hook.on_post_page("<p>other page</p>", _Page("index.md"), None) == "<p>other page</p>"
    html = hook.on_post_page(f"<head></head><body><div>{hook.MARKER}</div></body>", _Page("explore.md"), None)
    assert html == ('<head><link rel="stylesheet" href="../assets/stylesheets/explore.css">\n</head>'
                    '<body><div><script type="application/json" id="explore-data">'
                    '{"states": {"a": "<\\/script>"}}</script></div>'
                    '<script src="../assets/javascripts/explore.js"></script>\n</body>')
    with pytest.raises(ValueError, match="no <!-- explore-data --> marker"):
        hook.on_post_page("<div></div>", _Page("explore.md"), None)


def test_hook_cache_key_follows_vgps_sources(tmp_path, monkeypatch) -> None:
    hook = _hook()
    package = tmp_path / "vgp"
    package.mkdir()
    (package / "nets.py").write_text("WIDTH = 1\n")
    monkeypatch.setattr(hook, "_package", lambda: package)
    first = hook.cache_key()
    assert hook.cache_key() == first
    (package / "nets.py").write_text("WIDTH = 2\n")
    assert hook.cache_key() != first
