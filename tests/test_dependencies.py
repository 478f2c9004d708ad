"""What the package imports is what it declares (``deptry``), and the run layer's imports keep
their shape (``import-linter``, contracts in pyproject.toml). Both tools read the source, so these
tests are the README's test command running them."""
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

BIN = Path(sys.executable).parent


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].lower().replace("-", "_") for d in project["dependencies"]}


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists() and shutil.which(name) is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return str(path) if path.exists() else name


def test_deptry_finds_no_undeclared_or_unused_dependency():
    done = subprocess.run([tool("deptry"), "--no-ansi", "."], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_what_justext_imports_from_lxml_is_declared():
    """Issue 15, defect 13: HTML articles failed with E999 ("lxml.html.clean module is now a
    separate project") where pip drops the lxml[html_clean] extra that brings it."""
    import lxml.html.clean  # noqa: F401 - what jusText imports; fails where the package is missing

    assert "lxml_html_clean" in declared()


def test_import_contracts_hold():
    """Issue 15: run, executors, journal and discover imported each other in a circle, and the
    journal was typed on the runner. ``lint-imports`` checks the contracts in pyproject.toml: the
    run layer's layers (no cycle), journal and discovery independent, no stage importing the run layer."""
    done = subprocess.run([tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "3 kept, 0 broken" in done.stdout
