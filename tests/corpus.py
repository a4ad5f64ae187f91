"""A tiny hand-written corpus for tests: a wire story, its reprints, a reworded talking point,
unrelated paragraphs and an exact repeat (the headline, which differs from each record's title,
so the reader keeps it as a paragraph). Fictional countries, outlets and officials."""

from __future__ import annotations

import json
from pathlib import Path

WIRE = (
    "Valdorian Foreign Minister Arlen Kost met his Norvanian counterpart Mira Sandell in Port "
    "Elsin on Monday, and the two agreed to expand cooperation on fisheries, grain shipments and "
    "port logistics before the end of the year."
)
REPRINT = (
    "Valdorian Foreign Minister Arlen Kost met his Norvanian counterpart Mira Sandell in Port "
    "Elsin on Monday, and the two agreed to expand co-operation on fisheries, grain shipments and "
    "port logistics before the end of the year, the agency reported."
)
ANNIVERSARY = (
    "Kost noted that this year marks the 30th anniversary of the establishment of diplomatic "
    "relations between Valdoria and Norvania."
)
ANNIVERSARY_REWORDED = (
    "The two countries are celebrating three decades of diplomatic ties this year, Sandell said, "
    "calling the anniversary a milestone in their friendship."
)
TRADE_PACT = (
    "Officials also marked the 25th anniversary of the Coastal Trade Pact, which cut tariffs on "
    "timber and fish between the two economies."
)
UNRELATED = (
    "Heavy rain flooded the lower market district of Estmark city overnight, and the municipal "
    "council closed three schools while crews pumped water from the streets."
)
WEATHER = (
    "Forecasters expect the storm to move north by Thursday, bringing cooler temperatures and "
    "strong winds to the coastal provinces."
)
HEADLINE = "Valdoria and Norvania agree to deepen port and grain cooperation"

RECORDS = [
    {"id": "vna-1", "outlet": "Valdoria News Agency", "date": "2024-11-18",
     "title": "Kost and Sandell meet in Port Elsin",
     "text": "\n\n".join([HEADLINE, WIRE, ANNIVERSARY, TRADE_PACT])},
    {"id": "post-1", "outlet": "Meridian Post", "date": "November 19, 2024",
     "title": "Port and grain deal for Valdoria and Norvania",
     "text": "\n\n".join([HEADLINE, REPRINT, ANNIVERSARY_REWORDED])},
    {"id": "herald-1", "outlet": "Harbor Herald", "date": "2024.11.20", "title": "Floods",
     "text": "\n\n".join([UNRELATED, WEATHER])},
    {"id": "times-1", "outlet": "Northwind Times", "date": "21 Nov 2024", "title": "Ties",
     "text": "\n\n".join([ANNIVERSARY, UNRELATED])},
]  # fmt: skip


def write_jsonl(path: Path, records: list[dict[str, str]] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for record in RECORDS if records is None else records:
            fh.write(json.dumps(record) + "\n")
    return path


def write_txt_folder(root: Path) -> Path:
    """The same records as .txt files with front matter, one folder per outlet."""
    for record in RECORDS:
        folder = root / record["outlet"].lower().replace(" ", "-")
        folder.mkdir(parents=True, exist_ok=True)
        front = f"---\ntitle: {record['title']}\ndate: {record['date']}\n---\n"
        (folder / f"{record['id']}.txt").write_text(front + record["text"], encoding="utf-8")
    return root
