"""The library's recipes (``simdedup.dedup``, ``talking_points``, ``similar``, the Store's
methods) on plain lists of strings, Series, embeddings and stores, with the real model; and the
promise that they agree with the CLI on the same texts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import simdedup
from conftest import EXAMPLES, HashingEncoder
from simdedup import InputError

WIRE = (
    "Valdoria and Oreland agreed on Tuesday to reopen the grain corridor through the Serin Strait"
)
TEXTS = [
    WIRE,
    "Rain is expected over the capital at the weekend.",
    WIRE.replace("Tuesday", "Tuesday,"),  # a reprint with a comma
    "Short.",  # short strings are kept: one paragraph per string, nothing dropped
    "Valdoria and Oreland agreed on Tuesday to close the grain corridor through the Serin Strait.",
]


def corpus_paragraphs() -> list[str]:
    """The sample corpus's paragraphs, as a user holding a list of strings would have them."""
    from simdedup.segment import Segmenter

    segmenter = Segmenter()
    out = []
    for record in simdedup.read_records([EXAMPLES / "corpus.jsonl"]):
        out.extend(p.text for p in segmenter.split(record.doc_id, record.text))
    return out


def test_dedup_a_list_of_strings(real_encoder: object) -> None:
    r = simdedup.dedup(TEXTS, encoder=real_encoder)  # type: ignore[arg-type]
    assert r.paragraphs == len(TEXTS)  # nothing dropped, "Short." included
    assert [d.index for d in r.filtered] == [2]
    (dup,) = r.filtered
    assert dup.text == TEXTS[2] and dup.duplicate_of_text == WIRE and dup.duplicate_of_index == 0
    assert dup.score > 0.95
    assert r.selected == [TEXTS[0], TEXTS[1], TEXTS[3], TEXTS[4]]  # "close" is another claim
    assert r.selected_indices == [0, 1, 3, 4]
    assert [m.text for m in r.groups[0].members] == [WIRE, TEXTS[2]]


def test_dedup_takes_the_default_model_a_series_and_embeddings(real_encoder: object) -> None:
    pd = pytest.importorskip("pandas")
    default = simdedup.dedup(TEXTS)  # the claim model, built by name
    series = simdedup.dedup(pd.Series(TEXTS), encoder=real_encoder)  # type: ignore[arg-type]
    assert default.selected == series.selected
    assert default.model == series.model == "simdedup-claim-v1"
    vectors = real_encoder.encode(TEXTS)  # type: ignore[attr-defined]
    given = simdedup.dedup(TEXTS, embeddings=vectors)
    assert given.selected == series.selected
    only = simdedup.dedup(vectors, threshold=0.95)
    assert only.selected_indices == [0, 1, 3, 4]
    assert [d.duplicate_of_index for d in only.filtered] == [0]
    with pytest.raises(InputError, match="embeddings, not texts"):
        only.selected  # noqa: B018
    frame = series.to_pandas()
    assert list(frame["pid"]) == ["0:0", "2:0"] and list(frame["kept"]) == [True, False]


def test_dedup_of_records(fake_encoder: HashingEncoder) -> None:
    records = [simdedup.Record(f"r{i}", t) for i, t in enumerate(TEXTS[:4])]
    found = simdedup.dedup(records, encoder=fake_encoder)
    assert found.paragraphs == 3  # records are segmented: "Short." (under 40 characters) is none
    assert found.selected == [TEXTS[0], TEXTS[1]]
    assert [d.pid for d in found.filtered] == ["r2:0"]


def test_labels_are_zero_based_group_indexes(fake_encoder: HashingEncoder) -> None:
    found = simdedup.Deduplicator(encoder=fake_encoder).fit(TEXTS[:4])
    assert found.labels_.tolist() == [0, -1, 0, -1]
    assert found.result_.groups[found.labels_[0]].kept == "0:0"


def test_bad_input_names_the_parameter(fake_encoder: HashingEncoder) -> None:
    for data, message in [
        ("one string", "not one string"),
        (["a", 3], r"texts\[1\] is a int"),
        ([], "texts is empty"),
        ({"a": 1}, "data must be a list or Series of strings"),
        (np.zeros(3), "2-D array"),
    ]:
        with pytest.raises(InputError, match=message):
            simdedup.dedup(data, encoder=fake_encoder)
    with pytest.raises(InputError, match="keep must be one of"):
        simdedup.dedup(TEXTS, encoder=fake_encoder, keep="newest")
    with pytest.raises(InputError, match=r"dates must have one entry per text \(5\); got 1"):
        simdedup.talking_points(TEXTS, dates=["2024-01-01"], encoder=fake_encoder)
    with pytest.raises(InputError, match=r"dates\[0\] 'soon' is not a date"):
        simdedup.talking_points(TEXTS, dates=["soon"] * 5, encoder=fake_encoder)
    with pytest.raises(InputError, match="k must be an integer >= 1; got 0"):
        simdedup.similar("grain", TEXTS, k=0, encoder=fake_encoder)
    with pytest.raises(InputError, match="k must be an integer >= 1; got True"):
        simdedup.similar("grain", TEXTS, k=True, encoder=fake_encoder)  # bools are not numbers


