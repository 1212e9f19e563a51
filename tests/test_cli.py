"""The command line, ``python -m vgp``: its commands, and its errors on bad options."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import torch
from torch import nn

import vgp
import vgp.figures
from vgp.__main__ import main
from vgp.experiments import load_all

ROOT = Path(__file__).resolve().parents[1]


def run(argv, capsys):
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def table_rows(out: str) -> dict[str, list[str]]:
    """The per-layer rows of a printed diagnosis, by layer name."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("layer "))
    rows = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        name, *cells = line.split()
        rows[name] = cells
    return rows


def test_diagnose_prints_the_true_gradient_of_every_layer(capsys):
    status, out, err = run(["diagnose", "--activation", "sigmoid", "--depth", "20"], capsys)
    assert status == 0 and err == ""
    rows = table_rows(out)
    data = vgp.datasets.circles()
    net = vgp.mlp(20, 10, activation="sigmoid")
    expected = vgp.gradient_norms(net, data.X_train, data.y_train)
    assert list(rows) == [f"fc{i}" for i in range(1, 21)] + ["out"]
    assert [cells[0] for cells in rows.values()] == [f"{g:.2e}" for g in expected]
    assert "verdict: vanishing" in out


@pytest.mark.parametrize(
    ("argv", "layers", "header"),
    [
        (
            ["--residual", "--depth", "3"],
            ["fc1", "block2.block.fc2", "block3.block.fc3", "out"],
            "residual",
        ),
        (
            ["--norm", "batch", "--depth", "2", "--activation", "tanh"],
            ["fc1", "fc2", "out"],
            "tanh, default init, batch norm",
        ),
        (
            ["--dataset", "digits", "--depth", "2", "--width", "16", "--init", "he_normal"],
            ["fc1", "fc2", "out"],
            "he_normal init",
        ),
    ],
)
def test_diagnose_options_reach_the_net(argv, layers, header, capsys):
    status, out, _ = run(["diagnose", *argv], capsys)
    assert status == 0
    assert list(table_rows(out)) == layers
    assert header in out.splitlines()[0]


def test_diagnose_on_digits_uses_its_width(capsys):
    _, out, _ = run(["diagnose", "--dataset", "digits", "--depth", "2"], capsys)
    assert "1203 digits samples" in out
    assert (
        table_rows(out)["fc1"][1]
        == f"{vgp.mlp(2, 10, in_features=64, out_features=10)[0].weight.norm():.2e}"
    )


def fake_figures():
    from vgp.figures import FigureSpec
    from vgp.plot import gradient_profile

    return {
        name: FigureSpec(name, lambda n=name: gradient_profile({n: [1e-3, 1.0]}, title=n))
        for name in ("first", "second", "third")
    }


def test_figures_writes_every_registered_figure_with_a_progress_bar(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(vgp.figures, "FIGURES", fake_figures())
    status, out, err = run(["figures", str(tmp_path / "out")], capsys)
    assert status == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["first.svg", "second.svg", "third.svg"]
    for path in (tmp_path / "out").iterdir():
        assert ET.parse(path).getroot().tag.endswith("svg")
    assert [line.split("] ")[1] for line in err.splitlines()] == [
        "1/3 first",
        "2/3 second",
        "3/3 third",
    ]
    assert "wrote 3 figures" in out


def svg_lines(svg: str) -> list[list[tuple[float, float]]]:
    """The vertices of every matplotlib line (``<g id="line2d_N"><path d=...>``) of an SVG."""
    import re

    paths = re.findall(r'<g id="line2d_\d+">\s*<path d="([^"]*)"', svg)
    return [[(float(x), float(y)) for x, y in re.findall(r"([-\d.]+) ([-\d.]+)", d)] for d in paths]


def test_figures_only_draws_the_measured_gradients(tmp_path, capsys):
    """The SVG the command writes for home-gradients plots, on a log axis, the
    per-layer gradient norms of the four nets measured here with autograd:
    every line's heights are one affine function of log10 of those norms."""
    status, _, _ = run(["figures", str(tmp_path), "--only", "home-gradients"], capsys)
    assert status == 0
    svg = (tmp_path / "home-gradients.svg").read_text()
    data = vgp.datasets.circles()
    measured = []
    for activation, init in [("sigmoid", "default"), ("tanh", "default"), ("relu", "default"),
                             ("relu", "he_normal")]:
        net = vgp.mlp(11, 10, activation=activation, init=init)
        weights = [m.weight for m in net.modules() if isinstance(m, torch.nn.Linear)]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            net(data.X_train).reshape(-1), data.y_train
        )
        measured.append([g.norm().item() for g in torch.autograd.grad(loss, weights)])
    lines = [line for line in svg_lines(svg) if len(line) == 12]  # one point per weight layer
    assert len(lines) == 4
    logs = torch.tensor([math.log10(g) for norms in measured for g in norms], dtype=torch.float64)
    heights = torch.tensor([y for line in lines for _, y in line], dtype=torch.float64)
    design = torch.stack([torch.ones_like(logs), logs], dim=1)
    fit = torch.linalg.lstsq(design, heights[:, None]).solution[:, 0]
    assert fit[1] < 0  # SVG y grows downwards: a larger norm is drawn higher
    # pixels; to_svg writes path coordinates to a hundredth of a point
    assert (design @ fit - heights).abs().max() < 0.02
    xs = [x for x, _ in lines[0]]
    steps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert max(steps) - min(steps) < 0.02 and all(line[i][0] == xs[i] for line in lines[1:] for i in range(12))


