"""The benchmark suite: simdedup side by side with what a user would pick instead.

    python benchmarks/run.py --quick             # n = 10k, 100k; MFA end to end (< 10 min once
                                                 # the embeddings are cached)
    python benchmarks/run.py --full              # + 1M vectors, UNGDC 100k and all 292k end to
                                                 # end, models encoding for themselves
    python benchmarks/run.py --quick --suite index --sizes 100000 --methods simdedup,faiss-flat
    python benchmarks/run.py --suite end-to-end --corpora mfa --computed
    python benchmarks/run.py --suite end-to-end --corpora ungdc-full   # whole UNGDC corpus,
                                                 # index + dedup + talking points, fast and default
    python benchmarks/run.py --full --suite index --sizes 1000000 --methods simdedup \
        --tasks self-join
    python benchmarks/run.py --report            # only regenerate README tables and plots

Suites: ``index``, ``embed``, ``end-to-end``, ``quality`` (see each ``bench/*_suite.py`` and
``bench/quality.py`` for what every timing includes). Each writes
``benchmarks/results/<suite>.json``; rows measured again replace the old rows with the same
method, size and parameters, others are kept. Then ``benchmarks/README.md`` and
``benchmarks/plots/*.png`` are regenerated. Real embeddings are computed once and cached in
``$SIMDEDUP_BENCH_CACHE`` (default ``~/.cache/simdedup-bench/``), never in the repository.
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

from bench import common, report

SUITES = ("index", "embed", "end-to-end", "quality")


def _key(row: dict[str, Any]) -> str:
    return json.dumps(
        [row["method"], row["n"], row["params"], row["extra"].get("dataset")],
        sort_keys=True,
        default=str,
    )


def merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Old rows that were not measured again, then the new rows."""
    fresh = {_key(r) for r in new}
    return [r for r in old if _key(r) not in fresh] + new


def run_suite(name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    quick = not args.full
    if name == "index":
        from bench import index_suite

        methods = tuple(args.methods.split(",")) if args.methods else index_suite.METHODS
        sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else None
        tasks = tuple(args.tasks.split(",")) if args.tasks else index_suite.TASKS
        return index_suite.run(quick, methods=methods, sizes=sizes, tasks=tasks)
    if name == "embed":
        from bench import embed_suite

        return embed_suite.run(quick)
    if name == "end-to-end":
        from bench import e2e_suite

        names = tuple(args.corpora.split(",")) if args.corpora else None
        modes = tuple(args.modes.split(",")) if args.modes else None
        computed = True if args.computed else None
        return e2e_suite.run(quick, computed=computed, names=names, modes=modes)
    from bench import quality

    return quality.run(quick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small sizes (default)")
    mode.add_argument("--full", action="store_true", help="large sizes; hours on 2 cores")
    mode.add_argument("--report", action="store_true", help="only regenerate README and plots")
    parser.add_argument("--suite", default=",".join(SUITES), help="comma-separated suites")
    parser.add_argument("--sizes", help="index suite sizes, e.g. 10000,100000")
    parser.add_argument("--methods", help="index suite methods, comma-separated")
    parser.add_argument("--tasks", help="index suite tasks: knn,self-join")
    parser.add_argument(
        "--corpora", help="end-to-end corpora: mfa,ungdc-100000,ungdc-all; ungdc-full (stages)"
    )
    parser.add_argument("--modes", help="end-to-end ungdc-full modes: fast,default")
    parser.add_argument(
        "--computed", action="store_true", help="end-to-end: also let each method encode"
    )
    args = parser.parse_args()
    if not args.report:
        suites = [s.strip() for s in args.suite.split(",") if s.strip()]
        unknown = sorted(set(suites) - set(SUITES))
        if unknown:
            parser.error(f"--suite: unknown {', '.join(unknown)}; choose from {', '.join(SUITES)}")
        mode_name = "full" if args.full else "quick"
        for name in suites:
            started = time.perf_counter()
            print(f"[{name}] ({mode_name})", flush=True)
            rows = run_suite(name, args)
            old = common.load(name)
            merged = merge(old["rows"] if old else [], rows)
            path = common.save(name, merged, {"mode": mode_name})
            print(f"[{name}] {len(rows)} rows in {time.perf_counter() - started:.0f} s -> {path}")
    print(f"regenerated {report.regenerate()}")


if __name__ == "__main__":
    main()
