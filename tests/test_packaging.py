"""What pip installs from a release: the wheel that Colab's install cell (``collapse-kit @ git+...@<tag>``), a plain
``pip install .`` and PyPI would all build. An editable install (``pip install -e .``, what CI, Binder and the
developers use) reads the source folder instead, so only a built wheel shows a module or asset left out of it: the
wheel is built here from a copy of the files it needs, then imported from where it was unpacked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "collapse_kit"
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "LICENSE-CONTENT")


def package_files() -> set[str]:
    """Every file of the package folder a wheel must ship, as the wheel names it (``collapse_kit/vae/loop.py``)."""
    return {str(path.relative_to(REPO)) for path in PACKAGE.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        shutil.copyfile(REPO / name, source / name)
    shutil.copytree(PACKAGE, source / PACKAGE.name, ignore=shutil.ignore_patterns("__pycache__"))
    out = source / "dist"
    out.mkdir()
    build = "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"
    result = subprocess.run([sys.executable, "-c", build, str(out)], cwd=source, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return out / result.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_the_wheel_ships_every_module_and_asset_of_the_package(wheel):
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.startswith(f"{PACKAGE.name}/")}
    missing = sorted(package_files() - shipped)
    assert not missing, f"the wheel leaves out {len(missing)} files of the package, e.g. {missing[:5]}"
    assert {f"{PACKAGE.name}/{folder}/__init__.py" for folder in ("core", "vae", "text", "gaussian", "evidence",
                                                                  "faces")} <= shipped


@pytest.mark.slow
def test_every_module_imports_from_the_unpacked_wheel(wheel, tmp_path):
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path)
        modules = sorted(name[:-3].replace("/", ".").removesuffix(".__init__")
                         for name in archive.namelist() if name.endswith(".py"))
    # The editable install of the environment stays on sys.meta_path: a module the wheel lacks would be found there,
    # so every module of the package that was imported must come from the unpacked wheel.
    script = ("import importlib, sys; [importlib.import_module(name) for name in sys.argv[2:]]; "
              "elsewhere = [name for name, module in sys.modules.items() if name.split('.')[0] == 'collapse_kit' "
              "and not (getattr(module, '__file__', None) or '').startswith(sys.argv[1])]; "
              "assert not elsewhere, f'imported from outside the wheel: {elsewhere}'; "
              "from collapse_kit.vae.data import load_mnist; print(len(load_mnist('test', limit=10).images))")
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path), *modules], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(tmp_path), "MPLBACKEND": "Agg"},
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "10"
    assert len(modules) > 40  # every module of the package, not a few
