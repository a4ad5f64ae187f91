"""End-to-end suite: dedup and talking points on whole corpora, simdedup against the alternatives.

Every method reads the same JSONL corpus (one paragraph per record) and runs in its own process;
``extra.wall_s`` is from reading the file to having the groups (the median of
:data:`REPEATS` runs for cached dedup, all of them in ``extra.wall_s_runs``), and
``peak_rss_mb`` that process's peak. simdedup runs as users run it, the ``simdedup`` CLI in
a subprocess (Python start-up and output included). Two embedding modes:

- ``embeddings = "cached"``: every model-based method gets the same precomputed embeddings
  (simdedup from its embedding cache, SemHash through an encoder that returns the cached rows,
  paraphrase mining from the array), so the timings compare all the work except the model's
  forward pass, which is the same for all of them (see the embed suite for its cost).
- ``embeddings = "computed"`` (``--full``): each method encodes with the bundled model itself.

The alternatives: SemHash ``self_deduplicate`` (same model and threshold), sentence-transformers
``community_detection`` (the grouping step of ``paraphrase_mining``; same model and threshold),
and datasketch ``MinHashLSH`` (word 3-gram shingles, Jaccard 0.7; lexical, no model).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import common, data

DEDUP_THRESHOLD = 0.9
TP_THRESHOLD = 0.62
MINHASH_THRESHOLD = 0.7
METHODS = ("simdedup", "semhash", "paraphrase-mining", "datasketch-minhash")
TP_METHODS = ("simdedup", "paraphrase-mining")
REPEATS = 3  # cached dedup runs take seconds and vary by +-30 % here: report the median


def _labels_summary(labels: np.ndarray) -> dict[str, int]:
    _, counts = np.unique(labels, return_counts=True)
    return {"groups": int((counts > 1).sum()), "in_groups": int(counts[counts > 1].sum())}


def run_cli(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Runs in a fresh process: the simdedup CLI; wall time and the child's peak memory (its
    own peak, or the peak sum of it and its worker processes, sampled every 50 ms, if more)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "simdedup", *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=err,
            text=True,
        )
        peak = 0.0
        while proc.poll() is None:  # VmHWM is the child's own peak; read it until it exits,
            # with the memory of its worker processes (labels, the parser) added while they run
            peak = max(peak, common.peak_rss_mb(proc.pid), common.tree_rss_mb(proc.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode:
        raise RuntimeError(stderr.strip().splitlines()[-1] if stderr.strip() else "failed")
    result = json.loads(stdout)
    groups = result.get("groups", result.get("talking_points", []))
    members = sum(len(g.get("members", [])) for g in groups)
    return {
        "wall_s": wall,
        "groups": len(groups),
        "in_groups": members,
        "child_rss_mb": peak,
    }


def run_alternative(
    method: str, task: str, corpus_path: str, vectors_path: str | None
) -> dict[str, Any]:
    """Runs in a fresh process: one alternative on the corpus file."""
    from bench import alternatives

    started = time.perf_counter()
    with open(corpus_path, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    threshold = DEDUP_THRESHOLD if task == "dedup" else TP_THRESHOLD
    if method == "datasketch-minhash":
        labels = alternatives.minhash_groups(texts, threshold=MINHASH_THRESHOLD)
        return {"wall_s": time.perf_counter() - started, **_labels_summary(labels)}
    if vectors_path is not None:
        vectors = np.load(vectors_path)
        model: Any = alternatives.ArrayEncoder(texts, vectors)
    else:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        from simdedup.embed.encoder import default_model_path

        model = SentenceTransformer(str(default_model_path()), device="cpu")
    encoded_s = 0.0
    if method == "semhash":
        labels = alternatives.semhash_groups(texts, threshold, model)
    elif method == "paraphrase-mining":
        if vectors_path is None:
            t0 = time.perf_counter()
            vectors = model.encode(texts, batch_size=32, normalize_embeddings=True)
            encoded_s = time.perf_counter() - t0
        labels = alternatives.paraphrase_mining_groups(np.asarray(vectors), threshold)
    else:
        raise ValueError(f"unknown method {method!r}")
    return {
        "wall_s": time.perf_counter() - started,
        "encode_s": encoded_s or None,
        **_labels_summary(labels),
    }


CORPORA = {
    "mfa": data.mfa,
    "ungdc-100000": lambda: data.ungdc(100_000),
    "ungdc-all": lambda: data.ungdc(None),
}
QUICK_CORPORA = ("mfa",)


def run(
    quick: bool,
    computed: bool | None = None,
    names: tuple[str, ...] | None = None,
    modes: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """``computed``: also run with each method encoding itself (default: in ``--full``);
    ``names``: corpora of :data:`CORPORA` (default: MFA when quick, all when full) or of
    :data:`bench.whole_suite.CORPORA` (the whole corpus stage by stage, in ``modes``)."""
    from bench import whole_suite

    computed = (not quick) if computed is None else computed
    names = names or (QUICK_CORPORA if quick else tuple(CORPORA))
    known = (*CORPORA, *whole_suite.CORPORA)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"unknown corpora {unknown}; choose from {', '.join(known)}")
    whole = tuple(n for n in names if n in whole_suite.CORPORA)
    names = tuple(n for n in names if n in CORPORA)
    rows: list[dict[str, Any]] = whole_suite.run(whole, modes or whole_suite.MODES) if whole else []
    with tempfile.TemporaryDirectory(dir=data.cache_dir()) as tmp:
        for corpus in (CORPORA[name]() for name in names):
            corpus_path = Path(tmp) / f"{corpus.name}.jsonl"
            with corpus_path.open("w", encoding="utf-8") as fh:
                for record in corpus.records():
                    fh.write(json.dumps(record) + "\n")
            vectors = np.ascontiguousarray(data.embeddings(corpus), dtype=np.float32)
            vectors_path = Path(tmp) / f"{corpus.name}.npy"
            np.save(vectors_path, vectors)
            modes = ["cached", "computed"] if computed else ["cached"]
            for mode in modes:
                # the model's cost is the same for either task: "computed" runs dedup only
                for task in ("dedup", "talking-points") if mode == "cached" else ("dedup",):
                    found = []
                    for method in METHODS if task == "dedup" else TP_METHODS:
                        if mode == "computed" and method == "datasketch-minhash":
                            continue  # no model: its cached row is its only row
                        print(f"  end-to-end {corpus.name} {task} {method} ({mode}) ...")
                        runs = REPEATS if mode == "cached" and task == "dedup" else 1
                        got = _repeat(
                            [
                                _measure(method, task, corpus_path, vectors_path, mode, tmp)
                                for _ in range(runs)
                            ]
                        )
                        found.append(_row(corpus, task, method, mode, got))
                    _add_ratios(found)
                    rows.extend(found)
    return rows


def _repeat(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time, plus every run's wall time (the machine is noisy)."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    good.sort(key=lambda r: r["wall_s"])
    return {**good[len(good) // 2], "walls": [round(r["wall_s"], 2) for r in good]}


def _measure(
    method: str, task: str, corpus_path: Path, vectors_path: Path, mode: str, tmp: str
) -> dict[str, Any]:
    if method != "simdedup":
        vec = str(vectors_path) if mode == "cached" else None
        return common.isolated(run_alternative, method, task, str(corpus_path), vec)
    threshold = DEDUP_THRESHOLD if task == "dedup" else TP_THRESHOLD
    cache = str(data.cache_dir()) if mode == "cached" else tempfile.mkdtemp(dir=tmp)
    args = [task, str(corpus_path), "--threshold", str(threshold), "--json", "--quiet"]
    if mode == "cached":  # the cache holds the reference (torch) vectors the others get too
        args += ["--backend", "torch"]
    env = {"SIMDEDUP_CACHE_DIR": cache, "SIMDEDUP_MODELS_DIR": str(models_dir())}
    got = common.isolated(run_cli, args, env)
    if "child_rss_mb" in got:
        got["peak_rss_mb"] = round(got.pop("child_rss_mb"), 1)
    return got


def models_dir() -> Path:
    """The exported (ONNX) and distilled (static) models the CLI runs use: made once, before
    any timing."""
    path = data.cache_dir() / "models"
    if not (path / "static-made").exists():  # the static model (--fast) is distilled once too
        from simdedup.embed.encoder import SentenceTransformerEncoder
        from simdedup.embed.static import StaticEncoder

        os.environ["SIMDEDUP_MODELS_DIR"] = str(path)
        SentenceTransformerEncoder(backend="onnx-int8").load()
        StaticEncoder(quiet=True).load()
        (path / "static-made").touch()
    return path


def _row(
    corpus: data.Corpus, task: str, method: str, mode: str, got: dict[str, Any]
) -> dict[str, Any]:
    threshold = DEDUP_THRESHOLD if task == "dedup" else TP_THRESHOLD
    if method == "datasketch-minhash":
        threshold = MINHASH_THRESHOLD
    params = {"task": task, "corpus": corpus.name, "embeddings": mode, "threshold": threshold}
    if "error" in got:
        print(f"    failed: {got['error']}")
        return common.row("end-to-end", method, n=len(corpus), params=params, extra=got)
    return common.row(
        "end-to-end",
        method,
        n=len(corpus),
        dim=None if method == "datasketch-minhash" else 384,
        params=params,
        search_s=got["wall_s"],
        qps=len(corpus) / got["wall_s"],
        peak_rss_mb=got.get("peak_rss_mb"),
        extra={
            "wall_s": round(got["wall_s"], 2),
            "groups": got["groups"],
            "in_groups": got["in_groups"],
            "encode_s": got.get("encode_s"),
            "wall_s_runs": got.get("walls"),
        },
    )


def _add_ratios(rows: list[dict[str, Any]]) -> None:
    """``extra.time_vs_simdedup``: each method's wall time over simdedup's (> 1: slower)."""
    ours = next((r for r in rows if r["method"] == "simdedup" and r["search_s"]), None)
    for r in rows:
        if ours is not None and r["search_s"]:
            r["extra"]["time_vs_simdedup"] = round(r["search_s"] / ours["search_s"], 2)
