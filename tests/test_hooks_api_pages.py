"""``hooks/api_pages.py``: a second build in one process reuses the API pages'
renders (with their headings and resolved aliases) and every build reuses the
formatted signatures; what comes out is what mkdocstrings makes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from xml.etree.ElementTree import Element

from _hooks import load_hook

ROOT = Path(__file__).resolve().parents[1]


hook = load_hook("api_pages")


class Alias:
    is_alias = True

    def __init__(self, path: str) -> None:
        self.path, self.resolved = path, False

    def resolve_target(self) -> None:
        self.resolved = True


def module(members: dict) -> SimpleNamespace:
    return SimpleNamespace(is_alias=False, is_module=True, members=members)


def test_a_second_render_hands_back_the_html_headings_and_aliases_of_the_first():
    calls = []

    def render(handler, data, options, locale=None):
        calls.append(data.path)
        handler._headings.append(Element("h2", {"id": data.path}))
        data.members["used"].resolve_target()  # the templates resolved this one
        return f"<p>{data.path}</p>"

    render_once = hook.memoised_render(render, lambda data, options, locale: f"{data.path} {options}")
    first = SimpleNamespace(_headings=[])
    data = module({"used": Alias("m.used"), "unused": Alias("m.unused")})
    data.path = "m"
    assert render_once(first, data, "opts") == "<p>m</p>"

    # The next build: a new handler, a new griffe tree in which nothing is resolved.
    second = SimpleNamespace(_headings=[])
    fresh = module({"used": Alias("m.used"), "unused": Alias("m.unused")})
    fresh.path = "m"
    assert render_once(second, fresh, "opts") == "<p>m</p>"
    assert calls == ["m"]
    assert [h.attrib["id"] for h in second._headings] == ["m"]
    assert second._headings[0] is not first._headings[0]  # a copy: mkdocstrings moves headings
    assert fresh.members["used"].resolved and not fresh.members["unused"].resolved

    render_once(second, fresh, "other options")
    assert calls == ["m", "m"]


def test_signatures_are_formatted_once_per_text_and_line_length():
    calls = []

    def formatter(code: str, line_length: int) -> str:
        calls.append((code, line_length))
        return code.upper()

    entries: dict[str, str] = {}
    fmt = hook.cached(formatter, entries)
    assert fmt("def f(x): pass", 60) == "DEF F(X): PASS"
    assert fmt("def f(x): pass", 60) == "DEF F(X): PASS"
    assert fmt("def f(x): pass", 80) == "DEF F(X): PASS"
    assert calls == [("def f(x): pass", 60), ("def f(x): pass", 80)]
    assert entries == {"60:def f(x): pass": "DEF F(X): PASS", "80:def f(x): pass": "DEF F(X): PASS"}


def test_the_hook_reaches_mkdocstrings_python():
    """The private names the hook wraps exist in the installed mkdocstrings-python
    (without them the hook would silently do nothing)."""
    from mkdocstrings_handlers.python._internal import handler, rendering

    assert callable(rendering._get_formatter)
    assert callable(handler.PythonHandler.render)
