"""The course's address and version, one home each, and every link derived from them.

* The address: ``[project.urls] Repository`` in pyproject.toml, ``https://github.com/{owner}/{name}``.
* The version: ``__version__`` in collapse_kit/__init__.py (pyproject.toml reads it as its dynamic version, and
  ``collapse-kit --version`` prints it). Its release tag, ``v{version}``, is what Colab, Binder and the Colab install
  cell of every lesson open, never ``main``: a student gets the notebooks and the package of one release.

site/conf.py imports this module for its launch buttons. Files that must hold literal links (the lessons' badges and
install cells, README, the site's pages, CHANGELOG.md, pyproject.toml's other URLs, CITATION.cff's repository-code)
are rewritten by this script, and tests/test_course_address.py fails while one of them is out of step:

    python scripts/course_address.py            # rewrite every course link to the address and release above
    python scripts/course_address.py --check    # list the stale links, exit 1 if there are any
    python scripts/course_address.py --nbgitpuller https://hub.example.edu    # a JupyterHub link (INSTRUCTORS.md)
    python scripts/course_address.py --check-refs --remote origin   # every launch link opens a tag that exists

So moving the course (a fork, or its real home) is one edit of pyproject.toml and one run of this script.

``--check-refs`` lists the refs that the launch links open (the tree's Colab, Binder and pip links, the student
edition's badges, the website's launch buttons and nbgitpuller's default: ``release_tag`` and ``student_ref``) and
exits 1 naming each one that is not a branch or tag of the repository (``--remote origin``: of the repository on
GitHub, by ``git ls-remote``). The release workflow, .github/workflows/student-edition.yml, runs it once the student
tag is pushed.

A link is the course's when it has one of these forms (anything else, such as a link to nbgrader's issues, is left
alone): a Colab notebook ``colab.research.google.com/github/{owner}/{name}/blob/{ref}/...``, a Binder launch
``mybinder.org/v2/gh/{owner}/{name}/{ref}``, a pip requirement ``git+https://github.com/{owner}/{name}@{ref}``
(ref pinned to the release tag), or a GitHub page or the GitHub Pages site of a repository named like the course
(``github.com/{owner}/{name}/...``, ``{owner}.github.io/{name}``, ref left as written).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = REPO / "pyproject.toml"
VERSION_FILE = REPO / "collapse_kit" / "__init__.py"
# Files that can hold links, by suffix; binary assets and the results bundle are skipped.
TEXT_SUFFIXES = {".md", ".ipynb", ".py", ".toml", ".txt", ".yml", ".yaml", ".html", ".cfg", ".rst", ".cff"}

_PART = r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*"  # an owner or repository name; a trailing full stop is not part of it
_REF = r"[^/?#\s)\"'<>\]]+"
LINK_FORMS = {
    "colab": re.compile(rf"https://colab\.research\.google\.com/github/(?P<owner>{_PART})/(?P<name>{_PART})"
                        rf"/blob/(?P<ref>{_REF})/"),
    "binder": re.compile(rf"https://mybinder\.org/v2/gh/(?P<owner>{_PART})/(?P<name>{_PART})/(?P<ref>{_REF})"),
    "pip": re.compile(rf"git\+https://github\.com/(?P<owner>{_PART})/(?P<name>{_PART})(?:@(?P<ref>{_REF}))?"),
    "github": re.compile(rf"(?<!git\+)https://github\.com/(?P<owner>{_PART})/(?P<name>{_PART})"),
    "pages": re.compile(rf"https://(?P<owner>[A-Za-z0-9-]+)\.github\.io/(?P<name>{_PART})"),
}
PINNED_FORMS = ("colab", "binder", "pip")  # forms whose ref is the release tag


# ----------------------------------------------------------------------------------------------------------------
# The two facts, and what derives from them
# ----------------------------------------------------------------------------------------------------------------

def pyproject() -> dict:
    """pyproject.toml, parsed."""
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def repository_url() -> str:
    """The course's repository, ``https://github.com/{owner}/{name}`` (pyproject.toml, ``[project.urls]``)."""
    url = pyproject()["project"].get("urls", {}).get("Repository", "")
    if not re.fullmatch(rf"https://github\.com/{_PART}/{_PART}", url):
        raise ValueError(f"pyproject.toml [project.urls] Repository must be https://github.com/<owner>/<name>, "
                         f"got {url!r}")
    return url


