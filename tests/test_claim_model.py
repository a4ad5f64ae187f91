"""The claim model: the shipped artefact, its merge into the bundled model, its checks, and what
it is for (talking points that follow the claim)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simdedup import SentenceTransformerEncoder
from simdedup.cluster.linkage import DEFAULT_THRESHOLD, model_defaults
from simdedup.duplicates.groups import default_threshold
from simdedup.embed import claim_model
from simdedup.embed.encoder import default_model_path, fingerprint_dir
from simdedup.embed.model_cache import models_dir
from simdedup.errors import InputError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Fictional statements written for this test (not in the training data): each line is an
# anchor, the same claim reworded, and another claim in much the same words.
TRIPLETS = [
    (
        "Norvania firmly supports Estmark's bid to join the Coastal Council, the foreign "
        "minister said on Monday.",
        "Estmark can count on Norvania's backing for its application to become a member of "
        "the Coastal Council, according to the Norvanian foreign minister.",
        "Norvania firmly opposes Estmark's bid to join the Coastal Council, the foreign "
        "minister said on Monday.",
    ),
    (
        "This year marks the 40th anniversary of diplomatic relations between Valdoria and "
        "Oreland.",
        "Valdoria and Oreland are celebrating four decades since they established diplomatic ties.",
        "This year marks the 15th anniversary of diplomatic relations between Valdoria and "
        "Oreland.",
    ),
    (
        "Trade between Calvera and Estmark rose to 12 billion dollars last year, customs data "
        "showed.",
        "Customs figures show that Calvera-Estmark trade reached 12 billion dollars in the past "
        "year.",
        "Calvera and Estmark aim to raise their trade to 30 billion dollars by 2030, the "
        "ministers said.",
    ),
    (
        "Valdoria called for an immediate ceasefire in the Serin Strait and urged both sides to "
        "return to talks.",
        "An immediate halt to the fighting in the Serin Strait and a return to negotiations: "
        "that is what Valdoria demanded on Tuesday.",
        "Valdoria called for an immediate ceasefire in the Drava Highlands and urged both sides "
        "to return to talks.",
    ),
]


def margins(encoder: SentenceTransformerEncoder) -> np.ndarray:
    """cos(anchor, reworded) - cos(anchor, other claim), one per triplet."""
    v = encoder.encode([t for triplet in TRIPLETS for t in triplet]).reshape(len(TRIPLETS), 3, -1)
    return np.einsum("nd,nd->n", v[:, 0], v[:, 1]) - np.einsum("nd,nd->n", v[:, 0], v[:, 2])


def test_the_default_is_the_claim_model_served_by_int8(
    real_encoder: SentenceTransformerEncoder,
) -> None:
    assert real_encoder.name == claim_model.CLAIM_MODEL == "simdedup-claim-v1"
    assert real_encoder.backend == "onnx-int8"
    base = fingerprint_dir(default_model_path())
    assert real_encoder.fingerprint == f"{claim_model.fingerprint(base)}+onnx-int8-v1"
    # the merged model sits in the user cache, checked against the manifest's probes
    merged = models_dir() / f"{claim_model.fingerprint(base)}-merged-v1"
    marker = json.loads((merged / claim_model.MERGED_MARKER).read_text())
    assert marker["probe_cosine"] >= claim_model.MIN_PROBE_COSINE
    # the shipped artefact is small: an adapter, not a model
    size = sum(p.stat().st_size for p in claim_model.ARTEFACT.iterdir())
    assert size < 25 * 2**20


def planted_scores(encoder: SentenceTransformerEncoder) -> dict[str, float]:
    """Talking points of the whole sample corpus at the model's defaults (the store picks them),
    scored against the planted truth of examples/expected.json over the labelled paragraphs."""
    from sklearn.metrics import adjusted_rand_score

    from simdedup import Store, TalkingPointFinder, read_records

    expected = json.loads((EXAMPLES / "expected.json").read_text())
    truth = {(d, p): tp["name"] for tp in expected["talking_points"] for d, p in tp["members"]}
    for d, p in expected["hard_negatives"]:
        truth.setdefault((d, p), f"negative {d}:{p}")
    with Store.memory(encoder=encoder) as store:
        store.add(read_records([EXAMPLES / "corpus.jsonl"]))
        found = TalkingPointFinder().fit(store)
        ids = store.table().ids.tolist()
        paragraphs = store.paragraphs(ids)
    keys = [(paragraphs[i].doc_id, paragraphs[i].para) for i in ids]
    rows = [i for i, key in enumerate(keys) if key in truth]
    assert len(rows) == len(truth)  # every planted paragraph was found in the corpus
    gold = [truth[keys[i]] for i in rows]
    # a paragraph in no talking point is a cluster of its own
    pred = [f"tp{found.labels_[i]}" if found.labels_[i] >= 0 else f"alone{i}" for i in rows]
    return {"ari": float(adjusted_rand_score(gold, pred)), "threshold": found.result_.threshold}


def test_claim_model_finds_the_planted_talking_points_better_than_the_bundled_model(
    real_encoder: SentenceTransformerEncoder,
) -> None:
    claim = planted_scores(real_encoder)
    bundled = planted_scores(SentenceTransformerEncoder("all-MiniLM-L6-v2"))
    # each at its own defaults (benchmarks/claim_model.py measures 0.776 against 0.592)
    assert claim["threshold"] != bundled["threshold"]
    assert claim["ari"] > bundled["ari"] + 0.1, (claim, bundled)


def test_the_figure_penalty_is_no_longer_needed_for_a_reworded_figure(
    real_encoder: SentenceTransformerEncoder,
) -> None:
    """The same trade figure in other words moves closer, another figure further away."""
    claim = margins(real_encoder)
    bundled = margins(SentenceTransformerEncoder("all-MiniLM-L6-v2"))
    assert claim[2] > bundled[2] + 0.1, (claim, bundled)


def test_torch_and_int8_serve_the_same_claim_model(
    real_encoder: SentenceTransformerEncoder,
) -> None:
    texts = [t for triplet in TRIPLETS for t in triplet]
    torch_vectors = SentenceTransformerEncoder(backend="torch").encode(texts)
    cosine = np.einsum("nd,nd->n", torch_vectors, real_encoder.encode(texts))
    assert cosine.min() > 0.97, cosine


def test_defaults_follow_the_model() -> None:
    chosen = claim_model.defaults()
    assert model_defaults("simdedup-claim-v1") == (
        chosen.talking_point_threshold,
        chosen.figure_penalty,
    )
    assert model_defaults("all-MiniLM-L6-v2") == (DEFAULT_THRESHOLD, 1.0)
    assert default_threshold("onnx-int8", "simdedup-claim-v1") == chosen.dedup_threshold
    assert default_threshold("onnx-int8", "all-MiniLM-L6-v2") == 0.9
    assert default_threshold("static", "all-MiniLM-L6-v2") == 0.97


def artefact_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "claim_model"
    shutil.copytree(claim_model.ARTEFACT, copy)
    return copy


@pytest.mark.parametrize("damage", ["missing adapter", "flipped byte", "missing manifest"])
def test_a_damaged_artefact_is_one_line_naming_the_file(tmp_path: Path, damage: str) -> None:
    copy = artefact_copy(tmp_path)
    adapter = copy / "adapter_model.safetensors"
    if damage == "missing adapter":
        adapter.unlink()
        culprit, why = adapter, "missing"
    elif damage == "flipped byte":
        data = bytearray(adapter.read_bytes())
        data[len(data) // 2] ^= 0xFF
        adapter.write_bytes(bytes(data))
        culprit, why = adapter, "SHA-256 does not match"
    else:
        (copy / claim_model.MANIFEST).unlink()
        culprit, why = copy / claim_model.MANIFEST, "missing"
    with pytest.raises(InputError) as raised:
        claim_model.manifest(copy)
    message = str(raised.value)
    assert str(culprit) in message and why in message and "reinstall simdedup" in message
    assert "\n" not in message


def test_a_merge_that_fails_its_check_is_refused_and_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = artefact_copy(tmp_path)
    manifest = json.loads((copy / claim_model.MANIFEST).read_text())
    manifest["probe_vectors"] = [list(np.roll(v, 1)) for v in manifest["probe_vectors"]]
    (copy / claim_model.MANIFEST).write_text(json.dumps(manifest))
    monkeypatch.setenv("SIMDEDUP_MODELS_DIR", str(tmp_path / "models"))
    with pytest.raises(InputError, match="merge is refused"):
        claim_model.ensure_merged(default_model_path(), "refused", copy)
    assert not any((tmp_path / "models").iterdir())  # nothing half-made is left to be used


def test_cli_reports_a_damaged_artefact_without_a_traceback(tmp_path: Path) -> None:
    copy = artefact_copy(tmp_path)
    (copy / "adapter_model.safetensors").write_bytes(b"not an adapter")
    script = (
        "import sys; from pathlib import Path; import simdedup.embed.claim_model as c; "
        f"c.ARTEFACT = Path({str(copy)!r}); from simdedup.cli.main import main; "
        "sys.argv = ['simdedup', 'similar', 'a ceasefire', "
        f"{str(Path(__file__).parents[1] / 'examples' / 'corpus.jsonl')!r}]; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "adapter_model.safetensors" in lines[0], result.stderr
    assert "reinstall simdedup" in lines[0]
