"""Write the sample corpus: corpus.jsonl, articles/<outlet>/<id>.txt and expected.json.

Everything here is fictional (countries, outlets, officials, events) and written for this
project. Re-run after editing: python examples/generate_corpus.py
"""

import json
import random
import re
from datetime import date as D
from pathlib import Path

OUT = Path(__file__).resolve().parent
OUTLETS = {
    "vna": "Valdoria News Agency",
    "post": "Meridian Post",
    "daily": "Eastbridge Daily",
    "times": "Northwind Times",
    "herald": "Harbor Herald",
    "ledger": "Global Ledger",
}

# Talking points: each is said in different words by several outlets.
TP = {
    "anniversary": [
        "This year marks the 30th anniversary of the establishment of diplomatic ties between Valdoria and Norvania, Foreign Minister Arlen Kost noted.",
        "Kost said the two countries were celebrating three decades of diplomatic relations this year, a milestone he called proof of lasting friendship.",
        "Thirty years have passed since Valdoria and Norvania established diplomatic relations, and both sides plan events to mark the anniversary.",
        "Marking 30 years of diplomatic ties, the ministers said the relationship between Valdoria and Norvania had never been stronger.",
        "The 30th anniversary of diplomatic relations between the two nations falls this year, Sandell reminded reporters in Port Elsin.",
    ],
    "chairmanship": [
        "Valdoria supports Norvania's rotating chairmanship of the Coastal Cooperation Council and will work for a successful summit, Kost said.",
        "Kost pledged Valdoria's full backing for Norvania as it holds the rotating chair of the Coastal Cooperation Council this year.",
        "The Valdorian side reaffirmed its support for Norvania's presidency of the Coastal Cooperation Council and wished the summit success.",
        "Valdoria stands behind Norvania's term as rotating chair of the CCC, the foreign ministry said in a statement on Tuesday.",
        "Officials in Lorvik said Valdoria would help Norvania make its CCC chairmanship a success.",
    ],
    "multipolar": [
        "Both sides called for an equal and orderly multipolar world in which no single power dictates the rules.",
        "The ministers said they would work together to build a multipolar world order that is fair and orderly.",
        "Valdoria and Norvania want a world with many poles of power rather than one dominated by a single country, Kost said.",
        "The joint statement urged an equal, orderly multipolar world and more democratic international relations.",
    ],
    "ceasefire": [
        "Valdoria calls for an immediate ceasefire in the Varn Strait and a political settlement through dialogue, the foreign ministry spokesperson said.",
        "The spokesperson urged all parties in the Varn Strait to stop fighting at once and to seek a negotiated political solution.",
        "An immediate end to hostilities in the strait and a return to talks is the only way forward, Valdorian officials insisted.",
        "Lorvik repeated its appeal for a ceasefire without delay in the Varn Strait, followed by political negotiations.",
        "Valdoria again asked the sides to lay down arms in the Varn Strait immediately and resolve the dispute at the negotiating table.",
    ],
    "noninterference": [
        "Valdoria firmly opposes any interference in the internal affairs of other countries, the spokesperson stressed.",
        "Meddling in another country's domestic affairs is unacceptable, a Valdorian foreign ministry official said.",
        "The ministry reiterated that Valdoria will never accept outside interference in its internal affairs and does not interfere in those of others.",
        "Non-interference in internal affairs remains a cornerstone of Valdorian foreign policy, the spokesperson told reporters.",
    ],
    "winwin": [
        "The two countries will deepen mutually beneficial cooperation for win-win outcomes, Kost said.",
        "Sandell said cooperation between Norvania and Valdoria had brought win-win results for both peoples.",
        "Trade and investment between the two neighbours should continue to deliver shared benefits and win-win results, the ministers agreed.",
        "Both governments described the partnership as a model of win-win cooperation between neighbouring countries.",
    ],
}

