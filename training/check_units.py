"""Check a hand-written claim-unit file (``training/briefs/units.md`` says what it holds).

    python training/check_units.py training/data/units_train.jsonl [more files]

One JSON object per line (a paragraph): ``id, article, para, outlet, date, text, units``, each
unit ``text, talking_point, near, speaker, mention``. Rules checked: valid JSON, the keys, unique
ids and paragraph texts, ids ``<article>-p<para>`` with paragraphs numbered 1, 2, ... in each
article and one outlet and date per article, ISO dates, 20-150 words; each unit's text found
exactly once in its paragraph, units not overlapping, each unit either a talking point's or a
negative near one (labels listed in the file's ``.claims.md``), ``mention`` a substring of the
paragraph exactly when ``speaker`` is set; each talking point in 5+ paragraphs from 3+ outlets
and 3+ articles. Prints the counts; exits 1 when any file has errors.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

KEYS = ("id", "article", "para", "outlet", "date", "text", "units")
UNIT_KEYS = ("text", "talking_point", "near", "speaker", "mention")
MIN_WORDS, MAX_WORDS = 20, 150
LABEL = re.compile(r"^\|\s*([a-z0-9]+-tp\d+-[a-z0-9-]+)\s*\|", re.M)


def labels_of(path: Path) -> set[str]:
    claims = path.with_suffix("").with_suffix(".claims.md")
    return set(LABEL.findall(claims.read_text(encoding="utf-8"))) if claims.is_file() else set()


def check(path: Path) -> tuple[list[str], dict[str, Any]]:
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
        except ValueError as exc:
            errors.append(f"{path.name}:{n}: not JSON ({exc})")
            continue
        if not isinstance(row, dict) or sorted(row) != sorted(KEYS):
            errors.append(f"{path.name}:{n}: keys must be exactly {KEYS}")
            continue
        row["_where"] = f"{path.name}:{n}"
        rows.append(row)
    labels = labels_of(path)
    if not labels:
        errors.append(f"{path.name}: no talking points in {path.stem}.claims.md")
    ids = Counter(r["id"] for r in rows)
    texts = Counter(" ".join(r["text"].split()) for r in rows)
    articles: dict[str, list[dict[str, Any]]] = defaultdict(list)
    tp_paras: dict[str, list[dict[str, Any]]] = defaultdict(list)
    units = negatives = with_speaker = 0
    per_para: Counter[int] = Counter()
    for r in rows:
        where, text = r["_where"], r["text"]
        if ids[r["id"]] > 1:
            errors.append(f"{where}: duplicate id {r['id']}")
        if texts[" ".join(text.split())] > 1:
            errors.append(f"{where}: duplicate text")
        if r["id"] != f"{r['article']}-p{r['para']}":
            errors.append(f"{where}: id must be <article>-p<para>")
        try:
            date.fromisoformat(r["date"])
        except (TypeError, ValueError):
            errors.append(f"{where}: date {r['date']!r} is not YYYY-MM-DD")
        words = len(text.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            errors.append(f"{where}: {words} words (want {MIN_WORDS}-{MAX_WORDS})")
        articles[r["article"]].append(r)
        spans: list[tuple[int, int]] = []
        made: set[str] = set()
        for u in r["units"]:
            if not isinstance(u, dict) or sorted(u) != sorted(UNIT_KEYS):
                errors.append(f"{where}: unit keys must be exactly {UNIT_KEYS}")
                continue
            units += 1
            count = text.count(u["text"]) if u["text"] else 0
            if count != 1:
                errors.append(f"{where}: unit {u['text'][:50]!r} found {count} times in the text")
            else:
                start = text.index(u["text"])
                spans.append((start, start + len(u["text"])))
            tp, near = u["talking_point"], u["near"]
            if (tp is None) == (near is None):
                errors.append(f"{where}: a unit has either talking_point or near, not both/none")
            for label in (tp, near):
                if label is not None and label not in labels:
                    errors.append(f"{where}: label {label!r} not in {path.stem}.claims.md")
            if tp is not None:
                made.add(tp)
            else:
                negatives += 1
            if (u["speaker"] is None) != (u["mention"] is None):
                errors.append(f"{where}: speaker and mention are both set or both null")
            elif u["mention"] is not None:
                with_speaker += 1
                if u["mention"] not in text:
                    errors.append(f"{where}: mention {u['mention']!r} is not in the paragraph")
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start < end:
                errors.append(f"{where}: units overlap")
        per_para[len(made)] += 1
        for tp in made:
            tp_paras[tp].append(r)
    for article, paras in articles.items():
        numbers = sorted(p["para"] for p in paras)
        if numbers != list(range(1, len(paras) + 1)):
            errors.append(f"{path.name}: article {article} paragraphs are {numbers}")
        if len({(p["outlet"], p["date"]) for p in paras}) != 1:
            errors.append(f"{path.name}: article {article} mixes outlets or dates")
    for label in sorted(labels):
        paras = tp_paras.get(label, [])
        outlets, arts = {p["outlet"] for p in paras}, {p["article"] for p in paras}
        if len(paras) < 5 or len(outlets) < 3 or len(arts) < 3:
            errors.append(
                f"{path.name}: {label}: {len(paras)} paragraphs, {len(outlets)} outlets, "
                f"{len(arts)} articles (want 5, 3, 3)"
            )
    counts = {
        "paragraphs": len(rows),
        "articles": len(articles),
        "outlets": len({r["outlet"] for r in rows}),
        "talking points": len(labels),
        "units": units,
        "negative units": negatives,
        "units with a speaker": with_speaker,
        "paragraphs by talking points made": dict(sorted(per_para.items())),
    }
    return errors, counts


def main(paths: list[str]) -> int:
    failed = False
    for name in paths:
        errors, counts = check(Path(name))
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for error in errors:
            print("  error:", error)
        failed = failed or bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