def slug() -> str:
    """``{owner}/{name}`` of the course's repository."""
    return repository_url().removeprefix("https://github.com/")


def version() -> str:
    """The package's version: ``__version__`` in collapse_kit/__init__.py, read without importing the package."""
    for node in ast.parse(VERSION_FILE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"{VERSION_FILE} defines no __version__")


def release_tag() -> str:
    """The git tag of this version's release, ``v{version}``: what Colab, Binder and pip open."""
    text = version()
    if not re.fullmatch(r"\d+\.\d+\.\d+", text):
        raise ValueError(f"__version__ must be MAJOR.MINOR.PATCH (the release the tree becomes), got {text!r}")
    return f"v{text}"


STUDENT_SUFFIX = "-student"


def student_ref() -> str:
    """The tag of this release's student edition, ``v{version}-student`` (scripts/student_edition.py makes it): what
    the website's launch buttons and README's Binder and Colab links open. Its lessons hold no worked solution, hidden
    test or model answer."""
    return release_tag() + STUDENT_SUFFIX


def pages_url() -> str:
    """The course website on GitHub Pages, ``https://{owner}.github.io/{name}/``."""
    owner, name = slug().split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def colab_url(path: str, ref: str | None = None) -> str:
    """Colab's link to the notebook at ``path`` (relative to the repository root) of this release (or of ``ref``,
    e.g. ``student_ref()``)."""
    return f"https://colab.research.google.com/github/{slug()}/blob/{ref or release_tag()}/{path}"


def binder_url(path: str, ref: str | None = None) -> str:
    """mybinder.org's link that opens JupyterLab on the notebook at ``path`` of this release (or of ``ref``)."""
    return f"https://mybinder.org/v2/gh/{slug()}/{ref or release_tag()}?urlpath=lab/tree/{path}"


def pip_requirement() -> str:
    """What pip installs the course from, pinned to this release (the lessons' Colab cell)."""
    return f"{pyproject()['project']['name']} @ git+{repository_url()}@{release_tag()}"


def nbgitpuller_url(hub: str, path: str = "lessons/00_start_here.ipynb", branch: str | None = None) -> str:
    """A JupyterHub link that clones (or updates) the course into the student's home and opens ``path``.

    Args:
        hub: the hub's address, e.g. ``https://hub.example.edu``.
        path: the notebook to open, relative to the repository root.
        branch: what to pull (default: the student edition of this release, ``student_ref()``: no worked solution,
            hidden test or model answer).
    """
    if not re.match(r"https?://[^/\s]+", hub):
        raise ValueError(f"hub must be the hub's address, e.g. https://hub.example.edu, got {hub!r}")
    name = slug().split("/")[1]
    return (f"{hub.rstrip('/')}/hub/user-redirect/git-pull?repo={quote(repository_url(), safe='')}"
            f"&urlpath={quote(f'lab/tree/{name}/{path}', safe='')}&branch={quote(branch or student_ref(), safe='')}")


# ----------------------------------------------------------------------------------------------------------------
# Finding and rewriting the course's links
# ----------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StaleLink:
    """A course link that does not name the current address (or release)."""

    path: str
    form: str
    found: str
    expected: str

    def __str__(self) -> str:
        return f"{self.path}: {self.form} link {self.found!r} should be {self.expected!r}"


def _is_course_repository(form: str, name: str) -> bool:
    """Colab, Binder and pip links always name the course; GitHub pages only when the repository is named like it."""
    return form in PINNED_FORMS or name.lower() in {slug().split("/")[1].lower(), pyproject()["project"]["name"]}