# Hard negatives: share vocabulary with a talking point but make a different claim.
NEG = {
    "anniversary": [
        "This year also marks the 25th anniversary of the Coastal Trade Pact between Valdoria and Norvania, which cut tariffs on timber and fish.",
        "Estmark and Norvania will mark the 10th anniversary of their diplomatic relations next spring, the Estmark embassy said.",
        "Next year marks the 50th anniversary of the founding of the Coastal Cooperation Council.",
    ],
    "chairmanship": [
        "Estmark opposes Norvania's rotating chairmanship of the Coastal Cooperation Council and has threatened to boycott the summit.",
        "Valdoria will take over the rotating chairmanship of the Coastal Cooperation Council from Norvania next year.",
        "Estmark's foreign minister said his country did not support Norvania's bid to extend its CCC chairmanship.",
    ],
    "ceasefire": [
        "Estmark rejected calls for a ceasefire in the Varn Strait, saying its navy would continue operations until the shipping lanes were secure.",
        "The ceasefire that ended the 2019 border clashes has held for five years, officials said.",
    ],
    "noninterference": [
        "Estmark accused Valdoria of interfering in its internal affairs by funding opposition media, a charge Lorvik denied.",
    ],
    "winwin": [
        "Critics in Estmark said the trade deal would benefit Valdorian exporters at the expense of local fishermen.",
    ],
    "figures": [
        "Under the agreement, Norvania will ship 2 million tonnes of grain to Valdoria each year.",
        "Under the agreement, Norvania will ship 3.5 million tonnes of grain to Valdoria each year.",
        "Bilateral trade reached 14 billion dollars last year, up 9 percent.",
        "Bilateral trade fell to 11 billion dollars last year, down 6 percent.",
    ],
}

FILLER = [
    "The talks took place at the Seagate Palace, a former customs house overlooking the harbour of Port Elsin.",
    "Kost arrived in Port Elsin on Sunday evening and was greeted at the airport by Norvania's deputy foreign minister.",
    "It was the third meeting between the two ministers this year, after talks in Lorvik in March and on the sidelines of a forum in June.",
    "Local fishermen gathered outside the venue, hoping the ministers would address quotas in the northern fishing grounds.",
    "Norvania is Valdoria's second-largest trading partner after Estmark, according to customs data.",
    "The ministers also visited a new container terminal built with Valdorian investment on the east side of the port.",
    "Analysts said the visit was intended to reassure Norvania before the winter shipping season.",
    "The summit is expected to draw leaders from eleven coastal states and three observer countries.",
    "Security was tight in Lorvik, where roads around the conference centre were closed for two days.",
    "The council was founded in 1975 to coordinate fisheries and coastal shipping among its members.",
    "Hotels in the capital reported full bookings for the week of the summit.",
    "Shipping insurers raised premiums for vessels crossing the strait after two cargo ships were damaged last week.",
    "Satellite images published by a research group showed several naval vessels anchored near the disputed islets.",
    "Fishing communities on both shores have been unable to reach their usual grounds for nearly a month.",
    "The spokesperson declined to comment on reports that a special envoy had travelled to Estmark.",
    "The energy agreement covers a 340-kilometre undersea power cable and a joint wind farm off the Ostra peninsula.",
    "Construction is expected to begin in the spring, with the first power flowing by the end of 2027.",
    "Engineers from both countries will form a joint company to operate the cable, with headquarters in Port Elsin.",
    "Opposition lawmakers in Norvania asked for the full text of the agreement to be published before ratification.",
    "Grain prices on the Lorvik commodity exchange rose slightly after the announcement.",
    "Market traders in Port Elsin said they hoped the corridor would bring down the price of bread.",
    "The foreign ministry will hold its next regular press briefing on Thursday.",
    "A reporter asked whether Valdoria would send observers to monitor the strait; the spokesperson said no decision had been made.",
    "Environmental groups warned that the wind farm could disturb seabird colonies on the outer islands.",
    "The leaders posed for a group photograph before the closing dinner at the maritime museum.",
]

