"""``hooks/page_load.py``: scripts run after the first paint; the installed
Material still has the palette rule the hook removes and the lazy code blocks
``mkdocs.yml`` turns on."""

from __future__ import annotations

from pathlib import Path

import pytest
from _hooks import load_hook

hook = load_hook("page_load")


def _installed_palette_css() -> str:
    import material

    (path,) = (Path(material.__file__).parent / "templates" / "assets" / "stylesheets").glob("palette.*.min.css")
    return path.read_text(encoding="utf-8")


def test_the_installed_material_has_the_rule_once():
    assert _installed_palette_css().count(hook.SWITCHING) == 1


def test_the_built_stylesheet_loses_the_rule_and_nothing_else(tmp_path):
    folder = tmp_path / "assets" / "stylesheets"
    folder.mkdir(parents=True)
    css = _installed_palette_css()
    (folder / "palette.0123abcd.min.css").write_text(css, encoding="utf-8")
    hook.on_post_build({"site_dir": str(tmp_path)})
    built = (folder / "palette.0123abcd.min.css").read_text(encoding="utf-8")
    assert "data-md-color-switching" not in built
    assert len(css) - len(built) == len(hook.SWITCHING)


def test_every_external_script_waits_for_the_loader_in_order():
    page = ('<html><body><script src="../assets/javascripts/bundle.0.min.js"></script>\n'
            '<script>var inline = 1</script>\n'
            '<script src="../assets/javascripts/a11y.js"></script>'
            '<script src="x.js" defer></script><script src="a.js" async></script>'
            '<script src="m.js" type="module"></script></body></html>')
    assert hook.after_paint(page) == (
        '<html><body><link rel="preload" href="../assets/javascripts/bundle.0.min.js" as="script">'
        '<script type="text/plain" data-after-paint="../assets/javascripts/bundle.0.min.js"></script>\n'
        '<script>var inline = 1</script>\n'
        '<link rel="preload" href="../assets/javascripts/a11y.js" as="script">'
        '<script type="text/plain" data-after-paint="../assets/javascripts/a11y.js"></script>'
        '<link rel="preload" href="x.js" as="script"><script type="text/plain" data-after-paint="x.js"></script>'
        '<script src="a.js" async></script><script src="m.js" type="module"></script>'
        + hook.LOADER + '</body></html>')


def test_a_page_without_scripts_is_left_alone():
    page = "<html><body><p>text</p><script>inline()</script></body></html>"
    assert hook.after_paint(page) == page


def test_a_page_with_scripts_but_no_body_end_is_refused():
    with pytest.raises(ValueError, match="no </body>"):
        hook.after_paint('<p>fragment</p><script src="a.js"></script>')


def test_the_installed_material_mounts_code_blocks_lazily_on_request():
    """``content.lazy`` (set in mkdocs.yml) is read by the installed Material's
    script; if a new version drops it, every code block mounts at load again."""
    import material

    (bundle,) = (Path(material.__file__).parent / "templates" / "assets" / "javascripts").glob("bundle.*.min.js")
    assert '"content.lazy"' in bundle.read_text(encoding="utf-8")
    config = (Path(__file__).parents[1] / "mkdocs.yml").read_text(encoding="utf-8")
    assert "- content.lazy" in config


def test_the_examples_in_the_hook_hold():
    import doctest

    result = doctest.testmod(hook, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted and not result.failed
