"""The options the commands share (input, model, engine, output formats, talking points), and
the error handler that turns a library error into one line and an exit code."""

from __future__ import annotations

import functools
import logging
import math
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from simdedup.errors import SimdedupError

F = TypeVar("F", bound=Callable[..., Any])
KINDS = ("auto", "flat", "hnsw", "ivf")
ALL_BACKENDS = ("auto", "torch", "onnx", "onnx-int8", "static")  # = simdedup.embed.choose'; kept
# literal here so that --help imports nothing heavy


class Cosine(click.FloatRange):
    """A cosine bound: :class:`click.FloatRange` refusing ``nan``, which passes every range
    check (so ``--threshold nan`` is a usage error, exit 2, like any value out of range)."""

    name = "cosine"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


def _announce_one_off_work() -> None:
    """Show the library's one-off work (model exports, distillations) on stderr."""
    log = logging.getLogger("simdedup")
    if not any(getattr(h, "simdedup_cli", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.simdedup_cli = True  # type: ignore[attr-defined]
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False  # torch and friends may configure the root logger too


def handle_errors(func: F) -> F:
    """Turn library errors into one-line messages and a non-zero exit, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("quiet"):
            _announce_one_off_work()
        try:
            return func(*args, **kwargs)
        except SimdedupError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:  # a damage no check caught: still one line
            raise click.ClickException(
                f"a store database is damaged or unreadable ({exc}); "
                "`simdedup check --store DIR` says more"
            ) from None
        except KeyboardInterrupt:
            click.echo("interrupted; any store being written is unchanged", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`); nothing more to say
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def input_options(func: F) -> F:
    options = [
        click.option("--text-field", default="text", show_default=True,
                     help="Record field with the article text (JSONL/CSV)."),
        click.option("--id-field", default="id", show_default=True,
                     help="Record field with the document id; missing ids become FILE:LINE."),
        click.option("--outlet-field", default="outlet", show_default=True,
                     help="Record field with the outlet name."),
        click.option("--date-field", default="date", show_default=True,
                     help="Record field with the publication date (normalised to YYYY-MM-DD)."),
        click.option("--title-field", default="title", show_default=True,
                     help="Record field with the title."),
        click.option("--skip-bad", is_flag=True,
                     help="Skip and count malformed JSONL/CSV lines instead of stopping."),
        click.option("--dayfirst", "date_order", flag_value="dmy",
                     help="Read numeric dates like 11.12.2024 day first (default: decided per "
                     "file from its dates; a file that cannot decide gets a warning)."),
        click.option("--monthfirst", "date_order", flag_value="mdy",
                     help="Read numeric dates like 11.12.2024 month first."),
        click.option("--stdin-format", type=click.Choice(["auto", "txt", "jsonl", "csv"]),
                     default="auto", show_default=True, help="How to read '-' (stdin)."),
        click.option("--min-chars", type=click.IntRange(min=1), default=40, show_default=True,
                     help="Drop paragraphs shorter than this."),
        click.option("--explain-removed", is_flag=True,
                     help="List on stderr every text the reader removed (boilerplate, "
                     "datelines, repeated headlines, short fragments) and the rule why."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def model_options(func: F) -> F:
    options = [
        click.option("--model", default=None, metavar="NAME_OR_PATH",
                     help="simdedup-claim-v1 (the default: simdedup's claim model), "
                     "all-MiniLM-L6-v2 (the bundled model it is trained from), or any "
                     "sentence-transformers model directory or cached name."),
        click.option("--backend", type=click.Choice(ALL_BACKENDS), default=None,
                     help="How the model runs: onnx-int8 (default for the bundled models on a "
                     "CPU), onnx, torch (default otherwise and on a GPU), or static (--fast). "
                     "A store keeps the backend it was built with."),
        click.option("--fast", is_flag=True, help="Static model distilled from the model "
                     "(tens of times faster, less accurate); same as --backend static."),
        click.option("--batch-size", type=click.IntRange(min=1), default=None,
                     help="Texts per encoder batch (default: 1 onnx-int8, 16 onnx, 32 torch)."),
        click.option("--threads", type=click.IntRange(min=1), default=None,
                     help="CPU threads for the encoder (default: all cores)."),
        click.option("--device", default=None, help="Encoder device, e.g. cpu or cuda "
                     "(default: cuda when present; torch backend)."),
        click.option("--index", "index_kind", type=click.Choice(KINDS), default=None,
                     help="FAISS index kind (default: auto by corpus size)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bars or warnings."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def engine_options(func: F) -> F:
    options = [
        click.option("--engine", type=click.Choice(["local", "ray"]), default="local",
                     show_default=True, help="Where embedding and search run: this process, "
                     'or a Ray cluster (pip install "simdedup[ray]").'),
        click.option("--ray-address", default=None, metavar="ADDRESS",
                     help="Ray cluster to use with --engine ray (default: RAY_ADDRESS, else "
                     "a local cluster started for the run)."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def format_options(func: F) -> F:
    func = click.option(
        "--full", is_flag=True, help="Whole texts, wrapped, instead of one-line excerpts."
    )(func)
    func = click.option("--csv", "as_csv", is_flag=True, help="CSV output.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="JSON output.")(func)
    return func


def talking_point_options(func: F) -> F:
    """Options shared by ``talking-points`` and ``report``."""
    options = [
        click.argument("paths", nargs=-1),
        click.option(
            "--store",
            "store_dir",
            type=click.Path(path_type=Path),
            help="Use this store (instead of indexing PATHs in memory).",
        ),
        click.option(
            "--threshold",
            type=Cosine(0, 1, min_open=True),
            default=None,
            help="Mean cosine a talking point must keep  [default: the model's: chosen on "
            "dev for simdedup-claim-v1, 0.62 for all-MiniLM-L6-v2]",
        ),
        click.option(
            "--min-size", type=click.IntRange(min=2), default=2, show_default=True,
            help="Fewest paragraphs in a talking point.",
        ),
        click.option(
            "--min-outlets", type=click.IntRange(min=1), default=None,
            help="Fewest distinct outlets in a talking point (default: 3, or all the corpus "
            "has when it has fewer).",
        ),
        click.option("--since", default=None, help="Only paragraphs dated on or after this."),
        click.option("--until", default=None, help="Only paragraphs dated on or before this."),
        click.option("--outlet", "outlets", multiple=True, help="Only these outlets (repeatable)."),
        click.option(
            "--period", type=click.Choice(["auto", "week", "month"]), default="auto",
            show_default=True, help="Timeline bins (auto: weeks for up to half a year).",
        ),
        click.option(
            "--ignore-numbers", is_flag=True,
            help="Let paragraphs that state different figures share a talking point.",
        ),
        click.option(
            "--unit", type=click.Choice(["auto", "claim", "paragraph"]), default="auto",
            show_default=True,
            help="What is clustered: claim units (a paragraph joins every talking point one "
            "of its claims joins) or whole paragraphs (one talking point each at most); "
            "auto: claim units, whole paragraphs with --fast.",
        ),
        click.option(
            "--speaker", "speakers", multiple=True,
            help="Only claims said by this person (a full name or part: Lavrov; repeatable).",
        ),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func
