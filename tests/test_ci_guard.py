"""Guard the guard: ``.ci/run`` fails if the README's test command, or the
configuration it runs under, leaves out the site or browser tests
(``scripts/check_full_run.py``)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("check_full_run", ROOT / "scripts/check_full_run.py")
guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(guard)

INSTALL = 'python -m pip install -c constraints.txt -e ".[test]"'


def readme_test_command() -> str:
    """The line ``.ci/run`` takes from the README, found with the same pattern."""
    ci = (ROOT / ".ci/run").read_text()
    pattern = re.search(r"grep -m1 -E '([^']+)' README.md", ci).group(1)
    lines = (ROOT / "README.md").read_text().splitlines()
    return next(line for line in lines if re.search(pattern.replace(r"\[", r"\["), line))


def test_the_readme_command_passes_the_guard():
    command = readme_test_command()
    assert command.endswith("pytest")
    assert guard.check_command(command) == []


@pytest.mark.parametrize(
    "pytest_part",
    [
        'pytest -m "not site"',
        "pytest -m 'not site'",
        "pytest -k 'not browser'",
        "pytest --deselect tests/test_browser.py::test_screenshots",
        "pytest --ignore=tests/test_browser.py",
        "pytest --ignore tests/test_site.py",
        "pytest --ignore-glob='*browser*'",
        "pytest tests docs vgp",
        "pytest docs vgp",
        "pytest -q tests/test_cli.py",
        'pytest -o addopts="-m not site"',
        "pytest -c other.toml",
        "pytest -p no:conftest",
        "pytest --noconftest",
        "pytest --lf",
        "python -m pytest -m 'not site'",
        "PYTEST_ADDOPTS='-m \"not site\"' pytest",
        "pytest; pytest -m site",
    ],
)
def test_a_command_that_could_deselect_tests_is_refused(pytest_part):
    problems = guard.check_command(f"{INSTALL} && {pytest_part}")
    assert problems, pytest_part


@pytest.mark.parametrize(
    "pytest_part", ["pytest", "pytest -q", "python -m pytest -rA --durations=10 --tb=short", "pytest -v"]
)
def test_output_options_are_allowed(pytest_part):
    assert guard.check_command(f"{INSTALL} && {pytest_part}") == []


def test_a_command_without_pytest_is_refused():
    assert "runs no pytest" in guard.check_command(INSTALL)[0]


def test_the_site_tests_are_read_from_the_test_files():
    found = guard.site_tests()
    browser = found["tests.test_browser"]
    assert {"test_screenshots_show_the_pages_figures_and_math", "test_accessibility_with_axe"} <= browser
    site = found["tests.test_site"]
    assert "test_every_internal_link_and_anchor_resolves" in site
    assert "test_no_plot_is_committed" not in site  # needs no built site
    assert "tests.test_cli" not in found


def test_ci_runs_both_checks_around_the_readme_command():
    """The guard only guards if .ci/run calls it: before the run on the command,
    after it on the report that the run wrote."""
    ci = (ROOT / ".ci/run").read_text()
    lines = [line.strip() for line in ci.splitlines()]
    command = lines.index('python3 scripts/check_full_run.py command "$test_command"')
    run = next(i for i, line in enumerate(lines) if 'eval "$test_command"' in line)
    report = lines.index('python scripts/check_full_run.py report "$VGP_ARTIFACTS/junit.xml"')
    assert command < run < report
    assert '--junitxml=$VGP_ARTIFACTS/junit.xml' in lines[run]


PROJECT = {
    "tests/conftest.py": """
        import pytest

        @pytest.fixture
        def site():
            return "built"
    """,
    "tests/test_site.py": """
        def test_links(site):
            assert site == "built"

        def test_offline():
            pass
    """,
    "tests/test_browser.py": """
        import pytest

        @pytest.fixture
        def report():
            return 1

        def test_axe(report):
            pass

        @pytest.mark.parametrize("page", ["a", "b"])
        def test_pages(report, page):
            pass
    """,
}


@pytest.fixture
def project(tmp_path):
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text))
    return tmp_path


def run_pytest(project: Path, *args: str) -> list[str]:
    """Run pytest on the small project, and the report check on its JUnit output."""
    junit = project / "junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
         "tests", *args],
        cwd=project, capture_output=True, timeout=120, check=False,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},  # a bare pytest starts fast
    )
    return guard.check_report(junit, guard.site_tests(project / "tests"))


def test_a_full_run_passes_the_report_check(project):
    assert guard.site_tests(project / "tests") == {
        "tests.test_site": {"test_links"},
        "tests.test_browser": {"test_axe", "test_pages"},
    }
    assert run_pytest(project) == []


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (["-k", "not pages"], "tests.test_browser::test_pages did not run"),
        (["--deselect", "tests/test_site.py::test_links"], "tests.test_site::test_links did not run"),
        (["--ignore=tests/test_browser.py"], "tests.test_browser::test_axe did not run"),
    ],
)
def test_a_deselected_site_or_browser_test_fails_the_report_check(project, args, missing):
    problems = run_pytest(project, *args)
    assert any(problem.startswith(missing) for problem in problems), problems


def test_a_skipped_browser_test_fails_the_report_check(project):
    browser = project / "tests/test_browser.py"
    browser.write_text(browser.read_text().replace("def test_axe(report):\n    pass",
                                                   "def test_axe(report):\n    pytest.skip('no')"))
    assert run_pytest(project) == ["tests.test_browser::test_axe did not pass: skipped"]


def test_a_deselection_in_the_configuration_fails_the_report_check(project):
    """A marker filter moved into the project's configuration, where the command
    check cannot see it, is caught by the report check."""
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "-k \'not links\'"\n'
    )
    assert run_pytest(project) == ["tests.test_site::test_links did not run (deselected or not collected)"]


def test_a_missing_report_fails(tmp_path):
    assert "no JUnit report" in guard.check_report(tmp_path / "none.xml", {})[0]
