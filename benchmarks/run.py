"""Time the things the project promises to keep fast, as ratios to an import floor.

The floor is the wall time of ``python -c "import torch, sklearn, matplotlib"``
measured in the same run, so the ratios compare across machines and loads better
than seconds do. Targets on the 2-core reference machine: suite <= 20 s, clean
build <= 45 s, each experiment <= 2 s on one core, Probe overhead <= 1.3x.

Usage::

    python benchmarks/run.py                 # everything
    python benchmarks/run.py probe experiments   # some parts

This is a report, not a test: it never fails on a slow number.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("floor", "experiments", "probe", "build", "suite")


def wall(command: list[str], repeat: int = 1) -> float:
    """Median wall time of ``command`` (run from the repository root)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor() -> float:
    return wall([sys.executable, "-c", "import torch, sklearn, matplotlib"], repeat=3)


EXPERIMENT_TIMER = """
import json, time
start = time.perf_counter()
import torch
torch.set_num_threads(1)
import vgp, vgp.experiments as ex
from vgp.figures import FIGURES
# One-off process costs, paid by whichever experiment comes first: sklearn's
# import (the datasets) and the first optimiser; reported apart.
vgp.datasets.digits(); vgp.datasets.moons()
out = {"(imports and first calls)": time.perf_counter() - start}
for name, fn in ex.load_all().items():
    start = time.perf_counter(); fn(); out[name] = time.perf_counter() - start
start = time.process_time()
for spec in FIGURES.values():
    spec.svg()   # experiments are memoised by now: this is drawing only
out["(drawing every figure, experiments done)"] = time.process_time() - start
print(json.dumps(out))
"""


def experiments() -> dict[str, float]:
    """Each named experiment's first call, on one thread, in a fresh process; then
    the time to draw every site figure once the experiments are memoised."""
    import json

    result = subprocess.run(
        [sys.executable, "-c", EXPERIMENT_TIMER],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


PROBED_ACTIVATIONS = ("tanh", "sigmoid", "relu", "gelu")
"""The target is set on tanh; the others show what the other statistics cost."""


def probe_overhead(
    activation: str = "tanh", depth: int = 50, width: int = 256, batch: int = 256, repeat: int = 30
) -> tuple[float, float]:
    """Seconds per forward+backward of the MLP, bare and inside ``vgp.Probe``."""
    import torch

    import vgp

    torch.set_num_threads(1)
    net = vgp.mlp(depth, width, activation=activation, in_features=width, out_features=1)
    X = torch.randn(batch, width, generator=torch.Generator().manual_seed(0))
    return timed_pair(net, X, repeat)


class _LastStep:
    """Builders of the sequence models the probe is timed on (read at the last step)."""

    @staticmethod
    def lstm():
        import torch

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.lstm = torch.nn.LSTM(32, 128, num_layers=2, batch_first=True)
                self.head = torch.nn.Linear(128, 1)

            def forward(self, x):
                return self.head(self.lstm(x)[0][:, -1])

        return Net()

    @staticmethod
    def transformer():
        import torch

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                layer = torch.nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True)
                self.encoder = torch.nn.TransformerEncoder(layer, 4, enable_nested_tensor=False)
                self.head = torch.nn.Linear(128, 1)

            def forward(self, x):
                return self.head(self.encoder(x)[:, -1])

        return Net()


SEQUENCE_MODELS = {
    "2-layer LSTM (32 -> 128 units, 100 steps, batch 64)": (_LastStep.lstm, (64, 100, 32)),
    "4-layer transformer encoder (d 128, 4 heads, 64 tokens, batch 32)": (
        _LastStep.transformer, (32, 64, 128)),
}
"""The models besides the MLP whose probe overhead is reported (``params="all"``)."""


def sequence_overhead(name: str, repeat: int = 20) -> tuple[float, float]:
    import torch

    torch.set_num_threads(1)
    build, shape = SEQUENCE_MODELS[name]
    torch.manual_seed(0)
    return timed_pair(build(), torch.randn(*shape), repeat)


def timed_pair(net, X, repeat: int) -> tuple[float, float]:
    """Median CPU seconds per forward+backward of ``net`` on ``X``, bare and inside ``vgp.Probe``."""
    import torch

    import vgp

    y = (torch.rand(len(X), generator=torch.Generator().manual_seed(1)) > 0.5).float()

    def step() -> None:
        net.zero_grad()
        vgp.probe.default_loss(net(X), y).backward()

    def probed() -> None:
        with vgp.Probe(net):
            step()

    bare, inside = [], []
    for _ in range(3):
        step(), probed()  # warm up both paths
    # CPU time of this one-thread process: a loaded machine stretches wall time
    # far more (and more unevenly) than the work done.
    for _ in range(repeat):
        for fn, times in ((step, bare), (probed, inside)):
            start = time.process_time()
            fn()
            times.append(time.process_time() - start)
    return statistics.median(bare), statistics.median(inside)


def build() -> float:
    with tempfile.TemporaryDirectory() as site:
        return wall([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", site])


SUITES = {
    "full test suite (pytest)": [],
    'without the site (pytest -m "not site")': ["-m", "not site"],
    "snippets only (pytest docs vgp)": ["docs", "vgp"],
}
"""What each part of the suite runs: the README's command, then the faster loops."""


def suite() -> dict[str, float]:
    return {name: wall([sys.executable, "-m", "pytest", "-x", *args]) for name, args in SUITES.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", metavar="PART", help=f"any of: {', '.join(PARTS)}")
    parts = parser.parse_args(argv).parts or list(PARTS)
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from: {', '.join(PARTS)}")
    base = floor()
    print(f"import floor (import torch, sklearn, matplotlib): {base:.2f} s")
    if "experiments" in parts:
        times = experiments()
        extra = {name: times.pop(name) for name in list(times) if name.startswith("(")}
        print(f"\nexperiments, one thread ({len(times)}; target <= 2 s each):")
        for name, seconds in sorted(times.items(), key=lambda kv: -kv[1]):
            print(f"  {name:45} {seconds:6.2f} s  {seconds / base:5.2f}x floor")
        total = sum(times.values())
        print(f"  {'total':45} {total:6.2f} s  {total / base:5.2f}x floor")
        for name, seconds in extra.items():
            print(f"  {name:45} {seconds:6.2f} s  {seconds / base:5.2f}x floor")
    if "probe" in parts:
        print("\nProbe overhead (50 layers x 256 units, batch 256, one thread; target <= 1.3x):")
        for activation in PROBED_ACTIVATIONS:
            bare, inside = probe_overhead(activation)
            print(f"  {activation:8} bare forward+backward {bare * 1e3:6.1f} ms, inside vgp.Probe"
                  f" {inside * 1e3:6.1f} ms: overhead {inside / bare:.2f}x")
        print("\nProbe overhead on sequence models (every parameter, one thread):")
        for name in SEQUENCE_MODELS:
            bare, inside = sequence_overhead(name)
            print(f"  {name}: bare {bare * 1e3:6.1f} ms, inside vgp.Probe {inside * 1e3:6.1f} ms:"
                  f" overhead {inside / bare:.2f}x")
    if "build" in parts:
        seconds = build()
        print(f"\nclean mkdocs build --strict: {seconds:.1f} s = {seconds / base:.1f}x floor"
              " (target <= 45 s)")
    if "suite" in parts:
        print("\ntest suite (target ~20 s):")
        for name, seconds in suite().items():
            print(f"  {name:45} {seconds:6.1f} s  {seconds / base:5.1f}x floor")


if __name__ == "__main__":
    main()
