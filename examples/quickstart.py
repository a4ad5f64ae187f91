"""simdedup as a library: build a store from the sample corpus, ask where a line was said,
and list the near-duplicate paragraphs across outlets.

Run from the repository root:  python examples/quickstart.py [STORE_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import simdedup

HERE = Path(__file__).resolve().parent


def main(store_dir: Path) -> None:
    # 1. Index: records -> paragraphs -> embeddings (bundled model, offline) -> FAISS store.
    with simdedup.Store.open_or_create(store_dir) as store:
        stats = store.add(simdedup.read_records([HERE / "corpus.jsonl"]))
        print(f"indexed {stats.documents} new documents, {stats.paragraphs} paragraphs; "
              f"store holds {store.counts()['paragraphs']} paragraphs")  # fmt: skip

        # 2. "Where else was this said?"
        query = "this year marks the 30th anniversary of diplomatic ties"
        print(f"\nparagraphs closest to {query!r}:")
        for match in store.similar(query, k=5):
            print(f"  {match.score:.3f}  {match.pid:<42} {match.outlet:<20} {match.text[:50]}…")

        # 3. Near-duplicate groups that span at least two outlets (reprints, light edits).
        result = simdedup.Deduplicator(cross_outlet=True).fit(store).result_
        print(f"\n{len(result.groups)} cross-outlet duplicate groups, "
              f"{result.duplicate_ratio:.1%} of paragraphs are duplicates")  # fmt: skip
        for group in result.groups[:3]:
            kept = group.members[0]
            print(f"  kept {kept.pid} ({kept.outlet}, {kept.date}); copies in {group.outlets[1:]}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp) / "sample.store")
