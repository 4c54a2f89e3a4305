"""The package's floors and walls, read from the diagram in ``collapse_kit/__init__.py`` and checked against the code.

Every module of the package sits on exactly one line of the diagram; it imports (at the top or inside a function)
only modules to its right on its own line or on a lower floor; the worlds (the lines of floor 2) never import one
another; a folder's own ``__init__.py`` imports nothing. So the diagram is the import graph's order, and a new module
must be drawn before it can be imported.
"""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

import collapse_kit
from collapse_kit.core.cache import PACKAGE, _package_imports

LINE = re.compile(r"^\s+floor (\d)\s+(\S+)/\s+(.+?)\s*$")


def diagram(text: str | None = None) -> dict[str, tuple[int, str, int]]:
    """Every module drawn: ``{"vae/loop.py": (floor, folder, position on its line)}``."""
    drawn = {}
    for line in (collapse_kit.__doc__ if text is None else text).splitlines():
        match = LINE.match(line)
        if not match:
            continue
        floor, folder, names = int(match.group(1)), match.group(2), match.group(3).split()
        prefix = "" if folder == PACKAGE.name else f"{folder}/"
        for position, name in enumerate(names):
            module = f"{prefix}{name}.py"
            assert module not in drawn, f"{module} is drawn twice"
            drawn[module] = (floor, folder, position)
    return drawn


def world_configs() -> dict[str, list[type]]:
    """Every world drawn on floor 2 of the diagram with the configs (``WorldConfig`` subclasses) its modules define,
    e.g. ``{"gaussian": [GaussianConfig, MixtureConfig], ...}``: how tests/test_cache.py and tests/test_profiles.py
    find the worlds, never from a list kept by hand."""
    from collapse_kit.core.world import WorldConfig

    configs = {}
    for module, (floor, folder, _) in sorted(diagram().items()):
        if floor == 2:
            loaded = importlib.import_module(f"collapse_kit.{module[:-3].replace('/', '.')}")
            configs.setdefault(folder, []).extend(
                value for value in vars(loaded).values()
                if inspect.isclass(value) and issubclass(value, WorldConfig) and value.__module__ == loaded.__name__)
    return configs


def modules() -> list[str]:
    """Every module file of the package but the folders' own ``__init__.py``."""
    return sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                  if path.parent == PACKAGE or path.name != "__init__.py")


def imports(module: str) -> set[str]:
    return set(_package_imports(module, (PACKAGE / module).read_text()))


def broken_rules(module: str, imported: set[str], drawn: dict) -> list[str]:
    """What ``module`` imports against the diagram: upward, leftward on its line, or across the worlds' wall."""
    floor, folder, position = drawn[module]
    wrong = []
    for name in sorted(imported):
        if name not in drawn:
            wrong.append(f"{name} (not drawn)")
            continue
        other_floor, other_folder, other_position = drawn[name]
        if other_floor > floor:
            wrong.append(f"{name} (a floor above)")
        elif other_floor == floor and other_folder != folder:
            wrong.append(f"{name} (another world: {other_folder}/)" if floor == 2 else f"{name} (across its floor)")
        elif other_floor == floor and other_position <= position:
            wrong.append(f"{name} (to its left on its line: draw it further right)")
    return wrong


def test_every_module_is_drawn_once_and_every_drawn_module_exists():
    drawn = diagram()
    assert sorted(drawn) == modules(), (f"drawn but missing: {sorted(set(drawn) - set(modules()))}; "
                                        f"not drawn: {sorted(set(modules()) - set(drawn))}")


@pytest.mark.parametrize("module", modules())
def test_imports_follow_the_diagram(module):
    wrong = broken_rules(module, imports(module), diagram())
    assert not wrong, f"{module} imports against the diagram in collapse_kit/__init__.py: {wrong}"


def test_the_worlds_are_walled_off_and_the_ground_names_no_world():
    drawn = diagram()
    worlds = {folder for floor, folder, _ in drawn.values() if floor == 2}
    assert worlds >= {"vae", "text", "gaussian"}
    for module, (floor, _, _) in drawn.items():
        if floor == 1:
            assert not {name.split("/")[0] for name in imports(module)} & worlds, f"{module} names a world"


def test_folders_own_init_files_import_nothing():
    for path in PACKAGE.glob("*/__init__.py"):
        assert not imports(str(path.relative_to(PACKAGE))), f"{path} imports (keep a folder's import free)"


def test_the_rules_catch_an_upward_a_leftward_and_a_cross_world_import():
    """The check itself, on a made-up diagram: each broken rule is named."""
    drawn = diagram("""
    floor 3  evidence/  claims  bundle
    floor 2  vae/       loop  models
    floor 2  text/      loop
    floor 1  core/      world  cache
    """)
    assert broken_rules("core/world.py", {"evidence/bundle.py"}, drawn) == ["evidence/bundle.py (a floor above)"]
    assert broken_rules("vae/models.py", {"vae/loop.py"}, drawn) == [
        "vae/loop.py (to its left on its line: draw it further right)"]
    assert broken_rules("vae/loop.py", {"text/loop.py"}, drawn) == ["text/loop.py (another world: text/)"]
    assert broken_rules("evidence/claims.py", {"evidence/bundle.py", "vae/loop.py", "core/cache.py"}, drawn) == []
    assert broken_rules("vae/loop.py", {"nowhere.py"}, drawn) == ["nowhere.py (not drawn)"]
