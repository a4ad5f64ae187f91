"""The cut's attribute rules by lookup (simdedup.units.tag_rules) tag exactly as spaCy's own
``attribute_ruler``: on the real pipeline, and on hand-made patterns that exercise the ruler's
semantics (a later pattern wins, spans of two tokens, REGEX, NOT_IN, whitespace)."""

from __future__ import annotations

from typing import Any

import pytest

spacy = pytest.importorskip("spacy")

from spacy.tokens import Doc  # noqa: E402

from simdedup.units.split import PIPELINE, UnitSplitter  # noqa: E402
from simdedup.units.tag_rules import compile_rules, use_tag_rules  # noqa: E402

SENTENCES = [
    "The resolution that was adopted yesterday does not bind anyone, Lavrov said.",
    "There is nothing we haven't tried, and there are still those who won't listen.",
    "We do believe that everybody here has been waiting, but nobody is ready to act.",
    "He did it himself;  she had gone before, whether or not they were informed.",
    "Once the talks resume, both sides will, so as to  build trust, publish the text.",
    "It's y' know the 50th anniversary -- nothin' more, said the minister\n\nof state.",
    "Which country would have been able to do so?  I'd say none of them had.",
    "China stands ready to deepen cooperation with Russia, Xi said, adding that sanctions "
    "had failed and that the 1972 accord is still in force.",
]


def _attributes(doc: Doc) -> list[tuple[str, str, str, str]]:
    return [(t.text, t.tag_, t.pos_, t.dep_) for t in doc]


def test_the_lookup_tags_as_spacy_s_attribute_ruler() -> None:
    ruled = spacy.load(PIPELINE, exclude=["ner", "lemmatizer"])
    looked_up = UnitSplitter().nlp
    assert "attribute_ruler" in ruled.pipe_names
    assert "attribute_ruler" not in looked_up.pipe_names  # the lookup replaced it
    for want, got in zip(ruled.pipe(SENTENCES), looked_up.pipe(SENTENCES)):
        assert _attributes(got) == _attributes(want)
        assert all(t.pos_ for t in got)
    poses = {(t.lower_, t.pos_) for doc in looked_up.pipe(SENTENCES) for t in doc}
    # exceptions over the tag map: relative "that", negation, "do" as auxiliary, "there is"
    assert {("that", "PRON"), ("not", "PART"), ("do", "AUX"), ("is", "VERB")} <= poses


def _doc(nlp: Any) -> Doc:
    words = ["There", "is", "n't", "a", "  ", "deal", "that", "works", "."]
    return Doc(
        nlp.vocab,
        words=words,
        spaces=[True, False, True, False, False, True, True, False, False],
        tags=["EX", "VBZ", "RB", "DT", "_SP", "NN", "WDT", "VBZ", "."],
        deps=["expl", "ROOT", "neg", "det", "dep", "attr", "nsubj", "relcl", "punct"],
        heads=[1, 1, 1, 5, 5, 1, 7, 5, 1],
    )


PATTERNS: list[dict[str, Any]] = [
    {"patterns": [[{"TAG": "VBZ"}]], "attrs": {"POS": "VERB", "MORPH": "Number=Sing"}},
    {"patterns": [[{"TAG": "RB"}]], "attrs": {"POS": "ADV"}},
    {"patterns": [[{"TAG": {"IN": ["DT", "WDT"]}}]], "attrs": {"POS": "DET"}},
    {"patterns": [[{"LOWER": {"REGEX": "^n'?t$"}, "TAG": "RB"}]], "attrs": {"POS": "PART"}},
    {"patterns": [[{"DEP": "expl"}, {"LOWER": {"IN": ["is", "are"]}}]], "attrs": {"POS": "AUX"},
     "index": -1},
    {"patterns": [[{"TAG": "WDT", "LOWER": "that"}]], "attrs": {"POS": "PRON"}},
    {"patterns": [[{"DEP": {"NOT_IN": ["det", "expl", ""]}, "TAG": {"IN": ["DT", "WDT"]}}]],
     "attrs": {"POS": "SCONJ"}},  # "that" again, later: SCONJ wins over PRON
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE", "DEP": "dep"}},
    {"patterns": [[{"LOWER": "deal"}], [{"LOWER": "works"}]], "attrs": {"LEMMA": "x"}},
    {"patterns": [[{"TAG": "EX"}]], "attrs": {"POS": "PRON", "TAG": "EX"}},
    {"patterns": [[{"LOWER": {"REGEX": "^w.rks$"}}]], "attrs": {"POS": "NOUN"}},
]  # fmt: skip


def test_later_patterns_win_as_in_the_ruler() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns(PATTERNS)
    want = ruler(_doc(nlp))
    rules = compile_rules(PATTERNS)
    assert rules is not None
    got = rules(_doc(nlp))
    assert _attributes(got) == _attributes(want)
    assert [t.pos_ for t in got] == [
        "PRON", "AUX", "PART", "DET", "SPACE", "", "SCONJ", "NOUN", "",
    ]  # fmt: skip


def test_patterns_of_another_form_keep_the_ruler() -> None:
    odd = [*PATTERNS, {"patterns": [[{"LOWER": "a", "OP": "?"}]], "attrs": {"POS": "X"}}]
    assert compile_rules(odd) is None
    assert compile_rules([{"patterns": [[{"NORM": "a"}]], "attrs": {"POS": "X"}}]) is None
    one = [{"patterns": [[{"LOWER": "a"}]], "attrs": {"POS": "X"}}]
    assert compile_rules([dict(one[0], index=-1)]) is not None
    assert compile_rules([dict(one[0], index=1)]) is None  # past the span's one token
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns(odd)
    assert not use_tag_rules(nlp) and nlp.pipe_names == ["attribute_ruler"]
    plain = spacy.blank("en")
    plain.add_pipe("attribute_ruler").add_patterns(PATTERNS)
    assert use_tag_rules(plain) and plain.pipe_names == ["simdedup_tag_rules"]
    rules = compile_rules(PATTERNS)
    assert rules is not None
    assert _attributes(plain(_doc(plain))) == _attributes(rules(_doc(plain)))
