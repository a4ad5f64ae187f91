"""Regenerate (or check) the command outputs the README shows, from the shipped sample corpus.

    python docs/readme_outputs.py          # rewrite the blocks in README.md
    python docs/readme_outputs.py --check  # exit 1 if a block differs from a fresh run

A block is a fenced block right after a marker line ``<!-- output: COMMAND -->``; COMMAND runs
in the repository root with ``bash`` at ``COLUMNS=80`` (``simdedup`` is this checkout's), and
the block becomes its stdout. ``tests/test_readme.py`` runs the check.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- output: (.+?) -->\n```[a-z]*\n)(.*?)(```)", re.S)


def run(command: str) -> str:
    env = {**os.environ, "COLUMNS": "80"}
    line = command.replace("simdedup ", f"{sys.executable} -m simdedup ", 1)
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {line}"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip
    if done.returncode not in (0, 141):  # 141: head closed the pipe
        raise SystemExit(f"{command}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def refreshed(text: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + run(m.group(2)) + m.group(4), text)


def main() -> None:
    text = README.read_text(encoding="utf-8")
    if not BLOCK.search(text):
        raise SystemExit("README.md has no <!-- output: ... --> block")
    new = refreshed(text)
    if "--check" in sys.argv[1:]:
        if new != text:
            raise SystemExit(
                "README.md: a command output is stale; run python docs/readme_outputs.py"
            )
        print("README.md outputs are current")
        return
    README.write_text(new, encoding="utf-8")
    print(f"rewrote {len(BLOCK.findall(new))} blocks in README.md")


if __name__ == "__main__":
    main()
