"""How to cite and reuse the course (issue 26): CITATION.cff names this version and this repository, and the prose and
figures have their own licence, CC BY 4.0 (LICENSE-CONTENT), beside the code's MIT (LICENSE).

The version lives once, in collapse_kit/__init__.py; these tests keep CITATION.cff's copy equal to it (a release
that bumps ``__version__`` fails here until CITATION.cff says the same), and its repository-code equal to
pyproject.toml's address (scripts/course_address.py rewrites it when the course moves).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import collapse_kit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import course_address  # noqa: E402

CITATION = REPO / "CITATION.cff"
README = REPO / "README.md"


def citation() -> dict:
    """CITATION.cff, parsed: with PyYAML where it is installed, else its top-level ``key: value`` lines."""
    text = CITATION.read_text(encoding="utf-8")
    try:
        import yaml
    except ModuleNotFoundError:
        return {key: value.strip().strip("\"'")
                for key, value in re.findall(r"^([A-Za-z-]+):[ \t]*(\S.*)$", text, re.M)}
    return yaml.safe_load(text)


def test_citation_cff_cites_this_version_of_collapse_kit():
    cff = citation()
    assert str(cff["version"]) == collapse_kit.__version__ == course_address.version(), \
        f"CITATION.cff's version {cff['version']!r} should be collapse_kit.__version__ {collapse_kit.__version__!r}"
    assert str(cff["cff-version"]) == "1.2.0" and cff["title"] == "collapse-kit" and cff["license"] == "MIT"
    assert cff["repository-code"] == course_address.repository_url()


def test_citation_cff_names_its_authors_as_an_entity():
    cff = citation()
    if "authors" not in cff:  # the regex reading sees top-level keys only
        assert re.search(r'^authors:\n  - name: "collapse-kit developers"$', CITATION.read_text(), re.M)
        return
    assert cff["authors"] == [{"name": "collapse-kit developers"}]


def test_citation_cff_moves_with_the_course():
    assert CITATION in course_address.tree_files(), "scripts/course_address.py rewrites its repository-code"
    assert course_address.file_stale_links(CITATION) == []


def test_the_prose_and_figures_are_cc_by_4_beside_the_mit_code():
    content = (REPO / "LICENSE-CONTENT").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in content, "the legal code itself"
    assert "https://creativecommons.org/licenses/by/4.0/" in content
    for covered in ("lessons/*.ipynb", "site/", "docs/figures/", "LICENSE", "collapse_kit/assets/NOTICE.md"):
        assert covered in content, f"LICENSE-CONTENT should say how {covered} is licensed"
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    readme = README.read_text(encoding="utf-8")
    badges = readme.split("\n\n", 2)[1]  # the lines of badges under the title
    assert "(LICENSE-CONTENT)" in badges and "CC%20BY%204.0" in badges, "a badge beside the code's and the data's"
    licence = readme.split("## Data and licence", 1)[1].split("\n## ", 1)[0]
    for mention in ("[LICENSE](LICENSE)", "CC BY 4.0", "[LICENSE-CONTENT](LICENSE-CONTENT)",
                    "[CITATION.cff](CITATION.cff)"):
        assert mention in licence, f"README.md's Data and licence section should name {mention}"
