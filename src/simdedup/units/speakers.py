"""Who said it: the speaker a unit's reporting frame names, resolved within its article.

A frame names its speaker the way articles do: in full with the office at first ("Chinese
Foreign Ministry spokesperson Mao Ning"), short later ("Mao", "Mr. Wang"), by role ("the
spokesperson", "the Russian leader") or by pronoun ("he"). :func:`mention_of` reads the mention
off the parse and classifies it; :func:`resolve` turns an article's mentions into speakers:

- a *name* is the mention's proper-noun run without its titles ("Mao Ning"); a shorter name of
  the article ("Mao", "Wang") becomes the full one it is part of (the nearest earlier one, else
  the first later one), compared without accents or case;
- a *pronoun* ("he", "she") is the article's last named person;
- a *role* ("the spokesperson") is the last speaker whose mention held that word, else the last
  named person;
- an unnamed *group* ("the two sides", "officials", "the joint statement") has no speaker.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Token

NAME, PRONOUN, ROLE, GROUP = "name", "pronoun", "role", "group"
PRONOUNS = {"he", "she", "him", "her"}
PARTICLES = {
    "von",
    "der",
    "van",
    "de",
    "del",
    "della",
    "di",
    "da",
    "du",
    "bin",
    "al",
    "la",
    "le",
    "ibn",
}
# words of an office or an honorific, cut from the front of a name ("Secretary General Mark
# Rutte" -> "Mark Rutte"); lower case
TITLES = {
    "president", "vice", "prime", "minister", "foreign", "secretary", "general", "state", "mr",
    "mr.", "ms", "ms.", "mrs", "mrs.", "dr", "dr.", "prince", "princess", "king", "queen",
    "crown", "sheikh", "emir", "chancellor", "premier", "ambassador", "spokesperson",
    "spokesman", "spokeswoman", "commissioner", "deputy", "high", "representative", "chief",
    "senator", "governor", "chairman", "chair", "chairwoman", "envoy", "special", "director",
    "councillor", "counselor", "adviser", "advisor", "aide", "head", "leader", "lord", "sir",
    "his", "her", "excellency", "majesty", "highness", "honorable", "defence", "defense",
    "trade", "external", "affairs", "interior", "finance", "economy", "assistant", "executive",
    "first", "acting", "senior", "permanent", "delegate", "counsellor", "officer", "mayor",
    "tsar", "czar", "host", "pope", "cardinal", "ministry", "council", "committee", "bureau",
    "commission", "federation", "party", "office", "department", "parliament", "assembly",
    "congress", "government", "cabinet", "agency", "union", "organization", "organisation",
}  # fmt: skip
ROLES = {
    "spokesperson", "spokesman", "spokeswoman", "ambassador", "minister", "president", "premier",
    "leader", "chancellor", "envoy", "secretary", "diplomat", "commissioner", "chief", "head",
    "king", "prince", "emir", "official", "aide", "chairman", "chair", "representative",
    "governor", "counterpart", "host", "visitor", "guest", "mayor",
}  # fmt: skip
_GROUP_WORDS = {
    "sides", "officials", "leaders", "statement", "communique", "communiqué", "declaration",
    "readout", "both", "parties", "countries", "ministers", "participants", "delegations",
    "they", "we", "analysts", "experts", "it",
}  # fmt: skip


@dataclass(frozen=True)
class Mention:
    """How a frame names its speaker: ``text`` as written, its ``kind`` (name, pronoun, role,
    group), and ``name`` (a name's proper-noun run without titles; a role's role word)."""

    text: str
    kind: str
    name: str | None = None
    words: tuple[str, ...] = ()  # the mention's lower-case words (a role looks for its word)
    titled: bool = False  # a title came before the name ("President", "Mr."): a person
    subject: bool = True  # the subject of its clause (else a name seen elsewhere)

    def to_json(self) -> list[Any]:
        return [self.text, self.kind, self.name, list(self.words), self.titled, self.subject]

    @classmethod
    def from_json(cls, data: list[Any]) -> Mention:
        return cls(str(data[0]), str(data[1]), data[2], tuple(data[3]), data[4], data[5])


def mention_of(frame: Token | None) -> Mention | None:
    """The speaker mention of a reporting verb (its subject, or its head's for a participle
    such as "saying", "noting") or of an "According to X" phrase."""
    if frame is None:
        return None
    subject: Token | None = None
    if frame.lower_ == "according":
        objects = [g for c in frame.children if c.lower_ == "to" for g in c.children]
        subject = next((g for g in objects if g.dep_ == "pobj"), None)
    else:
        verb: Token | None = frame
        for _ in range(4):
            if verb is None:
                break
            subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subject is not None or verb.head is verb:
                break
            verb = verb.head
    if subject is None:
        return None
    return subject_mention(subject)


def subject_mention(subject: Token) -> Mention | None:
    """The mention a subject token makes (its subtree up to the head, names and titles)."""
    tokens = [t for t in subject.subtree if not t.is_punct or t.text in (".", "-")]
    # a relative clause or apposition after the head is not part of the name
    tokens = [t for t in tokens if t.i <= subject.i or t.dep_ in ("compound", "flat")]
    if not tokens:
        return None
    doc = subject.doc
    text = doc[tokens[0].i : tokens[-1].i + 1].text
    words = tuple(t.lower_ for t in tokens)
    if subject.lower_ in PRONOUNS and len(tokens) == 1:
        return Mention(text, PRONOUN, None, words)
    appos = next((c for c in subject.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    owner = next((c for c in subject.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
    if subject.pos_ != "PROPN" and appos is not None:  # "the EU's top diplomat, Kaja Kallas,"
        text = doc[tokens[0].i : appos.i + 1].text
        subject, tokens = appos, [t for t in appos.subtree if t.i <= appos.i]
    elif subject.pos_ != "PROPN" and owner is not None and subject.lower_ not in ROLES:
        subject, tokens = owner, [t for t in owner.subtree if t.dep_ != "case"]
    named = _name(subject, tokens)
    if named:
        return Mention(text, NAME, named[0], words, named[1])
    if subject.lower_ in _GROUP_WORDS or subject.tag_ in ("NNS", "NNPS"):
        return Mention(text, GROUP, None, words)
    if subject.lower_ in ROLES:
        return Mention(text, ROLE, subject.lower_, words)
    return Mention(text, GROUP, None, words)


def name_at(token: Token) -> Mention | None:
    """The name whose proper-noun run ends at ``token`` (a name seen anywhere in a sentence,
    not as a speaker: it teaches the article its full names)."""
    named = _name(token, list(token.sent))
    if named is None:
        return None
    return Mention(named[0], NAME, named[0], (), named[1], subject=False)


def _name(head: Token, tokens: list[Token]) -> tuple[str, bool] | None:
    """The proper-noun run that ends at (or holds) ``head`` without its leading titles, and
    whether a title (or the word before the run) marked it as a person's."""
    if head.pos_ != "PROPN":
        return None
    run = [head]
    by_index = {t.i: t for t in tokens}
    i = head.i - 1
    while i in by_index and (
        by_index[i].pos_ == "PROPN"
        or by_index[i].text in (".", "-")
        or (by_index[i].lower_ in PARTICLES and i - 1 in by_index)  # "von der", "bin", "al"
    ):
        run.insert(0, by_index[i])
        i -= 1
    words = [t.text for t in run]
    last_title = max((k for k, w in enumerate(words) if w.lower() in TITLES), default=-1)
    before = by_index.get(run[0].i - 1)
    titled = last_title >= 0 or (before is not None and before.lower_ in TITLES)
    words = words[last_title + 1 :]
    while words and (words[0] in (".", "-") or words[0].lower() in PARTICLES - {"von", "van"}):
        words.pop(0)
    if not words:
        return None
    return " ".join(words).replace(" - ", "-").replace(" .", "."), titled


