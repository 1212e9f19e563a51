"""Time the things the project promises to keep fast, as ratios to an import floor.

The floor is the wall time of ``python -c "import torch, sklearn, matplotlib"``
measured in the same run, so the ratios compare across machines and loads better
than seconds do. Targets on the 2-core reference machine: suite <= 20 s, clean
build <= 45 s, each experiment <= 2 s on one core, Probe overhead <= 1.3x.

Usage::

    python benchmarks/run.py                 # everything
    python benchmarks/run.py probe experiments   # some parts
    python benchmarks/run.py serve       # the edit loop of mkdocs serve

This is a report, not a test: it never fails on a slow number.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("floor", "experiments", "probe", "build", "serve", "lighthouse", "suite")


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


SERVED_PAGE = "problem.md"
"""The page whose prose the ``serve`` part edits (and restores)."""


def _get(url: str) -> str:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _cpu_seconds(pid: int) -> float:
    """CPU time of process ``pid`` and of its children that it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def serve(repeat: int = 3, timeout: float = 300) -> list[tuple[float, float]]:
    """Start ``mkdocs serve``, then ``repeat`` times: add a sentence to one page's
    prose and time until the server returns the page with it. Returns (wall
    seconds, CPU seconds of the serving process) per edit. The page is restored."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    page = ROOT / "docs" / SERVED_PAGE
    url = f"http://127.0.0.1:{port}/{SERVED_PAGE.removesuffix('.md')}/"
    original = page.read_bytes()
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    times = []
    try:
        deadline = time.monotonic() + timeout
        while "</html>" not in _get(url):
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"mkdocs serve did not start:\n{log.read().decode()[-2000:]}")
            time.sleep(0.5)
        time.sleep(2)  # the watcher starts after the first build
        for i in range(repeat):
            marker = f"Benchmark sentence {i} {time.time_ns()}."
            cpu = _cpu_seconds(server.pid)
            start = time.perf_counter()
            page.write_bytes(original + f"\n{marker}\n".encode())
            while marker not in _get(url):
                if time.perf_counter() - start > timeout:
                    raise RuntimeError("the edited page was not rebuilt in time")
                time.sleep(0.05)
            times.append((time.perf_counter() - start, _cpu_seconds(server.pid) - cpu))
            time.sleep(1)
    finally:
        page.write_bytes(original)
        server.terminate()
        server.wait(timeout=30)
    return times


GZIPPED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb", ".py")
"""What a static host sends gzipped (when the browser accepts it)."""


def _gzip_server(site: Path):
    """Serve ``site`` on 127.0.0.1 as a static host does (text gzipped, cacheable),
    from a thread; the running server."""
    import functools
    import gzip
    import http.server
    import io
    import threading

    class Handler(http.server.SimpleHTTPRequestHandler):
        def send_head(self):
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            gzipped = ("gzip" in self.headers.get("Accept-Encoding", "")
                       and path.suffix in GZIPPED and path.is_file())
            if not gzipped:
                return super().send_head()
            body = gzip.compress(path.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=3600")
            self.end_headers()
            return io.BytesIO(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
                  " --disable-background-networking --disable-component-update --disable-sync"
                  " --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse(
    pages: list[str] | None = None, site: Path | None = None, reports: Path | None = None
) -> dict[str, dict[str, float]]:
    """Build the site (or take the built ``site``), serve it with gzip on 127.0.0.1
    and run Lighthouse (mobile preset, simulated throttling) on every page (or on
    ``pages``, URL paths), keeping each page's JSON report in ``reports`` if given.
    Returns, per page, the four category scores (0-100), TBT and LCP (ms)."""
    import json
    import shutil

    if not LIGHTHOUSE.exists():
        raise RuntimeError("lighthouse is not installed: run npm ci")
    chromium = os.environ.get("CHROME_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("no chromium: apt-get install chromium (or set CHROME_PATH)")
    results = {}
    with tempfile.TemporaryDirectory() as work:
        if site is None:
            site = Path(work) / "site"
            subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
                           cwd=ROOT, check=True, capture_output=True)
        if reports is not None:
            reports.mkdir(parents=True, exist_ok=True)
        if pages is None:
            pages = sorted(
                (p.parent.relative_to(site).as_posix() + "/").removeprefix("./")
                for p in site.rglob("index.html")
            )
        server = _gzip_server(site)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            # One run thrown away first: the first Chromium of a session starts
            # cold (its files and the pages' are read from disk), and the page
            # measured first scored 3 to 10 points lower than when measured later.
            for i, page in enumerate([pages[0], *pages]):
                report = (reports or Path(work)) / ((page.strip("/").replace("/", "_") or "home") + ".json")
                subprocess.run(
                    [str(LIGHTHOUSE), base + page, "--quiet", "--output=json", f"--output-path={report}",
                     f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROMIUM_FLAGS}"],
                    cwd=ROOT, check=True, capture_output=True, env={**os.environ, "CHROME_PATH": chromium},
                )
                if i == 0:
                    continue
                data = json.loads(report.read_text())
                row = {c: round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES}
                row["TBT"] = data["audits"]["total-blocking-time"]["numericValue"]
                row["LCP"] = data["audits"]["largest-contentful-paint"]["numericValue"]
                results[page or "/"] = row
                print(f"  {page or '/':40} {row['performance']:4} {row['accessibility']:4}"
                      f" {row['best-practices']:4} {row['seo']:4} {row['TBT']:6.0f} {row['LCP']:6.0f}",
                      flush=True)
        finally:
            server.shutdown()
    return results


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
    parser.add_argument("--pages", nargs="+", metavar="PATH",
                        help="lighthouse: only these pages (URL paths such as saturation/)")
    parser.add_argument("--site", type=Path, help="lighthouse: this built site instead of a fresh build")
    parser.add_argument("--reports", type=Path, help="lighthouse: keep each page's JSON report in this folder")
    args = parser.parse_args(argv)
    parts = args.parts or list(PARTS)
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
    if "serve" in parts:
        print(f"\nmkdocs serve: a sentence added to docs/{SERVED_PAGE} until the page is served with it"
              " (target <= 3 s):")
        for i, (seconds, cpu) in enumerate(serve(), 1):
            print(f"  edit {i}: {seconds:5.2f} s wall, {cpu:5.2f} s CPU of the server process")
    if "lighthouse" in parts:
        print("\nLighthouse 12 (mobile preset, simulated throttling) on the built site served with gzip"
              " (targets: performance >= 95, the others 100):")
        print(f"  {'page':40} perf a11y best  seo  TBT ms LCP ms")
        print(f"  (load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())})")
        rows = lighthouse(args.pages, args.site, args.reports)
        worst = {c: min(r[c] for r in rows.values()) for c in CATEGORIES}
        print("  lowest: " + ", ".join(f"{c} {v}" for c, v in worst.items()))
        print(f"  (load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())})")
    if "suite" in parts:
        print("\ntest suite (target ~20 s):")
        for name, seconds in suite().items():
            print(f"  {name:45} {seconds:6.1f} s  {seconds / base:5.1f}x floor")


if __name__ == "__main__":
    main()
