"""Crash safety: ``kill -9`` a real ``simdedup index`` at random moments, then check the store.

    python benchmarks/crash.py --trials 20

Each trial indexes the first ``--paragraphs`` UNGDC paragraphs (``../shared/data/ungdc``) into a
fresh store and kills the process at a random moment in ``--window`` (seconds after its start;
by default around the end of the run, where the commit, the index file and the manifest are
written). After each kill, ``simdedup check --full`` must find the store whole (or absent, if
the kill came before it was created), and a rerun of the same ``index`` must succeed. Prints
the counts; writes ``benchmarks/results/crash.json``; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNGDC = ROOT.parent / "shared" / "data" / "ungdc" / "ungdc_paragraphs.jsonl.gz"
RESULTS = ROOT / "benchmarks" / "results" / "crash.json"
CLI = [sys.executable, "-m", "simdedup"]


def corpus(path: Path, n: int) -> None:
    with gzip.open(UNGDC, "rt", encoding="utf-8") as src, path.open("w") as out:
        for i, line in enumerate(itertools.islice(src, n)):
            row = json.loads(line)
            out.write(json.dumps({"id": f"u{i}", "text": row["text"], "outlet": row["country"]}))
            out.write("\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--paragraphs", type=int, default=3000)
    parser.add_argument("--window", type=float, nargs=2, default=None, metavar=("FROM", "TO"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counts = {"trials": 0, "killed": 0, "finished first": 0, "store absent": 0, "whole": 0}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="simdedup-crash-") as tmp:
        data = Path(tmp) / "corpus.jsonl"
        corpus(data, args.paragraphs)
        started = time.perf_counter()
        subprocess.run([*CLI, "index", str(data), "--store", f"{tmp}/t", "-q"], check=True,
                       capture_output=True)  # fmt: skip
        full = time.perf_counter() - started
        low, high = args.window or (0.85 * full, 1.02 * full)
        print(f"one run takes {full:.1f} s; killing between {low:.1f} and {high:.1f} s")
        for trial in range(args.trials):
            store = Path(tmp) / f"s{trial}"
            quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            run = subprocess.Popen([*CLI, "index", str(data), "--store", str(store)], **quiet)
            time.sleep(rng.uniform(low, high))
            counts["trials"] += 1
            if run.poll() is None:
                run.send_signal(signal.SIGKILL)
                counts["killed"] += 1
            else:
                counts["finished first"] += 1
            run.wait()
            if not (store / "store.sqlite").exists():
                counts["store absent"] += 1
            else:
                check = subprocess.run([*CLI, "check", "--store", str(store), "--full", "--json"],
                                       capture_output=True, text=True)  # fmt: skip
                if check.returncode == 0 and json.loads(check.stdout)["ok"]:
                    counts["whole"] += 1
                else:
                    failures.append(f"trial {trial}: check: {check.stdout[-300:]}{check.stderr}")
            again = subprocess.run([*CLI, "index", str(data), "--store", str(store), "-q"],
                                   capture_output=True, text=True)  # fmt: skip
            if again.returncode != 0:
                failures.append(f"trial {trial}: rerun: {again.stderr[-300:]}")
            shutil.rmtree(store, ignore_errors=True)
    for key, value in counts.items():
        print(f"  {key:<16} {value}")
    print(f"  {'failures':<16} {len(failures)}")
    for failure in failures:
        print("   ", failure)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"paragraphs": args.paragraphs, "window_s": [low, high], **counts,
                    "failures": failures}, indent=2) + "\n", encoding="utf-8",
    )  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
