"""The rubric of each hand-graded answer, read from INSTRUCTORS.md (its one home), and the self-check questions a
reader asks of their own answer, derived from it. The website (collapse_site.py) shows both on the lesson pages.

INSTRUCTORS.md keeps two kinds of rubric table:

* *Short answers graded by hand*: one row per answer, its first cell naming the ``grade_id`` (``00 (`l00_explain`)``),
  then the question and the "2 points", "1 point" and "0 points" cells. An answer's rubric is its row's point cells.
* *The capstone memo*: a table whose rows name no ``grade_id`` (one row per part of the memo), in a section that names
  the memo's (`` `grade_id` `l08_capstone` ``). The memo's rubric is the whole table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

INSTRUCTORS = Path(__file__).resolve().parents[2] / "INSTRUCTORS.md"
GRADE_ID = re.compile(r"`(l\d\d_\w+)`")
SECTION_GRADE_ID = re.compile(r"`grade_id`\s*`(l\d\d_\w+)`")
POINTS_COLUMN = re.compile(r"^\d+ points?$")


@dataclass(frozen=True)
class Rubric:
    """How an instructor grades one hand-graded answer: ``columns`` and ``rows`` of INSTRUCTORS.md's table, and the
    question the row names ("" where the table has none: the capstone memo, whose rows are its parts)."""

    grade_id: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    question: str = ""

    def markdown(self) -> str:
        """The rubric as a markdown table, cells as INSTRUCTORS.md writes them."""
        def line(cells):
            return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

        return "\n".join([line(self.columns), "|" + " --- |" * len(self.columns)] + [line(row) for row in self.rows])

    def self_check(self) -> list[str]:
        """2-4 questions a reader asks of their own answer before reading the model answer: for a short answer, the
        rubric's general rule (both parts, the mechanism, the lesson's own numbers; INSTRUCTORS.md, "Rubric") asked
        of its question; for the memo, each part's 1-point criterion."""
        if self.question:
            return [f"Does it answer every part of the question: *{self.question}*",
                    "Does it give the mechanism, why it happens, rather than repeat what the lesson showed?",
                    "Does every claim agree with the numbers this lesson printed?"]
        return [f"*{row[0]}*: {_lower_first(_without_asides(row[1]))}?" for row in self.rows]


def _without_asides(text: str) -> str:
    """``text`` without its parenthetical asides, nested ones included (a criterion's examples give answers away)."""
    kept, depth = [], 0
    for character in text:
        depth += character == "("
        if not depth:
            kept.append(character)
        depth -= character == ")" and depth > 0
    return re.sub(r"\s+([,.;:?])", r"\1", " ".join("".join(kept).split())).rstrip(" .")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _cells(line: str) -> list[str]:
    """The cells of one markdown table row (``\\|`` is a pipe inside a cell)."""
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def _tables(lines: list[str]) -> list[tuple[list[str], list[list[str]]]]:
    """(header, rows) of each markdown table in ``lines``."""
    tables, block = [], []
    for line in lines + [""]:
        if line.lstrip().startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2 and set(block[1].replace("|", "").strip()) <= set("-: "):
            tables.append((_cells(block[0]), [_cells(row) for row in block[2:]]))
        block = []
    return tables


def read(path: Path = INSTRUCTORS) -> dict[str, Rubric]:
    """{grade_id: its Rubric} of every hand-graded answer INSTRUCTORS.md grades (see the module's docstring)."""
    text = path.read_text(encoding="utf-8")
    sections = re.split(r"\n(?=#{1,6} )", text)
    found: dict[str, Rubric] = {}
    for section in sections:
        for header, rows in _tables(section.split("\n")):
            named = [(GRADE_ID.search(row[0]), row) for row in rows if row]
            if any(match for match, _ in named):
                points = [index for index, column in enumerate(header) if POINTS_COLUMN.match(column)]
                question = header.index("Question") if "Question" in header else None
                for match, row in named:
                    if match and points and len(row) == len(header):
                        found[match.group(1)] = Rubric(match.group(1), tuple(header[index] for index in points),
                                                       (tuple(row[index] for index in points),),
                                                       row[question] if question is not None else "")
                continue
            owners = set(SECTION_GRADE_ID.findall(section))
            if len(owners) == 1 and rows:
                grade_id = owners.pop()
                found[grade_id] = Rubric(grade_id, tuple(header), tuple(tuple(row) for row in rows))
    return found
