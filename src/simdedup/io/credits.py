"""Wire credits and bylines read from a document's text: who a story says it comes from.

A reprint usually names its source: a dateline credit (``PORT ELSIN, Nov. 9 (VNA) --``), an
agency between slashes (``MOSCOW, May 5 /TASS/``), a trailing ``-- Reuters``, a ``Source:
Xinhua`` or ``(With input from Xinhua)`` line, a ``By AFP`` byline, or ``..., the Valdoria
News Agency reported``. :func:`wire_credits` returns the names credited, as written;
:func:`matches` tells whether one of them names a given outlet (its name, or its initials:
``VNA`` for "Valdoria News Agency"). :func:`byline_outlet` reads the outlet a page names for
itself near its top (``By Xinhua``, a ``CGTN`` line under the headline).
"""

from __future__ import annotations

import re

# Each word of a name is matched one way only (a capitalised word, or "of"/"the"), so a long
# run of words that fails to end a credit costs linear time, not exponential; line starts
# skip horizontal space only ([ \t]*), so a run of blank lines is not rescanned from each.
_NAME = r"[A-Z][\w&'’.-]*(?: (?:[A-Z][\w&'’.-]*|of|the))*"
_BYLINE = re.compile(rf"^[ \t]*By ({_NAME})[ \t]*$", re.M)  # By AFP
# each pattern with strings one of which a text must hold for it to match: a substring test
# is far cheaper than a regex scan, and most texts name no source (5.9x on 292k UN paragraphs)
_PATTERNS = [
    (re.compile(rf"\(({_NAME})\)\s*(?:--|—|–|-)\s"), (")",)),  # ARDENHOLM, Sept. 3 (VNA) --
    (re.compile(rf"^[ \t]*\(?({_NAME})\)\s+\d{{1,2}}:\d{{2}}", re.M), (":",)),  # (Xinhua) 18:45
    (re.compile(r"/([A-Z][A-Za-z]{1,12})/"), ("/",)),  # MOSCOW, May 5 /TASS/
    (re.compile(rf"(?:--|—|–)[ \t]*({_NAME})[ \t]*$", re.M), ("--", "—", "–")),  # ... -- Reuters
    (re.compile(rf"^[ \t]*Sources?(?:\(s\))?:[ \t]*({_NAME})[ \t]*$", re.M | re.I), (":",)),
    (re.compile(rf"\((?:With )?(?:input|reporting) from ({_NAME})\)", re.I), ("(",)),
    (_BYLINE, ("By ",)),
]
# in running prose, weaker: used to order copies, not to name a document's outlet
_PROSE = [
    (
        re.compile(rf",? (?:the )?({_NAME}) (?:reported|said in a report)\b"),
        ("reported", "said in a report"),
    ),
    (re.compile(rf"\baccording to (?:the )?({_NAME})\b"), ("according to",)),
]
_STANDALONE = re.compile(r"^[ \t]*([A-Z]{2,8})[ \t]*$", re.M)  # a "CGTN" line under the headline
_TOP_LINES = 15


def wire_credits(text: str, prose: bool = True) -> list[str]:
    """The names ``text`` credits as its source, as written, first found first; ``prose=False``
    leaves out credits in running text ("..., X reported", "according to X")."""
    found: dict[str, None] = {}
    for pattern, needles in _PATTERNS + (_PROSE if prose else []):
        if not any(needle in text for needle in needles):
            continue
        for match in pattern.finditer(text):
            found[_clean(match.group(1))] = None
    return [name for name in found if name]


def byline_outlet(text: str) -> str | None:
    """The outlet a page names for itself near its top: a ``By X`` line, or an acronym alone
    on a line (``CGTN``), else ``None``."""
    top = "\n".join(text.splitlines()[:_TOP_LINES])
    by = _BYLINE.search(top)
    if by:
        return _clean(by.group(1))
    alone = _STANDALONE.search(top)
    return alone.group(1) if alone else None


def initials(outlet: str) -> str:
    """``VNA`` for "Valdoria News Agency" (capitalised words only)."""
    return "".join(w[0] for w in re.findall(r"[A-Za-z][\w'’]*", outlet) if w[0].isupper())


def matches(credits: list[str], outlet: str | None) -> bool:
    """Whether one of ``credits`` names ``outlet`` (its full name, a name it starts with, or
    its initials)."""
    if not outlet:
        return False
    name = outlet.casefold()
    short = initials(outlet)
    for credit in credits:
        c = credit.casefold()
        if c == name or name.startswith(c + " ") or c.startswith(name + " "):
            return True
        if len(short) >= 2 and credit == short:
            return True
    return False


def _clean(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" .,'’-")
    return re.sub(r"^(?:the|The) ", "", name)


def outlet_from_text(text: str) -> tuple[str, str] | None:
    """The outlet a text names, and how: its byline or masthead line near the top
    (``"byline"``: ``By Xinhua``, a ``CGTN`` line), else the first wire credit it carries
    (``"credit"``: ``(Xinhua)``, ``Source: Xinhua News Agency``), else ``None``."""
    byline = byline_outlet(text)
    if byline:
        return byline, "byline"
    credits = wire_credits(text, prose=False)
    return (credits[0], "credit") if credits else None
