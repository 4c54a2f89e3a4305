"""The numbers of the syllabus (site/syllabus.md), computed from the lessons: study time per lesson, two session plans,
the weights of the graded items, and shorter courses. Also the study time in each lesson's header.

Usage (from the repository root):

    python scripts/study_times.py           # rewrite the generated parts of site/syllabus.md and the lessons' headers
    python scripts/study_times.py --check   # exit 1 if either is out of date (what tests/test_syllabus.py checks)

Rerun it after changing a lesson's text, code or graded items. The page's prose is written by hand; every number in
it sits between ``<!-- study_times.py: NAME -->`` and ``<!-- /study_times.py -->`` and is written here.

The estimate counts what a student meets in the student version of a lesson (model answers, solutions and hidden
tests are not read, they are written or absent) and prices each part with the rates below: reading the markdown,
reading the code, running each code cell and reading its output, the graded work (by its points: nbgrader's
metadata), the prediction, and the compute time measured in the full profile (``COMPUTE_FILES``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import student_edition  # noqa: E402  (scripts/ is not a package: the one cutter of nbgrader's regions)

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
SYLLABUS = REPO / "site" / "syllabus.md"
# Each lesson run top to bottom in a fresh kernel, full profile, empty cache, seed 3, on a 2-core AMD EPYC without
# AVX-512 (a Zen 3: family 25, model 1; torch uses AVX2; bench/README.md): the slowest honest case for a student's
# laptop of the kind the course targets. All ten lessons come from one run. A lesson is measured in exactly one of
# these files.
COMPUTE_FILES = (REPO / "bench" / "results" / "epyc-zen3-avx2-lessons-seed3.json",)

# The rates of the estimate (the page states them, from here).
READING_WORDS_PER_MINUTE = 150  # an assumption: careful reading of technical text, slower than light reading
CODE_LINES_PER_MINUTE = 10  # reading a cell's code (comment lines and blank lines not counted)
MINUTES_PER_CODE_CELL = 1  # running a cell and reading what it prints or draws
MINUTES_PER_POINT = 5  # graded work, by nbgrader points: an exercise of 2 points 10 minutes, a written answer 10
MINUTES_PER_PREDICTION = 2  # reading the question and committing to an answer

# Session plans: (title, minutes per session, [(what the session is about, [lesson numbers])]). Before a session
# students read its lessons; in class they run the cells, predict and do the autograded exercises; after it they
# write the short answers. ``check`` fails when a session's class work does not fit its length.
PLANS = (
    # Lesson 09 (a language model) needs more class time than any session of either plan has left beside its other
    # lessons: the week gets a fourth session (06-07, then the capstone with lesson 09), the short plan a seventh.
    ("One week: four sessions of 90 minutes", 90, (
        ("The tools: the Gaussian telephone game and the VAE", ("00", "01", "02")),
        ("Collapse, measured, and the real-data cure", ("03", "04", "05")),
        ("Small doses; accumulate and temperature", ("06", "07")),
        ("The capstone, and a language model", ("08", "09")),
    )),
    ("Seven sessions of 60 minutes", 60, (
        ("The course and the Gaussian telephone game", ("00", "01")),
        ("The VAE and the fully synthetic loop", ("02", "03")),
        ("Measuring collapse", ("04",)),
        ("The real-data fraction", ("05",)),
        ("Small doses; accumulate and temperature", ("06", "07")),
        ("The capstone: a data policy", ("08",)),
        ("A language model that learns from its own text", ("09",)),
    )),
)

FULL_SESSION_MINUTES = 10  # a session with less time left than this for discussion is called full on the page

# Shorter courses: (name, lessons kept, what is lost).
SHORTER = (
    ("Skip 04 and 06", ("00", "01", "02", "03", "05", "07", "08", "09"),
     "C2 is then tested in the Gaussian and the language model only (lessons 01, 09), C3 not at all, C5 in the "
     "language model only; the capstone still works, since it builds on 03, 05 and 07"),
    ("Skip 02, 04 and 06 (students who know VAEs)", ("00", "01", "03", "05", "07", "08", "09"),
     "as above; lesson 03 uses the VAE without introducing it"),
    ("Collapse only: 00, 01 and 03", ("00", "01", "03"),
     "C1 in the Gaussian and in the VAE; no cure, no verdicts on C2-C5, no language model"),
)

MARKER = re.compile(r"(<!-- study_times\.py: (?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- /study_times\.py -->)",
                    re.S)
HEADER_TIME = re.compile(r"(\*\*Time:\*\* about )(\d+)( minutes)")


# ----------------------------------------------------------------------------------------------------------------
# Counting a lesson
# ----------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LessonLoad:
    """What one lesson asks of a student, counted in its student version, and the minutes it takes."""

    number: str  # "03"
    title: str  # "Recursive training: the fully synthetic loop"
    path: Path
    words: int  # markdown words a student reads (model answers excluded, link targets not counted)
    code_lines: int  # non-blank, non-comment lines of the code cells a student runs (solutions, hidden tests out)
    code_cells: int  # code cells a student runs, the exercise's own cell excluded (its time is in its points)
    autograded_points: float  # nbgrader points of the autograded test cells
    written_points: float  # nbgrader points of the short answers graded by hand
    predictions: int  # "predict first" cells
    compute_seconds: float  # measured, full profile (COMPUTE_FILES)

    @property
    def reading_minutes(self) -> float:
        """Reading the text and the code: what a student can do before class."""
        return self.words / READING_WORDS_PER_MINUTE + self.code_lines / CODE_LINES_PER_MINUTE

    @property
    def class_minutes(self) -> float:
        """Running the cells, predicting, the autograded exercises and waiting for the computer."""
        return (self.code_cells * MINUTES_PER_CODE_CELL + self.autograded_points * MINUTES_PER_POINT
                + self.predictions * MINUTES_PER_PREDICTION + self.compute_seconds / 60)

    @property
    def written_minutes(self) -> float:
        """Writing the short answers graded by hand."""
        return self.written_points * MINUTES_PER_POINT

    @property
    def total_minutes(self) -> float:
        return self.reading_minutes + self.class_minutes + self.written_minutes

    @property
    def points(self) -> float:
        return self.autograded_points + self.written_points


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def markdown_words(text: str) -> int:
    """Words a reader reads in markdown: link and image targets, HTML comments and table rules are not words."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)\s]*\)", "] ", text)  # [text](target) -> [text]
    text = re.sub(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$", " ", text, flags=re.M)  # |---|---|
    return len([word for word in re.split(r"\s+", text) if re.search(r"\w", word)])


def code_lines(source: str) -> int:
    """Non-blank lines that are not comments, hidden tests removed (the student version has none)."""
    lines = student_edition.regions(source, *student_edition.HIDDEN_TESTS)[1]
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def compute_seconds() -> dict[str, float]:
    """``{notebook file name: seconds}`` measured for each lesson (COMPUTE_FILES); ValueError if two files time the
    same lesson (one figure per lesson)."""
    seconds: dict[str, float] = {}
    for path in COMPUTE_FILES:
        for run in json.loads(path.read_text(encoding="utf-8"))["lessons"]:
            if run["lesson"] in seconds:
                raise ValueError(f"{run['lesson']} is timed in more than one of COMPUTE_FILES ({path.name} again)")
            seconds[run["lesson"]] = float(run["seconds"])
    return seconds


def _compute_sources() -> str:
    """The compute files as the page names them: ``path`` (lessons 00-08) and ``path`` (lesson 09)."""
    named = []
    for path in COMPUTE_FILES:
        numbers = [run["lesson"][:2] for run in json.loads(path.read_text(encoding="utf-8"))["lessons"]]
        which = f"lesson {numbers[0]}" if len(numbers) == 1 else f"lessons {numbers[0]}-{numbers[-1]}"
        named.append(f"`{path.relative_to(REPO)}` ({which})")
    return " and ".join(named)


def lesson_load(path: Path, measured: dict[str, float] | None = None) -> LessonLoad:
    """Count one lesson (see ``LessonLoad``)."""
    measured = compute_seconds() if measured is None else measured
    if path.name not in measured:
        raise ValueError(f"{path.name} has no measured compute time in COMPUTE_FILES: run COLLAPSE_KIT_SEED=3 "
                         f"python bench/benchmark.py --lessons-only --only {path.name[:2]} --label <label> "
                         f"(bench/README.md) and add bench/results/<label>.json to COMPUTE_FILES")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    words = lines = code_cells = predictions = 0
    autograded = written = 0.0
    for cell in cells:
        grading, source = cell["metadata"].get("nbgrader", {}), _source(cell)
        if cell["cell_type"] == "markdown":
            if grading.get("solution"):  # a short answer: the student writes it (its points), never reads ours
                written += grading.get("points", 0) if grading.get("grade") else 0
            else:
                words += markdown_words(source)
            continue
        if cell["cell_type"] != "code":
            continue
        if grading.get("grade"):
            autograded += grading.get("points", 0)
        if grading.get("solution"):
            continue  # the student writes this cell: its time is in its test's points
        code_cells += 1
        lines += code_lines(source)
        predictions += bool(re.search(r"^my_prediction\s*=", source, re.M))
    title = _source(cells[0]).splitlines()[0].lstrip("# ").strip()
    title = re.sub(r"^\d\d\s*·\s*", "", title)
    return LessonLoad(path.name[:2], title, path, words, lines, code_cells, autograded, written, predictions,
                      measured[path.name])


def course() -> list[LessonLoad]:
    """Every lesson's load, in order."""
    measured = compute_seconds()
    return [lesson_load(path, measured) for path in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))]


