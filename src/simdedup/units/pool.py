"""Cutting many paragraphs in several processes: each worker loads its own spaCy pipeline and
returns its chunk's parses as JSON (:meth:`Parsed.dumps`), in the order the chunks were given.

The cut is pure Python on top of spaCy's parser, one paragraph at a time, so processes (not
threads) are what scales it; below :data:`PARALLEL_MIN` paragraphs starting workers (about
2 s each, to import spaCy and load the pipeline) costs more than it saves.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

from simdedup.processes import cores, hidden_main
from simdedup.units.split import Parsed, UnitSplitter

PARALLEL_MIN = 8_192  # paragraphs to cut before more than one process is used
MAX_WORKERS = 8
_splitters: dict[tuple[str, int, int], UnitSplitter] = {}  # one per worker process


def workers_for(splitter: UnitSplitter, n: int) -> int:
    """How many processes cut ``n`` paragraphs: ``splitter.workers``, or when that is
    ``None`` one per CPU core (at most :data:`MAX_WORKERS`) for :data:`PARALLEL_MIN` or more."""
    if splitter.workers is not None:
        return max(1, splitter.workers)
    if n < PARALLEL_MIN:
        return 1
    return cores(MAX_WORKERS)


def parse_chunks(
    splitter: UnitSplitter, chunks: Iterable[list[str]], workers: int
) -> Iterator[list[Parsed]]:
    """Each chunk's parses, chunk by chunk in order; in ``workers`` processes when > 1."""
    if workers <= 1:
        for chunk in chunks:
            yield list(splitter.parse(chunk))
        return
    settings = (splitter.pipeline, splitter.min_words, splitter.batch_size)
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        pending: deque[Future[list[str]]] = deque()
        for chunk in chunks:
            with hidden_main():  # a worker starts at a submit: it needs none of the script
                pending.append(pool.submit(_parse, settings, chunk))
            if len(pending) > 2 * workers:  # bounded: texts are not all sent at once
                yield [Parsed.loads(p) for p in pending.popleft().result()]
        while pending:
            yield [Parsed.loads(p) for p in pending.popleft().result()]


def _parse(settings: tuple[str, int, int], texts: list[str]) -> list[str]:
    """In a worker: the parses of ``texts`` as JSON."""
    splitter = _splitters.get(settings)
    if splitter is None:
        pipeline, min_words, batch_size = settings
        splitter = _splitters[settings] = UnitSplitter(
            pipeline, min_words=min_words, batch_size=batch_size, workers=1
        )
    return [p.dumps() for p in splitter.parse(texts)]
