"""How fast can the default model embed here? FLOPs per paragraph against this CPU's measured
matrix throughput, and the default path (and variants of it) against plain sentence-transformers.

    python benchmarks/embed_limit.py [--n 1000]

On ``n`` seeded UNGDC paragraphs (the corpus issue 18 is about), in one run:

1. **Work per paragraph.** Token counts from the model's own tokenizer (truncated at its
   ``max_seq_length``), and the FLOPs of one forward pass of the encoder at that length:
   per layer ``2 L (4 h^2 + 2 h f) + 4 L^2 h`` (the Q/K/V/output projections, the
   feed-forward pair, attention scores and mixing), ``h`` hidden size, ``f`` feed-forward size.
2. **What the CPU does.** The throughput of one layer's matrix products at the corpus's mean
   length: fp32 (numpy's BLAS) and int8 (ONNX Runtime's ``MatMulInteger``, what the int8
   export runs), both on every core. This is the ceiling for paragraphs/s at that precision.
3. **The paths**, each on the same texts: plain ``SentenceTransformer.encode`` (batch 32; the
   reference vectors), simdedup's default path (ONNX int8, one text per run, one
   single-threaded session per core), and variants: one session whose operators use every
   core (the default path before issue 18's sixth pass), length-sorted int8 batches
   (faster, but a text's vector then depends on its batch-mates), and truncation at 128
   tokens. Each gets paragraphs/s, the ratio to plain, its mean / min cosine to plain, and
   the share of the int8 ceiling it reaches.

Writes ``benchmarks/results/embed_limit.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from bench import common, data

RESULTS = Path(__file__).resolve().parent / "results" / "embed_limit.json"


def flops_per_paragraph(tokens: np.ndarray, h: int, f: int, layers: int) -> np.ndarray:
    """Forward-pass FLOPs of a BERT encoder for each text of ``tokens`` tokens."""
    length = tokens.astype(np.float64)
    per_layer = 2 * length * (4 * h * h + 2 * h * f) + 4 * length * length * h
    return layers * per_layer


def fp32_gflops(rows: int, h: int, f: int, repeats: int = 30) -> float:
    """numpy's BLAS on one layer's projections and feed-forward at ``rows`` tokens."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, h), dtype=np.float32)
    wq = rng.standard_normal((h, h), dtype=np.float32)
    w1 = rng.standard_normal((h, f), dtype=np.float32)
    w2 = rng.standard_normal((f, h), dtype=np.float32)
    for _ in range(3):
        (x @ wq, (x @ w1) @ w2)
    started = time.perf_counter()
    for _ in range(repeats):
        for _ in range(4):
            x @ wq
        (x @ w1) @ w2
    seconds = time.perf_counter() - started
    return repeats * 2 * rows * (4 * h * h + 2 * h * f) / seconds / 1e9


def int8_gops(rows: int, h: int, f: int, repeats: int = 30) -> float:
    """ONNX Runtime ``MatMulInteger`` (uint8 activations x int8 weights, as the dynamic int8
    export runs) on the same shapes."""
    from onnx import TensorProto, helper

    from simdedup.embed.onnx_encoder import import_onnxruntime

    ort = import_onnxruntime()
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    shapes = [(h, h)] * 4 + [(h, f), (f, h)]
    inputs = []
    for i, (k, n) in enumerate(shapes):
        w = rng.integers(-127, 127, (k, n), dtype=np.int8)
        inits.append(helper.make_tensor(f"w{i}", TensorProto.INT8, (k, n), w.tobytes(), raw=True))
        inputs.append(helper.make_tensor_value_info(f"x{i}", TensorProto.UINT8, (rows, k)))
        nodes.append(helper.make_node("MatMulInteger", [f"x{i}", f"w{i}"], [f"y{i}"]))
    outputs = [helper.make_tensor_value_info(f"y{i}", TensorProto.INT32, None) for i in range(6)]
    graph = helper.make_graph(nodes, "layer", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options)
    feed = {
        f"x{i}": rng.integers(0, 255, (rows, k), dtype=np.uint8) for i, (k, _) in enumerate(shapes)
    }
    for _ in range(3):
        session.run(None, feed)
    started = time.perf_counter()
    for _ in range(repeats):
        session.run(None, feed)
    seconds = time.perf_counter() - started
    return repeats * 2 * rows * (4 * h * h + 2 * h * f) / seconds / 1e9


