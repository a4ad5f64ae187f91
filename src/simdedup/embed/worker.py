"""Embedding on a worker thread while ingestion goes on reading, splitting and storing.

Tokenizers, ONNX Runtime, torch and numpy release the GIL while they work, so on a 2-core machine
the reading of the next chunk of documents overlaps the encoding of the last one. At most one
chunk is in flight and one is being collected, so memory stays bounded. The worker commits each
encoded chunk to the embedding cache (see :func:`simdedup.embed.encoder.embed_missing`), so an
interrupted run keeps what was embedded; on an interrupt it stops after the chunk it is on.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from simdedup.embed.encoder import Encoder, embed_missing

if TYPE_CHECKING:
    from simdedup.embed.cache import EmbeddingCache


CHUNK = 4096  # distinct new texts an ingest collects before handing them over


class _Stopped(Exception):
    """Raised inside the worker when the ingest was abandoned."""


class EmbedWorker:
    """Encodes submitted chunks of ``{hash: text}`` one at a time on a background thread.

    ``progress(n)`` is called (from the worker) as texts are embedded or found cached.
    ``chunk`` is how many texts a caller should collect per :meth:`submit`.
    :attr:`embedded` and :attr:`seconds` count the work done (model loading excluded).
    """

    def __init__(
        self,
        encoder: Encoder,
        fingerprint: str,
        cache: EmbeddingCache,
        progress: Callable[[int], None] | None = None,
        *,
        chunk: int = CHUNK,
    ) -> None:
        self.encoder = encoder
        self.chunk = chunk
        self.fingerprint = fingerprint
        self.cache = cache
        self.progress = progress
        self.embedded = 0
        self.seconds = 0.0
        self._thread: threading.Thread | None = None
        self._done = threading.Event()  # set by the worker when its chunk is finished
        self._error: BaseException | None = None
        self._stop = threading.Event()

    def submit(self, texts: dict[str, str]) -> None:
        """Wait for the chunk in flight (re-raising its error), then start on ``texts``."""
        self.wait()
        if not texts:
            return
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(texts,), name="simdedup-embed", daemon=True
        )
        self._thread.start()

    def wait(self) -> None:
        """Block until the chunk in flight is done; re-raise its error."""
        if self._thread is not None:
            # an Event, not Thread.join: a join interrupted by Ctrl-C marks the thread as
            # stopped while it still runs (CPython 3.11), so a second join would not wait
            self._done.wait()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def stop(self) -> None:
        """Abandon the work: the worker stops once the chunk it is encoding is cached (at most
        :data:`~simdedup.embed.encoder.CACHE_CHUNK` texts), and this waits for that. Leaving it
        running would let the interpreter exit under a native library mid-call, which aborts."""
        self._stop.set()
        if self._thread is not None:
            self._done.wait()
            self._thread = None
        self._error = None

    def _run(self, texts: dict[str, str]) -> None:
        if hasattr(signal, "pthread_sigmask"):
            # Ctrl-C goes to the main thread only: the native thread pools that ONNX Runtime and
            # tokenizers start from here inherit this mask, and one interrupted inside their
            # waits makes the process abort at exit ("terminate called without an active
            # exception") instead of leaving cleanly.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self._embed(texts)
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the caller's thread by wait()
            self._error = exc
        finally:
            self._done.set()

    def _embed(self, texts: dict[str, str]) -> None:
        load = getattr(self.encoder, "load", None)
        if callable(load) and self.cache.missing(self.fingerprint, list(texts)):
            load()  # model loading is not embedding time; none at all when all are cached
        started = time.perf_counter()
        self.embedded += embed_missing(
            self.encoder,
            self.fingerprint,
            texts,
            self.cache,
            chunk_size=getattr(self.encoder, "chunk_size", None),
            progress=self._report,
        )
        self.seconds += time.perf_counter() - started

    def _report(self, n: int) -> None:
        if self._stop.is_set():
            raise _Stopped
        if self.progress is not None:
            self.progress(n)
