"""simdedup's claim model: all-MiniLM-L6-v2 fine-tuned to tell one claim reworded from another
claim told in the same words ("supports" vs "rejects", the 30th vs the 50th anniversary, another
country pair).

The package ships only the trained delta: a LoRA adapter of a few MB made by
``python -m training.train_claims`` (see ``training/README.md``), with a manifest that records
each file's SHA-256, probe vectors of the trained model and the defaults chosen for it on dev.
On first use the adapter is checked, merged into the bundled all-MiniLM-L6-v2 with peft, saved
into the user cache (``<models dir>/<fingerprint>-merged-v<MERGE_VERSION>/``, written to a
temporary directory and renamed into place) and checked again: a merge whose probe vectors differ
from the manifest's (cosine below :data:`MIN_PROBE_COSINE`) is refused. From then on the merged
directory is a model like any other: its int8 ONNX export (made and checked by
:mod:`simdedup.embed.onnx_export`) serves it on a CPU, torch on a GPU. Nothing is downloaded.

A missing or damaged artefact is a one-line :class:`~simdedup.errors.InputError` that names the
file and says to reinstall.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simdedup.embed.model_cache import build_once, models_dir
from simdedup.errors import InputError
from simdedup.offline import stay_offline

CLAIM_MODEL = "simdedup-claim-v1"  # the name users see and stores record
BASE_MODEL = "all-MiniLM-L6-v2"  # the bundled model it is trained from
ARTEFACT = Path(__file__).resolve().parent / "assets" / "claim_model"
MANIFEST = "claim_model.json"
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
MERGE_VERSION = "1"  # bump when the merge recipe changes: cached merges are then redone
MERGED_MARKER = "simdedup-merged.json"
MIN_PROBE_COSINE = 0.999
REINSTALL = 'reinstall simdedup (pip install --force-reinstall --no-deps "simdedup")'
_WEIGHTS = ("*.safetensors", "*.bin", "*.onnx", "onnx", "openvino", ".gitattributes")
PROBES = (
    "China firmly opposes unilateral sanctions that have no basis in international law.",
    "This year marks the 30th anniversary of diplomatic relations between the two countries.",
    "The ministers agreed to resume talks on the free trade agreement next month.",
    "BRUSSELS, March 3 (Reuters) - EU foreign ministers failed on Monday to agree on a new "
    "sanctions package, diplomats said, as Hungary demanded exemptions for its oil imports.",
)


@dataclass(frozen=True)
class ClaimDefaults:
    """Settings chosen for the claim model on dev (``training/tune_defaults.py``)."""

    talking_point_threshold: float
    figure_penalty: float
    dedup_threshold: float


def _damaged(path: Path, why: str) -> InputError:
    return InputError(f"{path}: the claim model's artefact is {why}; {REINSTALL}")


def manifest(artefact: Path | None = None) -> dict[str, Any]:
    """The checked manifest of the artefact (default: the shipped one, :data:`ARTEFACT`):
    every file present, hashes matching. Checked once per process."""
    return _checked_manifest(artefact or ARTEFACT)


@functools.cache
def _checked_manifest(artefact: Path) -> dict[str, Any]:
    path = artefact / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _damaged(path, "missing") from None
    except (OSError, ValueError) as exc:
        raise _damaged(path, f"unreadable ({type(exc).__name__})") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or set(files) != set(ADAPTER_FILES):
        raise _damaged(path, "damaged (no list of its files)")
    for name, expected in files.items():
        file = artefact / name
        try:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
        except FileNotFoundError:
            raise _damaged(file, "missing") from None
        except OSError as exc:
            raise _damaged(file, f"unreadable ({type(exc).__name__})") from None
        if digest != expected:
            raise _damaged(file, "damaged (its SHA-256 does not match the manifest)")
    return dict(data)


def fingerprint(base_fingerprint: str, artefact: Path | None = None) -> str:
    """Names the claim model's vectors: the artefact's file hashes and the base model's files."""
    files = manifest(artefact)["files"]
    digest = hashlib.blake2b(digest_size=8)
    for name in ADAPTER_FILES:
        digest.update(f"{name}:{files[name]}\n".encode())
    return f"claim{MERGE_VERSION}-{digest.hexdigest()}-{base_fingerprint}"


def defaults(artefact: Path | None = None) -> ClaimDefaults:
    """The talking-point threshold, figure penalty and dedup threshold chosen on dev."""
    chosen: Any = manifest(artefact).get("defaults")
    try:
        return ClaimDefaults(
            talking_point_threshold=float(chosen["talking_point_threshold"]),
            figure_penalty=float(chosen["figure_penalty"]),
            dedup_threshold=float(chosen["dedup_threshold"]),
        )
    except (TypeError, KeyError, ValueError):
        raise _damaged((artefact or ARTEFACT) / MANIFEST, "damaged (no defaults)") from None


def ensure_merged(base_dir: Path, model_fingerprint: str, artefact: Path | None = None) -> Path:
    """The merged model directory in the user cache, made (and checked) first if missing."""
    target = models_dir() / f"{model_fingerprint}-merged-v{MERGE_VERSION}"
    source = artefact or ARTEFACT
    what = f"applying the {CLAIM_MODEL} adapter to {BASE_MODEL}, a few seconds"
    return build_once(target, MERGED_MARKER, lambda work: _merge(base_dir, work, source), what)


def _merge(base_dir: Path, work: Path, artefact: Path) -> None:
    expected = np.asarray(manifest(artefact)["probe_vectors"], dtype=np.float32)
    stay_offline()  # before the imports, which read their switches then
    try:
        from peft import PeftModel
        from sentence_transformers import SentenceTransformer
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:  # pragma: no cover - core dependencies
        raise InputError(f"the claim model needs {exc.name}: pip install {exc.name}") from None
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    base = AutoModel.from_pretrained(str(base_dir), local_files_only=True)
    try:
        inner = PeftModel.from_pretrained(base, str(artefact))
    except Exception as exc:  # a damaged adapter that still hashes right is a reinstall too
        raise _damaged(artefact, f"unusable ({type(exc).__name__})") from None
    # the bundled model's own files (tokenizer, pooling, sequence length) with merged weights
    shutil.copytree(base_dir, work, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*_WEIGHTS))
    inner.merge_and_unload().save_pretrained(str(work))
    model = SentenceTransformer(str(work), device="cpu", local_files_only=True)
    vectors = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
    same_shape = expected.shape == vectors.shape
    cosine = float(np.min(np.sum(vectors * expected, axis=1))) if same_shape else 0.0
    if cosine < MIN_PROBE_COSINE:
        raise InputError(
            f"{artefact}: merging the claim model into {base_dir} does not reproduce its probe "
            f"vectors (cosine {cosine:.4f} < {MIN_PROBE_COSINE}); the merge is refused; "
            f"{REINSTALL}"
        )
    marker = {"probe_cosine": round(cosine, 6), "base": str(base_dir)}
    (work / MERGED_MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
