"""Claim units: the cut (real spaCy pipeline), speakers resolved within an article, the parse
cache, and unit search. Talking points over units are in tests/test_talking_points_units.py."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from simdedup.units import UnitSplitter
from simdedup.units.speakers import NAME, PRONOUN, Mention, fold, resolve, speaks
from simdedup.units.split import Parsed


@pytest.fixture(scope="module")
def splitter() -> UnitSplitter:
    return UnitSplitter()


def _texts(units: list[object]) -> list[str]:
    return [u.text for u in units]  # type: ignore[attr-defined]


def test_a_coordinated_sentence_becomes_one_unit_per_claim(splitter: UnitSplitter) -> None:
    text = (
        "China stands ready to strengthen coordination with Russia, practice true "
        "multilateralism and build a community with a shared future for mankind, Xi said."
    )
    units = splitter.split([text])[0]
    assert len(units) == 3
    assert units[0].text.startswith("China stands ready to strengthen coordination")
    assert units[1].text == "practice true multilateralism"
    assert units[2].text == "build a community with a shared future for mankind"
    assert all(text[u.start : u.end] == u.text for u in units)
    assert not any("Xi said" in u.text for u in units)  # the frame is not part of a claim
    assert {u.mention for u in units} == {"Xi"}


def test_frames_are_cut_off_and_speakers_resolved_across_the_article(
    splitter: UnitSplitter,
) -> None:
    article = [
        "Chinese President Xi Jinping held talks with Russian President Vladimir Putin.",
        "Xi said the two countries should deepen practical cooperation.",
        "Noting that this year marks the 75th anniversary of diplomatic ties, he added that the "
        "friendship had withstood many tests.",
        "According to Foreign Ministry spokesperson Mao Ning, Beijing supports Russia's BRICS "
        "chairmanship.",
        "The two sides agreed to hold a series of cultural events.",
    ]
    units = splitter.split(article)
    assert units[0][0].speaker is None  # a sentence with no reporting frame
    assert [(u.text, u.speaker, u.mention) for u in units[1]] == [
        ("the two countries should deepen practical cooperation", "Xi Jinping", "Xi")
    ]
    noted = [(u.text, u.speaker, u.mention) for u in units[2]]
    assert noted == [  # in text order, the participle's frame too; "he" is Xi
        ("this year marks the 75th anniversary of diplomatic ties", "Xi Jinping", "he"),
        ("the friendship had withstood many tests", "Xi Jinping", "he"),
    ]
    assert [(u.text, u.speaker) for u in units[3]] == [
        ("Beijing supports Russia's BRICS chairmanship", "Mao Ning")
    ]
    assert units[4][0].speaker is None  # an unnamed group says it
    assert units[4][0].text == "to hold a series of cultural events"


def test_split_articles_keeps_articles_apart(splitter: UnitSplitter) -> None:
    one = ["Foreign Minister Sergey Lavrov met the envoy.", "He said talks would go on."]
    two = ["He said the plan was sound."]
    first, second = splitter.split_articles([one, two])
    assert first[1][0].speaker == "Sergey Lavrov"
    assert second[0][0].speaker is None  # "he" of another article is nobody here


def test_empty_and_punctuation_only_paragraphs_have_no_units(splitter: UnitSplitter) -> None:
    assert splitter.split(["", "…", "--"]) == [[], [], []]


def test_parse_round_trips_through_json(splitter: UnitSplitter) -> None:
    parsed = next(iter(splitter.parse(["Lavrov said Russia is ready to help, Interfax said."])))
    assert Parsed.loads(parsed.dumps()) == parsed
    assert parsed.cuts


def test_names_resolve_to_the_article_s_full_form() -> None:
    def name(text: str, titled: bool = False, subject: bool = True) -> Mention:
        return Mention(text, NAME, text, tuple(text.lower().split()), titled, subject)

    events = [
        [(0, name("Maroš Šefčovič", titled=True), False)],
        [(0, name("Sefcovic"), True), (20, Mention("he", PRONOUN, None, ("he",)), True)],
        [(0, name("Wang"), True)],
        [(0, name("Wang Yi", subject=False), False)],
    ]
    assert resolve(events) == [[], ["Maroš Šefčovič", "Maroš Šefčovič"], ["Wang Yi"], []]
    assert fold("The Kremlin") == "kremlin" and fold("Šuica") == "suica"


def test_speaker_filter_matches_full_names_and_their_parts() -> None:
    assert speaks("Sergey Lavrov", ["lavrov"]) and speaks("Sergey Lavrov", ["Sergey Lavrov"])
    assert speaks("Maroš Šefčovič", ["Sefcovic"])
    assert speaks("Sergey Lavrov", ["Sergey"])  # a part: any of its words
    assert not speaks("Sergey Lavrov", ["Lav"]) and not speaks(None, ["Lavrov"])
    assert not speaks("Xi Jinping", [" "])


def test_the_parse_is_cached_in_the_store(
    real_encoder: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simdedup import Store
    from simdedup.cluster.talking_points import TalkingPointFinder
    from units_corpus import write_articles

    with Store.create(tmp_path / "s", encoder=real_encoder) as store:  # type: ignore[arg-type]
        store.add([write_articles(tmp_path / "a.jsonl")])
        first = TalkingPointFinder(min_outlets=1).fit(store)

    def refuse(self: UnitSplitter, texts: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(UnitSplitter, "parse", refuse)
    with Store.open(tmp_path / "s") as store:
        again = TalkingPointFinder(min_outlets=1).fit(store)
    assert again.result_.to_dict() == first.result_.to_dict()


def test_cutting_in_worker_processes_gives_the_same_units(
    real_encoder: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simdedup import Store
    from simdedup.cluster.talking_points import TalkingPointFinder
    from simdedup.units import table
    from units_corpus import write_articles

    monkeypatch.setattr(table, "PARSE_CHUNK", 7)  # many chunks: their order must hold
    corpus = write_articles(tmp_path / "a.jsonl")
    results = []
    for workers in (1, 2):
        path = tmp_path / f"s{workers}"
        with Store.create(path, encoder=real_encoder) as store:  # type: ignore[arg-type]
            store.add([corpus])
            finder = TalkingPointFinder(min_outlets=1, splitter=UnitSplitter(workers=workers))
            results.append(finder.fit(store))
    one, two = results
    assert one.units_.texts == two.units_.texts and one.units_.speakers == two.units_.speakers
    assert one.units_.start.tolist() == two.units_.start.tolist()
    assert two.result_.to_dict() == one.result_.to_dict()
    assert len(one.units_) > 10


def test_similar_ranks_units(real_encoder: object, tmp_path: Path) -> None:
    from simdedup import Store
    from simdedup.units.search import find_similar_units
    from units_corpus import write_articles

    with Store.create(tmp_path / "s", encoder=real_encoder) as store:  # type: ignore[arg-type]
        store.add([write_articles(tmp_path / "a.jsonl")])
        hits = find_similar_units(store, "support for Norvania chairing the Coastal Forum", k=4)
        by_rell = find_similar_units(store, "the Coastal Forum chair", k=5, speakers=["Rell"])
    assert [h.rank for h in hits] == [1, 2, 3, 4]
    assert all(re.search("Coastal Forum", h.units[0].text) for h in hits[:3])
    assert all(h.text[h.units[0].start : h.units[0].end] == h.units[0].text for h in hits)
    assert by_rell and all(h.units[0].speaker == "Tomas Rell" for h in by_rell)


def test_a_talking_point_counts_each_speaker_once_across_spellings() -> None:
    from simdedup.units.speakers import merge_spellings

    counts = {"Sergei Lavrov": 8, "Sergey Lavrov": 2, "Xi": 1, "Xi Jinping": 3, "Wang": 2}
    counts |= {"Wang Yi": 4, "Wang Wenbin": 1, "Joe Biden": 1, "Hunter Biden": 1}
    assert merge_spellings(counts) == {
        "Sergei Lavrov": 10,
        "Wang Yi": 4,
        "Xi Jinping": 4,
        "Wang": 2,  # Wang Yi or Wang Wenbin: not guessed
        "Hunter Biden": 1,
        "Joe Biden": 1,
        "Wang Wenbin": 1,
    }


def test_a_cache_that_cannot_be_written_still_gives_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3

    from conftest import HashingEncoder
    from simdedup import Store
    from simdedup.cluster.talking_points import TalkingPointFinder
    from simdedup.embed.cache import EmbeddingCache
    from units_corpus import write_articles

    with Store.create(tmp_path / "s", encoder=HashingEncoder()) as store:
        store.add([write_articles(tmp_path / "a.jsonl")])
        expected = TalkingPointFinder(min_outlets=1).fit(store).result_.to_dict()
    (tmp_path / "s" / "embeddings.sqlite").unlink()  # units must be made again, not read back
    with Store.create(tmp_path / "t", encoder=HashingEncoder()) as store:
        store.add([write_articles(tmp_path / "a.jsonl")])

        put = EmbeddingCache.put

        def refuse(self: EmbeddingCache, *args: object) -> None:
            if self is store._cache:
                raise sqlite3.OperationalError("attempt to write a readonly database")
            put(self, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(EmbeddingCache, "put", refuse)
        monkeypatch.setattr(EmbeddingCache, "put_parses", lambda self, *a: False)
        got = TalkingPointFinder(min_outlets=1).fit(store).result_.to_dict()
    assert got == expected
    assert "read-only; unit vectors are not kept" in caplog.text


def test_units_are_cut_from_each_paragraph_s_own_text(tmp_path: Path) -> None:
    from conftest import HashingEncoder
    from simdedup import Record, Store
    from simdedup.units.table import claim_units

    one = "Kost said Valdoria supports the plan, and Norvania will host the forum next spring."
    two = "KOST SAID   VALDORIA SUPPORTS THE PLAN -- AND NORVANIA WILL HOST THE FORUM NEXT SPRING"
    with Store.memory(encoder=HashingEncoder()) as store:
        store.add([Record("a", one), Record("b", two)])
        table = store.table()
        assert table.rows[0] == table.rows[1]  # one text for the index, two as written
        units, vectors = claim_units(store, table)
    texts = [one, two]
    assert set(units.paragraph.tolist()) == {0, 1} and len(vectors) == len(units.texts)
    for u in range(len(units)):
        unit = units.unit(u)
        assert texts[int(units.paragraph[u])][unit.start : unit.end] == unit.text
    assert all(units.unit(u).text.isupper() for u in range(len(units)) if units.paragraph[u] == 1)


def test_units_never_overlap_and_are_their_paragraph_s_slices(splitter: UnitSplitter) -> None:
    import json

    root = Path(__file__).resolve().parents[1]
    rows = []
    for path in (root / "training/units/train.jsonl", root / "benchmarks/data/units/dev.jsonl"):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows]
    for text, units in zip(texts, splitter.split_articles([[t] for t in texts])):
        units_of = units[0]
        assert units_of, text
        for a, b in itertools.pairwise(units_of):
            assert a.end <= b.start, (a, b)
        for u in units_of:
            assert u.text and u.text == text[u.start : u.end] and u.text == u.text.strip()
