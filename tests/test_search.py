from __future__ import annotations

import pytest

from conftest import HashingEncoder
from simdedup import Record, Store
from simdedup.errors import InputError
from simdedup.store.search import find_similar

TEXT = "Both governments pledged to keep the grain corridor open during the winter months"


@pytest.fixture
def store() -> Store:
    s = Store.memory(encoder=HashingEncoder())
    s.add(
        [
            Record("a", TEXT + ".", outlet="A", date="2024-01-10"),
            Record("b", TEXT + ".", outlet="B", date="2024-02-10"),
            Record("c", TEXT + ", officials said on Tuesday.", outlet="C", date="2024-03-10"),
            Record(
                "d",
                "Tariffs on timber and fish will fall by a third under the trade pact.",
                outlet="A",
            ),
        ]
    )
    return s


def test_ranking_k_and_exact_copies(store: Store) -> None:
    results = find_similar(store, TEXT, k=10)
    assert [m.pid for m in results][:3] == ["a:0", "b:0", "c:0"]
    assert results[0].score == results[1].score  # one text, one score
    assert [m.rank for m in results] == list(range(1, len(results) + 1))
    assert len(results) == 4
    assert [m.pid for m in find_similar(store, TEXT, k=1)] == ["a:0"]


def test_threshold_and_filters(store: Store) -> None:
    assert [m.pid for m in find_similar(store, TEXT, threshold=0.8)] == ["a:0", "b:0", "c:0"]
    assert [m.pid for m in find_similar(store, TEXT, only_outlets=["B", "C"])] == ["b:0", "c:0"]
    assert [m.pid for m in find_similar(store, TEXT, since="2024-02-01")] == ["b:0", "c:0"]
    assert [m.pid for m in find_similar(store, TEXT, until="Feb 10, 2024")] == ["a:0", "b:0"]
    assert find_similar(store, TEXT, only_outlets=["Nobody"]) == []


def test_vector_query(store: Store) -> None:
    vector = store.embed_query(TEXT)
    assert find_similar(store, vector, k=1)[0].pid == "a:0"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k must be an integer >= 1"),
        ({"threshold": 2.0}, r"threshold must be in \[-1, 1\]"),
        ({"since": "last week"}, "since 'last week' is not a date"),
    ],
)
def test_bad_arguments(store: Store, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        find_similar(store, TEXT, **kwargs)  # type: ignore[arg-type]


def test_empty_query(store: Store) -> None:
    with pytest.raises(InputError, match="query is empty"):
        find_similar(store, "   ")
