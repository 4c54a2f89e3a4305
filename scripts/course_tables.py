"""The lessons' tables of README.md and the site's front page (site/index.md), written from the lessons themselves.

Each lesson keeps its row in its own notebook metadata (``metadata.collapse_kit``: ``short_title``, ``summary``,
``claims``), so a new lesson adds its row by being there: this script rewrites both tables (between their markers),
with the course's addresses from scripts/course_address.py (the site's page, the student edition's Colab badge).
tests/test_course_tables.py fails while either table is out of date.

Usage (from the repository root):

    python scripts/course_tables.py          # rewrite both tables
    python scripts/course_tables.py --check  # exit 1 if either is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import course_address  # noqa: E402  (scripts/ is not a package)

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
README, INDEX = REPO / "README.md", REPO / "site" / "index.md"
BEGIN, END = "<!-- course_tables.py -->", "<!-- /course_tables.py -->"
BADGE = "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"


def lessons() -> list[tuple[Path, dict]]:
    """Every numbered lesson with its table entry (a clear error for one without it)."""
    found = []
    for path in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb")):
        entry = json.loads(path.read_text())["metadata"].get("collapse_kit")
        if not entry or not {"short_title", "summary", "claims"} <= set(entry):
            raise ValueError(f"{path.name}: its notebook metadata must hold collapse_kit.short_title, .summary and "
                             f".claims (its row of the course's tables), got {entry!r}")
        found.append((path, entry))
    return found


def _name(path: Path, entry: dict) -> str:
    return f"{path.name[:2]} {entry['short_title']}"


def readme_table() -> str:
    lines = ["| lesson | what you do | claims | Colab |", "|---|---|---|---|"]
    for path, entry in lessons():
        page = f"{course_address.pages_url()}lessons/{path.stem}.html"
        colab = course_address.colab_url(f"lessons/{path.name}", course_address.student_ref())
        lines.append(f"| [{_name(path, entry)}]({page}) | {entry['summary']} | {', '.join(entry['claims'])} | "
                     f"{BADGE}({colab}) |")
    return "\n".join(lines)


def index_table() -> str:
    lines = ["| lesson | what you do | claims |", "|---|---|---|"]
    for path, entry in lessons():
        lines.append(f"| [{_name(path, entry)}](../lessons/{path.name}) | {entry['summary']} | "
                     f"{', '.join(entry['claims'])} |")
    return "\n".join(lines)


def with_table(page: str, table: str) -> str:
    """``page`` with the text between its markers replaced by ``table``."""
    if BEGIN not in page or END not in page:
        raise ValueError(f"the page has no {BEGIN} ... {END} markers around its lessons' table")
    return re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: f"{BEGIN}\n{table}\n{END}", page, flags=re.S)


def pages() -> dict[Path, str]:
    """{page: its text with the table as the lessons say now}."""
    return {README: with_table(README.read_text(encoding="utf-8"), readme_table()),
            INDEX: with_table(INDEX.read_text(encoding="utf-8"), index_table())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if either table is out of date")
    args = parser.parse_args(argv)
    stale = []
    for page, text in pages().items():
        if text == page.read_text(encoding="utf-8"):
            continue
        if args.check:
            stale.append(str(page.relative_to(REPO)))
        else:
            page.write_text(text, encoding="utf-8")
            print(f"wrote the lessons' table of {page.relative_to(REPO)}")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python scripts/course_tables.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
