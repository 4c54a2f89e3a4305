"""The package's floors (the diagram in ``collapse_kit/__init__.py``): every module imports only modules on its own
floor or below, wherever the import sits (at the top or inside a function), and every module has a floor, so a new
module must be placed before it can be imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "collapse_kit"

# Bottom to top, as the diagram draws them.
FLOORS = (
    ("ground", {"_validation", "strategies", "columns", "cache", "figure_style", "colab"}),
    ("a world's parts", {"data", "models", "mlp_step", "training", "metrics", "classifier", "generation",
                         "text_data", "words", "text_models", "text_training", "text_metrics", "text_generation"}),
    ("worlds", {"loop", "text_loop", "theory"}),
    ("runs and settings", {"runner", "profiles", "experiments", "stats"}),
    ("the bundle", {"bundle"}),
    ("verdicts, studies and figures", {"claims", "sheet", "studies", "checks", "plots", "text_plots"}),
    ("what a student touches", {"widgets", "text_widgets", "cli", "__main__", "__init__"}),
)
FLOOR = {module: level for level, (_, modules) in enumerate(FLOORS) for module in modules}


def package_imports(path: Path) -> set[str]:
    """The package modules ``path`` imports (``from .x import``, ``from . import x``), anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names if (PACKAGE / f"{alias.name}.py").exists())
    return found


def upward_imports(path: Path, module: str) -> dict[str, str]:
    """What ``path`` (the module ``module``) imports from a floor above its own: {imported module: its floor}."""
    return {name: FLOORS[FLOOR[name]][0] for name in package_imports(path) if FLOOR.get(name, -1) > FLOOR[module]}


MODULES = sorted(path.stem for path in PACKAGE.glob("*.py"))


def test_every_module_has_a_floor_and_every_floor_a_module():
    assert sorted(FLOOR) == MODULES, f"placed but missing: {sorted(set(FLOOR) - set(MODULES))}; " \
                                     f"not placed: {sorted(set(MODULES) - set(FLOOR))}"


@pytest.mark.parametrize("module", MODULES)
def test_nothing_imports_upwards(module):
    upward = upward_imports(PACKAGE / f"{module}.py", module)
    assert not upward, f"{module} (floor {FLOORS[FLOOR[module]][0]!r}) imports from above: {upward}"


def test_the_rule_catches_an_upward_import(tmp_path):
    """The check itself: a ground-floor module that imported the bundle would be caught."""
    module = tmp_path / "columns.py"
    module.write_text("def f():\n    from .bundle import shipped  # a lazy import counts too\n")
    assert upward_imports(module, "columns") == {"bundle": "the bundle"}
    module.write_text("from ._validation import check_int\nfrom . import strategies\n")  # the same floor: allowed
    assert upward_imports(module, "columns") == {}
