"""A small hand-written corpus whose paragraphs make several claims each: four articles from
three outlets on one visit, in the fictional world of tests/corpus.py. Three claims recur in
every article, reworded and framed differently ("Kost said", "Noting that ..., he added that",
"According to ..."); one article adds a hard negative (the 25th anniversary of a pact, not the
30th of ties)."""

from __future__ import annotations

import json
from pathlib import Path

ARTICLES = [
    {
        "id": "vna-visit",
        "outlet": "Valdoria News Agency",
        "date": "2024-03-04",
        "text": (
            "Valdorian Foreign Minister Arlen Kost held talks with his Norvanian counterpart "
            "Mira Sandell in Port Elsin on Monday.\n\n"
            "Kost said Valdoria is ready to expand grain shipments through Port Elsin, support "
            "Norvania's chairmanship of the Coastal Forum and build a fair and balanced regional "
            "order together with its neighbours.\n\n"
            "Noting that this year marks the 30th anniversary of diplomatic relations between the "
            "two countries, he added that the friendship had withstood many tests."
        ),
    },
    {
        "id": "nt-visit",
        "outlet": "Northwind Times",
        "date": "2024-03-05",
        "text": (
            "Norvanian Foreign Minister Mira Sandell welcomed Valdoria's top diplomat Arlen Kost "
            "to Port Elsin for a day of talks.\n\n"
            "Sandell thanked Valdoria for backing Norvania as this year's chair of the Coastal "
            "Forum, and said the two sides would celebrate three decades of diplomatic ties "
            "with a series of cultural events.\n\n"
            "Kost told reporters that Valdoria would send more grain through the port of Port "
            "Elsin and wanted a fair, balanced order in the region."
        ),
    },
    {
        "id": "gl-visit",
        "outlet": "Global Ledger",
        "date": "2024-03-05",
        "text": (
            "According to Valdorian Foreign Minister Arlen Kost, his country supports Norvania "
            "in its role as chair of the Coastal Forum this year and plans to raise grain "
            "exports through Port Elsin.\n\n"
            "The two ministers also marked the 30th anniversary of the establishment of "
            "diplomatic relations, which Kost called a milestone in their friendship.\n\n"
            "Officials separately noted the 25th anniversary of the Coastal Trade Pact, which "
            "cut tariffs on timber and fish."
        ),
    },
    {
        "id": "vna-briefing",
        "outlet": "Valdoria News Agency",
        "date": "2024-03-07",
        "text": (
            "Foreign Ministry spokesperson Tomas Rell told a regular press briefing that "
            "Valdoria fully supports Norvania's chairmanship of the Coastal Forum.\n\n"
            "Rell said the 30th anniversary of diplomatic ties opened a new chapter, and that "
            "Valdoria would work with Norvania for a fair and balanced regional order."
        ),
    },
]
CLAIMS = {  # each recurring claim, as a phrase every unit that makes it contains
    "chair": "Coastal Forum",
    "anniversary": "30th anniversary|three decades",
    "order": "balanced",
}


def write_articles(path: Path) -> Path:
    """The articles as JSONL (one document per line)."""
    path.write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8"
    )
    return path
