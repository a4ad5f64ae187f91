"""Talking points over claim units, end to end: the real ``simdedup`` command in a subprocess,
the real model, a real store; a paragraph that makes several claims joins several talking
points, and the JSON, CSV, table, report and ``--speaker`` filter say which unit put it there."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from units_corpus import ARTICLES, CLAIMS, write_articles


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SIMDEDUP_CACHE_DIR": str(cwd / "cache"), "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "simdedup", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("units")
    write_articles(root / "a.jsonl")
    done = cli("index", "a.jsonl", "--store", "s", "-q", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def _points(root: Path, *args: str) -> dict[str, Any]:
    done = cli("talking-points", "--store", "s", "--json", "-q", *args, cwd=root)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _claim_of(tp: dict[str, Any]) -> str | None:
    """Which recurring claim of the corpus all of a talking point's units make, if one."""
    units = [u["text"] for m in tp["members"] for u in m["units"]]
    for name, pattern in CLAIMS.items():
        if all(re.search(pattern, text) for text in units):
            return name
    return None


def test_a_paragraph_joins_every_talking_point_one_of_its_claims_joins(store: Path) -> None:
    data = _points(store)
    assert data["unit"] == "claim"
    found = {_claim_of(tp): tp for tp in data["talking_points"]}
    assert {"chair", "anniversary"} <= set(found)  # three outlets each
    chair, anniversary = found["chair"], found["anniversary"]
    assert chair["n_articles"] == 4 and chair["n_outlets"] == 3 and chair["size"] == 4
    assert chair["n_units"] == sum(len(m["units"]) for m in chair["members"])
    # Kost's three-claim paragraph is in the chair point, and the anniversary units are not
    pids = {tp["id"]: {m["pid"] for m in tp["members"]} for tp in data["talking_points"]}
    assert "vna-visit:1" in pids[chair["id"]]
    assert not any("Coastal Forum" in u["text"] for m in anniversary["members"]
                   for u in m["units"])  # fmt: skip
    texts = {f"{a['id']}": a["text"] for a in ARTICLES}
    for tp in data["talking_points"]:
        for m in tp["members"]:
            assert m["units"], m["pid"]
            for u in m["units"]:
                assert m["text"][u["start"] : u["end"]] == u["text"]
                assert u["text"] in texts[m["doc_id"]]
    assert "25th" not in json.dumps(anniversary)  # the pact's anniversary is another claim
    assert data["corpus"]["units"] > data["corpus"]["paragraphs"] == 11
    speakers = chair["speakers"]
    assert speakers.get("Arlen Kost", 0) >= 2 and speakers.get("Tomas Rell") == 1


def test_speaker_filter_keeps_that_speaker_s_claims(store: Path) -> None:
    data = _points(store, "--speaker", "Kost", "--min-outlets", "1")
    assert data["talking_points"]
    for tp in data["talking_points"]:
        assert set(tp["speakers"]) == {"Arlen Kost"}
        assert all(u["speaker"] == "Arlen Kost" for m in tp["members"] for u in m["units"])
    done = cli("talking-points", "--store", "s", "--unit", "paragraph", "--speaker", "Kost",
               cwd=store)  # fmt: skip
    assert done.returncode == 1 and "--speaker needs --unit claim" in done.stderr


def test_ids_are_stable_across_runs_on_a_store(store: Path) -> None:
    first = {tp["id"]: _claim_of(tp) for tp in _points(store)["talking_points"]}
    again = {tp["id"]: _claim_of(tp) for tp in _points(store)["talking_points"]}
    assert first == again


def test_paragraph_mode_puts_each_paragraph_in_one_point(store: Path) -> None:
    data = _points(store, "--unit", "paragraph", "--min-outlets", "1")
    assert data["unit"] == "paragraph"
    pids = [m["pid"] for tp in data["talking_points"] for m in tp["members"]]
    assert pids and len(pids) == len(set(pids))
    assert all(m["units"] == [] for tp in data["talking_points"] for m in tp["members"])


def test_csv_has_a_row_per_member_unit_and_the_table_the_counts(store: Path) -> None:
    done = cli("talking-points", "--store", "s", "--csv", "-q", cwd=store)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    data = _points(store)
    assert len(rows) == sum(tp["n_units"] for tp in data["talking_points"])
    assert all(r["text"][int(r["unit_start"]) : int(r["unit_end"])] == r["unit"] for r in rows)
    table = cli("talking-points", "--store", "s", "-q", cwd=store).stdout
    chair = next(tp for tp in data["talking_points"] if _claim_of(tp) == "chair")
    assert f"{chair['id']}  4 paragraphs · {chair['n_units']} claims · 4 articles · 3 outlets" in (
        table
    )
    assert "said by Arlen Kost" in table


def test_report_highlights_the_unit_inside_its_paragraph(store: Path) -> None:
    done = cli("report", "--store", "s", "-o", "r.html", "-q", cwd=store)
    assert done.returncode == 0, done.stderr
    html = (store / "r.html").read_text(encoding="utf-8")
    view = json.loads(
        re.search(r'<script type="application/json" id="sd-data">(.*?)</script>', html, re.S)
        .group(1)  # type: ignore[union-attr]
        .replace("\\u003c", "<")
        .replace("\\u003e", ">")
        .replace("\\u0026", "&")
    )
    point = view["points"][0]
    assert point["claims"] is True
    data = _points(store)  # a paragraph in two talking points counts once
    distinct = len({m["pid"] for tp in data["talking_points"] for m in tp["members"]})
    assert distinct < sum(tp["size"] for tp in data["talking_points"])
    assert f'<div class="k">In talking points</div><div class="v">{distinct}</div>' in html
    assert "the claims that put each paragraph here are marked" in html
    member = point["members"][0]
    marked = member["parts"][1::2]
    assert marked and all(part in ARTICLES_TEXT for part in marked)
    assert "mark.claim" in html


ARTICLES_TEXT = "\n".join(a["text"] for a in ARTICLES)


def test_similar_units_from_the_cli(store: Path) -> None:
    done = cli("similar", "backing Norvania as chair of the Coastal Forum", "--store", "s",
               "--units", "--json", "-k", "3", "-q", cwd=store)  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    assert len(results) == 3 and all("Coastal Forum" in r["units"][0]["text"] for r in results)
    table = cli("similar", "grain shipments through Port Elsin", "--store", "s", "--units",
                "-k", "6", "-q", cwd=store).stdout  # fmt: skip
    assert "Arlen Kost: Valdoria is ready to expand grain shipments" in table
    assert not re.search(r"\+\d+ cop", table)  # two units of one paragraph: two hits, not copies