def test_in_memory_writes_nothing_to_the_user_cache(
    fake_encoder: HashingEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIMDEDUP_CACHE_DIR", str(tmp_path))
    simdedup.dedup(TEXTS, encoder=fake_encoder)
    simdedup.talking_points(TEXTS, encoder=fake_encoder)
    with simdedup.Store.memory(encoder=fake_encoder) as store:  # type: ignore[arg-type]
        store.add([simdedup.Record("a", WIRE)])
    assert list(tmp_path.iterdir()) == []


def test_similar_and_talking_points_on_strings(real_encoder: object) -> None:
    hits = simdedup.similar("grain corridor reopened", TEXTS, k=2, encoder=real_encoder)  # type: ignore[arg-type]
    assert [h.text for h in hits] == [WIRE, TEXTS[2]] and hits[0].rank == 1
    texts = corpus_paragraphs()
    whole = simdedup.talking_points(texts, unit="paragraph", encoder=real_encoder)  # type: ignore[arg-type]
    assert whole and all(tp.size >= 2 for tp in whole)
    positions = [int(m.doc_id) for tp in whole for m in tp.members]
    assert len(positions) == len(set(positions))  # each text in at most one talking point
    assert all(texts[int(m.doc_id)] == m.text and not m.units for tp in whole for m in tp.members)
    points = simdedup.talking_points(texts, encoder=real_encoder)  # type: ignore[arg-type]
    assert points and all(tp.size >= 2 for tp in points)
    members = [m for tp in points for m in tp.members]
    assert all(texts[int(m.doc_id)] == m.text for m in members)
    # each member holds the units that put it there, cut from its own text
    assert all(m.units and all(m.text[u.start : u.end] == u.text for u in m.units) for m in members)
    positions = [int(m.doc_id) for m in members]
    assert len(positions) > len(set(positions))  # some texts make two of the talking points


def test_store_recipes(real_encoder: object, tmp_path: Path) -> None:
    path = tmp_path / "news.store"
    with simdedup.Store.open_or_create(path, encoder=real_encoder) as store:  # type: ignore[arg-type]
        store.add([EXAMPLES / "corpus.jsonl"])  # paths and records alike
        result = store.dedup()
        assert result.groups and result.filtered
        assert len(result.selected) == result.paragraphs - len(result.filtered)
        points = store.talking_points()
        assert points
        assert store.catalog.talking_point_ids() == {}  # nothing written by a query
        stored = result.groups[0].members[0].text
        new = store.deduplicate([stored, "An entirely new statement about fishing quotas today."])
        assert new.selected == ["An entirely new statement about fishing quotas today."]
        (dup,) = new.filtered
        assert dup.duplicate_of_index == -1 and dup.duplicate_of_text == stored
        assert len(store) == result.paragraphs  # the store was not changed
    with simdedup.Store.open(path) as store:
        assert isinstance(store, simdedup.Store) and store.model == "simdedup-claim-v1"


def _cli(*args: str) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-m", "simdedup", *args, "--json", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_library_and_cli_agree_on_the_same_texts(real_encoder: object, tmp_path: Path) -> None:
    texts = corpus_paragraphs()
    path = tmp_path / "texts.jsonl"
    lines = [json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)]
    path.write_text("".join(lines))
    cli = _cli("dedup", str(path))
    library = simdedup.dedup(texts, encoder=real_encoder)  # type: ignore[arg-type]
    assert library.threshold == cli["threshold"]

    def members(groups: list[list[str]]) -> set[frozenset[str]]:
        return {frozenset(g) for g in groups}

    assert members([[m["doc_id"] for m in g["members"]] for g in cli["groups"]]) == members(
        [[m.doc_id for m in g.members] for g in library.groups]
    )
    assert len(library.groups) > 5
    cli_points = _cli("talking-points", str(path))["talking_points"]
    points = simdedup.talking_points(texts, encoder=real_encoder)  # type: ignore[arg-type]
    assert members([[m["doc_id"] for m in tp["members"]] for tp in cli_points]) == members(
        [[m.doc_id for m in tp.members] for tp in points]
    )


def test_claim_clusterer_takes_a_list_of_texts(real_encoder: object) -> None:
    from simdedup.cluster.linkage import ClaimClusterer

    texts = ["The 30th anniversary of ties.", "Thirty years of ties were marked.", "The 50th one."]
    vectors = real_encoder.encode(texts)  # type: ignore[attr-defined]
    labels = ClaimClusterer(0.55).fit(vectors, texts).labels_
    assert labels[0] == labels[1] != labels[2]
    with pytest.raises(InputError, match="one entry per vector"):
        ClaimClusterer(0.55).fit(vectors, texts[:2])


def test_talking_points_of_a_series(real_encoder: object) -> None:
    pd = pytest.importorskip("pandas")
    texts = corpus_paragraphs()
    as_list = simdedup.talking_points(texts, encoder=real_encoder)  # type: ignore[arg-type]
    as_series = simdedup.talking_points(pd.Series(texts), encoder=real_encoder)  # type: ignore[arg-type]
    assert [tp.id for tp in as_list] == [tp.id for tp in as_series]
