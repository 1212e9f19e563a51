"""``hooks/page_load.py``: scripts run after the first paint; the installed
Material still has the palette rule the hook removes, the bare-table selector
the pre-wrapped tables rely on, and the lazy code blocks ``mkdocs.yml`` turns on."""

from __future__ import annotations

from pathlib import Path

import pytest
from _hooks import load_hook

hook = load_hook("page_load")


def _installed(pattern: str) -> str:
    """The installed Material's asset matching ``pattern`` (under templates/assets)."""
    import material

    (path,) = (Path(material.__file__).parent / "templates" / "assets").glob(pattern)
    return path.read_text(encoding="utf-8")


def _installed_palette_css() -> str:
    return _installed("stylesheets/palette.*.min.css")


def _built(tmp_path: Path) -> Path:
    """A site folder with the installed Material's two stylesheets, after the hook's post-build step."""
    folder = tmp_path / "assets" / "stylesheets"
    folder.mkdir(parents=True)
    (folder / "palette.0123abcd.min.css").write_text(_installed_palette_css(), encoding="utf-8")
    (folder / "main.0123abcd.min.css").write_text(_installed("stylesheets/main.*.min.css"), encoding="utf-8")
    hook.on_post_build({"site_dir": str(tmp_path)})
    return folder


def test_the_installed_material_has_the_rule_once():
    assert _installed_palette_css().count(hook.SWITCHING) == 1


def test_the_built_stylesheet_loses_the_rule_and_nothing_else(tmp_path):
    css = _installed_palette_css()
    built = (_built(tmp_path) / "palette.0123abcd.min.css").read_text(encoding="utf-8")
    assert "data-md-color-switching" not in built
    assert len(css) - len(built) == len(hook.SWITCHING)


def test_the_installed_material_wraps_and_styles_only_bare_tables():
    """The pre-wrapped tables rely on Material's script finding tables to wrap by
    ``table:not([class])`` (so it leaves the marked ones alone) and its stylesheet
    styling them by the same selector (which the hook extends to them)."""
    assert f'"{hook.BARE_TABLE}"' in _installed("javascripts/bundle.*.min.js")
    assert _installed("stylesheets/main.*.min.css").count(hook.BARE_TABLE) >= 10


def test_the_built_main_stylesheet_styles_the_marked_tables_as_bare_ones(tmp_path):
    css = _installed("stylesheets/main.*.min.css")
    built = (_built(tmp_path) / "main.0123abcd.min.css").read_text(encoding="utf-8")
    assert hook.BARE_TABLE not in built
    assert built.replace("table:is(:not([class]),.vgp-table)", hook.BARE_TABLE) == css


def test_a_material_without_the_bare_table_rules_fails_the_build(tmp_path):
    from mkdocs.exceptions import PluginError

    folder = tmp_path / "assets" / "stylesheets"
    folder.mkdir(parents=True)
    (folder / "main.0123abcd.min.css").write_text(".md-typeset table.x{margin:0}", encoding="utf-8")
    with pytest.raises(PluginError, match=r"no table:not\(\[class\]\) rule"):
        hook.on_post_build({"site_dir": str(tmp_path)})


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
    assert '"content.lazy"' in _installed("javascripts/bundle.*.min.js")
    config = (Path(__file__).parents[1] / "mkdocs.yml").read_text(encoding="utf-8")
    assert "- content.lazy" in config


def test_the_examples_in_the_hook_hold():
    import doctest

    result = doctest.testmod(hook, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted and not result.failed
