"""Shared fixtures: one strict build of the site per test session."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def build_site(site_dir: Path) -> Path:
    """Build the site with ``--strict`` into ``site_dir``, in this process.

    In-process, the figures' experiments (drawn in the build's background
    thread) are memoised once for the whole test session: the pages' snippets
    and the build share them.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    build(config)
    return site_dir


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The built site (a strict build that failed fails every test using it)."""
    return build_site(tmp_path_factory.mktemp("site"))
