"""The linter the test command runs: ruff, configured in pyproject.toml ([tool.ruff]: pyflakes, pycodestyle and isort's
order, 120 columns), over the package, the tests, the scripts, the benchmark, the site's extension and the lessons'
code cells."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing_to_fix():
    found = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                           cwd=REPO, capture_output=True, text=True)
    assert found.returncode == 0, f"ruff check . found problems (fix them, or run ruff check --fix .):\n{found.stdout}"


def test_ruff_reads_the_projects_configuration_and_the_lessons():
    shown = subprocess.run([sys.executable, "-m", "ruff", "check", "--show-settings", "lessons/00_start_here.ipynb"],
                           cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert f'Settings path: "{REPO / "pyproject.toml"}"' in shown  # the project's own configuration, for a lesson too
    assert "linter.line_length = 120" in shown
