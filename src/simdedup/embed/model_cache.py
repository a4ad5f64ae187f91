"""Where simdedup keeps the models it derives (ONNX exports, static distillations), and how it
writes one: into a temporary directory beside the target, renamed into place when complete, so
an interrupted build leaves nothing half-written and two processes building at once both end
with one good copy."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("simdedup")


def models_dir() -> Path:
    """``$SIMDEDUP_MODELS_DIR``, else ``models/`` beside the user embedding cache."""
    override = os.environ.get("SIMDEDUP_MODELS_DIR")
    if override:
        return Path(override)
    from simdedup.embed.cache import default_cache_path

    return default_cache_path().parent / "models"


def build_once(
    target: Path, marker: str, build: Callable[[Path], None], what: str = "building a model"
) -> Path:
    """``target``, made by ``build(work_dir)`` unless it already holds the file ``marker``.
    One-off work announces itself on the ``simdedup`` logger (INFO): ``what``, then the time
    it took (the CLI shows these lines on stderr unless ``--quiet``)."""
    if (target / marker).is_file():
        return target
    log.info("%s (once; cached in %s) ...", what, target.parent)
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        build(work)
        log.info("%s: done in %.0f s", what, time.perf_counter() - started)
        try:
            work.rename(target)
        except OSError:  # another process finished the same build first
            if not (target / marker).is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
