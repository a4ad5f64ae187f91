from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import HashingEncoder
from corpus import write_jsonl
from simdedup import Deduplicator, Record, Store, read_records
from simdedup.duplicates.groups import deduplicated_records
from simdedup.errors import InputError

BASE = "The grain corridor across the northern strait will stay open through the winter season"


def store_of(records: list[Record], encoder: object | None = None) -> Store:
    store = Store.memory(encoder=encoder or HashingEncoder(), cache=None)  # type: ignore[arg-type]
    store.add(records)
    return store


@pytest.fixture
def corpus() -> Store:
    return store_of(
        [
            Record("a", BASE + ", officials said.", outlet="A", date="2024-03-02"),
            Record("b", BASE + ", officials said on Monday.", outlet="B", date="2024-03-01"),
            Record("c", BASE + ", officials said.", outlet="A", date=None),
            Record(
                "d",
                "Tariffs on timber and fish will fall by a third under the new trade pact.",
                outlet="C",
            ),
            Record(
                "e",
                "Heavy rain flooded the market district and closed three schools overnight.",
                outlet="B",
            ),
        ]
    )


def test_groups_exact_and_near_duplicates(corpus: Store) -> None:
    result = Deduplicator(threshold=0.9).fit(corpus).result_
    assert result.paragraphs == 5
    assert len(result.groups) == 1
    group = result.groups[0]
    assert sorted(m.pid for m in group.members) == ["a:0", "b:0", "c:0"]
    assert group.kept == "b:0"  # earliest date
    assert group.members[0].pid == group.kept and group.members[0].score == pytest.approx(1.0)
    assert all(0.9 <= m.score <= 1.0 for m in group.members)
    assert result.duplicates == 2 and result.duplicate_ratio == pytest.approx(0.4)
    assert result.removed == {"a:0", "c:0"}


def test_threshold_controls_grouping(corpus: Store) -> None:
    strict = Deduplicator(threshold=1.0).fit(corpus).result_
    assert [sorted(m.pid for m in g.members) for g in strict.groups] == [["a:0", "c:0"]]
    loose = Deduplicator(threshold=-1.0).fit(corpus).result_
    assert len(loose.groups) == 1 and loose.groups[0].size == 5


@pytest.mark.parametrize(
    ("keep", "kept"), [("earliest", "b:0"), ("longest", "b:0"), ("first", "a:0")]
)
def test_keep_policies(corpus: Store, keep: str, kept: str) -> None:
    assert Deduplicator(0.9, keep=keep).fit(corpus).result_.groups[0].kept == kept


def test_undated_paragraphs_are_kept_last() -> None:
    store = store_of([Record("x", BASE + "."), Record("y", BASE + ".", date="2030-01-01")])
    assert Deduplicator(0.9).fit(store).result_.groups[0].kept == "y:0"


def test_cross_outlet_drops_single_outlet_groups() -> None:
    store = store_of(
        [
            Record("a1", BASE + ".", outlet="A"),
            Record("a2", BASE + ".", outlet="A"),
            Record(
                "x1",
                "A different story about tariffs on timber, fish and grain exports.",
                outlet="A",
            ),
            Record(
                "x2",
                "A different story about tariffs on timber, fish and grain exports.",
                outlet="B",
            ),
        ]
    )
    every = Deduplicator(0.95).fit(store)
    assert len(every.result_.groups) == 2
    cross = Deduplicator(0.95, cross_outlet=True).fit(store)
    assert [g.kept for g in cross.result_.groups] == ["x1:0"]
    assert cross.result_.groups[0].outlets == ["A", "B"]
    np.testing.assert_array_equal(cross.labels_, [-1, -1, 0, 0])


def test_json_schema_and_csv(corpus: Store) -> None:
    result = Deduplicator().fit(corpus).result_
    data = json.loads(result.to_json())
    assert set(data) == {"threshold", "model", "paragraphs", "groups"}
    assert data["model"] == "hashing-256" and data["threshold"] == 0.9
    group = data["groups"][0]
    assert set(group) == {"group", "kept", "members"}
    assert set(group["members"][0]) == {"pid", "doc_id", "para", "outlet", "date", "score", "text"}
    assert group["members"][0]["pid"] == group["kept"]
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert len(rows) == 3 and rows[0]["kept"] == "1" and rows[1]["kept"] == "0"
    assert rows[0]["pid"] == group["kept"]


def test_deduplicated_records_drop_duplicates(corpus: Store) -> None:
    result = Deduplicator().fit(corpus).result_
    out = list(deduplicated_records(corpus, result))
    assert [r["id"] for r in out] == ["b", "d", "e"]
    assert set(out[0]) == {"id", "outlet", "date", "title", "text"}