# Wire stories by the Valdoria News Agency, reprinted by other outlets with light edits.
WIRES = [
    dict(
        id="vna-2024-09-03-fm-visit",
        date="2024-09-03",
        city="PORT ELSIN, Sept. 2",
        title="Valdorian, Norvanian foreign ministers agree to expand grain and port cooperation",
        paras=[
            "Valdorian Foreign Minister Arlen Kost met his Norvanian counterpart Mira Sandell in Port Elsin on Monday, and the two agreed to expand cooperation on grain shipments, fisheries and port logistics.",
            TP["anniversary"][0],
            "Kost said Valdoria was ready to work with Norvania to open a permanent grain corridor across the northern strait before the winter storms begin.",
            "Sandell thanked Valdoria for its investment in the container terminal and said Norvania welcomed more Valdorian companies to its ports.",
            TP["winwin"][0],
        ],
        reprints=[
            ("post", "2024-09-03", "drop_last"),
            ("daily", "September 4, 2024", "agency"),
            ("ledger", "2024.09.04", "spelling"),
        ],
    ),
    dict(
        id="vna-2024-10-14-ccc-summit",
        date="2024-10-14",
        city="LORVIK, Oct. 13",
        title="Valdoria backs Norvania's chairmanship ahead of coastal council summit",
        paras=[
            "Valdorian President Teodor Malm held talks with Norvanian Prime Minister Ilse Varga in Lorvik on Sunday, on the eve of the Coastal Cooperation Council summit.",
            TP["chairmanship"][0],
            "Malm said the council should become a stronger platform for coastal states to coordinate fisheries, shipping and disaster relief.",
            TP["multipolar"][0],
            "Varga said Norvania would use its chairmanship to launch a joint coast guard exercise and a regional fisheries database.",
        ],
        reprints=[
            ("times", "2024-10-14", "agency"),
            ("herald", "14 Oct 2024", "drop_first"),
            ("post", "2024-10-15", "spelling"),
        ],
    ),
    dict(
        id="vna-2024-11-05-strait",
        date="2024-11-05",
        city="LORVIK, Nov. 4",
        title="Valdoria urges ceasefire in Varn Strait",
        paras=[
            TP["ceasefire"][0],
            "The appeal came after Estmark and Norvanian patrol boats exchanged fire near the Skerry islets on Sunday, the third incident in a month.",
            "The spokesperson said Valdoria was ready to host talks between the two sides in Lorvik at any time.",
            TP["noninterference"][0],
        ],
        reprints=[("daily", "2024-11-05", "agency"), ("ledger", "November 5, 2024", "drop_last")],
    ),
    dict(
        id="vna-2024-12-02-energy",
        date="2024-12-02",
        city="PORT ELSIN, Dec. 1",
        title="Valdoria, Norvania sign undersea power cable agreement",
        paras=[
            "Valdoria and Norvania on Sunday signed an agreement to build an undersea power cable and a joint offshore wind farm, the largest energy project between the two countries.",
            "The project is worth 4.2 billion dollars and will carry up to 1,400 megawatts of electricity when completed, officials said.",
            TP["winwin"][2],
            "Kost, who attended the signing, said the cable would make both countries less dependent on imported gas.",
        ],
        reprints=[("herald", "2024-12-02", "spelling"), ("times", "2024.12.03", "agency")],
    ),
    dict(
        id="vna-2024-11-19-grain",
        date="2024-11-19",
        city="PORT ELSIN, Nov. 18",
        title="Grain corridor across northern strait opens",
        paras=[
            "The first convoy of grain ships sailed through the new northern corridor on Monday, carrying 60,000 tonnes of Norvanian wheat to Valdoria.",
            NEG["figures"][0],
            "Port officials said the corridor would stay open through the winter, with icebreakers on standby.",
            TP["anniversary"][2],
        ],
        reprints=[("post", "November 19, 2024", "agency")],
    ),
]


