"""Whole corpus, stage by stage, as a user runs it: ``index``, then ``dedup`` and
``talking-points`` on the store, each one ``simdedup`` command in its own process.

Corpus ``ungdc-full``: all 292,435 UNGDC paragraphs. Two modes:

- ``default``: the default model and backend (the claim model, ONNX int8 on a CPU) and the
  default talking-point unit;
- ``default-paragraph``: the same with ``--unit paragraph`` (whole paragraphs, no parser);
- ``fast``: ``--fast`` (the static model), and its default unit (whole paragraphs).

Every stage row (suite ``end-to-end``, told apart by ``params.mode``) has the command's wall
time (Python start-up and output included), its peak RSS, and what it found. The store and its
embedding cache are made fresh for each mode, in a temporary folder under
``$SIMDEDUP_BENCH_CACHE``, so ``index`` embeds everything.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench import common, data
from bench.e2e_suite import models_dir, run_cli

CORPORA = {"ungdc-full": lambda: data.ungdc(None)}
MODES = ("fast", "default-paragraph", "default")
STAGES = ("index", "dedup", "talking-points")


def run(names: tuple[str, ...], modes: tuple[str, ...] = MODES) -> list[dict[str, Any]]:
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        raise ValueError(f"unknown modes {unknown}; choose from {', '.join(MODES)}")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir=data.cache_dir()) as tmp:
        for name in names:
            corpus = CORPORA[name]()
            path = write_corpus(corpus, Path(tmp) / f"{name}.jsonl")
            for mode in modes:
                rows.extend(_stages(name, len(corpus), path, mode, Path(tmp) / mode))
    return rows


def _stages(name: str, n: int, corpus: Path, mode: str, where: Path) -> list[dict[str, Any]]:
    where.mkdir()
    store = where / "store"
    env = {"SIMDEDUP_CACHE_DIR": str(where / "cache"), "SIMDEDUP_MODELS_DIR": str(models_dir())}
    commands = stage_commands(corpus, store, mode)
    rows = []
    for stage in STAGES:
        print(f"  whole corpus {name} {mode} {stage} ...", flush=True)
        got = common.isolated(run_cli, commands[stage], env, timeout=4 * 3600)
        params = {"task": stage, "corpus": name, "embeddings": "computed", "mode": mode}
        if "error" in got:
            print(f"    failed: {got['error']}")
            rows.append(common.row("end-to-end", "simdedup", n=n, params=params, extra=got))
            break
        print(f"    {got['wall_s']:.1f} s, {got['child_rss_mb']:.0f} MB", flush=True)
        rows.append(
            common.row(
                "end-to-end",
                "simdedup",
                n=n,
                dim=384,
                params=params,
                search_s=got["wall_s"],
                qps=n / got["wall_s"],
                peak_rss_mb=round(got["child_rss_mb"], 1),
                extra={
                    "wall_s": round(got["wall_s"], 2),
                    "groups": got["groups"],
                    "in_groups": got["in_groups"],
                    "store_mb": round(_size_mb(store), 1),
                },
            )
        )
    shutil.rmtree(where, ignore_errors=True)
    return rows


def write_corpus(corpus: data.Corpus, path: Path) -> Path:
    """``corpus`` as the JSONL file the CLI reads (one record per paragraph)."""
    with path.open("w", encoding="utf-8") as fh:
        for record in corpus.records():
            fh.write(json.dumps(record) + "\n")
    return path


def stage_commands(corpus: Path, store: Path, mode: str) -> dict[str, list[str]]:
    """The ``simdedup`` arguments of each stage in ``mode`` (one of :data:`MODES`)."""
    fast = ["--fast"] if mode == "fast" else []
    unit = ["--unit", "paragraph"] if mode == "default-paragraph" else []
    return {
        "index": ["index", str(corpus), "--store", str(store), *fast, "--json", "--quiet"],
        "dedup": ["dedup", "--store", str(store), "--json", "--quiet"],
        "talking-points": ["talking-points", "--store", str(store), *unit, "--json", "--quiet"],
    }


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20