def test_experiments_lists_every_named_experiment(capsys):
    status, out, _ = run(["experiments"], capsys)
    assert status == 0
    listed = [line.split()[0] for line in out.splitlines()[: len(load_all())]]
    assert listed == list(load_all())


def test_experiments_runs_by_name_or_chapter_with_timings(capsys):
    status, out, _ = run(["experiments", "problem"], capsys)
    assert status == 0
    chapter = [name for name in load_all() if name.startswith("problem.")]
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == chapter
    assert all(line.split()[2] == "s" and float(line.split()[1]) >= 0 for line in lines[:-1])
    assert lines[-1].startswith(f"{len(chapter)} experiment")


BAD = [
    ([], "required: COMMAND"),
    (["nonsense"], "invalid choice: 'nonsense'"),
    (["diagnose", "--activation", "sigmod"], "invalid choice: 'sigmod'"),
    (["diagnose", "--depth", "0"], "must be an integer >= 1, got 0"),
    (["diagnose", "--width", "ten"], "expected an integer, got 'ten'"),
    (["diagnose", "--init", "kaiming"], "invalid choice: 'kaiming'"),
    (["diagnose", "--norm", "group"], "invalid choice: 'group'"),
    (["diagnose", "--seed", "-1"], "must be an integer >= 0, got -1"),
    (["diagnose", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["figures"], "required: OUTDIR"),
    (["figures", "out", "--only", "no-such-figure"], "unknown figure 'no-such-figure'"),
    (["experiments", "no.such"], "unknown experiment 'no.such'"),
]


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(a) or "none" for a, _ in BAD])
def test_bad_options_give_one_line_and_status_2(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(argv, capsys)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and message in err and err.startswith("vgp")


def test_outdir_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "taken").write_text("")
    status, _, err = run(["figures", str(tmp_path / "taken")], capsys)
    assert status == 2 and "is not a folder" in err