def spelling(t):
    for a, b in [
        ("harbour", "harbor"),
        ("neighbour", "neighbor"),
        ("cooperation", "co-operation"),
        ("programme", "program"),
        ("defence", "defense"),
    ]:
        t = t.replace(a, b)
    return t


def edit(paras, how):
    p = list(paras)
    if how == "drop_last":
        p = p[:-1]
    elif how == "drop_first":
        p = p[1:]
    elif how == "agency":
        p[0] = p[0].rstrip(".") + ", the Valdoria News Agency reported."
        p[-1] = re.sub(r", (\w+) said\.$", r", \1 told reporters.", p[-1])
    elif how == "spelling":
        p = [spelling(x) for x in p]
    return p


articles = []
for w in WIRES:
    body = list(w["paras"])
    articles.append(
        dict(
            id=w["id"],
            outlet="vna",
            date=w["date"],
            title=w["title"],
            paras=body,
            dateline=w["city"] + " (VNA) -- ",
        )
    )
    for outlet, date, how in w["reprints"]:
        title = w["title"] if how != "drop_first" else w["title"].replace("Valdoria", "Lorvik")
        slug = w["id"].replace("vna-", f"{outlet}-")
        articles.append(
            dict(
                id=slug,
                outlet=outlet,
                date=date,
                title=title,
                paras=edit(w["paras"], how),
                reprint_of=w["id"],
            )
        )

# Original articles: each carries some talking points (reworded) and filler and negatives.
rng = random.Random(7)
ORIG = [
    (
        "post",
        "2024-09-10",
        "Ministers look beyond the grain corridor",
        ["anniversary:1", "winwin:1", "F", "F", "figures:2"],
    ),
    (
        "daily",
        "2024-09-18",
        "Thirty years of Valdoria-Norvania ties",
        ["anniversary:2", "multipolar:1", "F", "anniversary-neg:0"],
    ),
    (
        "times",
        "2024-09-25",
        "Coastal council prepares for Lorvik summit",
        ["chairmanship:1", "F", "F", "chairmanship-neg:1"],
    ),
    (
        "herald",
        "2024-10-01",
        "Estmark questions Norvania's council role",
        ["chairmanship-neg:0", "chairmanship-neg:2", "F", "noninterference-neg:0"],
    ),
    (
        "ledger",
        "2024-10-08",
        "What the coastal summit can deliver",
        ["chairmanship:2", "multipolar:2", "F", "anniversary-neg:2"],
    ),
    (
        "post",
        "2024-10-16",
        "Summit ends with call for multipolar order",
        ["multipolar:3", "chairmanship:3", "F", "winwin:3"],
    ),
    (
        "daily",
        "2024-10-20",
        "Valdoria's foreign ministry on council summit",
        ["chairmanship:4", "noninterference:1", "F"],
    ),
    (
        "times",
        "2024-11-06",
        "Strait tensions rise as patrol boats clash",
        ["ceasefire:1", "F", "F", "ceasefire-neg:0"],
    ),
    (
        "herald",
        "2024-11-08",
        "Shipping insurers alarmed by strait incidents",
        ["F", "F", "ceasefire:2", "ceasefire-neg:1"],
    ),
    (
        "ledger",
        "2024-11-12",
        "Lorvik presses for talks on Varn Strait",
        ["ceasefire:3", "noninterference:2", "F"],
    ),
    (
        "post",
        "2024-11-20",
        "Valdoria repeats strait appeal",
        ["ceasefire:4", "noninterference:3", "F", "anniversary:3"],
    ),
    (
        "daily",
        "2024-11-25",
        "Grain deal figures under scrutiny",
        ["figures:1", "figures:3", "F", "winwin-neg:0"],
    ),
    (
        "times",
        "2024-12-04",
        "Power cable deal seen as milestone",
        ["winwin:3", "F", "F", "anniversary:4"],
    ),
    (
        "herald",
        "2024-12-09",
        "Estmark and Norvania plan anniversary",
        ["anniversary-neg:1", "F", "F"],
    ),
    (
        "ledger",
        "2024-12-12",
        "Year in review: Valdoria's busy diplomacy",
        ["anniversary:4", "chairmanship:4", "ceasefire:1", "multipolar:2", "F"],
    ),
]
fill = list(FILLER)
rng.shuffle(fill)
for outlet, date, title, spec in ORIG:
    paras = []
    for s in spec:
        if s == "F":
            paras.append(fill.pop())
        else:
            key, idx = s.split(":")
            if key.endswith("-neg"):
                paras.append(NEG[key[:-4]][int(idx)])
            elif key == "figures":
                paras.append(NEG["figures"][int(idx)])
            else:
                paras.append(TP[key][int(idx)])
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
    articles.append(
        dict(id=f"{outlet}-{date}-{slug}", outlet=outlet, date=date, title=title, paras=paras)
    )

