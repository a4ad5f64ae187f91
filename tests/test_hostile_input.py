"""Input a hostile or careless exporter writes: each record either reads right, or is one error
line naming file and line (a warning with --skip-bad), never a traceback or a value read wrong
in silence. The end-to-end tests run the real CLI on the real model."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HashingEncoder
from simdedup import Store
from simdedup.errors import InputError
from simdedup.io.records import Fields, Record, RecordReader

TEXT = "The ministers agreed on Tuesday to reopen the border crossing for trade and travel."


def read(path: Path, **settings: object) -> tuple[list[Record], list[str]]:
    warnings: list[str] = []
    reader = RecordReader(on_warning=warnings.append, **settings)  # type: ignore[arg-type]
    return list(reader.read([path])), warnings


def jsonl(path: Path, *lines: str | bytes) -> Path:
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path


def test_lone_surrogate_becomes_replacement_character_and_stores(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "s.jsonl", json.dumps({"id": "a\ud83d", "text": TEXT + " \ud83d"}))
    records, warnings = read(path)
    assert records[0].text.endswith(" \ufffd") and records[0].doc_id == "a\ufffd"
    assert any("s.jsonl:1: invalid Unicode (a lone surrogate)" in w for w in warnings)
    with Store.memory(encoder=HashingEncoder()) as store:  # hashing and SQLite take it
        stats = store.add([*records, Record("code", TEXT + " made in code \udc00")])
        assert stats.paragraphs == 2
        assert all("\ufffd" in p.text for p in store.paragraphs(store.table().ids).values())


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "text": ' + "[" * 100_000 + "}", "nested too deeply"),
        ('{"id": ' + "9" * 5000 + ', "text": "x"}', "4300 digits"),
        ('{"id": "a", "text": "x", "date": ' + "1" * 5000 + "}", "4300 digits"),
    ],
    ids=["deep nesting", "long integer id", "long integer date"],
)
def test_json_that_python_cannot_read_is_a_bad_line(
    tmp_path: Path, line: str, message: str
) -> None:
    path = jsonl(tmp_path / "h.jsonl", json.dumps({"id": "ok", "text": TEXT}), line)
    with pytest.raises(InputError, match=rf"h\.jsonl:2: invalid JSON \(.*{message}"):
        read(path)
    records, warnings = read(path, skip_bad=True)
    assert [r.doc_id for r in records] == ["ok"] and "skipped" in warnings[-1]
    whole = tmp_path / "h.json"
    whole.write_text("[" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        read(whole)


def test_truncated_gzip_is_an_error_not_a_partial_read(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"id": str(i), "text": TEXT * 3}) + "\n" for i in range(300))
    packed = gzip.compress(lines.encode())
    path = tmp_path / "t.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputError, match=r"t\.jsonl\.gz: file breaks off after \d+ records"):
        read(path)
    records, warnings = read(path, skip_bad=True)
    assert 0 < len(records) < 300
    assert f"the {len(records)} records before the break are used" in warnings[-1]
    path.write_bytes(packed[:-8] + b"\xff" * 8)  # damaged trailer: zlib/CRC error, same answer
    with pytest.raises(InputError, match="breaks off after 300 records"):
        read(path)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": True, "text": TEXT}, "field 'id' is a boolean (true)"),
        ({"id": [1, 2], "text": TEXT}, "field 'id' is a list ([1, 2])"),
        (
            {"id": "a", "text": TEXT, "outlet": {"name": "X"}},
            'field \'outlet\' is an object ({"name": "X"}), expected a string; choose a '
            "field inside it with --outlet-field outlet.name",
        ),
        ({"id": "a", "text": TEXT, "title": {"a": [1, 2]}}, "field 'title' is an object"),
        ({"id": float("nan"), "text": TEXT}, "field 'id' is a number (NaN)"),
    ],
)
def test_non_string_values_are_bad_lines_not_reprs(
    tmp_path: Path, record: dict[str, object], message: str
) -> None:
    path = jsonl(tmp_path / "v.jsonl", json.dumps(record))
    with pytest.raises(InputError, match=r"v\.jsonl:1: ") as err:
        read(path)
    assert message in str(err.value)


def test_numbers_are_ids_and_dotted_fields_reach_into_objects(tmp_path: Path) -> None:
    obj = {"id": 17, "body": {"text": TEXT}, "source": {"name": "Meridian Post"}}
    path = jsonl(tmp_path / "n.jsonl", json.dumps(obj))
    fields = Fields(text="body.text", outlet="source.name")
    (record,) = RecordReader(fields).read([path])
    assert (record.doc_id, record.outlet, record.text) == ("17", "Meridian Post", TEXT)


def dated(path: Path, *dates: str) -> Path:
    lines = [json.dumps({"id": f"{path.stem}{i}", "text": TEXT, "date": d})
             for i, d in enumerate(dates)]  # fmt: skip
    return jsonl(path, *lines)


def test_day_month_order_is_decided_per_file(tmp_path: Path) -> None:
    # one file writes day first (13.12 says so), the other month first (12.13)
    day_first, _ = read(dated(tmp_path / "eu.jsonl", "11.12.2024", "13.12.2024"))
    assert [r.date for r in day_first] == ["2024-12-11", "2024-12-13"]
    month_first, _ = read(dated(tmp_path / "us.jsonl", "11/12/2024", "12/13/2024"))
    assert [r.date for r in month_first] == ["2024-11-12", "2024-12-13"]
    # both files in one run keep their own orders
    both = RecordReader().read([tmp_path / "eu.jsonl", tmp_path / "us.jsonl"])
    assert [r.date for r in both][::2] == ["2024-12-11", "2024-11-12"]


def test_undecidable_day_month_dates_are_left_out_with_a_warning(tmp_path: Path) -> None:
    path = dated(tmp_path / "a.jsonl", "11.12.2024", "2024-12-01", "10.12.2024", "05.05.2024")
    records, warnings = read(path)
    assert [r.date for r in records] == [None, "2024-12-01", None, "2024-05-05"]
    (warning,) = warnings
    assert 'a.jsonl: 2 dates such as "11.12.2024" may be day.month or month.day' in warning
    assert "--dayfirst or --monthfirst" in warning
    assert [r.date for r in read(path, date_order="dmy")[0]][::2] == ["2024-12-11", "2024-12-10"]
    assert [r.date for r in read(path, date_order="mdy")[0]][::2] == ["2024-11-12", "2024-10-12"]
    mixed = dated(tmp_path / "m.jsonl", "11.12.2024", "13.12.2024", "12.13.2024")
    records, warnings = read(mixed)
    assert [r.date for r in records] == [None, "2024-12-13", "2024-12-13"]
    assert "writes dates both day first and month first" in warnings[0]


def test_symlinked_folders_are_followed_once(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "a").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere" / "b"
    elsewhere.mkdir(parents=True)
    (root / "a" / "one.txt").write_text(TEXT)
    (elsewhere / "two.txt").write_text(TEXT + " Again.")
    (root / "b").symlink_to(elsewhere, target_is_directory=True)
    (root / "a" / "loop").symlink_to(root, target_is_directory=True)  # back up the tree
    records, warnings = read(root)
    assert sorted(r.doc_id for r in records) == ["a/one.txt", "b/two.txt"]
    assert any("loop: folder already read through another link; skipped" in w for w in warnings)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SIMDEDUP_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "simdedup", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_cli_hostile_records_end_to_end(tmp_path: Path) -> None:
    """The real CLI and model: bad lines are one error line (exit 1), --skip-bad reads the rest;
    a truncated archive is no longer a silent partial read; --dayfirst decides the dates."""
    good = [json.dumps({"id": f"d{i}", "text": f"{TEXT} Item {i}.", "date": "11.12.2024"})
            for i in range(3)]  # fmt: skip
    jsonl(tmp_path / "in.jsonl", *good, '{"id": "x", "text": ' + "[" * 50_000 + "}",
          json.dumps({"id": "s", "text": TEXT + " \ud83d"}))  # fmt: skip
    strict = cli("dedup", "in.jsonl", "--json", cwd=tmp_path)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert "in.jsonl:4: invalid JSON (nested too deeply to read)" in strict.stderr
    ok = cli("dedup", "in.jsonl", "--json", "--skip-bad", "--dayfirst", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "in.jsonl:5: invalid Unicode" in ok.stderr and "day.month" not in ok.stderr
    assert json.loads(ok.stdout)["paragraphs"] == 4
    undecided = cli("dedup", "in.jsonl", "--skip-bad", cwd=tmp_path)
    assert undecided.returncode == 0 and "3 dates such as" in undecided.stderr
    many = [json.dumps({"id": f"e{i}", "text": f"{TEXT} Item {i}."}) for i in range(300)]
    packed = gzip.compress("\n".join(many).encode())
    (tmp_path / "t.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    broken = cli("index", "t.jsonl.gz", "--store", "s.store", cwd=tmp_path)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert "t.jsonl.gz: file breaks off after" in broken.stderr


@pytest.mark.parametrize("command", ["similar", "dedup", "talking-points", "report"])
def test_threshold_nan_is_a_usage_error(tmp_path: Path, command: str) -> None:
    args = ["some query"] if command == "similar" else []
    result = cli(command, *args, "x.jsonl", "--threshold", "nan", cwd=tmp_path)
    assert result.returncode == 2 and "'nan' is not a number" in result.stderr


def test_talking_point_threshold_range_is_said_right() -> None:
    from simdedup import talking_points

    texts = [TEXT, TEXT.replace("Tuesday", "Monday"), "A quite different remark on fisheries."]
    with pytest.raises(InputError, match=r"threshold must be in \(0, 1\]; got -0\.5"):
        talking_points(texts, threshold=-0.5, encoder=HashingEncoder())
    with pytest.raises(InputError, match=r"threshold must be in \(0, 1\]; got nan"):
        talking_points(texts, threshold=float("nan"), encoder=HashingEncoder())
    result = talking_points(
        texts, threshold=1.0, min_outlets=1, unit="paragraph", encoder=HashingEncoder()
    )
    assert result == []  # runs (only identical vectors could merge at 1)
    units = talking_points(texts, threshold=1.0, min_outlets=1, encoder=HashingEncoder())
    assert units and all(tp.kind == "reprints" for tp in units)  # a clause both texts share
    help_text = cli("talking-points", "--help", cwd=Path.cwd()).stdout
    assert "0<x<=1" in help_text


def test_binary_query_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "q.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    jsonl(tmp_path / "c.jsonl", json.dumps({"id": "a", "text": TEXT}))
    result = cli("similar", "@q.bin", "c.jsonl", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "QUERY @q.bin: a binary file, not text" in result.stderr
