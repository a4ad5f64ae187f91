"""The pipeline's attribute rules by dictionary lookup: spaCy's ``attribute_ruler`` (a token's
part of speech from its tag, then the exceptions: "that" as a pronoun, "do" as an auxiliary)
without spaCy's Matcher, which took about a third of the small English pipeline's time on
UN paragraphs.

:func:`compile_rules` reads the ruler's patterns and :class:`TagRules` applies them with the
ruler's semantics: every pattern is tested on the tokens as the parser left them, and where
several match a token the later pattern wins. Only the attributes the cut reads are set
(``POS``, ``TAG``, ``DEP``); lemmas and morphology are not (the lemmatizer is not loaded, and
nothing reads them). A pipeline whose patterns take another form keeps its own ruler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

KEPT = ("POS", "TAG", "DEP")  # the attributes set; the others a pattern sets are left alone
_READ = {"TAG": "tag_", "LOWER": "lower_", "DEP": "dep_", "IS_SPACE": "is_space"}
_SET = {"POS": "pos_", "TAG": "tag_", "DEP": "dep_"}
_FIRST = {"DEP": 0, "LOWER": 1, "IS_SPACE": 2, "TAG": 3}  # the order a token's tests run in

Test = Callable[[Any], bool]


@dataclass(frozen=True)
class _Rule:
    """One pattern: a test per token of the span (the attribute read, the test), the token of
    the span whose attributes it sets, what it sets, and the values its first token may take
    for each attribute a pattern names by value (for the lookup)."""

    order: int
    tokens: tuple[tuple[tuple[str, Test], ...], ...]
    index: int
    attrs: tuple[tuple[str, str], ...]
    first: dict[str, frozenset[Any]]

    def matches(self, values: dict[str, list[Any]], at: int, n: int) -> bool:
        if at + len(self.tokens) > n:
            return False
        for k, tests in enumerate(self.tokens):
            for key, test in tests:
                if not test(values[key][at + k]):
                    return False
        return True

    def lookup_keys(self) -> list[tuple[Any, ...]]:
        """Where the lookup files this rule: by its first token's tag and word when it names
        both, else by the first attribute it names by value; ``[()]``: checked everywhere."""
        if "TAG" in self.first and "LOWER" in self.first:
            return [("TAG+LOWER", t, w) for t in self.first["TAG"] for w in self.first["LOWER"]]
        for key in _READ:
            if key in self.first:
                return [(key, v) for v in self.first[key]]
        return [()]


class TagRules:
    """Apply compiled attribute rules to a parsed ``Doc`` (see the module docstring)."""

    def __init__(self, rules: Sequence[_Rule]) -> None:
        self.lookup: dict[tuple[Any, ...], list[_Rule]] = {}
        for rule in sorted(rules, key=lambda r: r.order):
            for key in rule.lookup_keys():
                self.lookup.setdefault(key, []).append(rule)
        self.general = self.lookup.pop((), [])

    def __call__(self, doc: Doc) -> Doc:
        values = {key: [getattr(t, attr) for t in doc] for key, attr in _READ.items()}
        n, lookup = len(doc), self.lookup
        found: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
        for at, (tag, word, dep, space) in enumerate(
            zip(values["TAG"], values["LOWER"], values["DEP"], values["IS_SPACE"])
        ):
            for key in (("TAG+LOWER", tag, word), ("TAG", tag), ("DEP", dep), ("LOWER", word),
                        ("IS_SPACE", space)):  # fmt: skip
                for rule in lookup.get(key, ()):
                    if rule.matches(values, at, n):
                        found.append((rule.order, at + rule.index, rule.attrs))
            for rule in self.general:
                if rule.matches(values, at, n):
                    found.append((rule.order, at + rule.index, rule.attrs))
        found.sort(key=lambda f: f[0])  # stable: a later pattern wins, as in the ruler
        for _, at, attrs in found:
            token = doc[at]
            for name, value in attrs:
                setattr(token, _SET[name], value)
        return doc


def compile_rules(patterns: Sequence[dict[str, Any]]) -> TagRules | None:
    """The rules of an ``attribute_ruler``'s ``patterns`` (its ``.patterns``, in order), or
    ``None`` when one takes a form this module does not read (operators, other attributes or
    tests, a span index out of range)."""
    rules: list[_Rule] = []
    for order, entry in enumerate(patterns):
        attrs = tuple((k, str(v)) for k, v in entry["attrs"].items() if k in KEPT)
        for pattern in entry["patterns"]:
            tokens: list[tuple[tuple[str, Test], ...]] = []
            first: dict[str, frozenset[Any]] = {}  # what its first token's tests allow
            for spec in pattern:
                tests = []
                for key in sorted(spec, key=lambda k: _FIRST.get(k, len(_FIRST))):
                    read = _test(spec[key])
                    if key not in _READ or read is None:
                        return None
                    tests.append((key, read[0]))
                    if not tokens and read[1] is not None:
                        first[key] = read[1]
                tokens.append(tuple(tests))
            index = int(entry.get("index", 0))
            if not tokens or not -len(tokens) <= index < len(tokens):
                return None
            if attrs:
                rules.append(_Rule(order, tuple(tokens), index % len(tokens), attrs, first))
    return TagRules(rules)


def _test(value: Any) -> tuple[Test, frozenset[Any] | None] | None:
    """A pattern's test of one attribute, with the values it allows when it names them
    (``"x"``, ``{"IN": [...]}``); ``None`` for a test of another form."""
    if isinstance(value, (str, bool)):
        want = value
        return (lambda v: bool(v == want)), frozenset([value])
    if isinstance(value, dict) and len(value) == 1:
        ((op, items),) = value.items()
        if op in ("IN", "NOT_IN") and isinstance(items, list):
            allowed = frozenset(items)
            if op == "IN":
                return (lambda v: v in allowed), allowed
            return (lambda v: v not in allowed), None
        if op == "REGEX" and isinstance(items, str):
            search = re.compile(items).search  # the Matcher's REGEX: re.search
            return (lambda v: isinstance(v, str) and search(v) is not None), None
    return None


FACTORY = "simdedup_tag_rules"


def use_tag_rules(nlp: Language) -> bool:
    """Put :class:`TagRules` in place of ``nlp``'s ``attribute_ruler`` (same position, same
    tags, parts of speech and labels); ``False``, the ruler kept, when there is none or its
    patterns take a form :func:`compile_rules` does not read."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    patterns = list(nlp.get_pipe("attribute_ruler").patterns)  # type: ignore[attr-defined]
    if compile_rules(patterns) is None:
        return False
    _register()
    nlp.add_pipe(FACTORY, after="attribute_ruler", config={"patterns": patterns})
    nlp.remove_pipe("attribute_ruler")
    return True


def _register() -> None:
    from spacy.language import Language

    if Language.has_factory(FACTORY):
        return

    @Language.factory(FACTORY, default_config={"patterns": []})
    def make(nlp: Language, name: str, patterns: list[dict[str, Any]]) -> TagRules:
        rules = compile_rules(patterns)
        if rules is None:
            raise ValueError("attribute rules of a form the lookup does not read")
        return rules
