"""Offline export of a sentence-transformers model to ONNX, optionally int8-quantised.

The export runs once per model (about 15 s for all-MiniLM-L6-v2 on 2 cores) and is cached in the
user cache directory (``<cache>/models/<fingerprint>-<backend>/``, see
:func:`simdedup.embed.model_cache.models_dir`), written to a temporary directory and renamed into
place so an interrupted export leaves nothing half-written. It needs
torch, transformers, onnx and onnxruntime, all local: nothing is downloaded.

Steps: the model's transformer is exported with eager attention (so ONNX Runtime's BERT optimiser
recognises and fuses attention, embedding and layer-norm subgraphs); for ``onnx-int8`` the
weights of every matrix product are quantised to int8 per output channel, activations
dynamically at run time. The result is checked against the torch model on probe sentences of
varied length before it is used: an export whose mean cosine to torch falls below
:data:`MIN_COSINE` is refused.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from simdedup.embed.model_cache import build_once, models_dir
from simdedup.embed.onnx_encoder import (
    MODEL_FILE,
    SPEC_FILE,
    TOKENIZER_FILE,
    OnnxRunner,
    OnnxSpec,
    TokenBatcher,
    pool,
)
from simdedup.errors import InputError
from simdedup.offline import import_onnxruntime, stay_offline

BACKENDS = ("onnx", "onnx-int8")
EXPORT_VERSION = "1"  # bump when the export recipe changes: cached exports are then redone
MIN_COSINE = 0.985
_PROBES = (
    "Ministers met on Tuesday.",
    "This year marks the 30th anniversary of diplomatic relations between the two countries.",
    "The two sides agreed to deepen cooperation in trade, investment, energy, infrastructure, "
    "education and people-to-people exchanges, and to work together on climate change.",
    "PORT ELSIN, Nov. 18 -- The foreign minister said the country stands ready to work with "
    "all parties to uphold multilateralism, safeguard the purposes and principles of the UN "
    "Charter and promote a fair and equitable international order. " * 4,
)


def exported_dir(fingerprint: str, backend: str) -> Path:
    """Cache directory of ``backend``'s export of the model with ``fingerprint``."""
    return models_dir() / f"{fingerprint}-{backend}-v{EXPORT_VERSION}"


def ensure_exported(model_dir: Path | Callable[[], Path], fingerprint: str, backend: str) -> Path:
    """The cached export for ``backend`` of the model with ``fingerprint``, made first from
    ``model_dir`` if missing (a callable is asked for the directory only then)."""
    if backend not in BACKENDS:
        raise InputError(f"backend must be one of torch, {', '.join(BACKENDS)}; got {backend!r}")

    def build(work: Path) -> None:
        source = model_dir if isinstance(model_dir, Path) else model_dir()
        _export(source, work, backend, read_pipeline(source))

    # the directory appears only once the export passed its check
    what = f"exporting the model to ONNX ({backend}), about 15 s"
    return build_once(exported_dir(fingerprint, backend), SPEC_FILE, build, what)


