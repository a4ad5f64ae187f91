"""The HTML report (no browser: the page's markup and embedded data) and shared-phrase spans."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from simdedup.errors import InputError
from simdedup.report.highlight import shared_spans
from simdedup.report.html import HEATMAP_ROWS, UNKNOWN_OUTLET, render_report

SHARED = "a new chapter of partnership"
EVIL = "<script>alert(1)</script> & friends"


def member(pid: str, outlet: str | None, date: str | None, text: str, **extra: Any) -> dict:
    doc, para = pid.split(":")
    return {"pid": pid, "doc_id": doc, "para": int(para), "outlet": outlet, "date": date,
            "score": 0.9, "text": text, "copies": None, **extra}  # fmt: skip


def point(tp_id: str, members: list[dict], **extra: Any) -> dict:
    outlets: dict[str, int] = {}
    for m in members:
        outlets[m["outlet"]] = outlets.get(m["outlet"], 0) + 1
    dated = [m for m in members if m["date"]]
    seen = [{k: m[k] for k in ("date", "outlet", "pid")} for m in (dated[:1] + dated[-1:])]
    tp = {
        "id": tp_id,
        "label": f"label of {tp_id}",
        "keywords": ["anniversary", "diplomatic ties"],
        "representative": members[0]["pid"],
        "size": len(members),
        "n_outlets": len(outlets),
        "outlets": outlets,
        "first_seen": seen[0] if seen else None,
        "last_seen": seen[-1] if seen else None,
        "outlet_order": list(dict.fromkeys(m["outlet"] for m in members)),
        "timeline": [{"period": "2024-01", "count": 1}, {"period": "2024-03", "count": 2}],
        "members": members,
    }
    return {**tp, **extra}


def report_data(points: list[dict], **extra: Any) -> dict:
    return {"talking_points": points, "unclustered": 10, "timeline_unit": "month", **extra}


@pytest.fixture
def data() -> dict:
    members = [
        member("xin-1:3", "Xinhua", "2024-01-09", f"The 75th anniversary opens {SHARED}."),
        member("tass-2:1", "TASS", "2024-03-10", f"Officials promised {SHARED} on Monday."),
        member("rt-3:0", "A&B <i>News</i>", "2024-03-11", EVIL, copies="tass-2:1"),
    ]
    return report_data(
        [point("tp-1", members)],
        corpus={"paragraphs": 100, "documents": 40, "outlets": 3,
                "first_date": "2023-12-01", "last_date": "2024-06-30"},
    )  # fmt: skip


def embedded(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="sd-data">(.*?)</script>', page, re.S)
    assert block is not None
    result: dict = json.loads(block.group(1))
    return result


def test_page_is_self_contained(data: dict) -> None:
    page = render_report(data)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    for needle in ("http://", "https://", "<link", 'src="http', "src=", "@import", "url("):
        assert needle not in page


def test_user_text_is_escaped(data: dict) -> None:
    page = render_report(data, title="Ties & <b>talks</b>")
    assert "<script>alert" not in page and "& friends" not in page
    assert page.count("<script") == 2 and page.count("</script>") == 2  # the page's own two
    assert "<title>Ties &amp; &lt;b&gt;talks&lt;/b&gt;</title>" in page
    assert "<i>News</i>" not in page and "A&B" not in page
    view = embedded(page)  # the data arrives intact; the script inserts it as text only
    tp = view["points"][0]
    assert "".join(tp["members"][2]["parts"]) == EVIL
    assert tp["members"][2]["outlet"] == "A&B <i>News</i>"
    assert "A&B <i>News</i>" in tp["outlets"] and "A&B <i>News</i>" in view["heatmap"]["outlets"]
    assert ".innerHTML = spark(" in page and "innerHTML = p" not in page  # SVG markup only


def test_overview_cards(data: dict) -> None:
    page = render_report(data)
    for key, value in [("Paragraphs", "100"), ("Documents", "40"), ("Talking points", "1"),
                       ("In talking points", "3"), ("Unclustered", "10")]:  # fmt: skip
        assert f'<div class="k">{key}</div><div class="v">{value}</div>' in page
    assert "2023-12-01 – 2024-06-30" in page
    assert "3.0 % of all" in page


def test_empty_input_renders_a_friendly_page() -> None:
    page = render_report({"talking_points": [], "unclustered": 0})
    assert "No talking points found" in page
    assert 'id="sd-table"' not in page
    assert embedded(page)["points"] == []
    assert '<div class="k">Talking points</div><div class="v">0</div>' in page


def test_null_dates_outlets_and_missing_corpus_render() -> None:
    members = [member("a-1:0", None, None, "Undated text."), member("b-1:0", "", None, "More.")]
    tp = point("tp-x", members, timeline=[], first_seen=None, last_seen=None)
    tp["outlets"] = {}
    tp["outlet_order"] = [None]
    page = render_report(report_data([tp], unclustered=None))
    view = embedded(page)
    p = view["points"][0]
    assert p["first"] is None and p["last"] is None and p["tl"] == []
    assert [m["outlet"] for m in p["members"]] == [UNKNOWN_OUTLET, UNKNOWN_OUTLET]
    assert [m["date"] for m in p["members"]] == [None, None]
    assert p["outlets"] == {UNKNOWN_OUTLET: 2} and p["order"] == [UNKNOWN_OUTLET]
    assert view["axis"] == []
    assert '<div class="v date">undated</div>' in page


def test_members_are_capped_with_a_note() -> None:
    members = [member(f"d-{i}:0", "X", f"2024-01-{i + 1:02d}", f"text {i}") for i in range(30)]
    page = render_report(report_data([point("tp-big", members)]), max_members=10)
    p = embedded(page)["points"][0]
    assert len(p["members"]) == 10 and p["total"] == 30
    assert [m["pid"] for m in p["members"]] == [f"d-{i}:0" for i in range(10)]
    assert '"showing " + fmt(p.members.length) + " of " + fmt(p.total)' in page


def test_representative_is_shown_even_beyond_the_cap() -> None:
    members = [member(f"d-{i}:0", "X", f"2024-01-{i + 1:02d}", f"text {i}") for i in range(5)]
    tp = point("tp-r", members, representative="d-4:0")
    p = embedded(render_report(report_data([tp]), max_members=2))["points"][0]
    assert p["rep"]["pid"] == "d-4:0" and p["rep"]["parts"] == ["text 4"]


def test_heatmap_has_every_outlet_of_the_top_talking_points() -> None:
    points = []
    for i in range(HEATMAP_ROWS + 5):  # sizes 1..45; the 5 smallest are left out
        members = [member(f"d{i}-{j}:0", f"Outlet {i}-{j % 3}", "2024-01-01", "t")
                   for j in range(i + 1)]  # fmt: skip
        points.append(point(f"tp-{i:02d}", members))
    view = embedded(render_report(report_data(points)))
    heat = view["heatmap"]
    top = [view["points"][i] for i in heat["rows"]]
    assert len(top) == HEATMAP_ROWS and [p["size"] for p in top] == list(range(45, 5, -1))
    wanted = {o for p in top for o in p["outlets"]}
    assert set(heat["outlets"]) == wanted
    assert "Outlet 0-0" not in heat["outlets"]  # only in the smallest talking point
    assert heat["max"] == 15
    assert "the 40 largest of 45 talking points" in render_report(report_data(points))


def test_timeline_axis_fills_gaps_and_spans_the_corpus(data: dict) -> None:
    view = embedded(render_report(data))
    assert view["axis"] == ["2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05",
                            "2024-06"]  # fmt: skip
    assert view["points"][0]["tl"] == [[1, 1], [3, 2]]


def test_shared_phrases_are_marked(data: dict) -> None:
    members = embedded(render_report(data))["points"][0]["members"]
    assert SHARED in members[0]["parts"][1::2]
    assert SHARED in members[1]["parts"][1::2]
    assert members[2]["parts"] == [EVIL]  # shares nothing


def test_bad_arguments_raise() -> None:
    with pytest.raises(InputError, match="max_members"):
        render_report(report_data([]), max_members=0)
    with pytest.raises(InputError, match="talking_points"):
        render_report({"groups": []})


# shared_spans ----------------------------------------------------------------------------------


def spans_text(texts: list[str], **kw: Any) -> list[list[str]]:
    return [[t[a:b] for a, b in spans] for t, spans in zip(texts, shared_spans(texts, **kw))]


def test_shared_phrase_is_found_in_each_text() -> None:
    texts = ["The grain corridor stays open.", "Officials said the grain corridor stays open"]
    expected = [["The grain corridor stays open"], ["the grain corridor stays open"]]
    assert spans_text(texts) == expected


def test_text_with_nothing_shared_gets_no_spans() -> None:
    texts = ["Tariffs on timber will fall.", "Heavy rain flooded the market.", "Tariffs on fish"]
    assert spans_text(texts) == [["Tariffs on"], [], ["Tariffs on"]]
    assert shared_spans(["only one text here"]) == [[]]
    assert shared_spans([]) == []
    assert shared_spans(["", "a"]) == [[], []]


def test_stopword_only_phrases_do_not_count() -> None:
    texts = ["one of the best", "worst of the lot", "it is in the past", "she is in the room"]
    assert spans_text(texts) == [[], [], [], []]


def test_stopwords_count_inside_a_longer_shared_phrase() -> None:
    texts = ["members of the united nations met", "they spoke of the united nations"]
    assert spans_text(texts) == [["of the united nations"], ["of the united nations"]]
    # "of the" is shared with the third text, but "of the" + content word is not
    texts = ["members of the council", "head of the army", "chief of the navy"]
    assert spans_text(texts) == [[], [], []]


def test_overlapping_and_adjacent_phrases_merge() -> None:
    texts = ["alpha beta gamma delta epsilon", "alpha beta gamma", "gamma delta epsilon"]
    assert spans_text(texts) == [["alpha beta gamma delta epsilon"], ["alpha beta gamma"],
                                 ["gamma delta epsilon"]]  # fmt: skip
    texts = ["red apple green pear", "red apple", "green pear"]  # adjacent, not overlapping
    assert spans_text(texts)[0] == ["red apple green pear"]
    texts = ["red apple and a green pear", "red apple", "green pear"]  # a word apart
    assert spans_text(texts)[0] == ["red apple", "green pear"]


def test_case_and_punctuation_are_ignored() -> None:
    texts = ["Diplomatic ties, said Wang.", "DIPLOMATIC TIES said wang"]
    assert spans_text(texts) == [["Diplomatic ties, said Wang"], ["DIPLOMATIC TIES said wang"]]
    assert shared_spans(texts)[0] == [(0, 26)]
    texts = ["China’s stance is firm", "china's stance"]  # typographic apostrophe
    assert spans_text(texts)[0] == ["China’s stance"]


def test_min_words() -> None:
    texts = ["green pear tart", "green pear jam"]
    assert spans_text(texts, min_words=3) == [[], []]
    assert spans_text(texts, min_words=2) == [["green pear"], ["green pear"]]
    assert spans_text(["pear", "a pear"], min_words=1) == [["pear"], ["pear"]]
    with pytest.raises(InputError, match="min_words"):
        shared_spans(texts, min_words=0)


def test_repeated_text_shares_everything_and_repeats_within_one_text_do_not() -> None:
    assert spans_text(["same old words", "same old words"]) == [["same old words"]] * 2
    assert spans_text(["red wine and red wine", "white bread"]) == [[], []]


def test_cost_is_linear_in_words() -> None:
    texts = [" ".join(f"w{(i * 7 + j) % 5000}" for j in range(60)) for i in range(3000)]
    start = time.perf_counter()
    spans = shared_spans(texts)
    assert time.perf_counter() - start < 5  # 180,000 words; pairwise comparison would take ages
    assert len(spans) == 3000 and all(spans)


def test_ties_reach_the_page_as_ties() -> None:
    members = [
        member("a-1:0", "Alpha", "2024-01-09", "The same text told twice."),
        member("b-1:0", "Beta", "2024-01-09", "The same text told twice.", copies="a-1:0"),
    ]
    members[1]["provenance"] = "tie"
    seen = {"date": "2024-01-09", "outlet": "Alpha", "pid": "a-1:0", "tie": True}
    page = render_report(report_data([point("tp-t", members, first_seen=seen)]))
    p = embedded(page)["points"][0]
    assert p["first"]["tie"] is True
    assert [m["provenance"] for m in p["members"]] == [None, "tie"]
    assert "same text as " in page and "(tie)" in page  # the script labels them so


def test_timeline_periods_read_as_dates() -> None:
    """The page's axis and bar tips say "Sep 2024" and "week of 2 Sep 2024", not ISO codes."""
    import shutil
    import subprocess

    from simdedup.report import assets

    node = shutil.which("node")
    if node is None:
        pytest.skip("needs node to run the page's script")
    script = next(v for v in vars(assets).values() if isinstance(v, str) and "function human" in v)
    code = script[script.index("var MONTHS") : script.index("function binLabel")]
    code += 'console.log(["2024-09", "2024-W36", "2025-W01", "2024-09-03"].map(human).join("|"));'
    out = subprocess.run([node, "-e", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "Sep 2024|week of 2 Sep 2024|week of 30 Dec 2024|3 Sep 2024"
