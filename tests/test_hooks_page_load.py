"""``hooks/page_load.py``: scripts deferred; the installed Material still has the
palette rule the hook removes."""

from __future__ import annotations

from pathlib import Path

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


def test_every_external_script_is_deferred_in_order():
    page = ('<script src="../assets/javascripts/bundle.0.min.js"></script>\n'
            '<script>var inline = 1</script>\n'
            '<script src="../assets/javascripts/a11y.js"></script>'
            '<script src="x.js" defer></script><script type="module" src="m.js"></script>')
    assert hook.deferred(page) == (
        '<script src="../assets/javascripts/bundle.0.min.js" defer></script>\n'
        '<script>var inline = 1</script>\n'
        '<script src="../assets/javascripts/a11y.js" defer></script>'
        '<script src="x.js" defer></script><script type="module" src="m.js"></script>')
