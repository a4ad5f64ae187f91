"""The benchmark suite's plumbing: result rows keep their fixed keys, re-runs merge, and the
README's hand-written text survives regeneration. (The measurements themselves need
``../shared`` and run from ``benchmarks/run.py``, not here.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import common, report
from run import merge


def test_rows_have_the_fixed_keys() -> None:
    row = common.row("index", "simdedup", n=10, build_s=1.23456, extra={"total_s": 2})
    assert list(row)[: len(common.ROW_KEYS)] == list(common.ROW_KEYS)
    assert row["search_s"] is None and row["build_s"] == 1.23 and row["extra"] == {"total_s": 2}
    with pytest.raises(KeyError, match="wall_s"):
        common.row("index", "simdedup", wall_s=1.0)


def test_saved_results_keep_the_schema() -> None:
    files = sorted((ROOT / "benchmarks" / "results").glob("*.json"))
    suites = [f for f in files if json.loads(f.read_text()).get("rows") is not None]
    assert suites, "no suite results committed"
    for path in suites:
        payload = json.loads(path.read_text())
        assert payload["suite"] == path.stem and payload["environment"]["versions"]
        for row in payload["rows"]:
            assert set(common.ROW_KEYS) <= set(row), (path.name, row)
            assert row["suite"] == path.stem


def test_merge_replaces_only_rows_measured_again() -> None:
    old = [
        common.row("index", "a", n=10, params={"task": "knn"}, qps=1.0),
        common.row("index", "a", n=20, params={"task": "knn"}, qps=2.0),
    ]
    new = [common.row("index", "a", n=10, params={"task": "knn"}, qps=3.0)]
    merged = merge(old, new)
    assert [(r["n"], r["qps"]) for r in merged] == [(20, 2.0), (10, 3.0)]


def test_regenerate_keeps_hand_written_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "# B\n\nintro by hand\n\n<!-- BEGIN GENERATED: quality -->\nstale table\n"
        "<!-- END GENERATED: quality -->\n\nafter by hand\n"
    )
    payload = {
        "suite": "quality",
        "mode": "quick",
        "environment": common.environment(),
        "rows": [
            common.row(
                "quality", "simdedup", n=5, params={"threshold": 0.6}, pair_precision=0.5,
                pair_recall=1.0, extra={"dataset": "set A", "f1": 0.667, "ari": 0.4},
            )
        ],
    }  # fmt: skip
    monkeypatch.setattr(report, "README", readme)
    monkeypatch.setattr(report, "PLOTS", tmp_path / "plots")
    monkeypatch.setattr(common, "load", lambda suite: payload if suite == "quality" else None)
    report.regenerate()
    text = readme.read_text()
    assert "intro by hand" in text and "after by hand" in text and "stale table" not in text
    assert "| **simdedup** | 0.600 | — | 0.500 | 1.000 | 0.667 | 0.400 |" in text
