"""Check that the site is reproducible, as CI does after the test suite.

1. Build the site twice with ``mkdocs build --strict``, each in a fresh process
   with its own ``PYTHONHASHSEED`` and its own empty build cache
   (``VGP_BUILD_CACHE``: every figure drawn, every notebook executed), and
   compare every figure byte for byte.
2. Run the doctests (the pages' snippets and vgp's docstrings) once more, in a
   fresh process with another hash seed and with PyTorch's AVX2 kernels
   (``ATEN_CPU_CAPABILITY=avx2``): they pin exact outputs, so passing a second
   time means the second run printed what the first did, and on a machine with
   AVX-512 (whose kernels sum in another order) that a reader with an AVX2-only
   CPU gets the same printed numbers. A trained accuracy printed to two digits
   can differ between the two (0.89 against 0.90); pages print such numbers as
   comparisons or with fewer digits.

Usage: ``python scripts/check_reproducible.py`` (exit status 1 on a difference).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(command: list[str], hash_seed: int, **variables: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed), "NO_MKDOCS_2_WARNING": "1", **variables}
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def figures(site: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((site / "figures").glob("*.svg"))}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        builds = []
        for seed in (1, 2):
            site = Path(tmp) / f"site{seed}"
            start = time.perf_counter()
            run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)], seed,
                VGP_BUILD_CACHE=str(Path(tmp) / f"cache{seed}"))
            print(f"build {seed}: {time.perf_counter() - start:.1f} s")
            builds.append(figures(site))
        first, second = builds
        if not first:
            print("no figures were built")
            return 1
        differ = sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))
        if differ:
            print(f"{len(differ)} of {len(first)} figures differ between two builds: {', '.join(differ)}")
            return 1
        print(f"{len(first)} figures byte-identical across two builds")
    start = time.perf_counter()
    run([sys.executable, "-m", "pytest", "docs", "vgp", "-p", "no:randomly"], 3, ATEN_CPU_CAPABILITY="avx2")
    print(f"doctests passed again in a fresh process, on AVX2 kernels: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