def _canonical(form: str, match: re.Match) -> str:
    """What the link ``match`` of ``form`` should read with the current address (and, pinned forms, release tag)."""
    owner, name = slug().split("/")
    if form == "pages":
        owner = owner.lower()  # GitHub Pages host names are lower case
    text, start = match.group(0), match.start()
    # Right to left (ref, name, owner), so the offsets of the groups still to replace stay valid.
    if form in PINNED_FORMS:
        if match.group("ref") is None:
            text += f"@{release_tag()}"
        else:
            # A Colab or Binder link to the student edition stays one, of the current release.
            student = form != "pip" and match.group("ref").endswith(STUDENT_SUFFIX)
            ref = student_ref() if student else release_tag()
            text = text[:match.start("ref") - start] + ref + text[match.end("ref") - start:]
    for group, value in (("name", name), ("owner", owner)):
        text = text[:match.start(group) - start] + value + text[match.end(group) - start:]
    return text


def course_links(text: str):
    """Yield ``(form, match)`` for every course link in ``text``, in order."""
    for form, pattern in LINK_FORMS.items():
        for match in pattern.finditer(text):
            if _is_course_repository(form, match.group("name")):
                yield form, match


def rewrite_links(text: str) -> str:
    """``text`` with every course link naming the current address and release tag."""
    edits = sorted(((match.start(), match.end(), _canonical(form, match)) for form, match in course_links(text)),
                   reverse=True)
    for start, end, new in edits:
        text = text[:start] + new + text[end:]
    return text


def stale_links(text: str, path: str = "") -> list[StaleLink]:
    """The course links of ``text`` that differ from what they should read."""
    found = [StaleLink(path, form, match.group(0), _canonical(form, match)) for form, match in course_links(text)]
    return [link for link in found if link.found != link.expected]


