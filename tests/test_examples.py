"""The sample corpus and the example script, end to end with the real model."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EXAMPLES
from simdedup import read_records
from simdedup.segment import Segmenter

BOILERPLATE = ("cookie", "Leave a Reply", "Copyright", "Share this", "Related Articles",
               "Published:", "(Photo:", "Source(s)", "(VNA) --")  # fmt: skip


def test_scraped_pages_segment_like_the_clean_records() -> None:
    clean = {r.doc_id: r for r in read_records([EXAMPLES / "corpus.jsonl"])}
    pages = list(read_records([EXAMPLES / "articles"]))
    assert len(pages) == len(clean) == 41
    segmenter = Segmenter()
    for page in pages:
        record = clean[page.doc_id.rsplit("/", 1)[1].removesuffix(".txt")]
        assert (page.outlet, page.date, page.title) == (record.outlet, record.date, record.title)
        texts = [p.text for p in segmenter.split(page.doc_id, page.text, page.title)]
        for text in texts:
            assert not any(b in text for b in BOILERPLATE), (page.doc_id, text)
        expected = [p.text for p in segmenter.split(record.doc_id, record.text, record.title)]
        assert texts == expected, page.doc_id  # a headline repeating the title is dropped


def test_main_job_finds_every_wire_copy() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simdedup", "dedup", str(EXAMPLES / "articles"), "--cross-outlet",
         "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    groups = json.loads(result.stdout)["groups"]
    docs_per_group = [{m["doc_id"].rsplit("/", 1)[1][:-4] for m in g["members"]} for g in groups]
    expected = json.loads((EXAMPLES / "expected.json").read_text())
    for story in expected["wire_copies"]:
        # every reprint shares at least one paragraph group with its wire original
        for reprint in story[1:]:
            assert any({story[0], reprint} <= docs for docs in docs_per_group), reprint
    paragraphs = {
        r.doc_id: [p.text for p in Segmenter().split(r.doc_id, r.text, r.title)]
        for r in read_records([EXAMPLES / "corpus.jsonl"])
    }
    negatives = {paragraphs[doc][i] for doc, i in expected["hard_negatives"]}
    points = {paragraphs[d][i] for tp in expected["talking_points"] for d, i in tp["members"]}
    for g in groups:
        texts = {m["text"] for m in g["members"]}
        assert not (texts & negatives and texts & points), texts  # a hard negative stays apart
        assert len({m["outlet"] for m in g["members"]}) >= 2


def test_quickstart_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")], capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "indexed 41 new documents" in result.stdout
    assert "cross-outlet duplicate groups" in result.stdout
    lines = result.stdout.splitlines()
    start = lines.index(next(x for x in lines if x.startswith("paragraphs closest"))) + 1
    top3 = [line.split()[1] for line in lines[start : start + 3]]
    expected = json.loads((EXAMPLES / "expected.json").read_text())
    anniversary = next(tp for tp in expected["talking_points"] if "anniversary" in tp["name"])
    assert set(top3) <= {f"{doc}:{para}" for doc, para in anniversary["members"]}
