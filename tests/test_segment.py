from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simdedup.segment import RULES, Segmenter, is_boilerplate, normalize_text, text_hash

SCRAPED = """\
We use cookies to improve your experience. By continuing to browse you agree to our Cookie Policy.

Accept all cookies

Ministers pledge deeper cooperation on grain corridor

Published: 10:15, November 18, 2024 | Updated: 11:02, November 18, 2024

Ministers pledge deeper cooperation on grain corridor

The foreign ministers stand at the port of Elsin on Monday, November 18, 2024. /VNA

PORT ELSIN, Nov. 18 (VNA) -- The foreign ministers of Valdoria and Norvania agreed on Monday to \
expand the grain corridor across the northern strait.

ALSO READ: Valdoria hosts coastal council summit

  • Both sides said the corridor would stay open throughout the winter shipping season.

Share this article

Source(s): Valdoria News Agency
Copyright © 2024 Meridian Post. All rights reserved.

Related Articles

Valdoria hosts coastal council summit and welcomes new observer members from the south
"""
LONG = "The two ministers agreed to reopen the grain corridor before the winter season."


def test_scraped_page_keeps_only_article_paragraphs() -> None:
    paragraphs = Segmenter().split("doc", SCRAPED)
    texts = [p.text for p in paragraphs]
    assert texts == [
        "Ministers pledge deeper cooperation on grain corridor",  # once: the repeat is dropped
        "The foreign ministers of Valdoria and Norvania agreed on Monday to expand the grain "
        "corridor across the northern strait.",
        "Both sides said the corridor would stay open throughout the winter shipping season.",
    ]


def test_paragraph_ids_offsets_and_hashes() -> None:
    paragraphs = Segmenter().split("site/a.txt", SCRAPED)
    assert [p.para for p in paragraphs] == list(range(len(paragraphs)))
    assert [p.pid for p in paragraphs] == [f"site/a.txt:{i}" for i in range(len(paragraphs))]
    for p in paragraphs:
        assert SCRAPED[p.start : p.end] == p.text
        assert p.hash == text_hash(p.text)


def test_explain_names_the_rule_behind_every_removal() -> None:
    kept, removed = Segmenter().explain("doc", SCRAPED)
    assert kept == Segmenter().split("doc", SCRAPED)
    for cut in removed:
        assert SCRAPED[cut.start : cut.end] == cut.text and cut.rule in RULES
    rules = {cut.rule for cut in removed}
    assert {"cookie/privacy banner", "repeated headline", "dateline", "timestamp"} <= rules
    dateline = next(cut for cut in removed if cut.rule == "dateline")
    assert dateline.text.startswith("PORT ELSIN, Nov. 18 (VNA)")
    headline = next(cut for cut in removed if cut.rule == "repeated headline")
    assert headline.text == kept[0].text and headline.start > kept[0].start
    # everything is accounted for: each character is kept, removed or whitespace
    covered = [False] * len(SCRAPED)
    for span in [*kept, *removed]:
        covered[span.start : span.end] = [True] * (span.end - span.start)
    assert all(c or ch.isspace() or ch in "•*-" for c, ch in zip(covered, SCRAPED, strict=True))


def test_headline_equal_to_the_title_is_dropped_unless_it_is_all_there_is() -> None:
    headline = "Valdoria and Norvania resume grain talks in Port Elsin"
    body = f"{headline}\n\n{LONG}"
    assert [p.text for p in Segmenter().split("d", body, title=headline.upper())] == [LONG]
    assert len(Segmenter().split("d", body, title="Another title")) == 2
    assert len(Segmenter(strip_boilerplate=False).split("d", body, title=LONG[:30])) == 2
    alone = "Ministers pledge deeper cooperation on grain corridor"
    assert [p.text for p in Segmenter().split("d", alone, title=alone)] == [alone]
    # a paragraph repeated further down is the article's own text, not a headline
    again = "\n\n".join([LONG, "Another paragraph of reasonable length for the test.", LONG])
    assert len(Segmenter().split("d", again)) == 3


def test_boilerplate_stripping_can_be_turned_off() -> None:
    kept = Segmenter(strip_boilerplate=False).split("doc", SCRAPED)
    assert any("Cookie Policy" in p.text for p in kept)
    assert any("Related Articles" not in p.text and "observer" in p.text for p in kept)


def test_dateline_is_kept_when_disabled() -> None:
    kept = Segmenter(strip_datelines=False).split("doc", SCRAPED)
    assert any(p.text.startswith("PORT ELSIN, Nov. 18 (VNA) -- ") for p in kept)


def test_min_chars_drops_fragments() -> None:
    text = "Short line\n\nThis paragraph is long enough to be kept by the default setting."
    assert [p.text for p in Segmenter().split("d", text)] == [text.split("\n\n")[1]]
    assert len(Segmenter(min_chars=5).split("d", text)) == 2
    with pytest.raises(ValueError, match="min_chars"):
        Segmenter(min_chars=0)


def test_hard_wrapped_paragraph_is_joined_and_lines_are_split() -> None:
    wrapped = (
        "The council said the agreement would be reviewed in\n"
        "the spring, and that both governments had committed to\n"
        "publishing the inspection reports every quarter.\n"
        "\n"
        "First statement on its own line without a final stop\n"
        "Second statement on its own line, also without a stop"
    )
    texts = [p.text for p in Segmenter().split("d", wrapped)]
    assert len(texts) == 3
    assert texts[0].startswith("The council") and texts[0].endswith("every quarter.")
    assert texts[1].startswith("First") and texts[2].startswith("Second")


