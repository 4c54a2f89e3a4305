"""Binder: the binder/ folder builds the environment the course is tested in, as repo2docker reads it.

``jupyter-repo2docker --no-build`` prints the Dockerfile it would build from the working tree: it needs neither
Docker nor the network for a local folder, so CI checks what Binder will do without building anything.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")

REPO = Path(__file__).resolve().parent.parent
BINDER = REPO / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
BINDER_USER_ID = "1000"  # mybinder.org's user; repo2docker would otherwise take this process's (root in CI)


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def runtime_requirements() -> dict[str, Requirement]:
    """pyproject.toml's runtime dependencies, by normalized name."""
    requirements = (Requirement(text) for text in pyproject()["project"]["dependencies"])
    return {canonicalize_name(requirement.name): requirement for requirement in requirements}


def binder_lines() -> list[str]:
    """binder/requirements.txt without comments and blank lines."""
    lines = (line.split("#", 1)[0].strip() for line in (BINDER / "requirements.txt").read_text().splitlines())
    return [line for line in lines if line]


def binder_pins() -> dict[str, Version]:
    """The ``name==version`` lines of binder/requirements.txt, by normalized name."""
    pins = {}
    for line in binder_lines():
        if line.startswith("-"):
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier  # Binder pins exactly: one "==" per package
        assert specifier.operator == "==", f"binder/requirements.txt should pin {requirement.name} with ==: {line}"
        pins[canonicalize_name(requirement.name)] = Version(specifier.version)
    return pins


@pytest.fixture(scope="module")
def dockerfile(tmp_path_factory) -> tuple[str, str]:
    """(Dockerfile, log) that repo2docker generates for the working tree, as mybinder.org's user."""
    pytest.importorskip("repo2docker", reason="jupyter-repo2docker is in the test extra: pip install -e '.[test]'")
    env = {name: value for name, value in os.environ.items() if name != "DOCKER_HOST"}
    result = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--user-id", BINDER_USER_ID, "--user-name", "jovyan",
         str(REPO)],
        cwd=tmp_path_factory.mktemp("repo2docker"), env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"repo2docker failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout, result.stderr


def test_repo2docker_builds_a_python_3_11_environment(dockerfile):
    text, log = dockerfile
    assert text.lstrip().startswith("FROM "), f"repo2docker printed no Dockerfile:\n{text[:500]}\n{log}"
    assert "Building conda environment for python=3.11" in log, log
    # One environment: the kernel runs in the same Python 3.11 as JupyterLab (no separate legacy kernel env).
    assert "ENV KERNEL_PYTHON_PREFIX=${NB_PYTHON_PREFIX}" in text


def test_repo2docker_installs_binder_requirements_after_copying_the_repository(dockerfile):
    text, _ = dockerfile
    lines = text.splitlines()

    def first(pattern: str) -> int:
        found = [index for index, line in enumerate(lines) if re.search(pattern, line)]
        assert found, f"no Dockerfile line matches {pattern!r}"
        return found[0]

    copy_repo = first(r"^COPY .*\bsrc/ \$\{REPO_DIR\}/")
    pip_install = first(r'^RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install .*-r "?binder/requirements\.txt"?')
    post_build = first(r"^RUN \./binder/postBuild")
    # "-e ." needs the whole repository in place, and postBuild needs the installed package.
    assert copy_repo < pip_install < post_build
    assert f"--chown={BINDER_USER_ID}:{BINDER_USER_ID}" in lines[copy_repo], "the student must own the repository"
    assert not re.search(r"pip install [^\n]*--no-cache-dir \.$", text, re.MULTILINE), \
        "with a binder/ folder the package comes from binder/requirements.txt (-e .), not a second install"


def test_runtime_txt_pins_python_3_11_which_pyproject_allows():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == "python-3.11"
    from packaging.specifiers import SpecifierSet
    assert Version("3.11") in SpecifierSet(pyproject()["project"]["requires-python"])


def test_binder_takes_cpu_torch_and_torchvision_from_the_cpu_index_as_a_matched_pair():
    lines, pins = binder_lines(), binder_pins()
    assert f"--extra-index-url {CPU_INDEX}" in lines
    torch, torchvision = pins["torch"], pins["torchvision"]
    assert torch.local == "cpu" and torchvision.local == "cpu", "pin the CPU builds (+cpu): Binder has no GPU"
    # torchvision 0.X is built for torch 2.(X - 15): 0.17 <-> 2.2, ..., 0.28 <-> 2.13, 0.29 <-> 2.14.
    assert (torch.major, torchvision.major) == (2, 0)
    assert torchvision.minor == torch.minor + 15, f"torch {torch} and torchvision {torchvision} are not a pair"


def test_every_runtime_dependency_is_installed_on_binder_and_every_pin_is_inside_pyproject_ranges():
    required, pins = runtime_requirements(), binder_pins()
    assert "-e ." in binder_lines(), "binder/requirements.txt should install the package itself (-e .)"
    for name, version in pins.items():
        if name in required:
            assert required[name].specifier.contains(version.public, prereleases=True), \
                f"binder pins {name}=={version}, outside pyproject.toml's {required[name]}"
    for name in ("torch", "torchvision"):
        assert name in pins and name in required, f"{name} should be pinned on Binder and required by pyproject"


def test_post_build_is_an_executable_bash_script_that_stops_on_errors():
    script = BINDER / "postBuild"
    text = script.read_text()
    assert text.startswith(("#!/bin/bash", "#!/usr/bin/env bash"))
    assert re.search(r"^set -e", text, re.MULTILINE), "postBuild should stop at the first failing command"
    assert os.access(script, os.X_OK), "postBuild must be executable (git update-index --chmod=+x binder/postBuild)"


@pytest.mark.slow
def test_post_builds_python_commands_run_here():
    # Its other checks need Binder's CPU build of torch and its JupyterLab; its `python -c` lines need only the package
    # (one named a module that had moved, and every Binder image would have failed to build).
    commands = re.findall(r'^python -c "([^"]+)"$', (BINDER / "postBuild").read_text(), re.MULTILINE)
    assert commands, "postBuild should check that the package imports and its MNIST loads"
    for command in commands:
        result = subprocess.run([sys.executable, "-c", command], cwd=REPO, capture_output=True, text=True,
                                timeout=120, check=False)
        assert result.returncode == 0, f"postBuild's python -c {command!r} failed: {result.stderr[-2000:]}"


BADGE_LINKS = (r"mybinder\.org/v2/gh/[^)\s]*?urlpath=lab/tree/([^)\s&]+)",  # Binder: JupyterLab on a notebook
               r"colab\.research\.google\.com/github/[^/]+/[^/]+/blob/[^/]+/([^)\s]+)")  # Colab: one notebook


def test_binder_and_colab_badges_open_notebooks_that_exist():
    for document in (REPO / "README.md", BINDER / "README_SNIPPET.md"):
        if not document.exists():
            continue
        for pattern in BADGE_LINKS:
            for path in re.findall(pattern, document.read_text()):
                assert (REPO / path).is_file(), f"{document.name}: a badge opens {path}, which does not exist"