def run_path(name: str, texts: list[str]) -> dict[str, Any]:
    """Runs in a fresh process: one path's vectors and seconds (after a warm-up)."""
    from simdedup.embed.choose import make_encoder

    if name == "sentence-transformers":
        encoder: Any = make_encoder(None, "torch", device="cpu", quiet=True)
        model = encoder.load()
        model.encode(texts[:32], batch_size=32)
        started = time.perf_counter()
        vectors = model.encode(texts, batch_size=32, normalize_embeddings=True)
        return {"seconds": time.perf_counter() - started, "vectors": np.asarray(vectors).tolist()}
    encoder = make_encoder(None, "onnx-int8", quiet=True)
    runner = encoder.load()
    batch = 1
    if name == "int8, one session on every core":
        runner = _one_session(runner)
    elif name.startswith("int8, batches of"):
        batch = int(name.rsplit(" ", 1)[1])
    elif name == "int8, truncated at 128":
        runner.batcher._tokenizer.enable_truncation(128)
    runner.encode(texts[:16], batch)
    started = time.perf_counter()
    vectors = runner.encode(texts, batch)
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return {"seconds": time.perf_counter() - started, "vectors": vectors.tolist()}


def _one_session(runner: Any) -> Any:
    """The runner with one session whose operators split across every core (intra-op
    threads: ONNX Runtime's default) in place of one single-threaded session per core."""
    runner._sessions, runner.threads = [runner._session(threads=0)], 1
    return runner


PATHS = (
    "sentence-transformers",
    "simdedup default (int8, one text per run)",
    "int8, one session on every core",
    "int8, batches of 8",
    "int8, batches of 32",
    "int8, truncated at 128",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    from transformers import AutoConfig, AutoTokenizer

    from simdedup.embed.choose import make_encoder

    texts = data.ungdc(20_000).texts[: args.n]
    source = make_encoder(None, "torch", quiet=True)
    path = str(source.path)  # type: ignore[attr-defined]
    config = AutoConfig.from_pretrained(path)
    tokenizer = AutoTokenizer.from_pretrained(path)
    limit = 256
    tokens = np.array([min(len(tokenizer(t)["input_ids"]), limit) for t in texts])
    h, f, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    flops = flops_per_paragraph(tokens, h, f, layers)
    rows = int(tokens.mean())
    ceiling_fp32 = fp32_gflops(rows, h, f)
    ceiling_int8 = int8_gops(rows, h, f)
    work = {
        "paragraphs": len(texts),
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "tokens_mean": round(float(tokens.mean()), 1),
        "tokens_median": int(np.median(tokens)),
        "tokens_p90": int(np.percentile(tokens, 90)),
        "share_over_128": round(float((tokens > 128).mean()), 3),
        "share_at_limit_256": round(float((tokens >= limit).mean()), 3),
        "gflop_per_paragraph": round(float(flops.mean() / 1e9), 3),
        "cpu_fp32_gflops": round(ceiling_fp32, 1),
        "cpu_int8_gops": round(ceiling_int8, 1),
        "ceiling_fp32_paragraphs_s": round(ceiling_fp32 / (flops.mean() / 1e9), 1),
        "ceiling_int8_paragraphs_s": round(ceiling_int8 / (flops.mean() / 1e9), 1),
    }
    print(json.dumps(work, indent=1))
    got = {name: common.isolated(run_path, name, texts) for name in PATHS}
    plain = np.asarray(got["sentence-transformers"]["vectors"], dtype=np.float32)
    plain_qps = len(texts) / got["sentence-transformers"]["seconds"]
    rows_out = []
    for name, result in got.items():
        if "error" in result:
            rows_out.append({"path": name, "error": result["error"]})
            continue
        vectors = np.asarray(result["vectors"], dtype=np.float32)
        cosines = np.sum(vectors * plain, axis=1)
        qps = len(texts) / result["seconds"]
        row = {
            "path": name,
            "paragraphs_s": round(qps, 1),
            "vs_plain": round(qps / plain_qps, 2),
            "mean_cosine": round(float(cosines.mean()), 4),
            "min_cosine": round(float(cosines.min()), 4),
            "effective_gops": round(qps * flops.mean() / 1e9, 1),
            "share_of_int8_ceiling": round(qps / work["ceiling_int8_paragraphs_s"], 3),
            "peak_rss_mb": result.get("peak_rss_mb"),
        }
        rows_out.append(row)
        print(json.dumps(row))
    payload = {"environment": common.environment(), "work": work, "paths": rows_out}
    RESULTS.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"-> {RESULTS}")


if __name__ == "__main__":
    main()
