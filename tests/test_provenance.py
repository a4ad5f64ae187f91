"""Who said it first: wire credits read from the text, the direction of each copy decided by
dates and credits only, ties said as ties; on the sample corpus with the real model."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simdedup
from conftest import EXAMPLES, HashingEncoder
from simdedup.duplicates.provenance import CREDIT, DATE, TIE, Source, origin
from simdedup.io.credits import byline_outlet, matches, wire_credits

VNA = "Valdoria News Agency"


@pytest.mark.parametrize(
    ("text", "credited"),
    [
        ("PORT ELSIN, Nov. 9 (VNA) -- Valdoria on Saturday called for calm.", ["VNA"]),
        ("MOSCOW, May 5 /TASS/. Talks opened on Monday.", ["TASS"]),
        ("Talks opened on Monday.\n\n-- Reuters", ["Reuters"]),
        ("Talks opened on Monday.\n\nSource(s): Xinhua News Agency", ["Xinhua News Agency"]),
        ("By AFP\n\nTalks opened on Monday.", ["AFP"]),
        ("Talks opened on Monday, the Valdoria News Agency reported.", [VNA]),
        ("Talks opened on Monday.\n\n(With input from Xinhua)", ["Xinhua"]),
        ("Talks opened on Monday in Brannock.", []),
    ],
)
def test_wire_credits(text: str, credited: list[str]) -> None:
    assert wire_credits(text) == credited


_PIECES = [
    "(VNA)", " -- ", "—", "–", "/TASS/", "By AFP", "Source: ", "Source(s): ", "Xinhua",
    "(With input from ", "(reporting from ", ")", "18:45", ":", "\n", " ", "the ",
    "Valdoria News Agency", " reported", " said in a report", "according to ", ", ",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_credit_patterns_only_skip_texts_they_cannot_match(pieces: list[str]) -> None:
    """Each credit pattern runs only on texts holding one of its needles (a substring test):
    the needles must be in every match, so the credits are those of every pattern run."""
    from simdedup.io import credits

    text = "".join(pieces)
    every = {}
    for pattern, _ in credits._PATTERNS + credits._PROSE:
        for match in pattern.finditer(text):
            every[credits._clean(match.group(1))] = None
    assert wire_credits(text) == [name for name in every if name]


def test_credits_name_outlets_by_name_or_initials() -> None:
    assert (
        matches(["VNA"], VNA) and matches([VNA], VNA) and matches(["Xinhua"], "Xinhua News Agency")
    )
    assert not matches(["VNA"], "Meridian Post") and not matches([], VNA)
    assert byline_outlet("Headline\n\nCGTN\n\nBody text here.") == "CGTN"
    assert byline_outlet("Headline\nBy Xinhua\n\nBody.") == "Xinhua"


def test_origin_uses_dates_then_credits_and_else_says_tie() -> None:
    agency = Source("a", VNA, "2024-09-03", ["VNA"])  # its own dateline credit
    paper = Source("b", "Meridian Post", "2024-09-03", [VNA])  # "..., VNA reported"
    plain = Source("c", "Global Ledger", "2024-09-03", [])
    later = Source("d", "Global Ledger", "2024-09-04", [])
    assert origin(agency, paper) == (0, CREDIT) and origin(paper, agency) == (1, CREDIT)
    assert origin(plain, agency) == (1, CREDIT)  # an agency's own story is the source
    assert origin(later, plain) == (1, DATE)
    assert origin(plain, Source("e", "Harbor Herald", "2024-09-03", [])) == (-1, TIE)
    assert origin(plain, Source("f", "Harbor Herald", None, [])) == (-1, TIE)


@pytest.fixture(scope="module")
def expected() -> dict:  # type: ignore[type-arg]
    return json.loads((EXAMPLES / "expected.json").read_text())  # type: ignore[no-any-return]


def test_copies_point_to_the_original_on_the_sample_corpus(
    real_encoder: object,
    expected: dict,  # type: ignore[type-arg]
) -> None:
    origin_of = {d: g[0] for g in expected["wire_copies"] for d in g[1:]}
    with simdedup.Store.memory(encoder=real_encoder) as store:  # type: ignore[arg-type]
        store.add([EXAMPLES / "corpus.jsonl"])
        points = simdedup.TalkingPointFinder().fit(store).result_.talking_points
        groups = store.dedup().groups
    right = wrong = 0
    for tp in points:
        doc_of = {m.pid: m.doc_id for m in tp.members}
        for m in tp.members:
            if (
                m.copies
                and m.provenance != TIE
                and (m.doc_id in origin_of or doc_of[m.copies] in origin_of)
            ):
                if origin_of.get(m.doc_id) == doc_of[m.copies]:
                    right += 1
                elif origin_of.get(doc_of[m.copies]) is not None or m.doc_id not in origin_of:
                    wrong += 1  # a reversed link, or one to another reprint
        first = next(m for m in tp.members if m.pid == tp.first_seen.pid)
        assert first.doc_id not in origin_of or tp.first_seen.tie  # a reprint is never "first"
    assert wrong == 0 and right >= 25
    kinds = {tp.kind for tp in points}
    assert kinds == {"talking point", "reprints"}  # reprint groups are told apart, not hidden
    for tp in points:
        near = min(m.score for m in tp.members) >= 0.9
        assert (tp.kind == "reprints") == near
    originals = {g[0] for g in expected["wire_copies"]}
    for g in groups:  # keep="earliest": the agency original, or a tie said as one
        docs = {m.doc_id for m in g.members}
        if docs & originals and docs & set(origin_of):
            assert g.members[0].doc_id in originals or g.tie


def test_outlets_are_read_from_bylines_and_credits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pages = {
        "a.txt": "Headline of the day\n\nChina\n17:32, 09-Apr-2024\nCGTN\n\nThe body text.",
        "b.txt": "Headline\nBy Xinhua\n\nBEIJING - The body text of the story.",
        "c.txt": "Headline\n\nThe body text of the story.\n\nSource(s): Xinhua News Agency",
        "d.txt": "Headline\n\nThe body text of the story, with no credit at all.",
    }
    for name, text in pages.items():
        (tmp_path / name).write_text(text)
    read = {r.doc_id: (r.outlet, r.outlet_source) for r in simdedup.read_records([tmp_path])}
    assert read == {
        "a.txt": ("CGTN", "byline"),
        "b.txt": ("Xinhua", "byline"),
        "c.txt": ("Xinhua News Agency", "credit"),
        "d.txt": (None, None),
    }
    with simdedup.Store.create(tmp_path / "s.store", encoder=HashingEncoder()) as store:
        store.add([tmp_path / "a.txt"])
        ((record, _),) = list(store.documents())
        assert (record.outlet, record.outlet_source) == ("CGTN", "byline")
