"""The course's address and version, one home each (issue 17, point 2).

The repository URL lives in pyproject.toml (``[project.urls] Repository``), the version in collapse_kit/__init__.py.
Every other link is derived by scripts/course_address.py; these tests fail while a file in the tree (README, the
lessons' badges and install cells, Binder, the site's pages and launch buttons, CHANGELOG.md) names another address
or opens another ref than the release tag, and they move the course to a new home to show one edit is enough.
"""

from __future__ import annotations

import email
import json
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import collapse_kit
from collapse_kit.faces import cli

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import course_address  # noqa: E402

LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
CHANGELOG = REPO / "CHANGELOG.md"


def links_by_form(path: Path) -> dict[str, list[str]]:
    """``{form: [link, ...]}`` of the course links in one file of the tree."""
    text = path.read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for form, match in course_address.course_links(text):
        found.setdefault(form, []).append(match.group(0))
    return found


# ----------------------------------------------------------------------------------------------------------------
# Every link in the tree is in step
# ----------------------------------------------------------------------------------------------------------------

def test_every_course_link_in_the_tree_names_the_repository_and_opens_the_release():
    stale = [link for path in course_address.tree_files() for link in course_address.file_stale_links(path)]
    assert not stale, "links out of step with pyproject.toml and collapse_kit.__version__ (run python " \
                      "scripts/course_address.py):\n" + "\n".join(map(str, stale))


def test_the_scan_sees_the_links_that_matter():
    # The scan above passes vacuously if it finds nothing: each place a student clicks or installs from is seen.
    scanned = set(course_address.tree_files())
    for lesson in LESSONS:
        assert lesson in scanned
        found = links_by_form(lesson)
        assert len(found.get("colab", [])) == 1 and len(found.get("pip", [])) == 1, \
            f"{lesson.name}: expected its Colab badge and its install cell, found {found}"
    readme = links_by_form(REPO / "README.md")
    assert readme.get("binder") and len(readme.get("colab", [])) >= len(LESSONS), f"README.md: {readme}"
    assert links_by_form(REPO / "pyproject.toml").get("github"), "pyproject.toml's [project.urls]"
    assert links_by_form(CHANGELOG).get("github"), "CHANGELOG.md's compare and release links"


def test_the_lessons_install_the_course_of_their_own_release():
    tag = course_address.release_tag()
    for lesson in LESSONS:
        text = lesson.read_text(encoding="utf-8")
        assert course_address.pip_requirement() in text, f"{lesson.name}'s Colab cell should install {tag}"
        assert course_address.colab_url(f"lessons/{lesson.name}") in text, f"{lesson.name}'s badge opens itself"
    assert course_address.pip_requirement().endswith(f"@{tag}")


def test_the_site_launch_buttons_open_the_student_edition_of_the_release_of_this_repository():
    settings = runpy.run_path(str(REPO / "site" / "conf.py"))
    assert settings["REPOSITORY"] == course_address.repository_url()
    assert settings["BRANCH"] == course_address.student_ref() == f"v{collapse_kit.__version__}-student"
    assert settings["html_theme_options"]["repository_branch"] == settings["BRANCH"]


def test_binder_badges_open_the_student_edition_of_the_release():
    for document in (REPO / "README.md", REPO / "binder" / "README_SNIPPET.md"):
        for link in links_by_form(document).get("binder", []):
            assert link.endswith(f"/{course_address.student_ref()}"), f"{document.name}: {link} opens another ref"


# ----------------------------------------------------------------------------------------------------------------
# Moving the course: one edit of pyproject.toml, one run of the script
# ----------------------------------------------------------------------------------------------------------------

