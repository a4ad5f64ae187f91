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