def tree_files(root: Path = REPO) -> list[Path]:
    """The repository's text files that git tracks or would track (new files too; ignored ones such as .venv not)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    paths = {root / name for name in listed if name}
    return sorted(path for path in paths if path.suffix in TEXT_SUFFIXES and path.is_file())


def _notebook_text(path: Path) -> str:
    return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"])


def file_stale_links(path: Path, root: Path = REPO) -> list[StaleLink]:
    """The stale course links of one file (of a notebook: of its cells' sources)."""
    text = _notebook_text(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
    return stale_links(text, str(path.relative_to(root)))


def rewrite_file(path: Path) -> bool:
    """Rewrite the course links of one file in place; True if it changed.

    A notebook is read, its cells' sources rewritten and written back at once, formatted as Jupyter writes it (other
    people may be editing other cells of the same notebook).
    """
    if path.suffix == ".ipynb":
        notebook = json.loads(path.read_text(encoding="utf-8"))
        changed = False
        for cell in notebook["cells"]:
            source = "".join(cell["source"])
            new = rewrite_links(source)
            if new != source:
                cell["source"] = new.splitlines(keepends=True)
                changed = True
        if changed:
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return changed
    text = path.read_text(encoding="utf-8")
    new = rewrite_links(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


# ----------------------------------------------------------------------------------------------------------------
# The refs the launch links open exist
# ----------------------------------------------------------------------------------------------------------------

def launch_refs(root: Path = REPO) -> dict[str, list[str]]:
    """Every ref a launch link of the course opens, with where it is opened: ``{ref: ["README.md: binder", ...]}``.

    The Colab, Binder and pip links of the tree's files (of a notebook: of its cells), and ``student_ref()``, which
    the student edition's badges (scripts/student_edition.py), the website's launch buttons (site/conf.py) and
    nbgitpuller's default open without writing it in a file of the tree.
    """
    found: dict[str, list[str]] = {student_ref(): ["the student edition's badges, the website, nbgitpuller"]}
    for path in tree_files(root):
        text = _notebook_text(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
        for form, match in course_links(text):
            if form in PINNED_FORMS and match.group("ref"):
                where = f"{path.relative_to(root)}: {form}"
                if where not in found.setdefault(match.group("ref"), []):
                    found[match.group("ref")].append(where)
    return found


def _ref_names(listing: str) -> set[str]:
    """The branch and tag names of ``git ls-remote`` or ``git for-each-ref`` lines (``<id> refs/tags/v0.2.0``)."""
    names = set()
    for line in listing.splitlines():
        ref = line.split()[-1].removesuffix("^{}")  # ^{}: the commit an annotated tag points at
        for prefix in ("refs/heads/", "refs/tags/", "refs/remotes/"):
            if ref.startswith(prefix):
                name = ref.removeprefix(prefix)
                names.add(name.split("/", 1)[1] if prefix == "refs/remotes/" and "/" in name else name)
    return names


def existing_refs(repo: Path = REPO, remote: str | None = None) -> set[str]:
    """The branch and tag names of the git repository ``repo`` (its remote-tracking branches included), or, with
    ``remote`` (a remote's name or URL), of that remote, asked by ``git ls-remote``.

    Raises:
        RuntimeError: with git's message, if git fails (not a repository, a remote that cannot be reached).
    """
    command = (["git", "ls-remote", "--heads", "--tags", remote] if remote else
               ["git", "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags", "refs/remotes"])
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed in {repo}: {done.stderr.strip()}")
    return _ref_names(done.stdout)


def missing_launch_refs(root: Path = REPO, remote: str | None = None) -> dict[str, list[str]]:
    """The refs of ``launch_refs(root)`` that are no branch or tag of ``root`` (or of its ``remote``), with where
    each is opened; empty when every launch link opens something."""
    existing = existing_refs(root, remote)
    return {ref: where for ref, where in launch_refs(root).items() if ref not in existing}


def check_refs(remote: str | None) -> int:
    """``--check-refs``: print each ref the launch links open that does not exist (and where); 1 if any."""
    where = f"the remote {remote}" if remote else "this repository"
    try:
        missing = missing_launch_refs(REPO, remote)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for ref, places in missing.items():
        more = f"; and {len(places) - 4} more" if len(places) > 4 else ""
        print(f"error: {ref} is no branch or tag of {where}, and launch links open it: {'; '.join(places[:4])}{more}",
              file=sys.stderr)
    if not missing:
        print(f"every launch link opens a branch or tag of {where}: {', '.join(sorted(launch_refs(REPO)))}")
    return 1 if missing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list stale links and exit 1 if any; change nothing")
    parser.add_argument("--nbgitpuller", metavar="HUB", help="print the nbgitpuller link for a JupyterHub and exit")
    parser.add_argument("--path", default="lessons/00_start_here.ipynb", help="notebook the nbgitpuller link opens")
    parser.add_argument("--branch", help="what the nbgitpuller link pulls (default: the student edition's tag)")
    parser.add_argument("--check-refs", action="store_true",
                        help="exit 1 if a launch link opens a branch or tag that does not exist; change nothing")
    parser.add_argument("--remote", help="with --check-refs: ask this remote (e.g. origin), not the local tags")
    args = parser.parse_args(argv)
    if args.nbgitpuller:
        print(nbgitpuller_url(args.nbgitpuller, args.path, args.branch))
        return 0
    if args.remote and not args.check_refs:
        parser.error("--remote goes with --check-refs")
    print(f"address {repository_url()}, version {version()}, release tag {release_tag()}")
    if args.check_refs:
        return check_refs(args.remote)
    if args.check:
        stale = [link for path in tree_files() for link in file_stale_links(path)]
        print("\n".join(map(str, stale)) or "every course link is in step")
        return 1 if stale else 0
    changed = [path for path in tree_files() if rewrite_file(path)]
    for path in changed:
        print(f"rewrote {path.relative_to(REPO)}")
    print(f"{len(changed)} file(s) rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
