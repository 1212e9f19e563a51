"""Guard the guard: CI must run the whole suite, the site and browser tests included.

``.ci/run`` takes the README's test command from the README itself; this script
makes sure that command cannot quietly leave tests out, in two independent ways:

``check_full_run.py command "<the README's test command>"``
    before the run: every ``pytest`` in the command may carry only options that
    change what is printed (``-q``, ``-v``, ``-rA``, ``--tb=short``,
    ``--durations=N``, ``-s``); a marker or keyword filter, a path, a
    ``--deselect``, ``--ignore``, ``-c``, ``-o``, ``-p`` or a ``PYTEST_ADDOPTS``
    is refused.
``check_full_run.py report JUNIT_XML``
    after the run: every site and browser test, found by reading the test
    files (not by asking pytest, whose configuration could deselect them), is
    in pytest's JUnit report and passed, none skipped. This also catches a
    deselection moved into ``pyproject.toml`` or a ``conftest.py``.

Exit status 0 when all is well, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import ast
import re
import shlex
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

QUIET_OPTIONS = re.compile(r"-q+|-v+|-s|-r[a-zA-Z]+|--tb=\w+|--durations=\d+|--quiet|--verbose")
"""pytest options that change only what is printed, never which tests run."""

SITE_FIXTURES = frozenset({"site", "browser_report", "report"})
"""Fixtures through which a test needs the built site (conftest marks those ``site``)."""


def _pytest_calls(command: str) -> list[list[str]]:
    """The argument lists of every ``pytest`` (or ``python -m pytest``) in ``command``."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = list(lexer)
    segments, current = [], []
    for word in words:
        if word in {"&&", "||", ";", "|", "&", "(", ")"}:
            segments.append(current)
            current = []
        else:
            current.append(word)
    segments.append(current)
    calls = []
    for segment in segments:
        for i, word in enumerate(segment):
            if Path(word).name in {"pytest", "py.test"}:
                calls.append(segment[i + 1 :])
                break
            if word == "-m" and i + 1 < len(segment) and segment[i + 1] == "pytest":
                calls.append(segment[i + 2 :])
                break
    return calls


def check_command(command: str) -> list[str]:
    """Problems with the README's test command (none: it runs the whole suite)."""
    problems = []
    if "PYTEST_ADDOPTS" in command:
        problems.append("the README's test command sets PYTEST_ADDOPTS, which can deselect tests")
    calls = _pytest_calls(command)
    if not calls:
        problems.append(f"the README's test command runs no pytest: {command!r}")
    for args in calls:
        for arg in args:
            if not QUIET_OPTIONS.fullmatch(arg):
                problems.append(
                    f"pytest is given {arg!r}: the README's test command must run every test "
                    "(the site and browser tests included), so it may only pass options that "
                    "change the output (-q, -v, -rA, --tb=..., --durations=N)"
                )
                break
    return problems


def site_tests(tests: Path = ROOT / "tests") -> dict[str, set[str]]:
    """Every test that needs the built site, by module (``tests.test_site``):
    all of ``test_browser.py``, and every test taking a site fixture elsewhere.
    Read from the source, so no pytest configuration can hide one."""
    found: dict[str, set[str]] = {}
    for path in sorted(tests.glob("test_*.py")):
        module = f"{tests.name}.{path.stem}"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                params = {a.arg for a in node.args.args}
                if path.name == "test_browser.py" or params & SITE_FIXTURES:
                    found.setdefault(module, set()).add(node.name)
    return found


def check_report(junit: Path, expected: dict[str, set[str]]) -> list[str]:
    """Problems with a JUnit report: a site or browser test missing, skipped or failed."""
    if not junit.is_file():
        return [f"no JUnit report at {junit}: pytest did not write one"]
    outcomes: dict[tuple[str, str], list[str]] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "").split("[", 1)[0]
        outcome = "passed"
        for child in case:
            if child.tag in {"skipped", "failure", "error"}:
                outcome = child.tag
        outcomes.setdefault((case.get("classname", ""), name), []).append(outcome)
    problems = []
    for module, names in sorted(expected.items()):
        for name in sorted(names):
            got = outcomes.get((module, name))
            if not got:
                problems.append(f"{module}::{name} did not run (deselected or not collected)")
            elif set(got) != {"passed"}:
                problems.append(f"{module}::{name} did not pass: {', '.join(sorted(set(got)))}")
    if not any("test_browser" in module for module in expected):
        problems.append("no browser test found in tests/test_browser.py")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"command", "report"}:
        print("usage: check_full_run.py command COMMAND | report JUNIT_XML", file=sys.stderr)
        return 2
    if argv[0] == "command":
        problems = check_command(argv[1])
    else:
        problems = check_report(Path(argv[1]), site_tests())
    for problem in problems:
        print(f"check_full_run: {problem}", file=sys.stderr)
    if not problems and argv[0] == "report":
        count = sum(map(len, site_tests().values()))
        print(f"check_full_run: all {count} site and browser tests ran and passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
