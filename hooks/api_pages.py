"""MkDocs hook: make the API pages (mkdocstrings) cheap to build again.

Two costs of every build of the site, the edit loop of ``mkdocs serve``
included, come from the API pages:

**Signatures.** mkdocstrings-python lays out each long signature
(``separate_signature``) with a code formatter, and with Ruff that is one
``ruff format`` process per signature: about 160 processes, seconds of every
build. This hook keeps each formatted signature in the build
cache (``hooks/build_cache.py``), keyed by the text given to the formatter and
its line length, in a file per environment (a new Ruff version starts a new
file). A signature not in the cache is formatted as before, by the same formatter.

**Rendering.** Turning each ``::: object`` into HTML (templates, the docstrings'
Markdown, highlighting) is the largest part of a rebuild. Within one process
(``mkdocs serve``), each render is kept with the headings it made, keyed by the
object's path, its options, the build cache's fingerprint (vgp's sources and
the installed packages), ``mkdocs.yml`` and the hooks (``hooks/sphinx_roles.py``
is a griffe extension); the next build hands mkdocstrings the
same HTML and headings, from which it registers the anchors, the
cross-references' targets and the inventory as usual. The first build of a
process renders everything, so ``mkdocs build`` and the test suite's build are
unchanged, and a warning of a render is seen there.

Both reach into mkdocstrings-python's private ``_get_formatter`` and
``PythonHandler.render``; if a new version lacks either, the hook does nothing
and the build runs as mkdocstrings does (``tests/test_hooks_api_pages.py``
fails, to say so).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

import build_cache

log = logging.getLogger("mkdocs.hooks.api_pages")

_memo: dict[str, object] = {}
"""The cache file, its entries, and whether they changed in this build."""


def cached(formatter: Callable[[str, int], str], entries: dict[str, str]) -> Callable[[str, int], str]:
    """``formatter``, answered from ``entries`` (``"line_length:code" -> formatted``) when it can."""

    def format_signature(code: str, line_length: int) -> str:
        key = f"{line_length}:{code}"
        if key not in entries:
            entries[key] = formatter(code, line_length)
            _memo["changed"] = True
        return entries[key]

    format_signature.formats = formatter  # type: ignore[attr-defined]
    return format_signature


_renders: dict[str, tuple[str, list, set[str]]] = {}
"""Rendered objects of this process: key -> (HTML, headings, aliases resolved)."""


def unresolved_aliases(obj) -> dict:
    """Every unresolved alias (an import of an object documented elsewhere) under
    the griffe object ``obj``, by path."""
    found = {}
    for member in getattr(obj, "members", {}).values():
        if getattr(member, "is_alias", False):
            if not member.resolved:
                found[member.path] = member
        elif getattr(member, "is_module", False) or getattr(member, "is_class", False):
            found.update(unresolved_aliases(member))
    return found


def memoised_render(render, key_of):
    """``render`` (mkdocstrings' ``PythonHandler.render``), answered from
    :data:`_renders` when the key ``key_of(data, options, locale)`` was rendered
    before. The answer hands the handler the headings the render made (copies),
    and resolves the aliases the render resolved: a resolved alias lists itself
    in its target's ``aliases``, which give the target's other cross-reference
    names and inventory entries."""

    def render_once(self, data, options, locale=None):
        key = key_of(data, options, locale)
        if key in _renders:
            html, headings, resolved = _renders[key]
            self._headings.extend(copy.deepcopy(headings))
            for path, alias in unresolved_aliases(data).items():
                if path in resolved:
                    with contextlib.suppress(Exception):  # as unresolvable as it was then
                        alias.resolve_target()
            return html
        before, unresolved = len(self._headings), unresolved_aliases(data)
        html = render(self, data, options, locale)
        resolved = {path for path, alias in unresolved.items() if alias.resolved}
        _renders[key] = html, copy.deepcopy(self._headings[before:]), resolved
        return html

    render_once.renders = render  # type: ignore[attr-defined]
    return render_once


def on_config(config):
    try:
        from mkdocstrings_handlers.python._internal import handler, rendering
    except ImportError:
        return config
    get_formatter = getattr(rendering, "_get_formatter", None)
    render = getattr(handler.PythonHandler, "render", None)
    if get_formatter is None or render is None:
        return config
    build = hashlib.sha256(
        build_cache.fingerprint().encode()
        + Path(config.config_file_path).read_bytes()
        + build_cache.sources_digest(Path(__file__).parent).encode()  # hooks/sphinx_roles.py
    ).hexdigest()
    for old in [key for key in _renders if not key.startswith(build)]:
        del _renders[old]

    def key_of(data, options, locale) -> str:
        return f"{build} {getattr(data, 'path', data)} {options!r} {locale}"

    handler.PythonHandler.render = memoised_render(getattr(render, "renders", render), key_of)
    formatter = get_formatter()
    formatter = getattr(formatter, "formats", formatter)  # the original, after an earlier build
    key = hashlib.sha256(build_cache.environment().encode()).hexdigest()[:20]
    path = build_cache.folder(config.config_file_path, "signatures", key) / "signatures.json"
    entries = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    _memo.update(path=path, entries=entries, changed=False)
    memoised = cached(formatter, entries)
    rendering._get_formatter = lambda: memoised
    return config


def on_post_build(config):
    if _memo.get("changed"):
        path: Path = _memo["path"]
        build_cache.write(path, json.dumps(_memo["entries"], sort_keys=True).encode())
        log.info("signatures: %d formatted signatures kept in %s", len(_memo["entries"]), path)
