"""``simdedup check``: is a store whole; ``--repair`` fixes what can be fixed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from simdedup.cli.options import handle_errors

if TYPE_CHECKING:
    from simdedup.store.check import Finding


@click.command("check")
@click.option(
    "--store",
    "store_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="The store to check.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Also SQLite's integrity_check, every vector of the embedding cache, and the index's "
    "vectors against the cache's (reads the whole store).",
)
@click.option(
    "--repair",
    is_flag=True,
    help="Fix what can be fixed: embed damaged vectors again, rebuild the index from the "
    "embedding cache, write a stale manifest again, remove leftover files (checks in full).",
)
@click.option("--json", "as_json", is_flag=True, help="The findings as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@handle_errors
def check_command(store_dir: Path, full: bool, repair: bool, as_json: bool, quiet: bool) -> None:
    """Check a store's files: manifest, checksums, schema, index (exit 1 if damaged)."""
    from simdedup.store.check import check_store, repair_store

    before = check_store(store_dir, full=full or repair)
    after = repair_store(store_dir) if repair and _damaged(before) else before
    if as_json:
        click.echo(json.dumps({
            "store": str(store_dir),
            "findings": [f.to_dict() for f in after],
            "repaired": [f.to_dict() for f in before if f.repair] if after is not before else [],
            "ok": not _damaged(after),
        }, indent=2))  # fmt: skip
    else:
        if after is not before:
            for f in before:
                if f.repair:
                    click.echo(f"repaired  {f.check}: {f.detail} -> {f.repair}")
        for f in after:
            if quiet and f.status != "failed":
                continue
            word = {"ok": "ok", "note": "note", "failed": "FAILED"}[f.status]
            hint = f" (--repair: {f.repair})" if f.repair and f.status == "failed" else ""
            click.echo(f"{word:<9} {f.check}: {f.detail}{hint}")
        if _damaged(after):
            fixable = all(f.repair for f in after if f.status == "failed")
            advice = (
                f"`simdedup check --store {store_dir} --repair` fixes it"
                if fixable
                else "it cannot be repaired: rebuild it with simdedup index PATHS --store NEW"
            )
            click.echo(f"the store is damaged; {advice}", err=True)
    if _damaged(after):
        sys.exit(1)


def _damaged(findings: list[Finding]) -> bool:
    return any(f.status == "failed" for f in findings)
