"""``hooks/figures.py``: the ``<img>`` of a figure gets its size, and all but the
page's first figure load when the reader scrolls near them."""

from __future__ import annotations

from _hooks import load_hook

hook = load_hook("figures")


def test_figures_get_their_size_and_all_but_the_first_load_lazily():
    svg = b'<?xml version="1.0"?>\n<svg xmlns:xlink="x" width="460.8pt" height="273.6pt" viewBox="0 0 460.8 273.6">'
    assert hook.svg_size(svg) == (614, 365)
    page = ('<p><img alt="a" src="../figures/one.svg" /></p><p><img alt="b" src="../figures/two.svg" /></p>'
            '<img alt="logo" src="../assets/logo.png" />')
    out = hook.sized_and_lazy(page, {"one": (614, 365), "two": (100, 50)})
    assert '<img alt="a" src="../figures/one.svg" width="614" height="365" decoding="async" />' in out
    assert '<img alt="b" src="../figures/two.svg" width="100" height="50" loading="lazy" decoding="async" />' in out
    assert '<img alt="logo" src="../assets/logo.png" />' in out