# ----------------------------------------------------------------------------------------------------------------
# The page's numbers
# ----------------------------------------------------------------------------------------------------------------

def minutes(value: float) -> str:
    """Minutes as a reader wants them: ``47 min``, ``6 h 23 min``."""
    whole = round(value)
    return f"{whole // 60} h {whole % 60:02d} min" if whole >= 60 else f"{whole} min"


def header_minutes(load: LessonLoad) -> int:
    """The lesson header's "about N minutes": the estimate rounded to 5 minutes."""
    return max(5, 5 * round(load.total_minutes / 5))


def _link(load: LessonLoad, title: bool = True) -> str:
    """A link to the lesson's page: ``[03 Recursive training ...](...)``, or ``[03](...)`` without the title."""
    label = f"{load.number} {load.title}" if title else load.number
    return f"[{label}](../lessons/{load.path.name})"


def _by_number(loads: list[LessonLoad]) -> dict[str, LessonLoad]:
    return {load.number: load for load in loads}


def method_block(loads: list[LessonLoad]) -> str:
    total = sum(load.total_minutes for load in loads)
    words = sum(load.words for load in loads)
    return (
        f"The whole course takes about **{minutes(total)}** of study: {words:,} words of text, "
        f"{sum(load.code_lines for load in loads)} lines of code in {sum(load.code_cells for load in loads)} cells, "
        f"{sum(load.points for load in loads):g} points of graded work and {sum(load.predictions for load in loads)} "
        f"predictions. The estimate, per lesson:\n\n"
        f"* reading: {READING_WORDS_PER_MINUTE} words of text per minute (careful reading of technical text, "
        f"slower than light reading) and {CODE_LINES_PER_MINUTE} lines of code per minute;\n"
        f"* running: {MINUTES_PER_CODE_CELL} minute per code cell, to run it and read what it prints or draws, plus "
        f"the lesson's compute time (measured in the full profile on 2 CPU cores, {_compute_sources()}: "
        f"{minutes(sum(load.compute_seconds for load in loads) / 60)} for the whole course);\n"
        f"* graded work: {MINUTES_PER_POINT} minutes per point (nbgrader's points), for the autograded exercises and "
        f"the short answers alike;\n"
        f"* each *predict first* question: {MINUTES_PER_PREDICTION} minutes.\n\n"
        f"Counted in the student version of each lesson: model answers, worked solutions and hidden tests are not "
        f"read, and comment lines are not counted as code. A quick reader who knows PyTorch will be faster; a student "
        f"who reruns cells with other settings, as the lessons invite, slower. Each lesson's header gives the same "
        f"estimate, rounded to 5 minutes.\n")


