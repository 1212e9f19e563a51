"""Griffe extension: turn the Sphinx roles of vgp's docstrings into Markdown.

vgp's docstrings are read in two places: ``help()`` in a terminal, where
``:func:`mlp``` reads naturally, and the API reference page, which mkdocstrings
renders as Markdown, where it would show as literal text. This extension, loaded
by mkdocstrings (``extensions:`` in ``mkdocs.yml``), rewrites each role once the
package is loaded:

- ``:func:`name```, ``:class:``, ``:data:``, ``:attr:``, ``:meth:``, ``:mod:`` and
  ``:exc:`` become cross-references ``[`name`][vgp.module.name]``, the target
  resolved from the scope of the object whose docstring it is, then to its
  canonical path; a target that does not resolve is kept as written, so the
  strict build fails on it;
- ``:math:`tex``` becomes ``\\(tex\\)``, rendered by the site's KaTeX.
"""

from __future__ import annotations

import re

import griffe

ROLE = re.compile(r":(?P<role>func|class|data|attr|meth|mod|exc|math):`(?P<target>[^`]+)`")
"""A Sphinx role with its backquoted target."""


def _target(obj: griffe.Object, name: str) -> str:
    """The canonical path of ``name`` as seen from ``obj``, or ``name`` if it does not resolve.

    Canonical (``vgp.nets.mlp``, not ``vgp.mlp``): the reference page renders each
    object once, and autorefs knows it under its canonical path wherever it is.
    """
    name = name.lstrip("~")
    try:
        path = name if name.split(".", 1)[0] == obj.package.name else obj.resolve(name)
        return obj.modules_collection.get_member(path).canonical_path
    except (griffe.NameResolutionError, griffe.AliasResolutionError, KeyError):
        return name


def markdown(obj: griffe.Object, text: str) -> str:
    """``text`` with every Sphinx role replaced by its Markdown equivalent."""

    def replace(match: re.Match) -> str:
        role, target = match["role"], match["target"]
        if role == "math":
            return rf"\({target}\)"
        shown = target.lstrip("~")
        if target.startswith("~"):
            shown = shown.rsplit(".", 1)[-1]
        if role == "attr":
            # dataclass fields have no anchor of their own on the reference page
            return f"`{shown}`"
        # functions, classes and modules live at module level: resolve from there,
        # so a field that shares a function's name does not capture the link
        scope = obj.module if role in ("func", "class", "mod", "exc") else obj
        return f"[`{shown}`][{_target(scope, target)}]"

    return ROLE.sub(replace, text)


def _objects(obj: griffe.Object):
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring of a package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: object) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = markdown(obj, obj.docstring.value)