def test_outdir_that_cannot_be_made_fails_with_status_1(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    status, _, err = run(["figures", str(tmp_path / "file" / "sub")], capsys)
    assert status == 1 and len(err.splitlines()) == 1 and "Traceback" not in err


def test_help_and_version(capsys):
    status, out, _ = run(["--help"], capsys)
    assert status == 0
    for command in ("diagnose", "figures", "experiments"):
        assert command in out
    status, out, _ = run(["--version"], capsys)
    assert status == 0 and out.strip() == f"vgp {vgp.__version__}"


@pytest.mark.parametrize("command", ["diagnose", "figures", "experiments"])
def test_every_command_has_help(command, capsys):
    status, out, _ = run([command, "--help"], capsys)
    assert status == 0 and f"usage: vgp {command}" in out


def test_a_real_process_exits_2_without_traceback():
    """The one test in a real ``python -m vgp`` process (the others call ``main``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "vgp", "diagnose", "--activation", "sigmod", "--depth", "20"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("vgp diagnose: error:") or result.stderr.startswith("vgp")


# --- the reader's own model: vgp diagnose MODULE:CALLABLE -----------------------

READER_MODULE = '''
import torch
from torch import nn


def build():
    return nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))


def deep_sigmoid():
    layers = [nn.Linear(8, 16), nn.Sigmoid()]
    for _ in range(10):
        layers += [nn.Linear(16, 16), nn.Sigmoid()]
    return nn.Sequential(*layers, nn.Linear(16, 1))


class Builders:
    small = staticmethod(build)


instance = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 1))
not_callable = 3


def returns_a_list():
    return [nn.Linear(8, 1)]


def raises():
    return {}["no such key"]


def returns_a_tuple(x=None):
    return nn.Sequential(nn.Linear(8, 2))


class TupleOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(x), x


class LSTMNet(nn.Module):
    """One LSTM layer and a linear head on its last step (forget-gate bias 0)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 8, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def data():
    g = torch.Generator().manual_seed(5)
    return torch.randn(32, 8, generator=g), torch.randint(0, 3, (32,), generator=g)


def data_not_a_pair():
    return torch.zeros(3, 8)


def data_too_narrow():
    return torch.randn(32, 5), torch.randint(0, 3, (32,))


def data_short_labels():
    return torch.randn(32, 8), torch.randint(0, 3, (7,))
'''

READER_BROKEN = "import torch\nraise RuntimeError('broken at import')\n"


@pytest.fixture
def reader_folder(tmp_path, monkeypatch):
    """A folder holding the reader's modules, made the current folder (not on sys.path)."""
    (tmp_path / "readers_models.py").write_text(READER_MODULE)
    (tmp_path / "readers_broken.py").write_text(READER_BROKEN)
    (tmp_path / "readers_missing_dependency.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for name in ("readers_models", "readers_broken", "readers_missing_dependency"):
        sys.modules.pop(name, None)


def reference_norms(model, X, y, loss) -> list[float]:
    """||dL/dW|| of every Linear weight by hand: autograd on the loss, nothing of vgp."""
    weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
    grads = torch.autograd.grad(loss(model(X), y), weights)
    return [g.norm().item() for g in grads]


def synthetic_batch(model, shape, seed=0):
    """What the CLI documents: standard-normal X of `shape`, standard-normal targets
    of the output's shape, from one generator seeded with --seed, drawn in float64."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(shape, generator=g, dtype=torch.float64).float()
    with torch.no_grad():
        out_shape = model(X).shape
    y = torch.randn(tuple(out_shape), generator=g, dtype=torch.float64).float()
    return X, y


def test_reader_model_in_a_real_process_matches_a_hand_written_autograd(reader_folder):
    """`python -m vgp diagnose readers_models:deep_sigmoid --input-shape 64 8`, run
    as a reader would in the folder of their module: the table's gradient norms
    are those of autograd on the documented loss, and the verdict is vanishing
    because the first layer's gradient is below 1e-3 of the output layer's."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "vgp", "diagnose", "readers_models:deep_sigmoid",
         "--input-shape", "64", "8"],
        capture_output=True, text=True, env=env, timeout=120, cwd=reader_folder,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    sys.path.insert(0, str(reader_folder))
    try:
        import readers_models  # its import draws from torch's generator (`instance`) ...
    finally:
        sys.path.remove(str(reader_folder))
    torch.manual_seed(0)  # ... the documented seed comes after it, just before the call
    model = readers_models.deep_sigmoid()
    X, y = synthetic_batch(model, (64, 8))
    expected = reference_norms(model, X, y, lambda out, t: ((out - t) ** 2).mean())
    rows = table_rows(result.stdout)
    assert [cells[0] for cells in rows.values()] == [f"{g:.2e}" for g in expected]
    assert expected[0] / expected[-1] < 1e-3
    assert "verdict: vanishing" in result.stdout
    assert result.stdout.startswith("model: readers_models:deep_sigmoid (Sequential, 2,881 parameters")
    assert "standard-normal batch of shape (64, 8)" in result.stdout


def test_reader_data_uses_the_default_loss(reader_folder, capsys):
    status, out, err = run(
        ["diagnose", "readers_models:build", "--data", "readers_models:data", "--seed", "3"],
        capsys,
    )
    assert status == 0 and err == ""
    import readers_models

    torch.manual_seed(3)
    model = readers_models.build()
    X, y = readers_models.data()
    ce = torch.nn.functional.cross_entropy  # three logits: cross-entropy on the labels
    expected = reference_norms(model, X, y, ce)
    assert [c[0] for c in table_rows(out).values()] == [f"{g:.2e}" for g in expected]
    assert f"loss {ce(model(X), y).item():.4g}" in out


def test_reader_lstm_per_parameter_group_and_through_time(reader_folder, capsys):
    """An LSTM over 60 steps: the table's groups are the LSTM layer (its four
    tensors) and the head (weight and bias), each norm that of autograd's
    gradients; the input's gradient through time is autograd's dL/dx_t, and it
    vanishes from the last step to the first."""
    status, out, err = run(
        ["diagnose", "readers_models:LSTMNet", "--input-shape", "16", "60", "1"], capsys
    )
    assert status == 0 and err == ""
    import readers_models

    torch.manual_seed(0)
    model = readers_models.LSTMNet()
    X, y = synthetic_batch(model, (16, 60, 1))
    X.requires_grad_(True)
    loss = ((model(X) - y) ** 2).mean()
    groups = {"lstm.l0": list(model.lstm.parameters()), "head": list(model.head.parameters())}
    grads = torch.autograd.grad(loss, [X, *groups["lstm.l0"], *groups["head"]])
    dX, rest = grads[0], grads[1:]
    lstm = math.sqrt(sum(g.pow(2).sum().item() for g in rest[:4]))
    head = math.sqrt(sum(g.pow(2).sum().item() for g in rest[4:]))
    rows = table_rows(out)
    assert list(rows) == ["lstm.l0", "head"]
    assert [cells[0] for cells in rows.values()] == [f"{lstm:.2e}", f"{head:.2e}"]
    steps = dX.norm(dim=(0, 2))
    assert f"step 0 {steps[0].item():.2e}, step 59 {steps[-1].item():.2e}" in out
    assert steps[0] / steps[-1] < 1e-3 and "verdict: vanishing: input step 0" in out


def test_params_all_shows_every_parameter_of_the_builtin_net(capsys):
    """--params all: each Linear's group holds its weight and its bias."""
    status, out, _ = run(["diagnose", "--depth", "2", "--params", "all"], capsys)
    assert status == 0
    data = vgp.datasets.circles()
    net = vgp.mlp(2, 10)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        net(data.X_train).reshape(-1), data.y_train
    )
    layers = [m for m in net.modules() if isinstance(m, nn.Linear)]
    grads = torch.autograd.grad(loss, [p for m in layers for p in (m.weight, m.bias)])
    norms = [math.hypot(grads[2 * i].norm().item(), grads[2 * i + 1].norm().item())
             for i in range(len(layers))]
    assert [c[0] for c in table_rows(out).values()] == [f"{g:.2e}" for g in norms]


@pytest.mark.parametrize(
    "spec", ["readers_models:instance", "readers_models:Builders.small"], ids=["instance", "dotted"]
)
def test_reader_model_may_be_an_instance_or_a_dotted_name(spec, reader_folder, capsys):
    status, out, err = run(["diagnose", spec, "--input-shape", "16", "8"], capsys)
    assert status == 0 and err == ""
    assert out.startswith(f"model: {spec} (Sequential")


def test_reader_model_on_a_builtin_dataset(reader_folder, capsys):
    """--dataset gives the training split of circles (2 features): a model for 8
    features is refused, naming --dataset."""
    status, out, err = run(["diagnose", "readers_models:build", "--dataset", "circles"], capsys)
    assert status == 2 and out == ""
    assert "--dataset circles does not fit MODEL" in err and "(670, 2)" in err


SHAPE = ["--input-shape", "4", "8"]
READER_BAD = [
    (["readers_models", *SHAPE], 2, "MODEL must be written module:callable", "no-colon"),
    ([":build", *SHAPE], 2, "MODEL must be written module:callable", "no-module"),
    (["readers_models:", *SHAPE], 2, "MODEL must be written module:callable", "no-callable"),
    (["no_such_module_xyz:build", *SHAPE], 2, "no module named 'no_such_module_xyz'", "module-missing"),
    (["readers_models.sub:build", *SHAPE], 2, "no module named 'readers_models.sub'", "submodule-missing"),
    (["readers_models:nothing", *SHAPE], 2, "'readers_models' has no attribute 'nothing'",
     "callable-missing"),
    (["readers_models:Builders.big", *SHAPE], 2, "has no attribute 'Builders.big'", "dotted-missing"),
    (["readers_models:not_callable", *SHAPE], 2, "must name a callable, got int 3", "not-callable"),
    (["readers_models:returns_a_list", *SHAPE], 2, "must return a torch.nn.Module, got list",
     "wrong-return-type"),
    (["readers_models:raises", *SHAPE], 1, "calling it raised KeyError('no such key') (readers_models.py:",
     "raises-in-reader-code"),
    (["readers_broken:build", *SHAPE], 1, "importing 'readers_broken' raised RuntimeError('broken at import')",
     "import-raises"),
    (["readers_missing_dependency:build", *SHAPE], 1, "ModuleNotFoundError", "missing-dependency"),
    (["readers_models:build", "--input-shape", "64", "7"], 2,
     "--input-shape 64 7 does not fit MODEL: its forward pass on X of shape (64, 7) raised "
     "RuntimeError: mat1 and mat2 shapes cannot be multiplied", "shape-mismatch"),
    (["readers_models:build", "--input-shape", "8"], 2,
     "vgp.diagnose refused MODEL readers_models:build with --input-shape 8: ",
     "shape-without-batch"),
    (["readers_models:TupleOut", "--input-shape", "4", "8"], 2,
     "MODEL must return one floating-point tensor from its forward pass, got tuple", "tuple-out"),
    (["readers_models:build", "--input-shape", "0", "8"], 2, "must be an integer >= 1, got 0",
     "shape-zero"),
    (["readers_models:build", "--input-shape", "a"], 2, "expected an integer, got 'a'",
     "shape-not-int"),
    (["readers_models:build"], 2, "needs exactly one of --input-shape", "no-data"),
    (["readers_models:build", "--input-shape", "4", "8", "--data", "readers_models:data"], 2,
     "got --input-shape, --data", "two-data"),
    (["readers_models:build", "--data", "readers_models:data_not_a_pair"], 2,
     "--data 'readers_models:data_not_a_pair' must return (X, y), two torch.Tensors; got Tensor",
     "data-not-a-pair"),
    (["readers_models:build", "--data", "readers_models:data_too_narrow"], 2,
     "--data readers_models:data_too_narrow does not fit MODEL", "data-shape"),
    (["readers_models:build", "--data", "readers_models:data_short_labels"], 2,
     "vgp.diagnose refused MODEL readers_models:build with --data readers_models:data_short_labels"
     ": y must have one label per row", "data-labels"),
    (["readers_models:build", "--data", "nowhere_xyz:data"], 2, "--data 'nowhere_xyz:data': no module",
     "data-module-missing"),
    (["readers_models:build", "--depth", "3", "--input-shape", "4", "8"], 2,
     "--depth only shapes the built-in net", "builtin-option"),
    (["--input-shape", "4", "8"], 2, "--input-shape is for your own model: give MODEL", "no-model"),
    (["--data", "readers_models:data"], 2, "--data is for your own model", "data-no-model"),
    (["readers_models:build", *SHAPE, "--params", "biases"], 2, "invalid choice: 'biases'",
     "params"),
]


@pytest.mark.parametrize(
    ("argv", "status", "message"), [c[:3] for c in READER_BAD], ids=[c[3] for c in READER_BAD]
)
def test_bad_reader_specs_give_one_line_naming_the_argument(
    argv, status, message, reader_folder, capsys
):
    got, out, err = run(["diagnose", *argv], capsys)
    assert (got, out) == (status, "")
    assert len(err.splitlines()) == 1 and err.startswith("vgp diagnose: error: ")
    assert message in err
    assert "Traceback" not in err