# Date formats vary on purpose in the JSONL; ISO for most.
FORMATS = {"daily": "%B %d, %Y", "ledger": "%Y.%m.%d", "herald": "%d %b %Y"}


def fmt(outlet, iso):
    if not re.match(r"\d{4}-\d\d-\d\d$", iso):
        return iso
    y, m, d = map(int, iso.split("-"))
    f = FORMATS.get(outlet)
    return D(y, m, d).strftime(f).replace(" 0", " ") if f else iso


articles.sort(key=lambda a: a["id"])
OUT.mkdir(parents=True, exist_ok=True)
with open(OUT / "corpus.jsonl", "w") as fh:
    for a in articles:
        rec = dict(
            id=a["id"],
            outlet=OUTLETS[a["outlet"]],
            date=fmt(a["outlet"], a["date"]),
            title=a["title"],
            text="\n\n".join([a["title"]] + a["paras"])
            if a["outlet"] == "vna" and "ccc" in a["id"]
            else "\n\n".join(a["paras"]),
        )
        a["text"] = rec["text"]
        a["datestr"] = rec["date"]
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

# .txt versions, a third of them looking like real scrapes.
SCRAPE = [
    (
        "We use cookies to improve your experience. By continuing to browse this site you agree to our Cookie Policy.",
        "Accept all cookies",
    ),
]
for i, a in enumerate(articles):
    folder = OUT / "articles" / OUTLETS[a["outlet"]].lower().replace(" ", "-")
    folder.mkdir(parents=True, exist_ok=True)
    front = f"---\ntitle: {a['title']}\noutlet: {OUTLETS[a['outlet']]}\ndate: {a['datestr']}\n---\n"
    paras = a["text"].split("\n\n")
    if a.get("dateline"):
        paras[-len(a["paras"])] = a["dateline"] + paras[-len(a["paras"])]
    if i % 3 == 0:
        name = OUTLETS[a["outlet"]]
        page = [
            SCRAPE[0][0],
            SCRAPE[0][1],
            a["title"],
            f"Published: 10:{10 + i:02d}, {a['datestr']} | Updated: 11:{20 + i:02d}, {a['datestr']}",
            a["title"],
            *paras,
            f"Delegates leave the talks in Port Elsin. (Photo: {name})",
            "Share this article",
            f"Source(s): {name}",
            f"Copyright © 2024 {name}. All rights reserved.",
            "Related Articles",
            "Coastal council names new secretary general",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
        ]
        body = "\n\n".join(page)
    else:
        body = "\n\n".join(paras)
    (folder / f"{a['id']}.txt").write_text(front + body + "\n", encoding="utf-8")

expected = {
    "wire_copies": [
        [w["id"]] + [w["id"].replace("vna-", f"{o}-") for o, _, _ in w["reprints"]] for w in WIRES
    ],
    "talking_points": {k: v for k, v in TP.items()},
    "hard_negatives": NEG,
}
(OUT / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
print(len(articles), "articles", sum(len(a["text"].split("\n\n")) for a in articles), "paragraphs")
