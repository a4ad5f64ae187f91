"""The ``simdedup`` command line: a thin click layer over the library, one command per operation."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simdedup.cli.check import check_command
from simdedup.cli.corpus import (
    add,
    corpus,
    describe_backend,
    empty_message,
    engine,
    has_embeddings,
    options_encoder,
    read_dict,
    removed_summary,
    skipped,
    tune_encoder,
    unit_bars,
    wants_encoder,
)
from simdedup.cli.options import (
    Cosine,
    engine_options,
    format_options,
    handle_errors,
    input_options,
    model_options,
    talking_point_options,
)
from simdedup.cli.output import STDOUT
from simdedup.errors import InputError

if TYPE_CHECKING:
    from simdedup.cluster.talking_points import TalkingPointsResult
    from simdedup.engines.ray import RayEngine
    from simdedup.store.store import Store


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="simdedup")
def main() -> None:
    """Find the same statement told many times: near-duplicate paragraphs across outlets.

    PATHs are .txt files, folders of them (recursive), JSONL, CSV/TSV, or - for stdin.
    """


@main.command("index")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--store",
    "store_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Store directory (created if missing; re-runs add only what is new).",
)
@input_options
@model_options
@engine_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@handle_errors
def index_command(paths: tuple[str, ...], store_dir: Path, as_json: bool, **opts: Any) -> None:
    """Build or update a persistent store from PATHs."""
    from simdedup.store.store import Store

    existed = store_dir.is_dir() and any(store_dir.iterdir())
    if store_dir.exists() and not store_dir.is_dir():
        raise InputError(f"--store {store_dir}: exists and is not a directory")
    encoder = options_encoder(opts) if wants_encoder(opts) else None
    with engine(opts) as runner:
        store = Store.open_or_create(store_dir, encoder=encoder, index=opts["index_kind"])
        tune_encoder(store, opts)
        _index_into(store, store_dir, existed, paths, opts, runner, as_json)


def _index_into(
    store: Store,
    store_dir: Path,
    existed: bool,
    paths: tuple[str, ...],
    opts: dict[str, Any],
    runner: RayEngine | None,
    as_json: bool,
) -> None:
    try:
        stats, read = add(store, paths, opts, runner)
        if stats.totals.get("paragraphs", 0) == 0:
            raise InputError(empty_message(paths, read, opts))
    except BaseException as exc:
        store.close()
        if not existed and not has_embeddings(store_dir):
            shutil.rmtree(store_dir, ignore_errors=True)  # created here, nothing worth keeping
        elif isinstance(exc, KeyboardInterrupt):
            click.echo(
                f"{store_dir}: the embeddings computed so far are kept; run the same command "
                "again to resume",
                err=True,
            )
        raise
    store.close()
    if as_json:
        click.echo(json.dumps({"store": str(store_dir), **asdict(stats), "read": read_dict(read)}))
        return
    rate = f" ({stats.embedded / stats.embed_seconds:.0f}/s)" if stats.embed_seconds else ""
    if stats.embedded:
        rate += f" with {describe_backend(store_dir)}"
    click.echo(
        f"read {read.records} documents: {stats.documents} new, {stats.replaced} replaced, "
        f"{stats.unchanged} unchanged; {stats.paragraphs} paragraphs, {stats.new_texts} new "
        f"distinct texts, {stats.embedded} embedded{rate}; {stats.seconds:.1f} s in all"
        + skipped(read)
    )
    click.echo(removed_summary(stats))
    totals = stats.totals
    click.echo(
        f"store {store_dir}: {totals['documents']} documents, {totals['paragraphs']} paragraphs, "
        f"{totals['index_rows']} index rows ({stats.index_kind} index)"
    )


@main.command("similar")
@click.argument("query")
@click.argument("paths", nargs=-1)
@click.option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path),
    help="Search this store (instead of indexing PATHs in memory).",
)
@click.option(
    "-k", "k", type=click.IntRange(min=1), default=10, show_default=True, help="Number of results."
)
@click.option("--threshold", type=Cosine(-1, 1), default=None, help="Minimum cosine similarity.")
@click.option("--outlet", "outlets", multiple=True, help="Only these outlets (repeatable).")
@click.option("--since", default=None, help="Only paragraphs dated on or after (YYYY-MM-DD).")
@click.option("--until", default=None, help="Only paragraphs dated on or before (YYYY-MM-DD).")
@click.option(
    "--units", "by_unit", is_flag=True,
    help="Rank claim units instead of paragraphs (each hit shows the unit in its paragraph).",
)  # fmt: skip
@click.option(
    "--speaker", "speakers", multiple=True,
    help="Only claims said by this person (implies --units; repeatable).",
)  # fmt: skip
@input_options
@model_options
@format_options
@handle_errors
def similar_command(
    query: str,
    paths: tuple[str, ...],
    store_dir: Path | None,
    k: int,
    threshold: float | None,
    outlets: tuple[str, ...],
    since: str | None,
    until: str | None,
    by_unit: bool,
    speakers: tuple[str, ...],
    as_json: bool,
    as_csv: bool,
    full: bool,
    **opts: Any,
) -> None:
    """Where else was QUERY said? QUERY is text, @FILE, or - (stdin)."""
    from simdedup.checks import check_date
    from simdedup.cli.output import matches_csv, matches_table, same_text_as
    from simdedup.store.search import find_similar

    _check_format(as_json, as_csv)
    check_date(since, "--since")
    check_date(until, "--until")
    text = _read_query(query, paths)
    with corpus(store_dir, paths, opts) as store:
        if by_unit or speakers:
            from simdedup.units.search import find_similar_units

            with unit_bars(opts["quiet"]) as progress:
                matches = find_similar_units(
                    store, text, k=k, threshold=threshold, only_outlets=list(outlets) or None,
                    since=since, until=until, speakers=list(speakers) or None,
                    progress=progress,
                )  # fmt: skip
        else:
            matches = find_similar(
                store, text, k=k, threshold=threshold, only_outlets=list(outlets) or None,
                since=since, until=until,
            )  # fmt: skip
    if as_json:
        results = [  # identical texts: the table folds them, the JSON says which
            {**m.to_dict(), "same_text_as": None if j is None else matches[j].rank}
            for m, j in zip(matches, same_text_as(matches))
        ]
        data = {"query": text, "results": results}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif as_csv:
        click.echo(matches_csv(matches), nl=False)
    elif matches:
        click.echo(matches_table(matches, full=full))
    else:
        click.echo("no paragraph matches (try a lower --threshold or fewer filters)", err=True)


@main.command("dedup")
@click.argument("paths", nargs=-1)
@click.option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path),
    help="Deduplicate this store (instead of indexing PATHs in memory).",
)
@click.option(
    "--threshold",
    type=Cosine(-1, 1),
    default=None,
    help="Minimum cosine similarity of duplicates  [default: the model's: chosen on dev for "
    "simdedup-claim-v1, 0.9 for all-MiniLM-L6-v2, 0.97 with --fast]",
)
@click.option("--cross-outlet", is_flag=True, help="Only groups spanning two or more outlets.")
@click.option(
    "--keep",
    type=click.Choice(["earliest", "longest", "first"]),
    default="earliest",
    show_default=True,
    help="Which paragraph of a group is kept.",
)
@click.option(
    "--ignore-numbers",
    is_flag=True,
    help="Group paragraphs even when their figures conflict (2 vs 3.5 million).",
)
@click.option(
    "--join",
    type=click.Choice(["auto", "exact", "ivf"]),
    default="auto",
    show_default=True,
    help="How pairs are found: exact up to 20,000 texts, then k-means cells (auto).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the deduplicated documents to this JSONL file.",
)
@input_options
@model_options
@engine_options
@format_options
@handle_errors
def dedup_command(
    paths: tuple[str, ...],
    store_dir: Path | None,
    threshold: float | None,
    cross_outlet: bool,
    keep: str,
    ignore_numbers: bool,
    join: str,
    output: Path | None,
    as_json: bool,
    as_csv: bool,
    full: bool,
    **opts: Any,
) -> None:
    """Group near-duplicate paragraphs (reprints, light edits) across documents."""
    from simdedup.cli.output import dedup_listing
    from simdedup.duplicates.groups import Deduplicator, deduplicated_records

    _check_format(as_json, as_csv)
    if output is not None and output.is_dir():
        raise InputError(f"--output {output}: is a directory")
    with engine(opts) as runner, corpus(store_dir, paths, opts, runner) as store:
        dedup = Deduplicator(
            threshold,
            cross_outlet=cross_outlet,
            keep=keep,
            check_numbers=not ignore_numbers,
            join=join,
            engine=runner,
        ).fit(store)
        result = dedup.result_
        if output is not None:
            written = _write_jsonl(output, deduplicated_records(store, result))
            click.echo(f"wrote {written} deduplicated documents to {output}", err=True)
    if as_json:
        result.write_json(STDOUT)
        click.echo()
    elif as_csv:
        result.write_csv(STDOUT)
    else:
        click.echo(dedup_listing(result, full=full))


def _find_talking_points(
    store_dir: Path | None, paths: tuple[str, ...], opts: dict[str, Any]
) -> TalkingPointsResult:
    from simdedup.checks import check_date
    from simdedup.cluster.talking_points import TalkingPointFinder

    since = check_date(opts.pop("since"), "--since")
    until = check_date(opts.pop("until"), "--until")
    threshold = opts.pop("threshold")
    finder = TalkingPointFinder(
        threshold,
        min_size=opts.pop("min_size"),
        min_outlets=opts.pop("min_outlets"),
        since=since,
        until=until,
        only_outlets=list(opts.pop("outlets")) or None,
        period=opts.pop("period"),
        check_figures=not opts.pop("ignore_numbers"),
        unit=opts.pop("unit"),
        speakers=list(opts.pop("speakers")) or None,
    )
    if finder.speakers and finder.unit == "paragraph":
        raise InputError("--speaker needs --unit claim (speakers are found per claim unit)")
    with engine(opts) as runner, corpus(store_dir, paths, opts, runner) as store:
        finder.engine = runner
        with unit_bars(opts["quiet"]) as progress:
            finder.progress = progress
            finder.fit(store)
        if store.path is not None:  # a persistent store keeps the ids for later runs
            finder.save(store)
        return finder.result_


@main.command("talking-points")
@talking_point_options
@input_options
@model_options
@engine_options
@format_options
@handle_errors
def talking_points_command(
    paths: tuple[str, ...],
    store_dir: Path | None,
    as_json: bool,
    as_csv: bool,
    full: bool,
    **opts: Any,
) -> None:
    """Group paragraphs that make the same claim across outlets, biggest first."""
    from simdedup.cli.output import talking_points_table

    _check_format(as_json, as_csv)
    result = _find_talking_points(store_dir, paths, opts)
    if as_json:  # written piece by piece: a whole corpus's result is gigabytes of JSON
        result.write_json(STDOUT)
        click.echo()
    elif as_csv:
        result.write_csv(STDOUT)
    elif result.talking_points:
        click.echo(talking_points_table(result, full=full))
    else:
        click.echo("no talking points found (try a lower --threshold or --min-size)", err=True)


@main.command("report")
@talking_point_options
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), required=True,
    help="Write the HTML report to this file.",
)  # fmt: skip
@click.option("--title", default="simdedup report", show_default=True, help="Report title.")
@click.option(
    "--max-members", type=click.IntRange(min=1), default=200, show_default=True,
    help="Most member paragraphs shown per talking point.",
)  # fmt: skip
@input_options
@model_options
@engine_options
@handle_errors
def report_command(
    paths: tuple[str, ...],
    store_dir: Path | None,
    output: Path,
    title: str,
    max_members: int,
    **opts: Any,
) -> None:
    """Write a self-contained HTML report of the talking points (works offline)."""
    from simdedup.report.html import render_report

    if output.is_dir():
        raise InputError(f"--output {output}: is a directory")
    result = _find_talking_points(store_dir, paths, opts)
    html = render_report(result.to_dict(), title=title, max_members=max_members)
    _write_atomic(output, [html])
    click.echo(
        f"wrote {output}: {len(result.talking_points)} talking points, "
        f"{result.corpus['paragraphs']} paragraphs",
        err=True,
    )


# -- helpers ----------------------------------------------------------------------------------


def _check_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise InputError("--json and --csv are exclusive; choose one")


def _read_query(query: str, paths: tuple[str, ...]) -> str:
    if query == "-":
        if "-" in paths:
            raise InputError("QUERY and PATH cannot both be - (stdin)")
        text = sys.stdin.read()
    elif query.startswith("@") and len(query) > 1:
        file = Path(query[1:])
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"QUERY {query}: cannot read ({exc.strerror or exc})") from None
        if b"\x00" in data:
            raise InputError(f"QUERY {query}: a binary file, not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            click.echo(f"warning: {file}: invalid UTF-8, decoded with replacement characters",
                       err=True)  # fmt: skip
            text = data.decode("utf-8-sig", errors="replace")
    else:
        text = query
    if not text.strip():
        raise InputError("QUERY is empty")
    return text.strip()


def _write_atomic(path: Path, chunks: Iterable[str]) -> int:
    """Write ``chunks`` to a temporary file beside ``path``, then rename it over ``path``, so a
    failure leaves no half file; returns how many chunks were written."""
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)
                count += 1
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"--output {path}: cannot write ({exc.strerror or exc})") from None
    return count


def _write_jsonl(path: Path, records: Iterator[dict[str, Any]]) -> int:
    """Write records as JSON lines, atomically; returns how many."""
    return _write_atomic(path, (json.dumps(r, ensure_ascii=False) + "\n" for r in records))


if __name__ == "__main__":  # pragma: no cover
    main()


main.add_command(check_command)
