from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from corpus import RECORDS, write_jsonl, write_txt_folder
from simdedup.errors import InputError
from simdedup.io.records import Fields, RecordReader, read_records, split_front_matter


def test_jsonl_records_with_normalised_dates(tmp_path: Path) -> None:
    records = list(read_records([write_jsonl(tmp_path / "c.jsonl")]))
    assert [r.doc_id for r in records] == [r["id"] for r in RECORDS]
    assert [r.date for r in records] == ["2024-11-18", "2024-11-19", "2024-11-20", "2024-11-21"]
    assert records[0].outlet == "Valdoria News Agency"
    assert records[0].source.endswith("c.jsonl:1")


def test_field_mapping_and_missing_id_fallback(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(
        json.dumps({"body": "Some text here", "site": "X", "when": "2024-01-05"}) + "\n",
        encoding="utf-8",
    )
    fields = Fields(text="body", outlet="site", date="when")
    (record,) = RecordReader(fields).read([path])
    assert (record.doc_id, record.outlet, record.date) == ("m.jsonl:1", "X", "2024-01-05")


def test_txt_folder_front_matter_and_outlet_from_folder(tmp_path: Path) -> None:
    root = write_txt_folder(tmp_path / "articles")
    (root / "loose.txt").write_text(
        "Published: 10:15, November 18, 2024\n\nSome body text that is long enough.",
        encoding="utf-8",
    )
    (root / "notes.bin").write_bytes(b"ignored: not a known extension")
    records = {r.doc_id: r for r in read_records([root])}
    assert set(records) == {
        "meridian-post/post-1.txt",
        "valdoria-news-agency/vna-1.txt",
        "harbor-herald/herald-1.txt",
        "northwind-times/times-1.txt",
        "loose.txt",
    }
    post = records["meridian-post/post-1.txt"]
    assert (post.outlet, post.date, post.title) == (
        "meridian-post",
        "2024-11-19",
        RECORDS[1]["title"],
    )
    assert not post.text.startswith("---")
    assert records["loose.txt"].outlet is None
    assert records["loose.txt"].date == "2024-11-18"  # from the dateline


def test_single_file_id_is_its_name(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "story.txt"
    path.parent.mkdir()
    path.write_text("---\noutlet: Harbor Herald\nid: custom-7\n---\nBody", encoding="utf-8")
    (record,) = read_records([path])
    assert (record.doc_id, record.outlet) == ("custom-7", "Harbor Herald")
    path.write_text("Body only", encoding="utf-8")
    (record,) = read_records([path])
    assert record.doc_id == "story.txt"


def test_csv_tsv_and_gzip(tmp_path: Path) -> None:
    csv_path = tmp_path / "a.csv"
    csv_path.write_text(
        'id,outlet,date,text\n1,A,2024-02-03,"Hello, world: one paragraph\nand a second line"\n',
        encoding="utf-8",
    )
    tsv_path = tmp_path / "b.tsv"
    tsv_path.write_text("id\ttext\n9\tTab separated text\n", encoding="utf-8")
    gz_path = tmp_path / "c.jsonl.gz"
    with gzip.open(gz_path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "z", "text": "zipped"}) + "\n")
    records = list(read_records([csv_path, tsv_path, gz_path]))
    assert [r.doc_id for r in records] == ["1", "9", "z"]
    assert records[0].text == "Hello, world: one paragraph\nand a second line"
    assert records[0].date == "2024-02-03"


def test_malformed_jsonl_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": "ok"}\n{"id": 2, "text": \n{"id": 3, "text": "ok"}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl:2: invalid JSON"):
        list(read_records([path]))
    reader = RecordReader(skip_bad=True)
    assert [r.doc_id for r in reader.read([path])] == ["1", "3"]
    assert reader.stats.bad_lines == 1


def test_non_object_line_and_csv_field_count(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text('["not", "an", "object"]\n')
    with pytest.raises(InputError, match=r"list\.jsonl:1: expected a JSON object"):
        list(read_records([path]))
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("id,text\n1,fine\n2,too,many\n")
    with pytest.raises(InputError, match=r"rows\.csv:3: expected 2 CSV fields, got 3"):
        list(read_records([csv_path]))


def test_missing_text_field_lists_fields_found(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": 1, "body": "text", "site": "A"}\n')
    with pytest.raises(
        InputError, match=r"x\.jsonl:1: no text field 'text' \(fields found: body, id, site\)"
    ):
        list(read_records([path]))


def test_duplicate_ids_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": "a", "text": "one"}\n{"id": "a", "text": "two"}\n')
    with pytest.raises(
        InputError, match=r"d\.jsonl:2: duplicate id 'a' \(first seen at .*d\.jsonl:1\)"
    ):
        list(read_records([path]))


def test_binary_file_skipped_and_invalid_utf8_replaced(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 diplomacy is back in fashion.".encode("latin-1"))
    warnings: list[str] = []
    reader = RecordReader(on_warning=warnings.append)
    records = list(reader.read([tmp_path]))
    assert [r.doc_id for r in records] == ["latin1.txt"]
    assert "\ufffd" in records[0].text
    assert reader.stats.skipped_files == 1 and reader.stats.decode_errors == 1
    assert any("image.txt: binary file skipped" in w for w in warnings)
    assert any("latin1.txt: invalid UTF-8" in w for w in warnings)


def test_missing_path_and_no_paths() -> None:
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file or directory"):
        list(read_records(["nope.jsonl"]))
    with pytest.raises(InputError, match="no input paths"):
        list(read_records([]))


def test_front_matter_parsing() -> None:
    meta, body = split_front_matter("---\nTitle: T\nDate: 2024-01-01\nother: x\n---\nBody")
    assert meta == {"title": "T", "date": "2024-01-01"} and body == "Body"
    text = "--- not front matter\nBody"
    assert split_front_matter(text) == ({}, text)
    unterminated = "---\ntitle: T\nBody without a closing fence"
    assert split_front_matter(unterminated) == ({}, unterminated)


def test_parquet_rows_are_records(tmp_path: Path) -> None:
    import datetime

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "shards"
    folder.mkdir()
    rows = [dict(r) for r in RECORDS]
    rows[0]["date"] = datetime.date(2024, 11, 18)  # a Parquet date column, not strings
    rows[1]["date"] = datetime.date(2024, 11, 19)
    rows[1]["id"] = None  # a missing id falls back to FILE:ROW
    table = pa.table({key: [r[key] for r in rows[:2]] for key in ("id", "outlet", "text")})
    pq.write_table(table.append_column("date", pa.array([r["date"] for r in rows[:2]])),
                   folder / "part-0.parquet")  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows[2:]), folder / "part-1.parquet")
    (folder / "broken.parquet").write_bytes(b"PAR1 not really")
    warnings: list[str] = []
    reader = RecordReader(on_warning=warnings.append)
    records = list(reader.read([folder]))
    assert [r.doc_id for r in records] == ["vna-1", "part-0.parquet:1", "herald-1", "times-1"]
    assert records[0].date == "2024-11-18" and records[1].date == "2024-11-19"
    assert records[0].text == RECORDS[0]["text"] and records[2].outlet == "Harbor Herald"
    assert records[1].source.endswith("part-0.parquet:row 1")
    assert reader.stats.skipped_files == 1 and "broken.parquet" in warnings[0]
