"""The README's library examples run as written, output included (doctest), with the real
model, on the sample corpus."""

from __future__ import annotations

import doctest
import os
import re
from pathlib import Path

import pytest

from conftest import ROOT

BLOCK = re.compile(r"```pycon\n(.*?)```", re.S)


def library_examples() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Library\n") : readme.index("## The claim model\n")]
    blocks = BLOCK.findall(section)
    assert len(blocks) >= 2
    return "\n".join(blocks)


def test_readme_library_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(library_examples(), {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out: list[str] = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)
    assert runner.tries >= 15
    assert os.path.isdir("news.store")  # the store example really wrote a store


def test_package_docstring_example() -> None:
    import simdedup

    failures, tries = doctest.testmod(simdedup)
    assert tries >= 3 and failures == 0


def test_readme_command_examples_run_as_written(tmp_path: Path) -> None:
    """Every line of the README's command-line example block runs, in a fresh folder beside
    a copy of examples/ (the store, kept.jsonl, groups.json and report.html are written)."""
    import subprocess

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("Without `--store`, `similar` and `dedup` index the PATHs")
    block = readme[start:].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]
    assert len(lines) >= 7 and all(line.startswith(("simdedup ", "cat ")) for line in lines)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    for line in lines:
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {line} -q" if "report" not in line else line],
            cwd=tmp_path, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, (line, done.stderr)
    for name in ("news.store", "kept.jsonl", "groups.json", "report.html"):
        assert (tmp_path / name).exists(), name
