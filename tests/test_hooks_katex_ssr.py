"""``hooks/katex_ssr.py``: every formula is rendered to KaTeX's HTML at build time,
by the vendored KaTeX in V8 (mini-racer), so no page needs math JavaScript."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

from _hooks import load_hook

ROOT = Path(__file__).resolve().parents[1]


hook = load_hook("katex_ssr")
KATEX = hook.katex_for(ROOT / "docs")
CONFIG = {"docs_dir": str(ROOT / "docs")}


def page(src_uri: str = "x.md") -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), url="chapter/")


def test_the_vendored_katex_renders_in_v8():
    assert KATEX.version == (ROOT / "docs/assets/katex/VERSION").read_text().strip()
    html, error = KATEX.render(r"\sigma'(z) \le \tfrac14", False)
    assert error is None
    assert html.startswith('<span class="katex"><span class="katex-mathml"><math')
    assert "katex-html" in html  # the visible part, styled by katex.min.css
    display, _ = KATEX.render(r"\prod_{k=1}^{L} W_k", True)
    assert display.startswith('<span class="katex-display">')


def test_arithmatex_elements_are_rendered_in_place_and_entities_read_as_tex():
    source = ('<p>a <span class="arithmatex">\\(x &lt; 1\\)</span> b</p>\n'
              '<div class="arithmatex">\\[\n\\begin{aligned} a &amp;= b \\end{aligned}\n\\]</div>')
    out, errors = hook.render_arithmatex(source, KATEX)
    assert errors == []
    assert out.startswith('<p>a <span class="arithmatex"><span class="katex">')
    assert '<div class="arithmatex"><span class="katex-display">' in out
    assert "\\(" not in out and "\\[" not in out
    assert "<mo>&lt;</mo>" in out  # the TeX was x < 1, not x &lt; 1
    assert "<mtable" in out  # the aligned environment, with & read as its column separator


def test_a_formula_katex_cannot_parse_is_a_warning_and_shows_katex_error(caplog):
    source = '<span class="arithmatex">\\(\\frac{1}\\)</span>'
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.katex_ssr"):
        out = hook.on_post_page(source, page("broken.md"), CONFIG)
    assert "katex-error" in out
    assert any("broken.md" in r.message and "KaTeX parse error" in r.message for r in caplog.records)


def test_notebook_dollars_become_math_outside_code_only():
    cell = ('<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown" data-mime-type="text/markdown">\n'
            "<p>costs $\\log 10 \\approx 2.30$ and <code>$HOME</code></p>\n<p>$$\na &lt; b\n$$</p>\n"
            "</div>\n<pre>$not math$</pre>")
    out = hook.on_post_page(cell, page("notebooks/n.py"), CONFIG)
    assert out.count('<span class="arithmatex"><span class="katex">') == 1
    assert out.count('<span class="arithmatex"><span class="katex-display">') == 1
    assert "<code>$HOME</code>" in out and "<pre>$not math$</pre>" in out
    assert "$\\log" not in out and "$$" not in out


def test_a_page_without_math_is_left_as_it_is():
    html = "<p>No math here, only $5 and 10 $ bills.</p>"
    assert hook.on_post_page(html, page(), CONFIG) == html


def test_katex_script_is_not_copied_into_the_site():
    from mkdocs.structure.files import File, Files

    config = {"docs_dir": str(ROOT / "docs"), "site_dir": "/tmp/unused", "use_directory_urls": True}
    files = Files([File(path, config["docs_dir"], config["site_dir"], True)
                   for path in (hook.KATEX_JS, "assets/katex/katex.min.css", "index.md")])
    kept = [f.src_uri for f in hook.on_files(files, config)]
    assert kept == ["assets/katex/katex.min.css", "index.md"]


def test_a_page_with_math_preloads_the_fonts_it_uses():
    head = '<html><head><link rel="stylesheet" href="../x.css"></head><body>'
    out = hook.on_post_page(head + '<span class="arithmatex">\\(x\\)</span></body></html>', page(), CONFIG)
    preloads = out[: out.index('<link rel="stylesheet"')]
    assert 'href="../assets/katex/fonts/KaTeX_Main-Regular.woff2" as="font"' in preloads
    assert "KaTeX_Math-Italic.woff2" in preloads  # x is set in math italic
    plain = hook.on_post_page(head + '<span class="arithmatex">\\(1\\)</span></body></html>', page(), CONFIG)
    assert "KaTeX_Main-Regular" in plain and "KaTeX_Math-Italic" not in plain
