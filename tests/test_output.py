"""Terminal output that fits: at 80 columns no line of ``similar``, ``dedup`` or
``talking-points`` is longer than 80 characters, every pid shown is whole, ``--full`` prints
whole texts, identical texts fold into one ``similar`` row, and control characters in the data
never reach the terminal raw. The real CLI in a subprocess, the real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)  # orjson's range; results hold counts
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)

CORPUS = str(EXAMPLES / "corpus.jsonl")
QUERY = "the 30th anniversary of diplomatic ties"


def cli(*args: str, columns: int = 80) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run(
        [sys.executable, "-m", "simdedup", *args, "--quiet"],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return done.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("similar", QUERY, CORPUS, "-k", "8"),
        ("dedup", CORPUS),
        ("talking-points", CORPUS),
    ],
)
def test_80_columns_fit_and_pids_are_whole(command: tuple[str, ...]) -> None:
    shown = cli(*command)
    assert max(len(line) for line in shown.splitlines()) <= 80
    data = json.loads(cli(*command, "--json"))
    if command[0] == "similar":
        pids = [r["pid"] for r in data["results"]]
    elif command[0] == "dedup":
        pids = [m["pid"] for g in data["groups"] for m in g["members"]]
    else:
        pids = [tp["id"] for tp in data["talking_points"]]
    words = set(shown.split())
    folded = [p for p in pids if p not in words]
    if command[0] == "similar":  # identical texts fold into the row above: "+N copies"
        assert len(folded) == shown.count("+1 copy") + 2 * shown.count("+2 copies")
    else:
        assert folded == []
    assert "…" not in "".join(pids)


def test_full_prints_whole_texts() -> None:
    data = json.loads(cli("talking-points", CORPUS, "--json"))
    tp = data["talking_points"][0]
    text = next(m["text"] for m in tp["members"] if m["pid"] == tp["representative"])
    full = " ".join(cli("talking-points", CORPUS, "--full").split())
    assert " ".join(text.split()) in full
    assert max(len(line) for line in cli("dedup", CORPUS, "--full").splitlines()) <= 80


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    evil = tmp_path / "evil.jsonl"
    text = "The ministers met on Tuesday \x1b[31mto discuss\x1b[0m the grain corridor\u202e deal."
    evil.write_text(
        json.dumps({"id": "a\x1b]0;x\x07", "outlet": "Bad\x1bOutlet", "text": text}) + "\n"
        + json.dumps({"id": "b", "outlet": "Plain", "text": text}) + "\n"
    )  # fmt: skip
    for command in (("dedup", str(evil)), ("similar", "grain corridor", str(evil))):
        shown = cli(*command)
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
        assert "ministers met on Tuesday" in shown


def test_one_off_work_announces_itself_once(tmp_path: Path) -> None:
    env = {**os.environ, "SIMDEDUP_MODELS_DIR": str(tmp_path / "models"),
           "SIMDEDUP_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
    args = [sys.executable, "-m", "simdedup", "dedup", CORPUS, "--model", "all-MiniLM-L6-v2"]
    first = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    lines = [x for x in first.stderr.splitlines() if "ONNX" in x]
    assert lines[0].startswith("exporting the model to ONNX (onnx-int8)") and "once" in lines[0]
    assert lines[-1].endswith(" s") and "done in" in lines[-1]
    again = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    assert "ONNX" not in again.stderr and again.stdout == first.stdout


def test_wire_copies_fold_but_rewordings_do_not() -> None:
    from simdedup import Paragraph
    from simdedup.cli.output import same_text_as

    wire = (
        "Valdorian Foreign Minister Teodor Marsk arrived in Ardenholm on Tuesday for a "
        "three-day official visit, the first by a Valdorian foreign minister since 2021."
    )
    texts = [
        wire,
        "ARDENHOLM (VNA) — " + wire.replace("three-day", "three day"),  # a wire copy
        wire.upper(),  # the same text
        "Marsk, Valdoria's foreign minister, landed in Ardenholm on Tuesday, the first such "
        "visit since 2021.",  # the same claim reworded: its own row
    ]
    matches = [
        Paragraph(f"d{i}:0", f"d{i}", 0, None, None, t, score=0.9, rank=i + 1)
        for i, t in enumerate(texts)
    ]
    assert same_text_as(matches) == [None, 0, 0, None]


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text(max_size=5), _JSON, max_size=4),
    st.lists(_JSON, max_size=4),
    st.integers(0, 4),
    st.sampled_from([2, 4]),
)
def test_streamed_json_is_the_whole_object_dumped(
    fields: dict, items: list, at: int, indent: int
) -> None:
    import io

    from simdedup.io.jsonout import dumps_function, write_json

    keys = [k for k in fields if k != "streamed"]
    keys.insert(min(at, len(keys)), "streamed")
    obj = {k: (items if k == "streamed" else fields[k]) for k in keys}
    out = io.StringIO()
    write_json(out, obj, "streamed", iter(items), indent)
    assert out.getvalue() == dumps_function(indent)(obj)
    assert json.loads(out.getvalue()) == obj
    if indent == 4:  # orjson writes 2 only; json.dumps the rest
        assert out.getvalue() == json.dumps(obj, indent=4, ensure_ascii=False)


def test_results_stream_the_json_and_csv_they_return(tmp_path: Path) -> None:
    import io

    from simdedup import Store
    from simdedup.cluster.talking_points import TalkingPointFinder
    from simdedup.duplicates.groups import Deduplicator

    with Store.create(tmp_path / "s") as store:
        store.add([EXAMPLES / "corpus.jsonl"])
        results = [Deduplicator().fit(store).result_, TalkingPointFinder().fit(store).result_]
    for result in results:
        out = io.StringIO()
        result.write_json(out)
        assert out.getvalue() == json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
        assert json.loads(out.getvalue()) and out.getvalue() == result.to_json()
        out = io.StringIO()
        result.write_csv(out)
        assert out.getvalue() == result.to_csv() and out.getvalue().count("\n") > 10
