"""Every dotted name into the package written in a tracked file (``collapse_kit.vae.loop.ExperimentConfig`` in a guide,
a lesson, a script, Binder's postBuild, the package's NOTICE) names a module or attribute that exists. When the
package moved into one folder per world, two such names were left behind: Binder's build step imported
``collapse_kit.data`` and the NOTICE named ``collapse_kit.classifier``.
"""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAME = re.compile(r"\bcollapse_kit(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
SUFFIXES = (".md", ".py", ".ipynb", ".txt", ".toml", ".cfg", ".yml", ".yaml", ".json", ".html", ".js")
# Names that are not meant to resolve, each with its reason.
NOT_NAMES = {
    "CHANGELOG.md": "history: it names modules as they were called at each release",
    "collapse_kit/evidence/bundle.py": "FORMER_WORLDS maps the names older bundles were written with to today's",
    "tests/test_package_names.py": "this file writes broken names on purpose, to show the check finds them",
}
PLACEHOLDERS = {
    "collapse_kit.x",  # core/cache.py's docstring: "from collapse_kit.x import", any module
    "collapse_kit.short_title",  # a lesson's notebook metadata key (scripts/course_tables.py), not a module
}


def written_names() -> dict[str, set[str]]:
    """``{dotted name: {files that write it}}`` over the tracked files but NOT_NAMES."""
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    names: dict[str, set[str]] = {}
    for file in files:
        if file in NOT_NAMES or not (file.endswith(SUFFIXES) or file == "binder/postBuild"):
            continue
        for name in NAME.findall((REPO / file).read_text(encoding="utf-8", errors="replace")):
            names.setdefault(name, set()).add(file)
    return names


def resolves(name: str) -> bool:
    """Whether ``name`` is a module of the package, or an attribute (chain) of its longest importable prefix."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def test_every_dotted_name_into_the_package_exists():
    names = written_names()
    assert len(names) > 50  # the guides, lessons and scripts name the package's parts throughout
    broken = {name: sorted(files) for name, files in names.items() if name not in PLACEHOLDERS and not resolves(name)}
    assert not broken, f"names that no module or attribute of the package answers to: {broken}"


def test_the_check_finds_a_moved_module_and_a_missing_attribute():
    assert resolves("collapse_kit.vae.data.load_mnist") and resolves("collapse_kit.vae")
    assert not resolves("collapse_kit.data.load_mnist")  # the module moved to collapse_kit.vae.data
    assert not resolves("collapse_kit.vae.classifier.NoSuchClassifier")
