"""End-to-end: the real ``simdedup`` command in a subprocess, the real model, real stores."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus import HEADLINE, write_jsonl
from simdedup.embed import claim_model
from simdedup.embed.encoder import default_model_path
from simdedup.segment import RULES


def run(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simdedup", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def fails(result: subprocess.CompletedProcess[str], message: str, code: int = 1) -> None:
    """A clean failure: the exit code, one error line naming the problem, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and message in errors[0], result.stderr


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="session")
def store(workdir: Path) -> Path:
    corpus = write_jsonl(workdir / "corpus.jsonl")
    result = run("index", str(corpus), "--store", str(workdir / "news.store"))
    assert result.returncode == 0, result.stderr
    assert "4 new" in result.stdout and "11 paragraphs" in result.stdout
    assert "8 embedded" in result.stdout and "(flat index)" in result.stdout
    assert "reading" not in result.stderr  # no progress bar when stderr is not a terminal
    return workdir / "news.store"


def test_help_for_every_command() -> None:
    top = run("--help")
    assert top.returncode == 0
    for command in ("index", "similar", "dedup"):
        assert command in top.stdout
        sub = run(command, "--help")
        assert sub.returncode == 0 and "--json" in sub.stdout and "--model" in sub.stdout


def test_reindex_adds_only_what_is_new(store: Path, workdir: Path) -> None:
    again = run("index", str(workdir / "corpus.jsonl"), "--store", str(store), "--json")
    assert again.returncode == 0, again.stderr
    stats = json.loads(again.stdout)
    assert (stats["documents"], stats["unchanged"], stats["embedded"]) == (0, 4, 0)
    assert stats["totals"]["paragraphs"] == 11


