"""Write each paragraph's ``split`` into training/data/*.jsonl (by talking point; idempotent).

    python training/split_data.py

One talking point in five of each area goes to ``dev`` (see :func:`training.corpus.dev_points`);
negatives and copies follow the talking point they make or sit near. The held-out test set,
benchmarks/data/talking_points_test.jsonl, is another world altogether and is never read here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.corpus import assign_splits, files, read_rows


def main() -> int:
    for path in files():
        rows = read_rows(path)
        splits = assign_splits(rows)
        lines = []
        for r in rows:
            r["split"] = splits[str(r["talking_point"] or r["near"])]
            lines.append(json.dumps(r, ensure_ascii=False))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        dev = sum(1 for s in splits.values() if s == "dev")
        print(f"{path.name}: {len(splits)} talking points, {dev} dev")
    return 0


if __name__ == "__main__":
    sys.exit(main())
