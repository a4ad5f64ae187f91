"""Paragraphs: split an article, strip page boilerplate, normalise, and give stable ids.

An article becomes paragraphs in five steps:

1. Split on blank lines into blocks; a block whose lines are hard-wrapped prose is joined into one
   paragraph, any other block gives one paragraph per line (scraped pages put one paragraph on a
   line).
2. Drop page furniture that real scrapes carry: cookie and privacy banners, comment forms
   ("Leave a Reply"), "Related Articles" lists (everything after such a heading, once the
   article has begun), copyright and
   "Source(s):" lines, share/search widgets, photo captions and credits, "Published/Updated"
   lines, "ALSO READ" links. Each rule matches only short lines of its own shape, so a sentence
   that mentions cookies or a headline ending in "(Video)" is content.
3. Strip a leading wire dateline ("PORT ELSIN, Nov. 18 (VNA) -- ") and bullet characters. A
   dateline is a capitalised place with a dash, or with a date or an agency and a dash or colon;
   "SXSW:" or "MARKET SNAPSHOT:" alone is part of a headline and stays.
4. Drop fragments shorter than ``min_chars``.
5. Drop a headline the page repeats: a first paragraph equal to the record's title, or equal
   to an earlier paragraph at the top (never a document's only paragraph).

:meth:`Segmenter.explain` says what each step removed (a :class:`Removed` with its rule).
Each :class:`Segment` keeps its index among the kept paragraphs (``para``), its character
offsets into the original text (``text == original[start:end]``), its pid ``"{doc_id}:{para}"``
and the hash of its normalised text, which the exact-duplicate pass and the embedding cache key on.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from simdedup.checks import check_int

_TERMINAL = tuple(".!?:;\"'”’)]…")
_TAIL_MARKERS = re.compile(
    r"^(related( (articles?|stories|news|content|posts|coverage|links))?"
    r"|more (stories|news|from [\w .]*[\w.]|on this (story|topic))|read next|explore more|see more"
    r"|you (may|might) also like|recommended( for you| stories)?"
    r"|most (read|popular|viewed)|read more|trending( now)?|latest news|editor'?s picks?)\s*:?$",
    re.IGNORECASE,
)
_MARKER_MAX = 80  # a related-articles heading is a few words; longer lines are not tried
_WIDGETS = {
    "i agree", "agree", "accept", "accept all", "accept all cookies", "accept cookies",
    "reject all", "ok", "got it", "close", "menu", "search", "search trends", "share",
    "share this", "share this article", "share this story", "share on facebook",
    "share on twitter", "tweet", "print", "email", "e-mail", "facebook", "twitter", "x",
    "whatsapp", "linkedin", "telegram", "weibo", "wechat", "copy link", "subscribe",
    "sign in", "log in", "login", "sign up", "advertisement", "back to top", "top",
    "more", "comments", "download app", "home", "next", "previous", "follow us",
}  # fmt: skip
_CONSENT = r"(polic(y|ies)|settings|consent|accept|agree|brows|use of|preferences)"
# (rule, pattern, longest line it may match, case-sensitive): a longer line is prose.
_LINE_PATTERNS: list[tuple[str, str, int, bool]] = [
    # a banner speaks to the reader about this site; a sentence about cookies is news
    ("cookie/privacy banner",
     r"\b(we|this (web)?site|our (web)?site|our partners)\b.{0,40}\buses? cookies\b", 400, False),
    ("cookie/privacy banner",
     r"\b(by (continuing|using|browsing|clicking|signing up)|if you continue)\b.{0,80}"
     r"\b(cookies?|privacy|terms)\b", 400, False),
    ("cookie/privacy banner",
     r"\bcookies?\b.{0,80}\b(you (agree|consent|accept)|cookie (policy|settings|notice))", 400,
     False),
    ("cookie/privacy banner", r"\b(manage|change) (your )?(cookie|privacy) (settings|prefer)",
     300, False),
    ("cookie/privacy banner", r"^(we value your privacy|(our|your) privacy (choices|notice))",
     80, False),
    ("cookie/privacy banner", r"^(read )?our\b.*\bprivacy (policy|statement|notice)\b", 80, False),
    ("cookie/privacy banner", r"^privacy (policy|statement|notice|settings)\b", 120, False),
    ("cookie/privacy banner", r"^terms (of (use|service)|(&|and) conditions)\b", 120, False),
    ("comment form", r"^leave a (reply|comment)\b", 120, False),
    ("comment form", r"your email address will not be published", 300, False),
    ("comment form", r"required fields are marked", 300, False),
    ("comment form", r"^save my name, email,? and website\b", 200, False),
    ("comment form", r"^you must be logged in to (post|leave) a comment", 120, False),
    # "Copyright © 2024 X", "© X", "(c) 2024"; "Copyright specialists said ..." is news
    ("copyright", r"^(copyright\s*(©|\(c\))?\s*(\d{4}|©|$)|©|\(c\)\s*\d{4})", 300, False),
    ("copyright", r"\ball rights reserved\b", 300, False),
    ("source line", r"^sources?\s*(\(s\))?\s*:", 120, False),
    # "(PHOTO / XINHUA)", "(Photo: Reuters)", "(File photo)"; a headline's "(Video)" is content
    ("photo caption",
     r"\(\s*(photos?|image|video)\s*(/|:|by\b|credit|courtesy)[^)]*\)\s*$", 400, False),
    ("photo caption", r"\[\s*(photo|image|video)s?\s+by\b[^\]]*\]\s*$", 400, False),
    ("photo caption", r"\(\s*file (photo|image)[^)]*\)\s*$", 400, False),
    ("photo caption", r"\bfile (photo|image|picture)\b\W*$", 400, False),
    # "Photo: OECD/Julien Marchal", "Image: Getty Images"; "Photos: Afghan nomads on the road"
    # is a headline: a credit is names only
    ("photo caption",
     r"^(?i:photos?|file photo|images?|pictures?|photograph|cover image)\s*(?i::|/|by\b|credits?)"
     r"\s*[A-Z][\w.&'’-]*([\s/,]+([A-Z][\w.&'’-]*|of|and|de|the|for)){0,6}\s*$", 400, True),
    ("photo caption", r"^(photo|video|image) (caption|by)\b", 400, False),
    ("photo caption", r"\bphoto\s*(credit|courtesy)\b", 400, False),
    ("photo caption",  # "... in Berlin. Image: Jens Maurer/REUTERS", "... Picture: Darren Leigh"
     r"[.!?]\s+(photo|image|picture|photograph)\s*:\s*[^.!?]{2,60}$", 400, False),
    ("photo caption", r"\(\s*[A-Z][\w ]{1,20}/\s*[A-Z][^)]{1,40}\)\s*$", 400, True),  # (AFP/Name)
    # "... on Tuesday. /Xinhua"
    ("photo caption", r"(^|[\s.])/\s*[A-Z][\w.&-]*(\s+[A-Z][\w.&-]*){0,3}\s*$", 400, True),
    ("link", r"^(also read|read also|see also|read more|read next|related)\s*:", 300, False),
    ("byline", r"^\(?with (input|additional reporting) from\b.*\)?$", 120, False),
    ("byline", r"^(editor|edited by|reporter|writer|translator|author)s?\s*:", 120, False),
    ("byline", r"^((additional )?reporting|writing|editing) by\b", 300, False),
    ("byline", r"\bcontributed to this (report|story)\.?$", 200, False),
    # "By Renee Castillo | rcastillo@...", "By Zhou Hui in Harbin | China Daily | Updated: ..."
    ("byline", r"^(?i:by)\s+[A-Z][\w.'’-]*(\s+(and\s+)?[A-Z][\w.'’-]*){0,5}\s*$", 80, True),
    ("byline", r"^by\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}(\s+in\s+[A-Z][\w-]*)?\s*[|·]",
     160, False),
    # "By Ellie Hargreaves, Local Democracy Reporter"; "By Tuesday, staff were ..." is news
    ("byline", r"^(?i:by)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3},\s*([\w-]+\s){0,3}"
     r"(?i:reporter|correspondent|editor|writer|staff)\b[\w\s'’&-]{0,40}$", 120, True),
    ("wire note", r"^\((adds|updates|recasts|changes|corrects|fixes|refiles)\b[^)]*\)$", 200,
     False),
    ("wire note", r"^our standards:", 100, False),
    ("wire note", r"^\(?this (story|article) has not been edited\b", 200, False),
    ("wire note", r"^view original content\b", 300, False),
    ("tags", r"^(tags|topics|tópicos|keywords|filed under)\s*:", 300, False),
    ("promotion",
     r"\b(sign up|subscribe|register)\b.{0,60}\b(newsletters?|briefing|for free|free trial)\b",
     160, False),
    ("promotion", r"^(daily |weekly )?newsletter", 100, False),
    ("promotion", r"\b(log in|sign in) or (subscribe|start your free trial|register)\b", 200,
     False),
    ("promotion", r"^(click here to|download (the|our)\b.*\bapp\b|follow (us|\w+'s coverage))",
     160, False),
    ("promotion", r"^subscribe to\b", 160, False),
    ("promotion", r"^support (our|[\w'’ ]{1,30}) journalism\b", 120, False),
    ("promotion", r"^do you have a (story|news tip)\b", 160, False),
    ("contact", r"^[^.]{0,60}\S+@\S+\.\w+\s*$", 120, False),  # "Media: Sofia Brandt, sofia@..."
    ("menu", r"^[^|.]{1,40}(\s\|\s[^|.]{1,40}){2,}$", 200, False),  # "Tips | Corrections | About"
]  # fmt: skip
_BOILERPLATE = [
    (rule, re.compile(p) if case else re.compile(p, re.IGNORECASE), limit)
    for rule, p, limit, case in _LINE_PATTERNS
]
_TIMESTAMP_LINE = re.compile(
    r"^(published|updated|last updated?|posted|first published|release time)\b", re.IGNORECASE
)
_TIMESTAMP_TOKENS = re.compile(
    r"\b(published|updated?|last|posted|first|release|time|on|at|by|gmt|utc|bst|cst|cet|ist"
    r"|et|est|edt|pst|pdt|am|pm|a\.m|p\.m|mon|tue|wed|thu|fri|sat|sun|\d+(am|pm)"
    r"|jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?|\d+)\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_STAMP_WORD = re.compile(r"\b(published|updated|posted)\b", re.IGNORECASE)
_PLACE = r"[A-Z][A-Z.'\- ]{1,40}[A-Z.]"  # PORT ELSIN / RIO DE JANEIRO / U.N. (match() anchors)
_REGION = r",\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?(?=\s*(?:\(|--|—|–|-))"  # ", Texas —"
_DAY = (
    r",\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)(?:,\s*\d{4})?"  # , Nov. 18
)
_AGENCY = r"\s*(?:\([^)]{1,40}\)|/[A-Za-z][\w .-]{1,30}/)"  # (Xinhua), /TASS/, /PRNewswire/
_DASH = r"\s*(?:--|—|–|-)"
# A dateline is a place with a dash ("BEIJING -", "AUSTIN, Texas —"), or a place with a date or
# an agency and a dash or colon: "SXSW:", "VIDEO:" or "MARKET SNAPSHOT:" alone are headline
# words, kept. "SAN FRANCISCO--(BUSINESS WIRE)--" is the press-release form.
_DATELINE = re.compile(
    rf"{_PLACE}(?:(?:{_REGION})?(?:{_DAY})?(?:{_AGENCY})?{_DASH}\s+"
    rf"|(?:(?:{_DAY})(?:{_AGENCY})?|{_AGENCY})\s*:\s+"
    rf"|{_DASH}\s*\([A-Z][A-Za-z ]{{1,30}}\){_DASH}\s*)"
)
_BULLET = re.compile(r"[\s•·*▪►■◆●>\-–—]+(?=\S)")


class _WordChars(dict[int, int]):
    """``str.translate`` table: a word character (``str.isalnum``) stays, any other becomes a
    space; filled on first sight of each code point, so translating runs at C speed."""

    def __missing__(self, code: int) -> int:
        kept = code if chr(code).isalnum() else 32
        self[code] = kept
        return kept


_WORD_CHARS = _WordChars()
DATELINE_BODY = 150  # a paragraph this long is a body paragraph, punctuation or not
HEADLINE_PARAGRAPHS = 3  # a repeated headline is among the first paragraphs kept ...
HEADLINE_CHARS = 300  # ... and no longer than this
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")


@dataclass(frozen=True)
class Segment:
    """One kept paragraph of a document; ``text`` equals ``original_text[start:end]``."""

    pid: str
    doc_id: str
    para: int
    start: int
    end: int
    text: str
    hash: str


@dataclass(frozen=True)
class Removed:
    """Text a :class:`Segmenter` left out of a document, and the rule that removed it
    (one of :data:`RULES`); ``text == original_text[start:end]``."""

    doc_id: str
    start: int
    end: int
    text: str
    rule: str


#: Every rule a :class:`Segmenter` removes text by, in the order the run summary lists them.
RULES = (
    *dict.fromkeys(rule for rule, *_ in _LINE_PATTERNS),
    "widget", "timestamp", "after a related-articles heading", "dateline",
    "repeated headline", "too short",
)  # fmt: skip


class Segmenter:
    """Turn an article into :class:`Segment` objects.

    Parameters
    ----------
    min_chars:
        Paragraphs shorter than this many characters (after stripping) are dropped: bylines,
        datelines, captions that slipped through. 40 keeps one-sentence statements and headlines.
    strip_boilerplate:
        Drop page furniture (banners, widgets, related-article lists, credits) and a headline
        the page repeats (the record's title, or an earlier paragraph, again at the top); see the
        module doc.
    strip_datelines:
        Remove a leading wire dateline such as ``"BEIJING, Nov. 18 (Xinhua) -- "`` so reprints
        with and without it hash and embed alike.
    """

    def __init__(
        self,
        min_chars: int = 40,
        *,
        strip_boilerplate: bool = True,
        strip_datelines: bool = True,
    ) -> None:
        check_int(min_chars, "min_chars")
        self.min_chars = min_chars
        self.strip_boilerplate = strip_boilerplate
        self.strip_datelines = strip_datelines

    def split(self, doc_id: str, text: str, title: str | None = None) -> list[Segment]:
        """Return the kept paragraphs of ``text``, numbered from 0, with offsets into ``text``;
        ``title`` is the document's headline from its metadata, if any."""
        return self.explain(doc_id, text, title)[0]

    def explain(
        self, doc_id: str, text: str, title: str | None = None
    ) -> tuple[list[Segment], list[Removed]]:
        """:meth:`split`, and what it removed, in text order, each with its rule."""
        kept: list[tuple[int, int]] = []
        removed: list[Removed] = []

        def remove(start: int, end: int, rule: str) -> None:
            removed.append(Removed(doc_id, start, end, text[start:end], rule))

        spans = self._spans(text)
        for start, end in spans:
            start, end = _strip_span(text, start, end)
            if self.strip_boilerplate:
                if end - start <= _MARKER_MAX and _TAIL_MARKERS.match(text[start:end]):
                    if kept:  # the article is over: the rest is a list of other stories
                        remove(start, spans[-1][1], "after a related-articles heading")
                        break
                    remove(start, end, "widget")  # a menu item above the article
                    continue
                rule = boilerplate_rule(text[start:end])
                if rule is not None:
                    remove(start, end, rule)
                    continue
            if self.strip_datelines:
                body = _skip_dateline(text, start, end, self.min_chars)
                if body > start:
                    remove(start, body, "dateline")
                start = body
            if end - start < self.min_chars:
                if end > start:
                    remove(start, end, "too short")
                continue
            kept.append((start, end))
        if self.strip_boilerplate:
            for start, end in _repeated_headlines(text, kept, title):
                kept.remove((start, end))
                remove(start, end, "repeated headline")
        removed.sort(key=lambda r: r.start)
        segments = [
            Segment(f"{doc_id}:{para}", doc_id, para, start, end, text[start:end],
                    text_hash(text[start:end]))
            for para, (start, end) in enumerate(kept)
        ]  # fmt: skip
        return segments, removed

    def _spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each candidate paragraph: blocks split on blank lines, then lines."""
        spans: list[tuple[int, int]] = []
        lines: list[tuple[int, int]] = []  # the current block's non-blank lines
        pos = 0
        for raw in text.splitlines(keepends=True):
            body = raw.rstrip("\r\n")
            if body.strip():
                lines.append((pos, pos + len(body)))
            elif lines:
                spans.extend(_block_spans(text, lines))
                lines = []
            pos += len(raw)
        if lines:
            spans.extend(_block_spans(text, lines))
        return spans


def is_boilerplate(line: str) -> bool:
    """True when ``line`` is page furniture rather than article text."""
    return boilerplate_rule(line) is not None


def boilerplate_rule(line: str) -> str | None:
    """The rule (one of :data:`RULES`) by which ``line`` is page furniture, or ``None``."""
    stripped = line.strip()
    if stripped.lower().rstrip(" .:|>»") in _WIDGETS:
        return "widget"
    for rule, pattern, limit in _BOILERPLATE:
        if len(stripped) <= limit and pattern.search(stripped):
            return rule
    return "timestamp" if _is_timestamp_line(stripped) else None


def _repeated_headlines(
    text: str, kept: list[tuple[int, int]], title: str | None
) -> list[tuple[int, int]]:
    """Spans at the top that repeat the title or the paragraph before (a scrape's headline
    again), never the only paragraph of a document."""
    seen = {normalize_text(title)} if title and title.strip() else set()
    repeats = []
    for n, (start, end) in enumerate(kept[:HEADLINE_PARAGRAPHS]):
        if end - start > HEADLINE_CHARS:
            break
        key = normalize_text(text[start:end])
        if key in seen:
            repeats.append((start, end))
        elif n > len(repeats):  # past the headline and its repeats: the article has begun
            break
        seen.add(key)
    return repeats if len(repeats) < len(kept) else repeats[1:]


def _is_timestamp_line(line: str) -> bool:
    """ "Published: 19:55, February 8, 2024 | Updated: ...", "13:47, Sun, Jan 7, 2024 |
    UPDATED: ..." and the like, but not prose: few words besides dates, times and zones."""
    if len(line) > 160:
        return False
    left = len(re.findall(r"[A-Za-z]{2,}", _TIMESTAMP_TOKENS.sub(" ", line)))
    if _TIMESTAMP_LINE.match(line):
        return left <= 2
    return left <= 3 and bool(_CLOCK.search(line)) and bool(_STAMP_WORD.search(line))


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (a light rule: end punctuation, then a capital)."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def normalize_text(text: str) -> str:
    """Canonical form for the exact pass: NFKC, case-folded, punctuation and spacing removed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # runs of non-word characters (regex [\W_]+) become one space, ends stripped
    return " ".join(folded.translate(_WORD_CHARS).split())


def text_hash(text: str) -> str:
    """Stable 128-bit hex hash of :func:`normalize_text` (same in every process and platform)."""
    return hashlib.blake2b(normalize_text(text).encode("utf-8"), digest_size=16).hexdigest()


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a span to exclude surrounding whitespace and leading bullet characters."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    bullet = _BULLET.match(text, start, end)
    return (bullet.end() if bullet else start), end


def _skip_dateline(text: str, start: int, end: int, min_chars: int) -> int:
    """New start past a leading wire dateline, when enough text follows it and it opens a
    body paragraph (one that ends a sentence or runs long), not a headline ("U.S. - China
    dialogue takes place in Iowa")."""
    dateline = _DATELINE.match(text, start, end)
    if not dateline or end - dateline.end() < min_chars:
        return start
    if end - start > DATELINE_BODY or text[start:end].rstrip().endswith(_TERMINAL):
        return dateline.end()
    return start


def _block_spans(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One span for a hard-wrapped block, else one span per line."""
    if len(lines) > 1 and _is_wrapped([text[s:e].strip() for s, e in lines]):
        return [(lines[0][0], lines[-1][1])]
    return lines


def _is_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped prose: long non-final lines that mostly end mid-sentence, continued either
    by a lower-case word or at a steady width; page furniture never counts as prose."""
    body = lines[:-1]
    widths = [len(line) for line in body]
    if min(widths) < 40 or any(is_boilerplate(line) for line in lines):
        return False
    open_ended = sum(1 for line in body if not line.endswith(_TERMINAL))
    if open_ended * 2 <= len(body):
        return False
    continued = any(nxt[:1].islower() for nxt in lines[1:])
    steady = len(body) >= 3 and max(widths) - min(widths) <= 0.3 * max(widths)
    return continued or steady


class WholeText:
    """A segmenter that keeps each text whole: one paragraph per text, nothing stripped or
    dropped (how a plain list of strings is read by :func:`simdedup.dedup` and the others)."""

    def split(self, doc_id: str, text: str, title: str | None = None) -> list[Segment]:
        return self.explain(doc_id, text, title)[0]

    def explain(
        self, doc_id: str, text: str, title: str | None = None
    ) -> tuple[list[Segment], list[Removed]]:
        return [Segment(f"{doc_id}:0", doc_id, 0, 0, len(text), text, text_hash(text))], []
