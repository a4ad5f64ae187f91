"""What the reader removes, scored both ways on hand-labelled sets of scraped pages, each line
labelled ``content``, ``boilerplate`` or ``repeat`` (a repeated headline), datelines marked on
their lines: ``benchmarks/data/boilerplate.jsonl`` (dev, 60 pages: the rules were written
against it) and ``boilerplate_test.jsonl`` (test, 30 pages by another writer, scored blind
once; see ``benchmarks/README.md``).

    python benchmarks/boilerplate.py

Each page is joined into one text (a blank line between its lines) and segmented with the
defaults. A boilerplate line is *removed* when no kept paragraph overlaps it; a content line
is *kept* when a paragraph holds all of it but its marked dateline; a ``repeat`` line must be
removed (the headline itself kept once). A dateline is *stripped* when the paragraph starts
right after it, and a content line without one must keep its first word ("SXSW:", "VIDEO:").
Prints the counts and the lines each rule gets wrong; writes
``benchmarks/results/boilerplate.json``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from simdedup.segment import Segmenter  # noqa: E402

SETS = {
    "dev": ROOT / "benchmarks" / "data" / "boilerplate.jsonl",
    "test": ROOT / "benchmarks" / "data" / "boilerplate_test.jsonl",
}
RESULTS = ROOT / "benchmarks" / "results" / "boilerplate.json"
KINDS = ("content", "boilerplate", "repeat")
BULLETS = " \t•·*▪►■◆●>-–—"  # a list item's bullet is not content


def load(path: Path) -> list[dict[str, Any]]:
    """The labelled pages, checked: JSON per line, unique ids, known kinds, datelines that
    prefix their content line."""
    pages, ids = [], set()
    for n, line in enumerate(path.open(encoding="utf-8"), 1):
        page = json.loads(line)
        assert page["id"] not in ids, f"{path.name}:{n}: duplicate id {page['id']}"
        ids.add(page["id"])
        for item in page["lines"]:
            assert item["kind"] in KINDS, f"{path.name}:{n}: kind {item['kind']!r}"
            dateline = item.get("dateline")
            assert dateline is None or (
                item["kind"] == "content" and item["text"].startswith(dateline)
            ), f"{path.name}:{n}: dateline {dateline!r}"
        pages.append(page)
    return pages


def score(pages: list[dict[str, Any]]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    mistakes: list[dict[str, str]] = []
    segmenter = Segmenter()
    for page in pages:
        text, spans = "", []
        for item in page["lines"]:
            if text:
                text += "\n\n"
            spans.append((len(text), len(text) + len(item["text"])))
            text += item["text"]
        kept, removed = segmenter.explain(page["id"], text, page.get("title"))
        for item, (start, end) in zip(page["lines"], spans):
            kind, dateline = item["kind"], item.get("dateline") or ""
            bullet = len(item["text"]) - len(item["text"].lstrip(BULLETS))
            body = start + max(len(dateline), bullet)  # where the kept paragraph should start
            holder = next((p for p in kept if p.start < end and p.end >= end), None)
            touched = any(p.start < end and p.end > start for p in kept)
            if kind == "content":
                counts["content lines"] += 1
                if holder is None:
                    why = "lost"
                elif holder.start > body:
                    why = "start cut"  # more than a dateline or bullet removed ("SXSW:")
                elif dateline and holder.start < body:
                    why = "dateline kept"
                else:
                    why = ""
                if dateline:
                    counts["datelines"] += 1
                    counts["datelines stripped"] += holder is not None and holder.start == body
                ok = why == ""
                counts["content kept"] += ok
                if not ok:
                    rule = next((r.rule for r in removed if r.start < end and r.end > start), "")
                    mistakes.append({"id": page["id"], "kind": kind, "error": why, "rule": rule,
                                     "text": item["text"]})  # fmt: skip
            else:
                counts[f"{kind} lines"] += 1
                counts[f"{kind} removed"] += not touched
                if touched:
                    mistakes.append({"id": page["id"], "kind": kind, "error": "kept", "rule": "",
                                     "text": item["text"]})  # fmt: skip

    def rate(a: str, b: str) -> float:
        return round(counts[a] / max(counts[b], 1), 4)

    return {
        "pages": len(pages),
        "counts": dict(counts),
        "content kept": rate("content kept", "content lines"),
        "boilerplate removed": rate("boilerplate removed", "boilerplate lines"),
        "repeated headlines removed": rate("repeat removed", "repeat lines"),
        "datelines stripped": rate("datelines stripped", "datelines"),
        "mistakes": mistakes,
    }


def main() -> None:
    results = {name: score(load(path)) for name, path in SETS.items()}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, result in results.items():
        c = result["counts"]
        print(f"{name}: {result['pages']} pages, {c['content lines']} content lines, "
              f"{c['boilerplate lines']} boilerplate lines, "
              f"{c['repeat lines']} repeated headlines")  # fmt: skip
        for key in ("content kept", "boilerplate removed", "repeated headlines removed",
                    "datelines stripped"):  # fmt: skip
            print(f"  {key:28} {result[key]:.1%}")
        for m in result["mistakes"]:
            print(f"  {m['error']:14} {m['kind']:11} {m['id']} {m['rule']:>20}  {m['text'][:60]}")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
