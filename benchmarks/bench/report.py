"""Regenerate the tables and plots of ``benchmarks/README.md`` from ``benchmarks/results/*.json``.

Each suite's table sits between ``<!-- BEGIN GENERATED: suite -->`` and
``<!-- END GENERATED: suite -->`` markers; text outside the markers is written by hand and kept.
Plots go to ``benchmarks/plots/*.png``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench import common

README = common.ROOT / "benchmarks" / "README.md"
PLOTS = common.ROOT / "benchmarks" / "plots"
SUITES = ("index", "embed", "end-to-end", "quality")


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(header: list[str], rows: Iterable[list[Any]], digits: int = 2) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join(c if isinstance(c, str) else _fmt(c, digits) for c in r) + " |"
        for r in rows
    ]
    return "\n".join(lines)


def _environment(payload: dict[str, Any]) -> str:
    env = payload["environment"]
    libs = ", ".join(f"{k} {v}" for k, v in env["versions"].items() if v)
    return (
        f"*Measured {env['date']} on {env['cpu']} ({env['cores']} cores, "
        f"{env['memory_gib']} GiB, no GPU), Python {env['python']}; {libs}. "
        f"Mode: `{payload.get('mode', '?')}`.*"
    )


def _int(value: Any) -> int | None:
    return None if value is None else round(value)


def _mb(value: Any) -> str:
    return "—" if value is None else f"{value / 2**20:,.0f}"


# -- index ----------------------------------------------------------------------------------------


def index_section(payload: dict[str, Any]) -> str:
    rows = [r for r in payload["rows"] if "error" not in r["extra"]]
    out = [_environment(payload), ""]
    by_n: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_n[r["n"]].append(r)
    for n in sorted(by_n):
        knn = {r["method"]: r for r in by_n[n] if r["params"]["task"] == "knn"}
        join = {r["method"]: r for r in by_n[n] if r["params"]["task"] == "self-join"}
        exact = join.get("faiss-flat")
        source = next(iter(by_n[n]))["extra"].get("data", "")
        out.append(f"**n = {n:,}** ({source}, d = 384)\n")
        table = []
        for method in sorted(set(knn) | set(join), key=_method_order):
            k, j = knn.get(method, {}), join.get(method, {})
            total = j.get("extra", {}).get("total_s") if j else None
            speedup = (
                exact["extra"]["total_s"] / total
                if exact and total and method != "faiss-flat"
                else None
            )
            table.append(
                [
                    f"**{method}**" if method == "simdedup" else method,
                    k.get("build_s"),
                    _int(k.get("qps")),
                    k.get("recall_at_10"),
                    total,
                    f"{speedup:.1f}x"
                    if speedup
                    else ("1x (exact)" if method == "faiss-flat" and total else "—"),
                    j.get("pair_recall"),
                    j.get("pair_precision"),
                    _int(max(k.get("peak_rss_mb") or 0, j.get("peak_rss_mb") or 0) or None),
                    _mb(k.get("index_bytes") or j.get("index_bytes")),
                ]
            )
        out.append(
            _table(
                [
                    "method",
                    "build s",
                    "k-NN queries/s",
                    "recall@10",
                    "self-join s",
                    "join vs exact",
                    "pair recall",
                    "pair precision",
                    "peak RSS MB",
                    "index MB",
                ],
                table,
            )
        )
        out.append("")
    failed = [r for r in payload["rows"] if "error" in r["extra"]]
    for r in failed:
        out.append(f"- {r['method']} n={r['n']:,} failed: `{r['extra']['error'][:160]}`")
    return "\n".join(out)


def _method_order(method: str) -> tuple[int, str]:
    return (0 if method == "simdedup" else 1 if method.startswith("faiss") else 2, method)


# -- embed ----------------------------------------------------------------------------------------


def embed_section(payload: dict[str, Any]) -> str:
    rows = [r for r in payload["rows"] if "error" not in r["extra"]]
    table = []
    for r in sorted(
        rows,
        key=lambda r: (r["method"] != "sentence-transformers", -(r["qps"] or 0)),
    ):
        ratio = r["extra"].get("speedup_vs_plain")
        mean, low = r["extra"].get("mean_cosine_vs_plain"), r["extra"].get("min_cosine_vs_plain")
        table.append(
            [
                r["method"],
                r["params"]["batch_size"],
                r["qps"],
                f"{ratio:.2f}x" if ratio else "—",
                "—" if mean is None else f"{mean:.4f} / {low:.4f}",
                _fmt(r["build_s"]),
                _int(r["peak_rss_mb"]),
            ]
        )
    first = rows[0] if rows else None
    head = (
        f"{first['n']:,} paragraphs (mean {first['extra']['mean_chars']} characters, median "
        f"{first['extra']['median_chars']}), torch threads {first['extra']['torch_threads']}; "
        "ratios are against plain sentence-transformers at its default batch of 32 in the "
        "same run."
        if first
        else ""
    )
    return "\n".join(
        [
            _environment(payload),
            "",
            head,
            "",
            _table(
                [
                    "path",
                    "batch",
                    "paragraphs/s",
                    "vs plain",
                    "cosine vs plain (mean / min)",
                    "load s",
                    "peak RSS MB",
                ],
                table,
            ),
        ]
    )


# -- end-to-end -----------------------------------------------------------------------------------


def e2e_section(payload: dict[str, Any]) -> str:
    out = [_environment(payload), ""]
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    whole = [r for r in payload["rows"] if "mode" in r["params"]]  # bench/whole_suite.py
    if whole:
        out += [_whole_corpus(whole), ""]
    for r in payload["rows"]:
        if "mode" in r["params"]:
            continue
        p = r["params"]
        groups[(p["corpus"], p["task"], p["embeddings"])].append(r)
    for (corpus, task, mode), rows in groups.items():
        n = rows[0]["n"]
        out.append(f"**{task}** on {corpus} ({n:,} paragraphs), embeddings {mode}\n")
        table = []
        for r in rows:
            e = r["extra"]
            if "error" in e:
                table.append([r["method"], "failed", "", "", "", "", e["error"][:80]])
                continue
            table.append(
                [
                    f"**{r['method']}**" if r["method"] == "simdedup" else r["method"],
                    r["params"]["threshold"],
                    e["wall_s"]
                    if not e.get("wall_s_runs")
                    else f"{e['wall_s']:.2f} ({', '.join(f'{w:.1f}' for w in e['wall_s_runs'])})",
                    f"{e['time_vs_simdedup']:.2f}x" if e.get("time_vs_simdedup") else "—",
                    _int(r["peak_rss_mb"]),
                    e["groups"],
                    e["in_groups"],
                ]
            )
        out.append(
            _table(
                [
                    "method",
                    "threshold",
                    "wall s (median; runs)",
                    "time vs simdedup",
                    "peak RSS MB",
                    "groups",
                    "paragraphs in groups",
                ],
                table,
            )
        )
        out.append("")
    return "\n".join(out)


def _whole_corpus(rows: list[dict[str, Any]]) -> str:
    """The stage-by-stage rows of ``--corpora ungdc-full`` (bench/whole_suite.py)."""
    out = []
    for corpus in dict.fromkeys(r["params"]["corpus"] for r in rows):
        mine = [r for r in rows if r["params"]["corpus"] == corpus]
        out.append(
            f"**Whole corpus, stage by stage** on {corpus} ({mine[0]['n']:,} paragraphs), each "
            "stage one `simdedup` command on a fresh store\n"
        )
        table = []
        for mode in dict.fromkeys(r["params"]["mode"] for r in mine):
            stages = [r for r in mine if r["params"]["mode"] == mode]
            total = 0.0
            for r in stages:
                e = r["extra"]
                if "error" in e:
                    table.append([mode, r["params"]["task"], "failed", "", "", "", e["error"][:80]])
                    continue
                total += e["wall_s"]
                found = "" if r["params"]["task"] == "index" else f"{e['groups']:,}"
                members = "" if r["params"]["task"] == "index" else f"{e['in_groups']:,}"
                table.append(
                    [mode, r["params"]["task"], f"{e['wall_s']:,.1f}", _int(r["peak_rss_mb"]),
                     found, members, f"{e['store_mb']:,.0f}"]
                )  # fmt: skip
            peak = max((r["peak_rss_mb"] or 0) for r in stages)
            table.append([f"**{mode}**", "**all**", f"**{total:,.1f}** ({total / 60:.1f} min)",
                          f"**{_int(peak)}**", "", "", ""])  # fmt: skip
        out.append(
            _table(
                [
                    "mode",
                    "stage",
                    "wall s",
                    "peak RSS MB",
                    "groups / talking points",
                    "paragraphs in them",
                    "store MB",
                ],
                table,
            )
        )
    return "\n".join(out)


# -- quality --------------------------------------------------------------------------------------


def quality_section(payload: dict[str, Any]) -> str:
    out = [_environment(payload), ""]
    by_set: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in payload["rows"]:
        by_set[r["extra"].get("dataset", "?")].append(r)
    for dataset, rows in by_set.items():
        out.append(f"**{dataset}**\n")
        score = "ari" if any("ari" in r["extra"] for r in rows) else "spearman"
        table = []
        for r in rows:
            e = r["extra"]
            method = f"**{r['method']}**" if r["method"].startswith("simdedup") else r["method"]
            table.append(
                [
                    method,
                    r["params"].get("threshold"),
                    e.get("tuned_on", "—"),
                    r["pair_precision"],
                    r["pair_recall"],
                    e.get("f1"),
                    e.get(score),
                ]
            )
        out.append(
            _table(
                [
                    "method",
                    "threshold",
                    "tuned on",
                    "precision",
                    "recall",
                    "F1",
                    "ARI" if score == "ari" else "Spearman",
                ],
                table,
                digits=3,
            )
        )
        out.append("")
    return "\n".join(out)


# -- plots ----------------------------------------------------------------------------------------


def plots(index: dict[str, Any] | None) -> list[Path]:
    """recall@10 vs k-NN throughput, and join/build time vs n (log axes)."""
    if index is None:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    PLOTS.mkdir(parents=True, exist_ok=True)
    rows = [r for r in index["rows"] if "error" not in r["extra"]]
    written = []
    sizes = sorted({r["n"] for r in rows if r["params"]["task"] == "knn"})
    fig, axes = plt.subplots(1, len(sizes), figsize=(5 * len(sizes), 4), squeeze=False)
    methods = sorted({r["method"] for r in rows}, key=_method_order)
    for ax, n in zip(axes[0], sizes):
        for i, method in enumerate(methods):
            for r in rows:
                if r["n"] == n and r["method"] == method and r["params"]["task"] == "knn":
                    size = 80 if method == "simdedup" else 40
                    marker = "o^svDP*Xhd"[i % 10]
                    ax.scatter(r["qps"], r["recall_at_10"], s=size, marker=marker, label=method)
        ax.set_xscale("log")
        ax.set_xlabel("k-NN queries/s (batch of 1,000, log)")
        ax.set_ylabel("recall@10")
        ax.set_title(f"n = {n:,}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    path = PLOTS / "index_recall_vs_qps.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, task, key, label in (
        (axes[0], "knn", "build_s", "index build s"),
        (axes[1], "self-join", "total", "dedup self-join s (build + join)"),
    ):
        series: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for r in rows:
            if r["params"]["task"] != task:
                continue
            value = r["extra"].get("total_s") if key == "total" else r[key]
            if value:
                series[r["method"]].append((r["n"], value))
        for method, points in sorted(series.items()):
            points.sort()
            ax.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                marker="o",
                label=method,
                linewidth=2.5 if method == "simdedup" else 1,
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rows (log)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    fig.tight_layout()
    path = PLOTS / "index_time_vs_n.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)
    return written


SECTIONS = {
    "index": index_section,
    "embed": embed_section,
    "end-to-end": e2e_section,
    "quality": quality_section,
}


def regenerate() -> Path:
    """Rewrite the generated parts of the README and the plots from the saved results."""
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    for suite in SUITES:
        payload = common.load(suite)
        if payload is None:
            continue
        body = SECTIONS[suite](payload)
        begin, end = f"<!-- BEGIN GENERATED: {suite} -->", f"<!-- END GENERATED: {suite} -->"
        block = f"{begin}\n{body}\n{end}"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        if pattern.search(text):
            text = pattern.sub(lambda _, b=block: b, text)
        else:
            text = text.rstrip() + f"\n\n## {suite}\n\n{block}\n"
    plots(common.load("index"))
    README.write_text(text)
    return README