def times_block(loads: list[LessonLoad]) -> str:
    rows = ["| lesson | words | code lines | code cells | graded points | compute | read | run, predict, "
            "exercises | short answer | total |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for load in loads:
        rows.append(f"| {_link(load)} | {load.words:,} | {load.code_lines} | {load.code_cells} | {load.points:g} | "
                    f"{round(load.compute_seconds)} s | {minutes(load.reading_minutes)} | "
                    f"{minutes(load.class_minutes)} | {minutes(load.written_minutes)} | "
                    f"**{minutes(load.total_minutes)}** |")
    rows.append(f"| **course** | {sum(x.words for x in loads):,} | {sum(x.code_lines for x in loads)} | "
                f"{sum(x.code_cells for x in loads)} | {sum(x.points for x in loads):g} | "
                f"{round(sum(x.compute_seconds for x in loads))} s | "
                f"{minutes(sum(x.reading_minutes for x in loads))} | {minutes(sum(x.class_minutes for x in loads))} | "
                f"{minutes(sum(x.written_minutes for x in loads))} | "
                f"**{minutes(sum(x.total_minutes for x in loads))}** |")
    return "\n".join(rows) + "\n"


def plan_rows(plan) -> list[dict]:
    """Each session of a plan with its minutes: before (reading), in class, left over, after (short answers)."""
    title, length, sessions = plan
    loads = _by_number(course())
    rows = []
    for index, (topic, numbers) in enumerate(sessions, start=1):
        unknown = [number for number in numbers if number not in loads]
        if unknown:
            raise ValueError(f"plan {title!r}, session {index}: no lesson numbered {unknown}")
        chosen = [loads[number] for number in numbers]
        in_class = sum(load.class_minutes for load in chosen)
        rows.append({"session": index, "topic": topic, "lessons": chosen, "length": length,
                     "before": sum(load.reading_minutes for load in chosen), "in_class": in_class,
                     "left": length - in_class, "after": sum(load.written_minutes for load in chosen)})
    return rows


def check_plan(plan) -> None:
    """Every lesson once, in order, and every session's class work within its length; else ValueError."""
    title, length, sessions = plan
    numbers = [number for _, chosen in sessions for number in chosen]
    every = [load.number for load in course()]
    if numbers != every:
        raise ValueError(f"plan {title!r} should hold every lesson once, in order: {every}, got {numbers}")
    for row in plan_rows(plan):
        if row["left"] < 0:
            raise ValueError(f"plan {title!r}, session {row['session']}: its lessons need "
                             f"{minutes(row['in_class'])} in class, more than its {length} minutes: move a lesson")


def plan_block(plan) -> str:
    check_plan(plan)
    title, length, sessions = plan
    rows = plan_rows(plan)
    lines = ["| session | lessons | before: read | in class: run, predict, exercises | left for discussion | "
             "after: short answers |", "|---|---|--:|--:|--:|--:|"]
    for row in rows:
        lessons = ", ".join(_link(load, title=False) for load in row["lessons"])
        lines.append(f"| {row['session']}. {row['topic']} | {lessons} | {minutes(row['before'])} | "
                     f"{minutes(row['in_class'])} | {minutes(row['left'])} | {minutes(row['after'])} |")
    before = sum(row["before"] for row in rows)
    after = sum(row["after"] for row in rows)
    full = [str(row["session"]) for row in rows if row["left"] < FULL_SESSION_MINUTES]
    named = ", ".join(full[:-1]) + " and " + full[-1] if len(full) > 1 else "".join(full)
    note = "" if not full else (
        f"\nSession{'s' if len(full) > 1 else ''} {named} {'leave' if len(full) > 1 else 'leaves'} less than "
        f"{FULL_SESSION_MINUTES} minutes for discussion: make sure students come with the lessons read.\n")
    return (f"**{title}** ({len(rows)} x {length} = {len(rows) * length} minutes in class; "
            f"{minutes(before + after)} of work outside it).\n\n" + "\n".join(lines) + "\n" + note)


def weights_block(loads: list[LessonLoad]) -> str:
    total = sum(load.points for load in loads)
    auto = sum(load.autograded_points for load in loads)
    written = sum(load.written_points for load in loads)
    rows = ["| lesson | autograded | short answer (by hand) | points | share of the course |", "|---|--:|--:|--:|--:|"]
    for load in loads:
        rows.append(f"| {_link(load)} | {load.autograded_points:g} | {load.written_points:g} | {load.points:g} | "
                    f"{100 * load.points / total:.1f}% |")
    rows.append(f"| **course** | {auto:g} | {written:g} | {total:g} | 100% |")
    return (f"The lessons carry **{total:g} points**: {auto:g} autograded ({100 * auto / total:.0f}%) and "
            f"{written:g} for the short answers graded by hand ({100 * written / total:.0f}%). Read from the "
            f"lessons' nbgrader metadata; nbgrader's gradebook and `nbgrader export` use the same points.\n\n"
            + "\n".join(rows) + "\n")


def shorter_block(loads: list[LessonLoad]) -> str:
    by_number = _by_number(loads)
    full = sum(load.total_minutes for load in loads)
    rows = ["| course | lessons | study time | graded points | what is lost |", "|---|---|--:|--:|---|"]
    rows.append(f"| the whole course | {', '.join(_link(load, title=False) for load in loads)} | {minutes(full)} | "
                f"{sum(load.points for load in loads):g} | nothing |")
    for name, numbers, lost in SHORTER:
        chosen = [by_number[number] for number in numbers]
        rows.append(f"| {name} | {', '.join(_link(load, title=False) for load in chosen)} | "
                    f"{minutes(sum(x.total_minutes for x in chosen))} | "
                    f"{sum(x.points for x in chosen):g} | {lost} |")
    return "\n".join(rows) + "\n"


def blocks(loads: list[LessonLoad] | None = None) -> dict[str, str]:
    """The generated parts of site/syllabus.md, by marker name."""
    loads = course() if loads is None else loads
    return {"method": method_block(loads), "times": times_block(loads), "week": plan_block(PLANS[0]),
            "sessions": plan_block(PLANS[1]), "weights": weights_block(loads), "shorter": shorter_block(loads)}


def syllabus_text(text: str, generated: dict[str, str]) -> str:
    """``text`` (the page) with every marked part replaced by its generated body; ValueError on a missing marker."""
    found = {match.group("name") for match in MARKER.finditer(text)}
    missing, unknown = set(generated) - found, found - set(generated)
    if missing or unknown:
        raise ValueError(f"{SYLLABUS.name}: markers missing {sorted(missing)}, unknown {sorted(unknown)}")
    return MARKER.sub(lambda match: match.group(1) + generated[match.group("name")] + match.group(4), text)


def header_text(source: str, load: LessonLoad) -> str:
    """A lesson's first cell with its "**Time:** about N minutes" set to the estimate."""
    if not HEADER_TIME.search(source):
        raise ValueError(f"{load.path.name}: its first cell has no '**Time:** about N minutes'")
    return HEADER_TIME.sub(lambda match: f"{match.group(1)}{header_minutes(load)}{match.group(3)}", source, count=1)


def stale_headers(loads: list[LessonLoad]) -> list[str]:
    """``"NN: about X minutes, estimate Y"`` for each lesson whose header disagrees with the estimate."""
    stale = []
    for load in loads:
        first = _source(json.loads(load.path.read_text(encoding="utf-8"))["cells"][0])
        if header_text(first, load) != first:
            stale.append(f"{load.path.name}: header {HEADER_TIME.search(first).group(0)!r}, estimate "
                         f"about {header_minutes(load)} minutes")
    return stale


def write_headers(loads: list[LessonLoad]) -> list[str]:
    """Set each lesson's header time: read, change the first cell, write back at once. Returns the lessons changed."""
    changed = []
    for load in loads:
        notebook = json.loads(load.path.read_text(encoding="utf-8"))
        first = _source(notebook["cells"][0])
        new = header_text(first, load)
        if new != first:
            notebook["cells"][0]["source"] = new.splitlines(keepends=True)
            load.path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            changed.append(load.path.name)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page or a header is out of date")
    args = parser.parse_args(argv)
    loads = course()
    page = SYLLABUS.read_text(encoding="utf-8")
    new_page = syllabus_text(page, blocks(loads))
    if args.check:
        stale = stale_headers(loads) + ([f"{SYLLABUS.relative_to(REPO)} is out of date"] if new_page != page else [])
        print("\n".join(stale) or "the syllabus and the lessons' headers are up to date")
        return 1 if stale else 0
    if new_page != page:
        SYLLABUS.write_text(new_page, encoding="utf-8")
        print(f"wrote {SYLLABUS.relative_to(REPO)}")
    for name in write_headers(loads):
        print(f"set the study time in the header of {name}")
    print(f"course: {minutes(sum(load.total_minutes for load in loads))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