def test_similar_on_store_json(store: Path) -> None:
    result = run(
        "similar",
        "the 30th anniversary of diplomatic relations",
        "--store",
        str(store),
        "-k",
        "3",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["query"] == "the 30th anniversary of diplomatic relations"
    assert [r["rank"] for r in data["results"]] == [1, 2, 3]
    first = data["results"][0]
    assert set(first) == {
        "rank", "score", "pid", "doc_id", "para", "outlet", "date", "text", "same_text_as",
    }  # fmt: skip
    assert {r["pid"] for r in data["results"]} == {"post-1:2", "vna-1:2", "times-1:0"}
    assert all(r["date"] and len(r["date"]) == 10 for r in data["results"])


def test_dedup_on_store_table_output_and_kept_records(store: Path, workdir: Path) -> None:
    out = workdir / "kept.jsonl"
    result = run("dedup", "--store", str(store), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "group 1 · 2 paragraphs · 2 outlets" in result.stdout
    summary = " ".join(result.stdout.strip().split("\n\n")[-1].split())  # wrapped to the width
    assert summary.startswith("11 paragraphs, 4 duplicate groups, 4 duplicates")
    kept = [json.loads(line) for line in out.read_text().splitlines()]
    assert [k["id"] for k in kept] == ["vna-1", "post-1", "herald-1"]
    assert HEADLINE in kept[0]["text"] and HEADLINE not in kept[1]["text"]
    assert "wrote 3 deduplicated documents" in result.stderr


def test_dedup_cross_outlet_csv_and_json(store: Path) -> None:
    as_csv = run(
        "dedup", "--store", str(store), "--csv", "--threshold", "0.99", "--keep", "longest"
    )
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {r["group"] for r in rows} == {"1", "2", "3"} and len(rows) == 6
    as_json = json.loads(run("dedup", "--store", str(store), "--json", "--cross-outlet").stdout)
    assert as_json["model"] == "simdedup-claim-v1"
    assert as_json["threshold"] == claim_model.defaults().dedup_threshold
    for group in as_json["groups"]:
        assert len({m["outlet"] for m in group["members"]}) >= 2
        assert group["members"][0]["pid"] == group["kept"]


def test_in_memory_run_with_bad_files_skipped(workdir: Path) -> None:
    folder = workdir / "messy"
    folder.mkdir()
    write_jsonl(folder / "good.jsonl")
    (folder / "bad.jsonl").write_text(
        '{"id": "x1", "text": "A fine paragraph that is long enough to keep."}\n{oops\n'
    )
    (folder / "scan.txt").write_bytes(b"\x00\x01binary")
    (folder / "latin.txt").write_bytes(
        "Caf\xe9 talks between the ministers resumed on Monday morning.".encode("latin-1")
    )
    strict = run("dedup", str(folder))
    fails(strict, "bad.jsonl:2: invalid JSON")
    result = run("dedup", str(folder), "--skip-bad", "--json")
    assert result.returncode == 0, result.stderr
    assert "scan.txt: binary file skipped" in result.stderr
    assert "latin.txt: invalid UTF-8" in result.stderr
    assert "bad.jsonl:2: invalid JSON" in result.stderr
    data = json.loads(result.stdout)
    assert data["paragraphs"] == 13 and len(data["groups"]) == 4


def test_similar_reads_query_file_and_stdin_corpus(workdir: Path) -> None:
    query = workdir / "query.txt"
    query.write_text("Valdoria and Norvania agree to deepen port and grain cooperation\n")
    corpus = (workdir / "corpus.jsonl").read_text() if (workdir / "corpus.jsonl").exists() else None
    corpus = corpus or write_jsonl(workdir / "c2.jsonl").read_text()
    result = run(
        "similar", f"@{query}", "-", "-k", "2", "--csv", "--outlet", "Meridian Post", stdin=corpus
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["pid"] for r in rows] == ["post-1:0", "post-1:1"]
    assert float(rows[0]["score"]) == pytest.approx(1.0, abs=1e-4)


def test_bad_input_errors(store: Path, workdir: Path) -> None:
    fails(run("dedup", str(workdir / "nope.jsonl")), "nope.jsonl: no such file or directory")
    fields = workdir / "fields.jsonl"
    fields.write_text('{"id": 1, "body": "text", "site": "A"}\n')
    fails(
        run("dedup", str(fields)),
        "fields.jsonl:1: no text field 'text' (fields found: body, id, site)",
    )
    short = workdir / "short.txt"
    short.write_text("Too short.\n\nAlso short.\n")
    fails(run("dedup", str(short)), "empty corpus")
    fails(run("index", str(short), "--store", str(workdir / "empty.store")), "empty corpus")
    assert not (workdir / "empty.store").exists()
    fails(run("similar", "   ", "--store", str(store)), "QUERY is empty")
    fails(run("similar", "@" + str(workdir / "missing.txt"), "--store", str(store)), "missing.txt")
    fails(run("similar", "q", "--store", str(workdir / "nowhere")), "no such store")
    fails(run("dedup"), "give PATHs to read, or --store DIR")
    fails(run("dedup", str(fields), "--store", str(store)), "either --store DIR or PATHs")
    fails(run("similar", "q", "-", stdin=""), "empty corpus")
    fails(run("similar", "-", "-", stdin="x"), "QUERY and PATH cannot both be -")
    fails(run("dedup", "--store", str(store), "--json", "--csv"), "--json and --csv are exclusive")
    fails(
        run("similar", "q", "--store", str(store), "--since", "someday"),
        "--since 'someday' is not a date",
    )
    fails(run("similar", "q", "--store", str(store), "--threshold", "1.5"), "--threshold", code=2)
    fails(run("dedup", "--store", str(store), "--threshold", "-2"), "--threshold", code=2)
    fails(run("similar", "q", "--store", str(store), "-k", "0"), "-k", code=2)
    fails(run("index", str(fields), "--store", str(fields)), "exists and is not a directory")


def test_damaged_and_mismatched_stores(store: Path, workdir: Path) -> None:
    broken = workdir / "broken.store"
    shutil.copytree(store, broken)
    (broken / "store.sqlite").write_bytes(b"not a database" * 50)
    fails(run("dedup", "--store", str(broken)), "damaged store database")
    model = workdir / "other-model"
    shutil.copytree(default_model_path(), model)
    config = json.loads((model / "config.json").read_text())
    (model / "config.json").write_text(json.dumps({**config, "note": "a different model"}))
    fails(
        run("dedup", "--store", str(store), "--model", str(model)),
        "store was built with model 'simdedup-claim-v1'",
    )
    newer = workdir / "newer.store"
    shutil.copytree(store, newer)
    manifest = json.loads((newer / "manifest.json").read_text())
    (newer / "manifest.json").write_text(json.dumps({**manifest, "format_version": 7}))
    fails(run("dedup", "--store", str(newer)), "store format 7 is newer")
    fails(run("dedup", "--store", str(workdir / "corpus.jsonl")), "not a simdedup store")


def run_on_terminal(*args: str) -> str:
    """Run with stderr on a pseudo-terminal; return what was written there."""
    import os
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "simdedup", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, timeout=300,
        )  # fmt: skip
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_unless_quiet(workdir: Path) -> None:
    corpus = str(write_jsonl(workdir / "tty.jsonl"))
    shown = run_on_terminal("dedup", corpus)
    assert "reading" in shown and "embedding" in shown and "texts" in shown
    assert "reading" not in run_on_terminal("dedup", corpus, "--quiet")


def test_index_counts_removals_by_rule_and_explains_them(tmp_path: Path) -> None:
    from conftest import EXAMPLES

    store = tmp_path / "s"
    done = run("index", str(EXAMPLES / "articles"), "--store", str(store), "--explain-removed",
               "-q")  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = next(line for line in done.stdout.splitlines() if line.startswith("removed:"))
    listed = [line for line in done.stderr.splitlines() if line.startswith("removed ")]
    counts = {rule: sum(f"({rule}):" in line for line in listed) for rule in RULES}
    assert summary == "removed: " + ", ".join(f"{n} {r}" for r, n in counts.items() if n)
    assert counts["repeated headline"] == 9 and counts["dateline"] > 0
    assert any("(cookie/privacy banner): We use cookies" in line for line in listed)
    again = run("index", str(EXAMPLES / "corpus.jsonl"), "--store", str(tmp_path / "j"), "--json")
    data = json.loads(again.stdout)
    assert data["removed"]["repeated headline"] == 4  # the JSONL's 4 titles repeated as text