@pytest.mark.parametrize(
    "line",
    [
        "Your email address will not be published. Required fields are marked *",
        "Leave a Reply",
        "Search Trends",
        "Copyright © 2024 Harbor Herald",
        "Source(s): Valdoria News Agency",
        "Delegates pose for a group photo in the council hall. (Photo: Harbor Herald)",
        "Published: 09:00, 2024-11-18",
        "Our Privacy Statement & Cookie Policy",
        "We and our partners use cookies to store and access information on your device.",
        "By signing up, you agree to our Terms & Conditions and Privacy Policy.",
        "Reporting by Ana Lind in Port Elsin; Editing by Tom Hale",
        "(Adds quotes from the minister in paragraph 4)",
        "By Ana Lind | Harbor Herald | Updated: 2024-01-15 07:22",
        "By ANA LIND and TOM HALE",
        "By Ana Lind, Local Democracy Reporter",
        "13:47, Sun, Jan 7, 2024 | UPDATED: 14:20, Sun, Jan 7, 2024",
        "Posted Wed 28 Feb 2024 at 1:05pm, updated Wed 28 Feb 2024 at 4:40pm",
        "Tags: ports, grain, Valdoria",
        "Sign up to our weekly briefing on the coast",
        "Fishermen mend their nets in Sundvik. Picture: Ana Lind",
        "Photo: Harbor Herald/Ana Lind",
        "A trawler leaves Kelvik harbour on Monday. (AFP/Ana Lind)",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "The ministers agreed on the terms and conditions of the ceasefire in the northern strait.",
        "Updated figures released on Monday show grain exports rose 12 percent in October, "
        "the ministry said.",
        "The talks covered relations between the EU/NATO and the coastal states.",
        "Sources said the summit would be postponed until the spring.",
        "The regulator said the site's use of tracking cookies breached privacy law and fined it.",
        "The product arrives as browser makers phase out third-party cookies and consent rules.",
        "The company was criticised over its terms of service, which made cancelling hard.",
        "By Tuesday evening, rescuers had reached the village, officials said.",
        "By Tuesday, staff were evacuated from the building.",
        "Photos: Afghan nomads on the road",
        "Watch the mayor speak at the harbour festival (Video)",
        "Photos released by the ministry showed the damaged pier at Kelvik.",
    ],
)
def test_prose_is_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


@pytest.mark.parametrize(
    ("line", "body"),
    [
        ("AUSTIN, Texas — The panel met on Monday to discuss the new rules.", "The panel"),
        ("MOSCOW, March 3 /TASS/ - Cargo traffic along the route rose sharply.", "Cargo"),
        ("NEW YORK, March 12, 2024 /PRNewswire/ -- Northwind released its weekly sales forecasts.",
         "North"),
        ("SAN FRANCISCO--(BUSINESS WIRE)--Lumen Shield today introduced a measurement suite.",
         "Lumen"),
        ("KYIV, Ukraine (AP) — The air force said it shot down 26 of 30 drones overnight.", "The"),
        # headline words and headlines are not datelines
        ("SXSW: Indie game makers say AI tools are changing how studios pitch", "SXSW:"),
        ("MARKET SNAPSHOT: Dow and S&P 500 end at records as chip stocks rally", "MARKET"),
        ("U.S. - China High Level Agricultural Dialogue takes place in Iowa", "U.S."),
    ],
)  # fmt: skip
def test_datelines_are_stripped_and_headline_words_kept(line: str, body: str) -> None:
    [kept] = Segmenter().split("d", line)
    assert kept.text.startswith(body) and line.endswith(kept.text)


def test_normalisation_ignores_case_punctuation_and_spacing() -> None:
    a = "China stands ready — to work with Russia,  Xi said."
    b = "china stands ready to work with russia xi said"
    assert normalize_text(a) == b
    assert text_hash(a) == text_hash(b.upper())
    assert text_hash(a) != text_hash("China stands ready to work with Brazil, Xi said.")


_ANY_TEXT = st.text(
    st.one_of(st.characters(), st.sampled_from(list(" _.,;-—\t\n\u00a0\u2028ÉéßİŞ١٢½²ⅫＡ"))),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(_ANY_TEXT)
def test_normalisation_is_the_regex_rule_it_replaced(text: str) -> None:
    folded = unicodedata.normalize("NFKC", text).casefold()
    assert normalize_text(text) == re.sub(r"[\W_]+", " ", folded).strip()


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Watch the foreign minister speak at the Brannock forum (Video)", True),
        ("Fishing fleets return to the Serin Strait after the truce (PHOTOS)", True),
        ("Xi holds talks with Putin in Beijing, Oct 18, 2023. (PHOTO / XINHUA)", False),
        ("The two ministers shake hands before the talks. (Photo: Reuters)", False),
        ("Delegates arrive at the summit venue in Brannock. (File photo)", False),
    ],
)
def test_captions_go_and_headlines_ending_in_video_stay(text: str, kept: bool) -> None:
    found = [p.text for p in Segmenter(min_chars=20).split("d", text)]
    assert found == ([text] if kept else [])


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("SXSW: The minister talks tech policy with the crowd in Austin.", None),
        ("MARKET SNAPSHOT: Stocks rally as oil rebounds on supply worries.", None),
        ("VIDEO: Fishing fleets return to the Serin Strait after the truce.", None),
        ("BEIJING - China and Russia withstood many tests together, Xi said.", 10),
        ("PORT ELSIN, Nov. 9 (VNA) -- Valdoria called on Norvania to halt fire.", 28),
        ("MOSCOW, May 5 (TASS): Russia and China agreed to expand trade links.", 22),
    ],
)
def test_datelines_need_a_place_and_a_dash_or_a_date_or_agency(text: str, body: int | None) -> None:
    (paragraph,) = Segmenter(min_chars=20).split("d", text)
    assert paragraph.text == (text if body is None else text[body:])
