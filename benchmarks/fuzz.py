"""Fuzz how simdedup reads, dates and segments input, for minutes rather than seconds, with
the strategies and property checks of ``tests/test_fuzz.py`` (``tests/fuzz_strategies.py``)
at a larger scale (more files and lines, longer texts, long runs of one character).

    python benchmarks/fuzz.py                        # 180 s in all, split over the targets
    python benchmarks/fuzz.py --seconds 600 --targets read,stdin
    python benchmarks/fuzz.py --examples 500 --scale small

Targets: ``read`` (RecordReader on folders and files of every kind, damaged ones included),
``stdin`` (the same bytes from stdin and from a file must read alike), ``dates``
(normalize_date, find_date), ``segment`` (Segmenter.explain) and ``store`` (read, segment,
``Store.memory`` with the tests' fake encoder). Per target it counts the cases run (shrinking
included), records read, segments made, simdedup errors by kind, and every failure: an
exception other than a ``SimdedupError`` (foreign), a broken property (violation) or a case
past ``--limit`` seconds; each with its smallest input found (Hypothesis shrinks it). Prints
the counts and writes ``benchmarks/results/fuzz.json``; exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

import hypothesis  # noqa: E402
from hypothesis import HealthCheck, Phase, Verbosity, given, settings  # noqa: E402

import fuzz_strategies as fz  # noqa: E402
import simdedup  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "fuzz.json"
REPRO_CHARS = 6000  # the most of a repro kept in the JSON
SCALES = {"small": fz.SMALL, "large": fz.LARGE}


class _Stop(BaseException):
    """The target's time is up (a BaseException: Hypothesis lets it through at once)."""


def signature(exc: BaseException) -> tuple[str, dict[str, str]]:
    """What tells one failure from another: a violation's rule (and where a slow case was
    stopped), a foreign exception's type and innermost simdedup frame."""
    if isinstance(exc, fz.TooSlow):
        info = {"kind": "time-limit", "type": "TooSlow", "where": exc.where}
        return f"time-limit in {exc.where}", info | {"message": str(exc)[:500]}
    if isinstance(exc, fz.PropertyViolation):
        info = {"kind": "violation", "type": exc.rule, "where": ""}
        return f"violation {exc.rule}", info | {"message": str(exc)[:500]}
    where = fz.simdedup_frame(exc.__traceback__)
    info = {"kind": "foreign", "type": type(exc).__name__, "where": where}
    return f"{type(exc).__name__} at {where}", info | {"message": str(exc)[:500]}


def run_target(
    target: fz.Target, seconds: float, examples: int, limit: float, scale: fz.Scale
) -> dict[str, Any]:
    """Fuzz one target until its time or examples run out; every new failure is shrunk by
    Hypothesis, then the search starts again with that failure counted but let through."""
    counts: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    failures: dict[str, dict[str, Any]] = {}
    reported: set[str] = set()  # failures found in an earlier round: counted, not raised
    started = time.monotonic()
    deadline = started + seconds
    strategy = target.strategy(scale)
    while time.monotonic() < deadline and counts["examples"] < examples:
        before = set(failures)

        @settings(
            max_examples=max(1, examples - counts["examples"]),
            deadline=None,
            database=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate, Phase.shrink],
            report_multiple_bugs=True,
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        @given(strategy)
        def body(case: Any) -> None:
            if time.monotonic() > deadline:
                raise _Stop
            counts["examples"] += 1
            try:
                outcome = target.check(case, limit)
            except Exception as exc:
                key, info = signature(exc)
                repro = repr(case)
                seen = failures.get(key)
                if seen is None or len(repro) < seen["repro_chars"]:
                    failures[key] = {
                        **info,
                        "count": seen["count"] if seen else 0,
                        "repro_chars": len(repro),
                        "repro": repro[:REPRO_CHARS],
                    }
                failures[key]["count"] += 1
                if key in reported:  # noqa: B023 (read at call time, on purpose)
                    return
                raise
            counts["records"] += outcome.records
            counts["segments"] += outcome.segments
            counts["removed"] += outcome.removed
            counts["warnings"] += outcome.warnings
            if outcome.error is not None:
                counts["simdedup errors"] += 1
                errors[outcome.error] += 1

        try:
            body()
        except _Stop:
            break
        except BaseException:
            if set(failures) == before:
                raise  # a failure of the harness itself, not of simdedup
        else:
            if set(failures) == before:
                break  # the search space is used up
        reported |= set(failures)
    return {
        "what": target.what,
        "seconds": round(time.monotonic() - started, 1),
        "examples": counts["examples"],
        "records": counts["records"],
        "segments": counts["segments"],
        "removed": counts["removed"],
        "warnings": counts["warnings"],
        "simdedup_errors": counts["simdedup errors"],
        "simdedup_error_kinds": dict(errors.most_common()),
        "foreign": sum(f["count"] for f in failures.values() if f["kind"] == "foreign"),
        "violations": sum(f["count"] for f in failures.values() if f["kind"] != "foreign"),
        "failures": [{"signature": key, **value} for key, value in sorted(failures.items())],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="time in all (180)")
    parser.add_argument("--examples", type=int, default=10**9, help="most cases per target")
    parser.add_argument(
        "--targets", default=",".join(t.name for t in fz.TARGETS), help="comma-separated"
    )
    parser.add_argument("--limit", type=float, default=10.0, help="seconds one case may take")
    parser.add_argument("--scale", choices=sorted(SCALES), default="large")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    chosen = [t for t in fz.TARGETS if t.name in args.targets.split(",")]
    if not chosen:
        parser.error(f"--targets: choose from {', '.join(t.name for t in fz.TARGETS)}")
    share = args.seconds / len(chosen)
    results = {}
    for target in chosen:
        print(f"fuzzing {target.name} ({target.what}) for {share:.0f} s ...", flush=True)
        results[target.name] = run_target(
            target, share, args.examples, args.limit, SCALES[args.scale]
        )
    payload = {
        "run": {
            "seconds": args.seconds,
            "examples": None if args.examples == 10**9 else args.examples,
            "limit_s": args.limit,
            "scale": args.scale,
            "versions": {
                "python": platform.python_version(),
                "simdedup": simdedup.__version__,
                "hypothesis": hypothesis.__version__,
            },
        },
        "foreign": sum(r["foreign"] for r in results.values()),
        "violations": sum(r["violations"] for r in results.values()),
        "targets": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
    report(results)
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    sys.exit(1 if payload["foreign"] or payload["violations"] else 0)


def report(results: dict[str, dict[str, Any]]) -> None:
    head = ("target", "s", "cases", "records", "segments", "simdedup errors", "foreign",
            "violations")  # fmt: skip
    rows = [
        (name, r["seconds"], r["examples"], r["records"], r["segments"], r["simdedup_errors"],
         r["foreign"], r["violations"])
        for name, r in results.items()
    ]  # fmt: skip
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    for row in (head, *rows):
        print("  ".join(str(x).rjust(w) if i else str(x).ljust(w) for i, (x, w) in
                        enumerate(zip(row, widths))))  # fmt: skip
    for name, r in results.items():
        if r["simdedup_error_kinds"]:
            print(f"\n{name}: simdedup errors by kind")
            for kind, n in list(r["simdedup_error_kinds"].items())[:15]:
                print(f"  {n:6}  {kind}")
    for name, r in results.items():
        for f in r["failures"]:
            print(f"\nFAIL {name}: {f['signature']} ({f['count']} cases)\n  {f['message'][:300]}")
            print(f"  smallest input ({f['repro_chars']} chars): {f['repro'][:400]}")


if __name__ == "__main__":
    main()
