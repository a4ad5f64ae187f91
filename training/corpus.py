"""The hand-written labelled claim corpus (``training/data/*.jsonl``) as Python objects.

Each paragraph's **claim** is what clustering should group it by: its talking point; for a
negative, its wire-copy group if it has one (a reprint makes the same claim), else the paragraph
alone. Splits are by talking point: a negative and every copy follow the talking point they sit
near, so no claim, and no near-miss of a claim, is on both sides.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
DEV_EVERY = 5  # one talking point in five (per area, in a fixed pseudo-random order) is dev


@dataclass(frozen=True)
class Item:
    """One labelled paragraph."""

    id: str
    kind: str  # member, copy or negative
    text: str
    outlet: str
    date: str
    talking_point: str | None
    near: str | None
    dup_group: str | None
    split: str

    @property
    def area(self) -> str:
        return self.id.split("-", 1)[0]

    @property
    def claim(self) -> str:
        """The cluster this paragraph belongs to."""
        return self.talking_point or self.dup_group or self.id

    @property
    def anchor_point(self) -> str:
        """The talking point this paragraph makes or imitates (what its split follows)."""
        return str(self.talking_point or self.near)


def files(data: Path = DATA, areas: Iterable[str] | None = None) -> list[Path]:
    """The corpus files (of ``areas`` only, when given: ``cn``, ``ru``, ...)."""
    wanted = None if areas is None else set(areas)
    return [p for p in sorted(data.glob("*.jsonl")) if wanted is None or p.stem in wanted]


def read_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def dev_points(points: Iterable[str]) -> set[str]:
    """The talking points of one area that go to dev: every :data:`DEV_EVERY`-th in crc32 order."""
    ordered = sorted(set(points), key=lambda p: (zlib.crc32(p.encode()), p))
    return set(ordered[::DEV_EVERY])


def assign_splits(rows: list[dict[str, object]]) -> dict[str, str]:
    """Split of each talking point in ``rows`` (one area's file)."""
    points = {str(r["talking_point"]) for r in rows if r["kind"] == "member"}
    dev = dev_points(points)
    return {p: ("dev" if p in dev else "train") for p in points}


def load(
    split: str | None = None, data: Path = DATA, areas: Iterable[str] | None = None
) -> list[Item]:
    """Every paragraph (of ``split``, "train" or "dev", and of ``areas``, when given)."""
    items: list[Item] = []
    for path in files(data, areas):
        rows = read_rows(path)
        splits = assign_splits(rows)
        for r in rows:
            point = str(r["talking_point"] or r["near"])
            item = Item(
                id=str(r["id"]),
                kind=str(r["kind"]),
                text=str(r["text"]),
                outlet=str(r["outlet"]),
                date=str(r["date"]),
                talking_point=_opt(r["talking_point"]),
                near=_opt(r["near"]),
                dup_group=_opt(r["dup_group"]),
                split=str(r.get("split") or splits[point]),
            )
            if split is None or item.split == split:
                items.append(item)
    return items


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def by_claim(items: Iterable[Item]) -> dict[str, list[Item]]:
    """Items grouped by :attr:`Item.claim`, in order."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.claim].append(item)
    return dict(groups)
