"""Choose the claim model's defaults on dev, with the vectors users get, and record them.

    python -m training.tune_defaults [ARTEFACT_DIR]
    python -m training.tune_defaults --bundled    # the same choice for all-MiniLM-L6-v2

Merges the artefact into the bundled model and embeds with its int8 ONNX export (the default
path on a CPU), exactly as simdedup does at first use, into a temporary models directory. Then:

- talking points: the (threshold, figure penalty) with the best mean of ARI and pair F1 over the
  dev split of training/data, benchmarks/data/talking_points_dev.jsonl and the planted talking
  points of examples/ (the two written apart from the training corpus keep the choice from
  fitting its writers' style: on the dev split alone it picks 0.62, where the other two lose
  recall);
- dedup: the cosine threshold with the best wire-copy pair F1 (figures checked, as ``dedup``
  does) on the dev split's wire-copy groups.

Writes them as ``defaults`` into the artefact's manifest (the adapter files, and so the model's
fingerprint, do not change) and returns the scores. The test set is never read.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from training import evaluate
from training.corpus import load


def claim_encoder(artefact: Path, models: Path) -> Any:
    """The claim model of ``artefact`` as simdedup serves it (merged, int8 ONNX)."""
    os.environ["SIMDEDUP_MODELS_DIR"] = str(models)
    from simdedup.embed import claim_model
    from simdedup.embed.encoder import (
        SentenceTransformerEncoder,
        default_model_path,
        fingerprint_dir,
    )

    claim_model._checked_manifest.cache_clear()  # the manifest was just rewritten
    base = default_model_path()
    merged = claim_model.ensure_merged(
        base, claim_model.fingerprint(fingerprint_dir(base), artefact), artefact
    )
    return SentenceTransformerEncoder(merged, backend="onnx-int8")


def choose(encoder: Any, areas: list[str] | None = None) -> dict[str, Any]:
    """The defaults ``encoder``'s vectors call for on dev, with the scores they get there (and,
    for diagnosis, the best ARI any setting gives each set)."""
    sets = [
        evaluate.corpus_set("claims dev", load("dev", areas=areas)),
        evaluate.old_dev_set(),
        evaluate.sample_set(),
    ]
    embedded = [(s, encoder.encode(s.texts)) for s in sets]
    grid = evaluate.talking_point_grid(embedded)
    threshold, penalty = evaluate.best_setting(grid)
    cosine, same = evaluate.dedup_pairs(*embedded[0])
    dedup = {float(t): evaluate.prf(cosine >= t, same) for t in evaluate.DEDUP_THRESHOLDS}
    dedup_threshold = max(dedup, key=lambda t: (dedup[t]["f1"], t))
    best_each = {
        s.name: max(
            ({"ari": v[i]["ari"], "at": k} for k, v in grid.items()), key=lambda x: x["ari"]
        )
        for i, (s, _) in enumerate(embedded)
    }
    return {
        "defaults": {
            "talking_point_threshold": threshold,
            "figure_penalty": penalty,
            "dedup_threshold": dedup_threshold,
        },
        "talking_points": {
            s.name: scores for (s, _), scores in zip(embedded, grid[(threshold, penalty)])
        },
        "dedup": dedup[dedup_threshold],
        "best_each (oracle)": best_each,
    }


def tune(artefact: Path, areas: list[str] | None = None) -> dict[str, Any]:
    """Choose the defaults of the claim model in ``artefact`` and write them into its manifest."""
    previous = os.environ.get("SIMDEDUP_MODELS_DIR")
    with tempfile.TemporaryDirectory() as models:
        report = choose(claim_encoder(artefact, Path(models)), areas)
    if previous is None:
        os.environ.pop("SIMDEDUP_MODELS_DIR", None)
    else:
        os.environ["SIMDEDUP_MODELS_DIR"] = previous
    path = artefact / "claim_model.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["defaults"] = report["defaults"]
    manifest["dev"] = {"talking_points": report["talking_points"], "dedup": report["dedup"]}
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"dev (int8, chosen defaults)": report}), flush=True)
    return report


def main(argv: list[str]) -> int:
    from simdedup.embed import claim_model

    if argv == ["--bundled"]:  # what the same choice gives the bundled model (nothing written)
        from simdedup.embed.choose import make_encoder

        report = choose(make_encoder(claim_model.BASE_MODEL))
        print(json.dumps({"bundled all-MiniLM-L6-v2 (int8)": report}))
        return 0
    tune(Path(argv[0]) if argv else claim_model.ARTEFACT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
