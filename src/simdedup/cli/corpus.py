"""How the CLI turns its options into an encoder and a store, and reads PATHs into it.

Shared by the commands in :mod:`simdedup.cli.main`; imports stay lazy so ``--help`` is instant.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simdedup.errors import InputError

if TYPE_CHECKING:
    from simdedup.embed.encoder import Encoder
    from simdedup.engines.ray import RayEngine
    from simdedup.io.records import ReadStats
    from simdedup.segment import Removed
    from simdedup.store.store import AddStats, Store


@contextmanager
def engine(opts: dict[str, Any]) -> Iterator[RayEngine | None]:
    """The ``--engine``: ``None`` for local, else a started :class:`RayEngine` (stopped after)."""
    name, address = opts.pop("engine"), opts.pop("ray_address")
    if name == "local":
        if address is not None:
            raise InputError("--ray-address needs --engine ray")
        yield None
        return
    from simdedup.engines.ray import RayEngine

    with RayEngine(address) as started:
        yield started


def describe_backend(store_dir: Path) -> str:
    """``backend X`` as the store's manifest records it."""
    try:
        manifest = json.loads((store_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "the store's model"
    return f"backend {manifest.get('backend') or 'torch'}"


def has_embeddings(store_dir: Path) -> bool:
    """Whether a store's embedding cache holds any vector (worth keeping for a resume)."""
    from simdedup.embed.cache import EmbeddingCache
    from simdedup.store.store import CACHE

    if not (store_dir / CACHE).is_file():
        return False
    cache = EmbeddingCache(store_dir / CACHE)
    try:
        return len(cache) > 0
    finally:
        cache.close()


def options_backend(opts: dict[str, Any]) -> str | None:
    backend: str | None = opts["backend"]
    if opts["fast"]:
        if backend not in (None, "static"):
            raise InputError(f"--fast and --backend {backend} contradict; choose one")
        backend = "static"
    return backend


def wants_encoder(opts: dict[str, Any]) -> bool:
    """Whether the options name an encoder (else an existing store's own is used)."""
    return bool(opts["model"] or options_backend(opts))


def options_encoder(opts: dict[str, Any]) -> Encoder:
    from simdedup.embed.choose import make_encoder

    model = opts["model"]
    if model is not None and Path(model).expanduser().exists() and not Path(model).is_dir():
        raise InputError(f"--model {model}: not a model directory")
    return make_encoder(
        model,
        options_backend(opts) or "auto",
        batch_size=opts["batch_size"],
        device=opts["device"],
        threads=opts["threads"],
        quiet=opts["quiet"],
    )


def tune_encoder(store: Store, opts: dict[str, Any]) -> None:
    from simdedup.embed.encoder import SentenceTransformerEncoder

    encoder = store.encoder
    if isinstance(encoder, SentenceTransformerEncoder):
        encoder.batch_size = opts["batch_size"]
        encoder.device = opts["device"]
        encoder.threads = opts["threads"]


@contextmanager
def corpus(
    store_dir: Path | None,
    paths: tuple[str, ...],
    opts: dict[str, Any],
    engine: RayEngine | None = None,
) -> Iterator[Store]:
    """The store to query: an existing ``--store``, or ``paths`` indexed in memory (embedded
    on ``engine`` when given)."""
    from simdedup.store.store import Store

    if store_dir is not None and paths:
        raise InputError("give either --store DIR or PATHs, not both")
    if store_dir is None and not paths:
        raise InputError("give PATHs to read, or --store DIR")
    if store_dir is not None:
        encoder = options_encoder(opts) if wants_encoder(opts) else None
        store = Store.open(store_dir, encoder=encoder, index=opts["index_kind"])
        tune_encoder(store, opts)
    else:  # the user cache keeps the embeddings, so a second run embeds nothing
        from simdedup.embed.cache import default_cache_path

        store = Store.memory(
            encoder=options_encoder(opts),
            index=opts["index_kind"] or "auto",
            cache=default_cache_path(),
        )
    try:
        if store_dir is None:
            stats, read = add(store, paths, opts, engine)
            if stats.totals.get("paragraphs", 0) == 0:
                raise InputError(empty_message(paths, read, opts))
        with store.snapshot():  # one generation, however long the command reads
            yield store
    finally:
        store.close()


def add(
    store: Store, paths: tuple[str, ...], opts: dict[str, Any], engine: RayEngine | None = None
) -> tuple[AddStats, ReadStats]:
    from simdedup.io.records import Fields, RecordReader
    from simdedup.segment import Segmenter

    quiet = opts["quiet"]
    reader = RecordReader(
        Fields(
            text=opts["text_field"], id=opts["id_field"], outlet=opts["outlet_field"],
            date=opts["date_field"], title=opts["title_field"],
        ),
        skip_bad=opts["skip_bad"],
        stdin_format=opts["stdin_format"],
        date_order=opts.get("date_order") or "auto",
        on_warning=None if quiet else lambda m: click.echo(f"warning: {m}", err=True),
    )  # fmt: skip
    checked = reader.check_paths(paths)
    with progress_bars(
        quiet, (("read", "reading", " docs"), ("embed", "embedding", " texts"))
    ) as bar:
        stats = store.add(
            reader.read(checked),
            segmenter=Segmenter(opts["min_chars"]),
            progress=bar,
            engine=engine,
            on_removed=explain_removed if opts["explain_removed"] else None,
        )
    return stats, reader.stats


@contextmanager
def progress_bars(
    quiet: bool, stages: tuple[tuple[str, str, str], ...]
) -> Iterator[Callable[[str, int], None]]:
    """One progress bar per ``(stage, description, unit)`` on stderr (a terminal only, not
    with ``quiet``); yields the ``progress(stage, n)`` callback and closes the bars after."""
    from tqdm import tqdm

    show = not quiet and sys.stderr.isatty()
    # A terminal that reports no size (a bare pty) would get empty bars: assume 100 x 24.
    size: dict[str, Any] = {}
    if show and not os.get_terminal_size(sys.stderr.fileno()).columns:
        size = {"ncols": 100, "nrows": 24}
    bars = {
        stage: tqdm(desc=desc, unit=unit, file=sys.stderr, disable=not show, **size)
        for stage, desc, unit in stages
    }
    try:
        yield lambda stage, n: bars[stage].update(n)
    finally:
        for bar in bars.values():
            bar.close()


def unit_bars(quiet: bool) -> AbstractContextManager[Callable[[str, int], None]]:
    """The bars for cutting paragraphs into claim units and embedding the units."""
    return progress_bars(
        quiet,
        (("cut", "cutting claims", " paragraphs"), ("embed units", "embedding claims", " units")),
    )


def explain_removed(cut: Removed) -> None:
    """One stderr line for a text the segmenter removed: where, the rule, and the text."""
    from simdedup.cli.output import excerpt, safe

    where = f"{safe(cut.doc_id)}@{cut.start}"
    click.echo(f"removed {where} ({cut.rule}): {excerpt(cut.text, 200)}", err=True)


def removed_summary(stats: AddStats) -> str:
    """ "removed: 3 dateline, 2 cookie/privacy banner" in the segmenter's rule order."""
    from simdedup.segment import RULES

    counts = [f"{stats.removed[r]} {r}" for r in RULES if stats.removed.get(r)]
    return "removed: " + (", ".join(counts) if counts else "nothing")


def empty_message(paths: tuple[str, ...], read: ReadStats, opts: dict[str, Any]) -> str:
    where = ", ".join(paths)
    return (
        f"empty corpus: no paragraph of at least {opts['min_chars']} characters in {where} "
        f"({read.records} documents read{skipped(read)})"
    )


def skipped(read: ReadStats) -> str:
    parts = []
    if read.skipped_files:
        parts.append(f"{read.skipped_files} files skipped")
    if read.bad_lines:
        parts.append(f"{read.bad_lines} bad lines skipped")
    if read.damaged_files:
        parts.append(f"{read.damaged_files} files broken off part way")
    if read.decode_errors:
        parts.append(f"{read.decode_errors} with invalid UTF-8")
    if read.ambiguous_dates:
        parts.append(f"{read.ambiguous_dates} day/month dates left out")
    return ("; " + ", ".join(parts)) if parts else ""


def read_dict(read: ReadStats) -> dict[str, Any]:
    data = asdict(read)
    data.pop("warnings")
    return data
