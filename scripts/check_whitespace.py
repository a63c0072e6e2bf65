#!/usr/bin/env python3
"""Refuse trailing whitespace and a missing (or doubled) final newline in the files named.

python scripts/check_whitespace.py FILE...      (pre-commit passes the staged text files)
"""

from __future__ import annotations

import sys
from pathlib import Path


def problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    found = [
        f"{path}:{number}: trailing whitespace"
        for number, line in enumerate(text.splitlines(), 1)
        if line != line.rstrip()
    ]
    if text and not text.endswith("\n"):
        found.append(f"{path}: no newline at the end")
    elif text.endswith("\n\n"):
        found.append(f"{path}: blank lines at the end")
    return found


def main(argv: list[str]) -> int:
    found = [problem for name in argv for problem in problems(Path(name))]
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