@pytest.fixture
def moved_course(tmp_path, monkeypatch) -> tuple[str, str]:
    """pyproject.toml naming another home and a collapse_kit/__init__.py of a later version, in ``tmp_path``; the
    module reads them instead of the repository's. Returns (new repository URL, new tag)."""
    owner, name = "ada-lovelace", "model-collapse-course"
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = pyproject.replace(course_address.repository_url(), f"https://github.com/{owner}/{name}", 1)
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (tmp_path / "__init__.py").write_text('__version__ = "7.1.3"\n', encoding="utf-8")
    monkeypatch.setattr(course_address, "PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(course_address, "VERSION_FILE", tmp_path / "__init__.py")
    return f"https://github.com/{owner}/{name}", "v7.1.3"


def test_moving_the_course_rewrites_every_link_of_the_tree(moved_course, tmp_path):
    repository, tag = moved_course
    old_slug = "collapse-kit" + "/" + "collapse-kit"  # split, so this file holds no course link itself
    copies = []
    for path in course_address.tree_files():
        if path.suffix in (".md", ".ipynb", ".toml") and old_slug in path.read_text(encoding="utf-8"):
            copy = tmp_path / "tree" / path.relative_to(REPO)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
            copies.append(copy)
    assert len(copies) >= len(LESSONS) + 2, [str(copy) for copy in copies]

    for copy in copies:
        assert course_address.file_stale_links(copy, tmp_path / "tree"), f"{copy.name} should be stale after a move"
        course_address.rewrite_file(copy)
        text = copy.read_text(encoding="utf-8")
        assert not course_address.file_stale_links(copy, tmp_path / "tree")
        assert old_slug not in text and "collapse-kit.github.io" not in text, f"{copy.name} still names the old home"
        assert repository.removeprefix("https://github.com/") in text
        if copy.suffix == ".ipynb":
            assert f"git+{repository}@{tag}" in text and f"/blob/{tag}/lessons/{copy.name}" in text
            json.loads(text)  # still a notebook


def test_rewriting_leaves_other_projects_and_unpinned_refs_alone(moved_course):
    repository, tag = moved_course
    fork = "bob/collapse-kit"  # a variable, so this file holds no stale course link itself
    text = ("[nbgrader#917](https://github.com/jupyter/nbgrader/issues/917), "
            f"[a fork's Colab](https://colab.research.google.com/github/{fork}/blob/main/lessons/x.ipynb), "
            "[compare](https://github.com/collapse-kit/collapse-kit/compare/v0.1.0...HEAD). See "
            "https://collapse-kit.github.io/collapse-kit/.")
    rewritten = course_address.rewrite_links(text)
    slug = repository.removeprefix("https://github.com/")
    assert "https://github.com/jupyter/nbgrader/issues/917" in rewritten
    assert f"https://colab.research.google.com/github/{slug}/blob/{tag}/lessons/x.ipynb" in rewritten
    assert f"https://github.com/{slug}/compare/v0.1.0...HEAD" in rewritten, "compare links keep their refs"
    assert "See https://ada-lovelace.github.io/model-collapse-course/." in rewritten, "a full stop ends the link"
    assert course_address.rewrite_links(rewritten) == rewritten


def test_a_repository_url_that_is_not_github_is_refused(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "collapse-kit"\n'
                                             '[project.urls]\nRepository = "https://example.org/collapse-kit"\n')
    monkeypatch.setattr(course_address, "PYPROJECT", tmp_path / "pyproject.toml")
    with pytest.raises(ValueError, match="Repository must be https://github.com/<owner>/<name>"):
        course_address.slug()


def test_nbgitpuller_link_clones_the_student_edition_and_opens_a_lesson():
    link = course_address.nbgitpuller_url("https://hub.example.edu/", "lessons/03_recursive_training.ipynb")
    url = urlsplit(link)
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert (url.netloc, url.path) == ("hub.example.edu", "/hub/user-redirect/git-pull")
    assert query == {"repo": course_address.repository_url(), "branch": course_address.student_ref(),
                     "urlpath": f"lab/tree/{course_address.slug().split('/')[1]}/lessons/03_recursive_training.ipynb"}
    assert query["branch"] == f"v{collapse_kit.__version__}-student", "the student edition, never the instructor tag"
    assert (REPO / query["urlpath"].split("/", 3)[3]).is_file()
    with pytest.raises(ValueError, match="hub must be the hub's address"):
        course_address.nbgitpuller_url("hub.example.edu")


def test_the_nbgitpuller_command_prints_the_student_edition_unless_told_another_branch(capsys):
    assert course_address.main(["--nbgitpuller", "https://hub.example.edu"]) == 0
    assert f"&branch={course_address.student_ref()}" in capsys.readouterr().out
    assert course_address.main(["--nbgitpuller", "https://hub.example.edu", "--branch", "spring-2027"]) == 0
    assert capsys.readouterr().out.strip().endswith("&branch=spring-2027")


# ----------------------------------------------------------------------------------------------------------------
# Every launch link opens a ref that exists (the release workflow's last step: --check-refs --remote origin)
# ----------------------------------------------------------------------------------------------------------------

def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def course_repository(tmp_path, monkeypatch) -> Path:
    """A git repository like the course's, one commit: a README whose Binder badge opens the student edition and a
    lesson whose Colab badge opens the release, with the course's links as course_address.py writes them."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    for name, value in (("NAME", "Course Bot"), ("EMAIL", "bot@example.org")):
        monkeypatch.setenv(f"GIT_AUTHOR_{name}", value)
        monkeypatch.setenv(f"GIT_COMMITTER_{name}", value)
    repo = tmp_path / "course"
    (repo / "lessons").mkdir(parents=True)
    student = course_address.binder_url("lessons/00_start_here.ipynb", course_address.student_ref())
    (repo / "README.md").write_text(f"[![Binder](https://mybinder.org/badge_logo.svg)]({student})\n")
    lesson = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [
        f"[Open in Colab]({course_address.colab_url('lessons/00_start_here.ipynb')})"]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (repo / "lessons" / "00_start_here.ipynb").write_text(json.dumps(lesson))
    git(repo, "init", "--quiet")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "the course")
    return repo


def test_the_launch_links_of_the_tree_open_the_release_and_its_student_edition():
    refs = course_address.launch_refs()
    assert set(refs) == {course_address.release_tag(), course_address.student_ref()}, refs
    assert any(place.startswith("README.md: binder") for place in refs[course_address.student_ref()])
    assert "lessons/00_start_here.ipynb: colab" in refs[course_address.release_tag()]


def test_a_launch_link_to_a_tag_not_yet_made_is_caught_until_the_tag_exists(course_repository):
    repo = course_repository
    release, student = course_address.release_tag(), course_address.student_ref()
    assert course_address.launch_refs(repo) == {
        student: ["the student edition's badges, the website, nbgitpuller", "README.md: binder"],
        release: ["lessons/00_start_here.ipynb: colab"]}
    assert set(course_address.missing_launch_refs(repo)) == {release, student}, "no tag yet: both links open nothing"
    git(repo, "tag", release)
    assert set(course_address.missing_launch_refs(repo)) == {student}, "released, the student tag not made yet"
    git(repo, "tag", "--annotate", student, "--message", "the student edition")
    assert course_address.missing_launch_refs(repo) == {}


def test_the_check_asks_the_remote_when_told(course_repository, tmp_path):
    # The workflow's checkout has the tags; the remote is what Colab and Binder read: a tag made but not pushed.
    repo = course_repository
    git(repo, "tag", course_address.release_tag())
    clone = tmp_path / "checkout"
    git(tmp_path, "clone", "--quiet", str(repo), str(clone))
    git(clone, "tag", course_address.student_ref())
    assert course_address.missing_launch_refs(clone) == {}
    assert set(course_address.missing_launch_refs(clone, remote="origin")) == {course_address.student_ref()}
    git(clone, "push", "--quiet", "origin", course_address.student_ref())
    assert course_address.missing_launch_refs(clone, remote="origin") == {}
    with pytest.raises(RuntimeError, match="git ls-remote --heads --tags nowhere failed"):
        course_address.missing_launch_refs(clone, remote="nowhere")


def test_the_check_refs_command_names_each_missing_ref_and_exits_1(course_repository, monkeypatch, capsys):
    monkeypatch.setattr(course_address, "REPO", course_repository)
    git(course_repository, "tag", course_address.release_tag())
    assert course_address.main(["--check-refs"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {course_address.student_ref()} is no branch or tag of this repository, and launch "
                          f"links open it: the student edition's badges, the website, nbgitpuller; README.md: binder")
    git(course_repository, "tag", course_address.student_ref())
    assert course_address.main(["--check-refs"]) == 0
    assert "every launch link opens a branch or tag of this repository" in capsys.readouterr().out


def test_the_release_workflow_checks_the_refs_after_pushing_the_student_tag():
    workflow = (REPO / ".github" / "workflows" / "student-edition.yml").read_text(encoding="utf-8")
    push = workflow.index('git push --force origin "refs/tags/$(python scripts/student_edition.py --ref)"')
    check = workflow.index("run: python scripts/course_address.py --check-refs --remote origin")
    assert push < check, "the check runs once the student tag is on GitHub"


# ----------------------------------------------------------------------------------------------------------------
# The version: defined once, printed by the command, in the package's metadata, and in the changelog
# ----------------------------------------------------------------------------------------------------------------

def test_the_version_is_defined_once_and_the_command_prints_it(capsys):
    pyproject = course_address.pyproject()
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "collapse_kit.__version__"}
    assert course_address.version() == collapse_kit.__version__
    with pytest.raises(SystemExit) as exit_:
        cli.build_parser().parse_args(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"collapse-kit {collapse_kit.__version__}"


def test_python_m_collapse_kit_runs_the_command(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["collapse_kit", "--version"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("collapse_kit", run_name="__main__")
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"collapse-kit {collapse_kit.__version__}"


def test_the_built_metadata_has_the_version_licence_and_urls(tmp_path):
    # What pip and PyPI read, built by setuptools from a copy of the files it needs (PEP 639 needs setuptools>=77).
    for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-CONTENT", "collapse_kit/__init__.py",
                 "collapse_kit/assets/NOTICE.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, tmp_path / name)
    (tmp_path / "out").mkdir()
    build = ("import sys; from setuptools import build_meta; "
             "print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))")
    result = subprocess.run([sys.executable, "-c", build, str(tmp_path / "out")], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    dist_info = tmp_path / "out" / result.stdout.strip().splitlines()[-1]
    metadata = email.message_from_string((dist_info / "METADATA").read_text(encoding="utf-8"))
    assert metadata["Version"] == collapse_kit.__version__
    assert metadata["License-Expression"] == "MIT AND CC-BY-SA-3.0 AND CC-BY-4.0"
    assert sorted(metadata.get_all("License-File")) == ["LICENSE", "LICENSE-CONTENT", "collapse_kit/assets/NOTICE.md"]
    assert not any(line.startswith("License ::") for line in metadata.get_all("Classifier")), \
        "PEP 639: the licence expression replaces licence classifiers"
    assert f"Repository, {course_address.repository_url()}" in metadata.get_all("Project-URL")
    assert "model collapse" in metadata["Keywords"]


def changelog_sections() -> list[tuple[str, str | None]]:
    """``[(name, date or None), ...]`` of CHANGELOG.md's ``## [name] - date`` headings, newest first."""
    return [(name, date) for name, date in
            re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", CHANGELOG.read_text(encoding="utf-8"), re.M)]


def test_the_changelog_records_every_release_and_what_is_not_released_yet():
    text = CHANGELOG.read_text(encoding="utf-8")
    sections = changelog_sections()
    assert sections[0][0] in ("Unreleased", collapse_kit.__version__), sections
    released = [(name, date) for name, date in sections if name != "Unreleased"]
    assert released and all(date for _, date in released), f"every release heading needs a date: {released}"
    assert "0.1.0" in dict(released), "0.1.0, the course as first published"
    numbers = [tuple(map(int, name.split("."))) for name, _ in released]
    assert numbers == sorted(numbers, reverse=True), "newest release first"
    version = tuple(map(int, collapse_kit.__version__.split(".")))
    if sections[0][0] == "Unreleased":
        assert version > numbers[0], f"__version__ {collapse_kit.__version__} should be the next release"
        assert f"To be released as {collapse_kit.__version__}." in text
    for name, _ in sections:
        assert re.search(rf"^\[{re.escape(name)}\]: {re.escape(course_address.repository_url())}/", text, re.M), \
            f"CHANGELOG.md: no link for [{name}]"
