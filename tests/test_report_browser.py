"""The HTML report in headless Chromium: the script builds the table, heatmap, timelines and a
drill-down, and sorting and filtering work.

Skipped when no Chromium is on PATH, unless SIMDEDUP_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from simdedup.report.html import render_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
OUTLETS = ["Capital Wire", "Harbor Daily", "Valley Times", "Eastern Herald"]
SHARED = "the grain corridor across the northern strait"

# Appended after the report's own script: records the first order, then sorts and filters the
# way a click and a keystroke would, and leaves the results in the DOM for --dump-dom.
PROBE = """<script>
(function () {
  function order() {
    return Array.prototype.map.call(document.querySelectorAll("#sd-table tbody.tp"),
      function (tb) { return tb.getAttribute("data-tp"); });
  }
  var out = {initial: order(), moreShown: document.getElementById("sd-more").offsetHeight > 0};
  document.querySelector('th[data-key="label"] button').click();
  out.label = order();
  document.querySelector('th[data-key="first"] button').click();
  out.first = order();
  document.querySelector('th[data-key="first"] button').click();
  out.firstDesc = order();
  var filter = document.getElementById("sd-filter");
  filter.value = "Valley";
  filter.dispatchEvent(new Event("input"));
  out.filtered = order().filter(function (id) {
    return !document.querySelector('tbody[data-tp="' + id + '"]').hidden;
  });
  out.count = document.getElementById("sd-count").textContent;
  filter.value = "";
  filter.dispatchEvent(new Event("input"));
  document.querySelector('th[data-key="size"] button').click();
  out.size = order();
  var ties = document.querySelector('tbody[data-tp="tp-ties"]');
  document.querySelector('#sd-heatmap a[href="#tp-ties"]').click();
  out.heatmapOpens = ties.className + "|" + ties.querySelectorAll("li.member").length;
  ties.querySelector("tr.row").click();
  out.rowCloses = ties.className;
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def chromium() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    message = f"no headless browser on PATH (tried {', '.join(BROWSERS)})"
    if os.environ.get("SIMDEDUP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message}; SIMDEDUP_REQUIRE_BROWSER=1 needs one: apt-get install chromium")
    pytest.skip(message)


def member(pid: str, outlet: str, date: str | None, text: str, copies: str | None = None) -> dict:
    doc, para = pid.split(":")
    return {"pid": pid, "doc_id": doc, "para": int(para), "outlet": outlet, "date": date,
            "score": 0.91, "text": text, "copies": copies}  # fmt: skip


def point(tp_id: str, label: str, members: list[dict]) -> dict[str, Any]:
    outlets: dict[str, int] = {}
    counts: dict[str, int] = {}
    for m in members:
        outlets[m["outlet"]] = outlets.get(m["outlet"], 0) + 1
        if m["date"]:
            counts[m["date"][:7]] = counts.get(m["date"][:7], 0) + 1
    dated = [m for m in members if m["date"]]
    return {
        "id": tp_id,
        "label": label,
        "keywords": label.split(", "),
        "representative": members[0]["pid"],
        "size": len(members),
        "n_outlets": len(outlets),
        "outlets": outlets,
        "first_seen": {k: dated[0][k] for k in ("date", "outlet", "pid")},
        "last_seen": {k: dated[-1][k] for k in ("date", "outlet", "pid")},
        "outlet_order": list(dict.fromkeys(m["outlet"] for m in members)),
        "timeline": [{"period": p, "count": c} for p, c in sorted(counts.items())],
        "members": members,
    }


def fake_data() -> dict[str, Any]:
    grain = [
        member("cap-1:2", "Capital Wire", "2024-01-04", f"Officials said {SHARED} stays open."),
        member("har-7:0", "Harbor Daily", "2024-01-20", f"Insurers agree {SHARED} is safe."),
        member("val-3:1", "Valley Times", None, f"Undated: {SHARED} will stay open in winter."),
        member("eas-9:4", "Eastern Herald", "2024-03-02", f"Ships use {SHARED} again.",
               copies="har-7:0"),
        member("cap-5:1", "Capital Wire", "2024-04-11", f"Again {SHARED} was praised."),
        member("har-8:3", "Harbor Daily", "2024-05-30", f"Finally {SHARED} closed for repairs."),
    ]  # fmt: skip
    tariffs = [
        member("val-4:0", "Valley Times", "2023-11-02", "Tariffs on timber and fish will fall."),
        member("cap-2:5", "Capital Wire", "2023-12-15", "Tariffs on timber and fish will drop."),
        member("eas-1:1", "Eastern Herald", "2024-02-01", "<script>alert(1)</script> & co: "
               "tariffs on timber and fish"),
    ]  # fmt: skip
    ties = [
        member("har-2:2", "Harbor Daily", "2023-10-09", "The 75th anniversary of diplomatic ties."),
        member("eas-5:0", "Eastern Herald", "2023-10-10", "Marking the 75th anniversary of ties."),
        member("cap-9:9", "Capital Wire", "2024-06-01", "On the 75th anniversary of the ties."),
        member("har-4:4", "Harbor Daily", "2024-06-03", "The 75th anniversary, again."),
    ]
    floods = [
        member("eas-3:3", "Eastern Herald", "2024-02-10", "Heavy rain flooded the market."),
        member("cap-3:3", "Capital Wire", "2024-02-11", "Heavy rain flooded the market district."),
    ]
    points = [
        point("tp-floods", "flooding, market district", floods),
        point("tp-grain", "grain corridor, northern strait", grain),
        point("tp-tariffs", "tariffs, timber, fish", tariffs),
        point("tp-ties", "anniversary, diplomatic ties", ties),
    ]
    corpus = {"paragraphs": 500, "documents": 90, "outlets": 4,
              "first_date": "2023-10-01", "last_date": "2024-06-30"}  # fmt: skip
    return {"talking_points": points, "unclustered": 485, "timeline_unit": "month",
            "corpus": corpus}  # fmt: skip


def dump_dom(page: Path, fragment: str, tmp_path: Path) -> tuple[str, str]:
    proc = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=2000",
            "--dump-dom",
            page.as_uri() + fragment,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    tmp = tmp_path_factory.mktemp("report")
    page = tmp / "report.html"
    html = render_report(fake_data(), title="Browser test", max_members=5)
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    return dump_dom(page, "#tp-grain", tmp)


def test_script_runs_without_errors(rendered: tuple[str, str]) -> None:
    dom, log = rendered
    assert "Uncaught" not in log, log
    assert 'id="probe"' in dom


def test_table_has_a_row_per_talking_point_sorted_by_size(rendered: tuple[str, str]) -> None:
    dom, _ = rendered
    rows = re.findall(r'<tbody class="tp[^"]*" data-tp="([^"]+)">(.*?)</tbody>', dom, re.S)
    assert [tp for tp, _ in rows] == ["tp-grain", "tp-ties", "tp-tariffs", "tp-floods"]
    labels = {tp["id"]: tp["label"] for tp in fake_data()["talking_points"]}
    for tp, body in rows:
        assert f"<span>{labels[tp]}</span>" in body
        assert '<svg class="spark"' in body  # the row's timeline
    assert '<th data-key="size" class="num" aria-sort="descending">' in dom
    assert "4 talking points" in dom


def test_heatmap_cells(rendered: tuple[str, str]) -> None:
    dom, _ = rendered
    heat = dom[dom.index('id="sd-heatmap"') :]
    assert heat.count('<td class="cell') == 4 * len(OUTLETS)
    for outlet in OUTLETS:
        assert f'<th title="{outlet}"><span>{outlet}</span></th>' in heat
    assert 'title="Capital Wire · grain corridor, northern strait: 2 paragraphs"' in heat


def test_hash_opens_the_drill_down(rendered: tuple[str, str]) -> None:
    dom, _ = rendered
    open_ = re.search(r'<tbody class="tp open" data-tp="tp-grain">(.*?)</tbody>', dom, re.S)
    assert open_ is not None and dom.count('class="tp open"') == 1
    drill = open_.group(1)
    assert '<svg class="spark big"' in drill and '<rect class="bar"' in drill
    assert f"Officials said <mark>{SHARED}</mark> stays open." in drill
    assert '<span class="chip">grain corridor</span>' in drill  # keywords
    assert 'Capital Wire</span><span class="arrow">→</span>' in drill  # provenance chain
    assert '<div class="m-meta">Capital Wire · 2024-01-04 · cap-1:2</div>' in drill
    assert ">copies har-7:0</a>" in drill
    assert '<span class="m-date">undated</span>' in drill
    assert "showing 5 of 6" in drill and "Finally" not in drill
    assert "Paragraphs (6)" in drill


def test_texts_are_inserted_as_text(rendered: tuple[str, str], tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_report(fake_data()), encoding="utf-8")
    dom, log = dump_dom(page, "#tp-tariffs", tmp_path)
    assert "Uncaught" not in log
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co: <mark>tariffs on timber and fish" in dom
    assert "<script>alert" not in dom


def test_sorting_and_filtering(rendered: tuple[str, str]) -> None:
    dom, _ = rendered
    probe = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert probe is not None
    out = json.loads(probe.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert out["initial"] == ["tp-grain", "tp-ties", "tp-tariffs", "tp-floods"]
    assert out["moreShown"] is False  # all rows fit on the first page
    assert out["label"] == ["tp-ties", "tp-floods", "tp-grain", "tp-tariffs"]
    assert out["first"] == ["tp-ties", "tp-tariffs", "tp-grain", "tp-floods"]
    assert out["firstDesc"] == list(reversed(out["first"]))
    assert out["size"] == out["initial"]  # back to the first order; the DOM is left so
    assert sorted(out["filtered"]) == ["tp-grain", "tp-tariffs"]
    assert out["count"] == "2 of 4 talking points"
    assert out["heatmapOpens"] == "tp open|4"
    assert out["rowCloses"] == "tp"


def test_long_tables_show_a_page_of_rows(tmp_path: Path) -> None:
    points = [
        point(f"tp-{i:03d}", f"topic {i}", [member(f"d{i}-{j}:0", "Capital Wire", "2024-01-01",
                                                   "t") for j in range(1 + i % 7)])
        for i in range(130)
    ]  # fmt: skip
    page = tmp_path / "report.html"
    page.write_text(render_report({"talking_points": points, "unclustered": 0}), encoding="utf-8")
    dom, log = dump_dom(page, "#tp-000", tmp_path)  # the smallest: beyond the first page
    assert "Uncaught" not in log
    assert dom.count('<tbody class="tp') == 130
    hidden = re.findall(r'<tbody class="tp[^"]*" data-tp="([^"]+)" hidden', dom)
    assert len(hidden) == 29 and "tp-000" not in hidden  # 100 largest + the one asked for
    assert "showing 101 of 130 talking points" in dom
    assert '<button type="button" id="sd-more" class="more">Show 29 more</button>' in dom
    assert '<tbody class="tp open" data-tp="tp-000">' in dom