def read_pipeline(model_dir: Path) -> OnnxSpec:
    """Check that the model is Transformer + Pooling (+ Normalize) and read its settings."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [str(m["type"]).rsplit(".", 1)[-1] for m in modules]
        paths = {str(m["type"]).rsplit(".", 1)[-1]: str(m.get("path", "")) for m in modules}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{model_dir}: no readable modules.json ({exc})") from None
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise InputError(
            f"{model_dir}: the ONNX backends support Transformer + Pooling (+ Normalize) "
            f"models; this one is {' + '.join(kinds)}. Use the torch backend"
        )
    pooling_cfg = _read_json(model_dir / paths["Pooling"] / "config.json")
    flags = {
        "mean": "pooling_mode_mean_tokens",
        "cls": "pooling_mode_cls_token",
        "max": "pooling_mode_max_tokens",
    }
    others = (
        "pooling_mode_mean_sqrt_len_tokens",
        "pooling_mode_weightedmean_tokens",
        "pooling_mode_lasttoken",
    )
    modes = [mode for mode, flag in flags.items() if pooling_cfg.get(flag)]
    modes += [flag for flag in others if pooling_cfg.get(flag)]
    if len(modes) != 1:
        raise InputError(
            f"{model_dir}: the ONNX backends support mean, CLS or max pooling alone; "
            "use the torch backend"
        )
    st_cfg = _read_json(model_dir / "sentence_bert_config.json")
    return OnnxSpec(
        pooling=modes[0],
        normalize="Normalize" in kinds,
        max_seq_length=int(st_cfg.get("max_seq_length") or 512),
        cosine_to_torch=0.0,
        lowercase=bool(st_cfg.get("do_lower_case", False)),
    )


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable ({exc})") from None
    return data if isinstance(data, dict) else {}


def _export(model_dir: Path, work: Path, backend: str, spec: OnnxSpec) -> None:
    stay_offline()  # before the imports: ONNX Runtime reads its telemetry switch on import
    try:
        import_onnxruntime()
        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.transformers import optimizer
        from transformers import AutoConfig, AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise InputError(
            f"backend {backend!r} needs onnx and onnxruntime ({exc.name} is missing): "
            "pip install onnx onnxruntime, or use the torch backend"
        ) from None
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]

    config = AutoConfig.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModel.from_pretrained(
        str(model_dir), attn_implementation="eager", local_files_only=True
    ).eval()

    class Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True, use_fast=True)
    backend_tokenizer = getattr(tokenizer, "backend_tokenizer", None)
    if backend_tokenizer is None:
        raise InputError(
            f"{model_dir}: the ONNX backends need a fast tokenizer; use the torch backend"
        )
    backend_tokenizer.save(str(work / TOKENIZER_FILE))
    limit = int(getattr(config, "max_position_embeddings", 0) or spec.max_seq_length)
    spec = OnnxSpec(
        spec.pooling, spec.normalize, min(spec.max_seq_length, limit), 0.0, spec.lowercase
    )
    (work / SPEC_FILE).write_text(spec.to_json(), encoding="utf-8")
    reference = _torch_vectors(model, work, spec)

    raw = work / "raw.onnx"
    dummy = torch.ones(2, 16, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(model),
            (dummy, dummy),
            str(raw),
            input_names=["input_ids", "attention_mask"],
            output_names=["hidden"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
            opset_version=17,
            dynamo=False,
        )
    graph = raw
    if getattr(config, "model_type", "") == "bert":  # fuse attention, embeddings, layer norms
        fused = optimizer.optimize_model(
            str(raw),
            model_type="bert",
            num_heads=int(config.num_attention_heads),
            hidden_size=int(config.hidden_size),
            opt_level=1,
        )
        graph = work / "fused.onnx"
        fused.save_model_to_file(str(graph))
    final = work / MODEL_FILE
    if backend == "onnx-int8":
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # its advice to "pre-process" first is not for our users
        try:
            quantize_dynamic(
                str(graph),
                str(final),
                weight_type=QuantType.QInt8,
                per_channel=True,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        finally:
            root.setLevel(level)
    else:
        graph.replace(final)
    for leftover in work.iterdir():
        if leftover.suffix == ".onnx" and leftover.name != MODEL_FILE:
            leftover.unlink()

    cosine = _cosine_to(reference, work, spec)
    if cosine < MIN_COSINE:
        raise InputError(
            f"{model_dir}: the {backend} export agrees with torch only to mean cosine "
            f"{cosine:.3f} (< {MIN_COSINE}); use --backend torch or onnx"
        )
    checked = OnnxSpec(
        spec.pooling, spec.normalize, spec.max_seq_length, round(cosine, 5), spec.lowercase
    )
    (work / SPEC_FILE).write_text(checked.to_json(), encoding="utf-8")


def _torch_vectors(model: Any, work: Path, spec: OnnxSpec) -> np.ndarray:
    """The torch model's unit sentence vectors of the probes (computed before the export)."""
    import torch

    texts = list(_PROBES)
    batcher = TokenBatcher(work / TOKENIZER_FILE, spec)
    reference = np.zeros((len(texts), 0), np.float32)
    with torch.no_grad():
        for positions, ids, mask in batcher.batches(texts):
            hidden = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
            pooled = pool(hidden.last_hidden_state.numpy(), mask, spec.pooling)
            if reference.shape[1] == 0:
                reference = np.zeros((len(texts), pooled.shape[1]), np.float32)
            reference[positions] = pooled
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    return reference


def _cosine_to(reference: np.ndarray, work: Path, spec: OnnxSpec) -> float:
    """Mean cosine between the export's unit vectors of the probes and ``reference``."""

    exported = OnnxRunner(work, spec).encode(list(_PROBES))
    exported /= np.linalg.norm(exported, axis=1, keepdims=True)
    return float((reference * exported).sum(axis=1).mean())