def fold(name: str) -> str:
    """``name`` without accents, case or a leading "the", for comparing names."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()
    return text[4:] if text.startswith("the ") else text


def resolve(
    paragraphs: Sequence[Sequence[tuple[int, Mention | None, bool]]],
) -> list[list[str | None]]:
    """Speakers of an article's units (see the module docstring). Each paragraph is a list of
    events in reading order: ``(offset, mention, is_unit)``; a unit's mention is its frame's
    (or ``None``), the others are names seen in the text. Returns, per paragraph, the speaker
    of each unit event. A name counts as a person's (a later "he" refers to it) when a title
    marks it or its full form anywhere in the article, or it has two words or more."""
    seen = [m for ev in paragraphs for _, m, _ in ev if m is not None and m.kind == NAME]
    full = _full_names(list(dict.fromkeys(m.name for m in seen if m.name)))
    persons = {full.get(m.name, m.name) for m in seen if m.name and m.titled}
    out: list[list[str | None]] = []
    last_person: str | None = None
    by_role: dict[str, str] = {}
    for events in paragraphs:
        speakers: list[str | None] = []
        for _, m, is_unit in events:
            speaker: str | None = None
            if m is None or m.kind == GROUP:
                speaker = None
            elif m.kind == NAME and m.name:
                speaker = full.get(m.name, m.name)
                if m.subject and (speaker in persons or " " in speaker):
                    last_person = speaker
                    for word in m.words:
                        if word in ROLES:
                            by_role[word] = speaker
            elif m.kind == PRONOUN:
                speaker = last_person
            elif m.kind == ROLE:
                speaker = by_role.get(m.name or "", last_person)
            if is_unit:
                speakers.append(speaker)
        out.append(speakers)
    return out


def _full_names(names: list[str]) -> dict[str, str]:
    """Each name of an article mapped to a longer name of it that holds all its words in order:
    the nearest earlier one, else the first later one."""
    out: dict[str, str] = {}
    folded = [fold(n).split() for n in names]
    for i, name in enumerate(names):
        if name in out:
            continue
        holders = [
            j for j in range(len(names))
            if len(folded[j]) > len(folded[i]) and _contains(folded[j], folded[i])
        ]  # fmt: skip
        earlier = [j for j in holders if j < i]
        if earlier or holders:
            out[name] = names[max(earlier) if earlier else min(holders)]
    return out


def _contains(longer: list[str], words: list[str]) -> bool:
    n = len(words)
    return any(longer[k : k + n] == words for k in range(len(longer) - n + 1))


def speaks(speaker: str | None, wanted: Sequence[str]) -> bool:
    """Whether ``speaker`` is one of ``wanted``: the same name, or one whose words it holds
    ("Lavrov" and "sergey lavrov" match "Sergey Lavrov"), without accents or case."""
    if not speaker:
        return False
    words = fold(speaker).split()
    return any(_contains(words, fold(name).split()) for name in wanted if name.strip())


def merge_spellings(counts: dict[str, int]) -> dict[str, int]:
    """Speaker counts of several articles with one name per person: a name whose words a longer
    name holds joins it when only one does ("Xi" -> "Xi Jinping"), and names alike but for the
    spelling of the first name join the most frequent ("Sergey Lavrov" -> "Sergei Lavrov":
    same surname, same initial, as many words). Most frequent first."""
    names = sorted(counts, key=lambda n: (-counts[n], n))
    folded = {n: fold(n).split() for n in names}
    target: dict[str, str] = {}
    for name in names:
        words = folded[name]
        for other in names:
            if other == name or target.get(other, other) != other:
                continue
            longer = folded[other]
            holds = _contains(longer, words) and len(longer) > len(words)
            holds = (
                holds
                and sum(  # only one longer name holds it ("Wang": Wang Yi or Wenbin?)
                    len(folded[n]) > len(words) and _contains(folded[n], words) for n in names
                )
                == 1
            )
            alike = (
                len(longer) == len(words) >= 2
                and longer[-1] == words[-1]
                and longer[0][:1] == words[0][:1]
                and names.index(other) < names.index(name)
            )
            if holds or alike:
                target[name] = other
                break
    merged: dict[str, int] = {}
    for name in names:
        key = target.get(name, name)
        merged[key] = merged.get(key, 0) + counts[name]
    return dict(sorted(merged.items(), key=lambda kv: (-kv[1], kv[0])))
