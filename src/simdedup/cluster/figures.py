"""The figures a statement commits to, in digits or in words.

Sentence embeddings see two statements that differ in one decisive figure ("the 30th
anniversary" vs "the 50th anniversary", "100 billion dollars" vs "300 billion dollars") as
near-identical. This cheap lexical check finds such conflicts so that clustering can keep the
statements apart.
"""

from __future__ import annotations

import re

# fmt: off
_UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = [
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
    "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
    "sixteenth", "seventeenth", "eighteenth", "nineteenth",
]
_TENS_ORDINALS = [
    "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth",
    "ninetieth",
]
# fmt: on
WORD_VALUES: dict[str, float] = {w: float(i) for i, w in enumerate(_UNITS)}
WORD_VALUES.update({w: float(20 + 10 * i) for i, w in enumerate(_TENS)})
WORD_VALUES.update({w: float(i) for i, w in enumerate(_ORDINALS)})
WORD_VALUES.update({w: float(20 + 10 * i) for i, w in enumerate(_TENS_ORDINALS)})
WORD_VALUES.update({"hundredth": 100.0, "dozen": 12.0})
# "one", "first" and "second" are mostly not figures ("one of the", "first visit", "a second")
_NOT_FIGURES = {"zero", "zeroth", "one", "first", "second"}
_SCALES = {"hundred": 100.0, "decades": 10.0, "centuries": 100.0}

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?|[A-Za-z]+(?:-[A-Za-z]+)*")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def figures(text: str) -> frozenset[float]:
    """The figures a text states, digits or words ("thirty", "30th", "three decades" -> 30),
    leaving out calendar years (1900-2100 written as four digits), which incidental context
    ("in 1994", "this year, 2024") adds to paraphrases of one claim."""
    out: set[float] = set()
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    for i, token in enumerate(tokens):
        value: float | None = None
        # only a token starting with a digit can hold one (\d is what isdecimal() accepts)
        digits = _DIGITS.match(token) if token[0].isdecimal() else None
        if digits:
            number = digits.group(0)
            if len(number) == 4 and number.isdigit() and 1900 <= int(number) <= 2100:
                continue
            try:
                value = float(number.replace(",", ""))
            except ValueError:
                continue
        elif token in WORD_VALUES and token not in _NOT_FIGURES:
            value = WORD_VALUES[token]
        elif "-" in token and all(part in WORD_VALUES for part in token.split("-")):
            value = sum(WORD_VALUES[part] for part in token.split("-"))
        elif token == "half" and tokens[i + 1 : i + 3] in (["a", "century"], ["century"]):
            value = 50.0
        if value is None:
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        value *= _SCALES.get(following, 1.0)
        out.add(value)
    return frozenset(out)


def figures_conflict(a: frozenset[float], b: frozenset[float]) -> bool:
    """Both state figures and share none: another anniversary, another sum, another count."""
    return bool(a and b and not a & b)