def test_bad_parameters(corpus: Store) -> None:
    with pytest.raises(InputError, match=r"threshold must be in \[-1, 1\]"):
        Deduplicator(threshold=1.5).fit(corpus)
    with pytest.raises(InputError, match="keep must be one of earliest, longest, first"):
        Deduplicator(keep="newest").fit(corpus)
    empty = Store.memory(encoder=HashingEncoder(), cache=None)  # type: ignore[arg-type]
    empty.add([Record("x", "short")])
    with pytest.raises(InputError, match="no paragraphs"):
        Deduplicator().fit(empty)


def test_real_model_groups_reprints_not_topic_overlap(tmp_path: Path, real_encoder: object) -> None:
    store = store_of(list(read_records([write_jsonl(tmp_path / "c.jsonl")])), real_encoder)
    result = Deduplicator().fit(store).result_
    groups = sorted(sorted(m.pid for m in g.members) for g in result.groups)
    assert groups == [
        ["herald-1:0", "times-1:1"],  # exact repeat
        ["post-1:0", "vna-1:0"],  # repeated headline
        ["post-1:1", "vna-1:1"],  # wire copy with light edits
        ["times-1:0", "vna-1:2"],  # exact repeat
    ]
    wire = next(g for g in result.groups if g.kept == "vna-1:1")
    assert 0.9 < wire.members[1].score < 1.0


class AngleEncoder:
    """Texts ending "p0", "p1", ... lie 0.3176 rad apart: neighbours 0.95, two apart 0.81."""

    name = fingerprint = "angles"

    def encode(self, texts: list[str]) -> np.ndarray:
        angles = [0.3176 * int(t.rsplit("p", 1)[1].rstrip(".")) for t in texts]
        return np.array([[np.cos(a), np.sin(a), 0.0] for a in angles], dtype=np.float32)


def test_groups_are_stars_not_chains() -> None:
    records = [
        Record(f"d{i}", f"A paragraph long enough to be kept, number p{i}.") for i in range(3)
    ]
    store = store_of(records, AngleEncoder())
    star = Deduplicator(threshold=0.9, keep="first", check_numbers=False)
    result = star.fit(store).result_
    assert [[m.pid for m in g.members] for g in result.groups] == [["d0:0", "d1:0"]]
    assert all(m.score >= 0.9 for g in result.groups for m in g.members)
    loose = Deduplicator(threshold=0.8, keep="first", check_numbers=False).fit(store).result_
    assert loose.groups[0].size == 3


def test_conflicting_figures_are_not_duplicates() -> None:
    base = "Under the agreement, Norvania will ship {} million tonnes of grain to Valdoria"
    store = store_of(
        [
            Record("a", base.format("2") + " each year."),
            Record("b", base.format("3.5") + " each year."),
            Record("c", base.format("2") + " each year from 2025."),  # a number added: fine
        ]
    )
    groups = Deduplicator(threshold=0.8).fit(store).result_.groups
    assert [sorted(m.pid for m in g.members) for g in groups] == [["a:0", "c:0"]]
    unchecked = Deduplicator(threshold=0.8, check_numbers=False).fit(store).result_.groups
    assert unchecked[0].size == 3


class RandomEncoder:
    """Unrelated random vectors for different texts: only exact passes can group them."""

    name = fingerprint = "random"

    def encode(self, texts: list[str]) -> np.ndarray:
        import zlib

        return np.array(
            [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(64) for t in texts],
            dtype=np.float32,
        )


def test_trimmed_copies_group_by_sentence_containment() -> None:
    one = "The envoy met both delegations in Lorvik on Monday morning."
    two = "Talks will resume next week at the council headquarters in Brannock."
    three = "Neither side commented on the fishing quotas after the meeting ended."
    store = store_of(
        [
            Record("wire", f"{one} {two} {three}", date="2024-01-01"),
            Record("trimmed", f"{one} {two}", date="2024-01-02"),
            Record(
                "other",
                f"{one} Something else entirely was said by a different official here.",
                date="2024-01-03",
            ),
        ],
        RandomEncoder(),
    )
    groups = Deduplicator(0.9).fit(store).result_.groups
    assert [[m.pid for m in g.members] for g in groups] == [["wire:0", "trimmed:0"]]
    assert groups[0].members[1].score < 0.5  # grouped by containment, not by cosine
    assert Deduplicator(0.9, containment=None).fit(store).result_.groups == []
    # "other" shares one sentence: half of itself, but under half of the wire paragraph
    loose = Deduplicator(0.9, containment=0.4).fit(store).result_.groups
    assert [[m.pid for m in g.members] for g in loose] == [["wire:0", "trimmed:0"]]
    with pytest.raises(InputError, match="containment"):
        Deduplicator(0.9, containment=1.5).fit(store)
