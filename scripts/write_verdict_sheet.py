"""Write lessons/verdicts.md, the course's verdict sheet, and the stored verdict table the lessons read
(collapse_kit/assets/verdict_table.json), from ``collapse_kit.evidence.sheet`` (the shipped results bundle and the
Gaussian runs of lessons 01 and 06 at the full profile's sizes, seed 0). tests/test_claims.py fails when either is out
of date.

Usage (from the repository root):

    python scripts/write_verdict_sheet.py
"""

from __future__ import annotations

import json
from pathlib import Path

from collapse_kit.core.cache import atomic_write
from collapse_kit.evidence.sheet import TABLE_FILE, table, verdict_sheet

SHEET = Path(__file__).resolve().parent.parent / "lessons" / "verdicts.md"


def main() -> int:
    text = verdict_sheet()
    atomic_write(SHEET, text.encode())
    print(f"wrote {SHEET} ({text.count(chr(10))} lines)")
    stored = table()
    atomic_write(TABLE_FILE, (json.dumps(stored, indent=1) + "\n").encode())
    print(f"wrote {TABLE_FILE} ({len(stored['rows'])} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
