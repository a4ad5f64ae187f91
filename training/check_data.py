"""Check the hand-written labelled corpus in training/data/*.jsonl.

    python training/check_data.py                     # every file, then the totals
    python training/check_data.py training/data/x.jsonl

One JSON object per line with ``id, kind, outlet, date, text, talking_point, near, dup_group``
(and ``split`` once training/split_data.py has run). Rules checked: unique ids and texts, known
kinds, 20-150 words, ISO dates, each talking point 4-8 members from 3+ outlets, each negative
``near`` an existing talking point, each wire-copy group one original and 1+ copies whose labels
match the original's, and splits assigned by talking point. Exits 1 on the first file with errors.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
KINDS = ("member", "copy", "negative")
FIELDS = ("id", "kind", "outlet", "date", "text", "talking_point", "near", "dup_group")
SPLITS = ("train", "dev")
MIN_WORDS, MAX_WORDS = 20, 150


def read(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append(f"{path.name}:{number}: blank line")
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            errors.append(f"{path.name}:{number}: not JSON ({exc})")
            continue
        if not isinstance(row, dict):
            errors.append(f"{path.name}:{number}: not an object")
            continue
        row["_where"] = f"{path.name}:{number}"
        rows.append(row)
    return rows, errors


def check(rows: list[dict[str, Any]]) -> list[str]:
    errors: list[str] = []
    ids: Counter[str] = Counter(str(r.get("id")) for r in rows)
    texts: Counter[str] = Counter(" ".join(str(r.get("text", "")).split()) for r in rows)
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        where = r["_where"]
        missing = [f for f in FIELDS if f not in r]
        if missing:
            errors.append(f"{where}: missing fields {missing}")
            continue
        if ids[str(r["id"])] > 1:
            errors.append(f"{where}: duplicate id {r['id']}")
        text = " ".join(str(r["text"]).split())
        if texts[text] > 1:
            errors.append(f"{where}: text repeated verbatim elsewhere")
        words = len(text.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            errors.append(f"{where}: {words} words (want {MIN_WORDS}-{MAX_WORDS})")
        if r["kind"] not in KINDS:
            errors.append(f"{where}: kind {r['kind']!r} not one of {KINDS}")
        try:
            date.fromisoformat(str(r["date"]))
        except ValueError:
            errors.append(f"{where}: date {r['date']!r} is not YYYY-MM-DD")
        if not str(r["outlet"]).strip():
            errors.append(f"{where}: empty outlet")
        if "split" in r and r["split"] not in SPLITS:
            errors.append(f"{where}: split {r['split']!r} not one of {SPLITS}")
        if r["kind"] == "member":
            if not r["talking_point"] or r["near"] is not None:
                errors.append(f"{where}: a member needs talking_point and near null")
            else:
                members[r["talking_point"]].append(r)
        if r["kind"] == "negative" and (r["talking_point"] is not None or not r["near"]):
            errors.append(f"{where}: a negative needs talking_point null and near set")
        if r["kind"] == "copy" and not r["dup_group"]:
            errors.append(f"{where}: a copy needs a dup_group")
        if r["dup_group"]:
            groups[str(r["dup_group"])].append(r)
    for tp, found in members.items():
        outlets = {m["outlet"] for m in found}
        if not 4 <= len(found) <= 8:
            errors.append(f"{tp}: {len(found)} members (want 4-8)")
        if len(outlets) < 3:
            errors.append(f"{tp}: {len(outlets)} outlets (want 3+)")
    for r in rows:
        if r.get("kind") == "negative" and r.get("near") not in members:
            errors.append(f"{r['_where']}: near {r.get('near')!r} is no talking point here")
    for group, found in groups.items():
        originals = [r for r in found if r["kind"] != "copy"]
        copies = [r for r in found if r["kind"] == "copy"]
        if len(originals) != 1 or not copies:
            errors.append(f"{group}: {len(originals)} originals, {len(copies)} copies (want 1, 1+)")
            continue
        source = originals[0]
        for c in copies:
            if (c["talking_point"], c["near"]) != (source["talking_point"], source["near"]):
                errors.append(f"{c['_where']}: labels differ from its original {source['id']}")
    by_tp: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if "split" in r:
            by_tp[str(r["talking_point"] or r["near"])].add(str(r["split"]))
    errors += [f"{tp}: split across {sorted(s)}" for tp, s in by_tp.items() if len(s) > 1]
    return errors


def summary(rows: list[dict[str, Any]]) -> str:
    kinds = Counter(r.get("kind") for r in rows)
    tps = {r["talking_point"] for r in rows if r.get("kind") == "member"}
    groups = {r["dup_group"] for r in rows if r.get("dup_group")}
    words = [len(str(r.get("text", "")).split()) for r in rows]
    splits = Counter(r.get("split", "-") for r in rows)
    return (
        f"{len(rows)} paragraphs: {len(tps)} talking points, {kinds['member']} members, "
        f"{kinds['negative']} negatives, {len(groups)} wire-copy groups ({kinds['copy']} copies), "
        f"{len({r.get('outlet') for r in rows})} outlets, words {min(words, default=0)}-"
        f"{max(words, default=0)} (mean {sum(words) / max(len(words), 1):.0f}); "
        f"splits {dict(splits)}"
    )


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(DATA.glob("*.jsonl"))
    everything: list[dict[str, Any]] = []
    failed = False
    for path in paths:
        rows, errors = read(path)
        errors += check(rows)
        print(f"{path.name}: {summary(rows)}")
        for error in errors[:50]:
            print(f"  {error}")
        failed |= bool(errors)
        everything += rows
    if len(paths) > 1:
        errors = [e for e in check(everything) if re.search(r"duplicate id|repeated", e)]
        print(f"all: {summary(everything)}")
        for error in errors[:50]:
            print(f"  {error}")
        failed |= bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
