"""Regenerate docs/report.png: a report of fictional talking points, rendered by headless Chromium.

    python docs/make_screenshot.py [--html report.html] [--open tp-…] [--size 1400,2560]
    python docs/make_screenshot.py --corpus examples/articles   # the README's two screenshots

Needs a Chromium binary on PATH (chromium, chromium-browser or google-chrome). By default the
outlets, texts and dates are invented and one talking point's drill-down (the one with an
undated paragraph) is opened with a ``#tp-…`` URL hash. With ``--corpus`` the report is that of
the real talking points of a corpus (the shipped sample by default), written as two pictures:
``docs/report.png`` (the overview) and ``docs/report-drilldown.png`` (the biggest talking
point's drill-down, or ``--open``'s).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from simdedup.report.html import render_report

DOCS = Path(__file__).resolve().parent
OUTLETS = [
    "Capital Wire",
    "Meridian News Agency",
    "Northern Courier",
    "Harbor Daily",
    "Eastern Herald",
    "Valley Times",
    "Coastal Observer",
]

# (label, keywords, sentence variants; the first is the representative wording)
TOPICS: list[tuple[str, list[str], list[str]]] = [
    (
        "anniversary, diplomatic ties, 75th",
        ["anniversary", "diplomatic ties", "75th", "establishment", "relations"],
        [
            "This year marks the 75th anniversary of the establishment of diplomatic ties "
            "between the two countries, a milestone both sides say opens a new chapter of "
            "partnership.",
            "As the two countries mark the 75th anniversary of diplomatic ties, officials "
            "pledged to open a new chapter of partnership in trade and culture.",
            "The 75th anniversary of the establishment of diplomatic ties was celebrated with a "
            "gala in the capital, where the foreign minister spoke of a new chapter of "
            "partnership.",
            "Marking the 75th anniversary of diplomatic ties, the ambassador said relations "
            "had never been stronger and a new chapter of partnership lay ahead.",
        ],
    ),
    (
        "grain corridor, northern strait, winter",
        ["grain corridor", "northern strait", "winter", "shipping", "insurance"],
        [
            "The grain corridor across the northern strait will stay open through the winter "
            "season, the port authority said, with insurers extending cover for another six "
            "months.",
            "Ships using the grain corridor across the northern strait will be escorted through "
            "the winter season, and insurers are extending cover, the port authority said.",
            "The port authority confirmed the grain corridor across the northern strait will "
            "stay open through the winter season despite rising freight costs.",
        ],
    ),
    (
        "trade pact, tariffs, timber",
        ["trade pact", "tariffs", "timber", "fish", "ratification"],
        [
            "Tariffs on timber and fish will fall by a third under the new trade pact, which "
            "parliament is expected to ratify before the summer recess.",
            "Under the new trade pact, tariffs on timber and fish will fall by a third, "
            "according to a summary published by the trade ministry.",
            "Exporters welcomed the new trade pact, saying lower tariffs on timber and fish "
            "would help coastal towns recover.",
        ],
    ),
    (
        "sanctions, unilateral, sovereignty",
        ["sanctions", "unilateral", "sovereignty", "interference", "international law"],
        [
            "Unilateral sanctions have no basis in international law and amount to "
            "interference in the internal affairs of sovereign states, the spokesperson said.",
            "The spokesperson repeated that unilateral sanctions have no basis in international "
            "law and violate the sovereignty of states.",
            "Unilateral sanctions are interference in internal affairs and have no basis in "
            "international law, the ministry said in a statement.",
        ],
    ),
    (
        "flooding, market district, schools",
        ["flooding", "market district", "schools", "rain", "evacuation"],
        [
            "Heavy rain flooded the market district overnight and closed three schools, while "
            "emergency crews evacuated more than two hundred residents.",
            "More than two hundred residents were evacuated after heavy rain flooded the market "
            "district and closed three schools.",
        ],
    ),
    (
        "rail link, feasibility study, border",
        ["rail link", "feasibility study", "border", "freight", "investment"],
        [
            "A feasibility study for the cross-border rail link will be completed by the end of "
            "the year, the transport ministers said after their meeting.",
            "The transport ministers said the feasibility study for the cross-border rail link "
            "is on schedule and freight operators have shown strong interest.",
        ],
    ),
    (
        "vaccine donation, doses, health cooperation",
        ["vaccine", "doses", "donation", "health cooperation", "solidarity"],
        [
            "The second batch of donated doses arrived on Tuesday, a symbol of solidarity and "
            "health cooperation between the two peoples, the embassy said.",
            "The embassy said the donated doses are a symbol of solidarity and health "
            "cooperation, with a third batch expected next month.",
        ],
    ),
]


# Framing that varies between paragraphs, so that mostly the talking point's wording is shared.
PLACES = ["Lisbon", "Nairobi", "Hanoi", "Quito", "Tbilisi", "Accra", "Oslo", "Lima", "Baku"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TAILS = [
    "Opposition lawmakers questioned the cost.",
    "Analysts had widely expected the move.",
    "Details are due next week.",
    "Critics called it symbolic.",
    "Markets barely reacted.",
    "Local newspapers ran it on page one.",
    "Few questions were taken.",
    "Unions welcomed it cautiously.",
    "It was the third such remark this month.",
    "Neighbouring governments stayed silent.",
    "Shares in port operators rose slightly.",
    "No timetable was given.",
]


def _text(rng: random.Random, variant: str) -> str:
    lead = rng.choice(["", "", f"In {rng.choice(PLACES)} on {rng.choice(DAYS)}, "])
    body = variant[0].lower() + variant[1:] if lead else variant
    return lead + body + (" " + rng.choice(TAILS) if rng.random() < 0.6 else "")


def fake_data(seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    months = [f"2023-{m:02d}" for m in range(7, 13)] + [f"2024-{m:02d}" for m in range(1, 7)]
    points = []
    sizes = [14, 11, 9, 8, 6, 5, 4]
    for t, ((label, keywords, variants), size) in enumerate(zip(TOPICS, sizes)):
        start = rng.randrange(0, 6)
        members = []
        for i in range(size):
            month = months[min(len(months) - 1, start + int(rng.expovariate(0.35)))]
            outlet = OUTLETS[(t + rng.randrange(0, 4 + t % 3)) % len(OUTLETS)]
            day = rng.randint(1, 28)
            members.append(
                {
                    "doc_id": f"{outlet.split()[0].lower()}-{1000 + 37 * t + i}",
                    "para": rng.randint(0, 6),
                    "outlet": outlet,
                    "date": None if (t == 4 and i == 1) else f"{month}-{day:02d}",
                    "text": _text(rng, variants[i % len(variants)]),
                }
            )
        members.sort(key=lambda m: (m["date"] or "9999", m["doc_id"]))
        for i, m in enumerate(members):
            m["pid"] = f"{m['doc_id']}:{m['para']}"
            m["score"] = 1.0 if i == 0 else round(rng.uniform(0.82, 0.99), 2)
            m["copies"] = None
            if i and rng.random() < 0.3:  # a near-verbatim copy of an earlier paragraph
                source = rng.choice(members[:i])
                m["text"] = source["text"].replace(" said", " has said", 1)
                m["copies"] = source["pid"]
        outlets: dict[str, int] = {}
        for m in members:
            outlets[m["outlet"]] = outlets.get(m["outlet"], 0) + 1
        order = list(dict.fromkeys(m["outlet"] for m in members))
        dated = [m for m in members if m["date"]]
        counts = {p: 0 for p in months}
        for m in dated:
            counts[m["date"][:7]] += 1
        used = [p for p in months if counts[p]]
        timeline = [{"period": p, "count": counts[p]} for p in months if used[0] <= p <= used[-1]]
        points.append(
            {
                "id": tp_id(label),
                "label": label,
                "keywords": keywords,
                "representative": members[0]["pid"],
                "size": size,
                "n_outlets": len(outlets),
                "outlets": dict(sorted(outlets.items(), key=lambda kv: -kv[1])),
                "first_seen": {k: dated[0][k] for k in ("date", "outlet", "pid")},
                "last_seen": {k: dated[-1][k] for k in ("date", "outlet", "pid")},
                "outlet_order": order,
                "timeline": timeline,
                "members": members,
            }
        )
    rng.shuffle(points)
    return {
        "talking_points": points,
        "unclustered": 4127,
        "timeline_unit": "month",
        "corpus": {
            "paragraphs": 4184,
            "documents": 612,
            "outlets": len(OUTLETS),
            "first_date": "2023-07-01",
            "last_date": "2024-06-30",
        },
    }


def tp_id(label: str) -> str:
    return "tp-" + hashlib.sha1(label.encode()).hexdigest()[:8]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("no chromium binary on PATH (chromium, chromium-browser, google-chrome)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, help="also keep the report here")
    parser.add_argument("--out", type=Path, default=DOCS / "report.png")
    parser.add_argument("--size", default="1400,2560", help="window size W,H")
    parser.add_argument("--open", default=None, help="id of the talking point to open")
    parser.add_argument("--corpus", type=Path, help="a real corpus (e.g. examples/articles)")
    args = parser.parse_args()
    if args.corpus is not None:
        shoot_corpus(args.corpus, args.open)
        return
    data = fake_data()
    page = render_report(data, title="Talking points in foreign-ministry coverage (fictional)")
    shoot(page, args.out, args.size, args.open or tp_id(TOPICS[4][0]), args.html)


def shoot_corpus(corpus: Path, open_id: str | None) -> None:
    """The overview and one drill-down of ``corpus``'s real report."""
    import simdedup

    with simdedup.Store.memory() as store:
        store.add([corpus])
        result = simdedup.TalkingPointFinder().fit(store).result_
    page = render_report(result.to_dict(), title="Talking points in the sample corpus")
    shoot(page, DOCS / "report.png", "1400,1500", "", None)
    biggest = open_id or result.talking_points[0].id
    shoot(page, DOCS / "report-drilldown.png", "1400,1800", biggest, None)


def shoot(page: str, out: Path, size: str, open_id: str, html: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = html or Path(tmp) / "report.html"
        path.write_text(page, encoding="utf-8")
        subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--hide-scrollbars",
                "--virtual-time-budget=2000",
                f"--window-size={size}",
                f"--screenshot={out.resolve()}",
                path.resolve().as_uri() + (f"#{open_id}" if open_id else ""),
            ],
            check=True,
            timeout=60,
            capture_output=True,
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
