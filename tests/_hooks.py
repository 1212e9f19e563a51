"""Load a MkDocs hook of ``hooks/`` as MkDocs does, for the tests of that hook."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HOOKS = Path(__file__).resolve().parents[1] / "hooks"
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))  # as MkDocs does while it loads a hook: `import build_cache`


def load_hook(name: str) -> ModuleType:
    """A fresh module of ``hooks/<name>.py``, as MkDocs loads a hook."""
    spec = importlib.util.spec_from_file_location(f"{name}_hook_under_test", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
