"""Where the time goes: each stage of the whole pipeline (``index``, ``dedup``,
``talking-points``) as one ``simdedup`` command under cProfile, summarised by the simdedup
functions that hold the most time.

    python benchmarks/profile_stages.py [--n 20000] [--mode default|default-paragraph|fast]

On ``n`` seeded UNGDC paragraphs (``--n 0``: all 292,435), on a fresh store and embedding
cache. Each stage lists its wall time and, for the functions of simdedup (and the library
calls they spend it in) with the most cumulative time, their share of the stage. Work done in
worker processes (the claim-unit cut on large stores) shows as the main process waiting for
them. cProfile slows pure-Python code more than compiled code, so read the shares, not the
seconds. Writes ``benchmarks/results/profile-<mode>-<n>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import data
from bench.e2e_suite import models_dir
from bench.whole_suite import MODES, stage_commands, write_corpus

RESULTS = Path(__file__).resolve().parent / "results"
# the functions a stage's time is read by: (file suffix, function name, what it is)
MARKERS = [
    ("store/writing.py", "add_locked", "index: read, segment, embed, write"),
    ("embed/encoder.py", "embed_missing", "embed (paragraphs or units)"),
    ("store/writing.py", "_update_index", "update the vector index"),
    ("index/selfjoin.py", "range_pairs", "cosine self-join"),
    ("duplicates/groups.py", "_contained", "sentence containment"),
    ("duplicates/groups.py", "_agreeing_numbers", "figure check (dedup)"),
    ("units/table.py", "_parses", "cut claim units"),
    ("units/table.py", "_vectors", "embed claim units"),
    ("cluster/linkage.py", "graph", "k-NN candidate graph"),
    ("cluster/linkage.py", "figures_of", "figure check (talking points)"),
    ("cluster/linkage.py", "_beside", "k-NN graph and figure check side by side"),
    ("cluster/linkage.py", "average_linkage", "average linkage"),
    ("cluster/claims.py", "merge_claims", "merge unit and paragraph clusters"),
    ("cluster/talking_points.py", "_report", "describe (labels, provenance, timeline)"),
    ("io/jsonout.py", "write_json", "write the JSON output"),
]


def profile(args: list[str], env: dict[str, str], out: Path) -> dict[str, Any]:
    """One ``simdedup`` command under cProfile: wall time and the markers' cumulative seconds."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "simdedup", *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1])
    stats = pstats.Stats(str(out))
    total = max(v[3] for v in stats.stats.values())  # type: ignore[attr-defined]
    found: dict[str, float] = {}
    for (path, _, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for suffix, function, what in MARKERS:
            if path.endswith(suffix) and name == function:
                found[what] = max(found.get(what, 0.0), cumulative)
    top = sorted(
        (
            (cumulative, f"{Path(path).parent.name}/{Path(path).name}:{name}")
            for (path, _, name), (_, _, _, cumulative, _) in stats.stats.items()  # type: ignore[attr-defined]
            if "simdedup" in path and "cli" not in path
        ),
        reverse=True,
    )[:12]
    return {
        "wall_s": round(wall, 1),
        "profiled_s": round(total, 1),
        "stages": {k: round(v, 1) for k, v in sorted(found.items(), key=lambda kv: -kv[1])},
        "top_functions": [[name, round(seconds, 1)] for seconds, name in top],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--mode", default="default", choices=MODES)
    args = parser.parse_args()
    corpus = data.ungdc(args.n or None)
    result: dict[str, Any] = {"corpus": corpus.name, "n": len(corpus), "mode": args.mode}
    with tempfile.TemporaryDirectory(dir=data.cache_dir()) as tmp:
        path = write_corpus(corpus, Path(tmp) / "corpus.jsonl")
        store = Path(tmp) / "store"
        env = {
            "SIMDEDUP_CACHE_DIR": str(Path(tmp) / "cache"),
            "SIMDEDUP_MODELS_DIR": str(models_dir()),
        }
        commands = stage_commands(path, store, args.mode)
        for stage, command in commands.items():
            print(f"  {stage} ...", flush=True)
            got = profile(command, env, Path(tmp) / f"{stage}.prof")
            result[stage] = got
            print(json.dumps(got, indent=1), flush=True)
    out = RESULTS / f"profile-{args.mode}-{len(corpus)}.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"-> {out}")


if __name__ == "__main__":
    main()
