"""The Ray engine: simdedup's heavy stages on a Ray cluster (``pip install "simdedup[ray]"``).

The same commands and classes run with ``engine=RayEngine(...)`` (``--engine ray``); only where
the work happens changes. Three stages go to the cluster, on Ray Data:

``embed``
    New distinct texts are embedded with ``map_batches`` on an actor pool, one model per actor
    (a GPU per actor when the cluster has GPUs and the backend is torch). The vectors are
    written to Parquet under the work directory, then read back into the store's embedding
    cache, so a store indexed on Ray is the same store as one indexed locally.
``pairs`` (dedup)
    The vectors are split into k-means partitions (FAISS spherical k-means trained on a sample,
    :mod:`simdedup.index.partition`); each vector joins its ``spill`` nearest partitions, so pairs
    across a partition border are not lost. One task per partition runs an exact FAISS range
    search for the pairs at or above the threshold. The pairs come back to the driver, which
    groups them as the local engine does: the same groups.
``neighbours`` (talking points)
    The same partitions; each task finds its vectors' ``k`` nearest neighbours within the
    partition. The driver clusters the edges as the local engine does.

On a single machine with no cluster, ``ray.init()`` starts a local one. On a multi-node cluster
pass ``address`` and a ``work_dir`` every node can reach (a shared file system or ``s3://``).
"""

from __future__ import annotations

import logging
import math
import socket
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from simdedup.checks import check_optional_int
from simdedup.embed.encoder import (
    Encoder,
    encode_checked,
    encoder_fingerprint,
    encoder_name,
)
from simdedup.errors import InputError, SimdedupError
from simdedup.index.partition import (
    DEFAULT_SPILL,
    assign,
    neighbours_within,
    pairs_within,
    partition_count,
    sample_size,
    train_centroids,
)
from simdedup.index.selfjoin import unique_pairs

if TYPE_CHECKING:
    from simdedup.embed.cache import EmbeddingCache
    from simdedup.embed.worker import EmbedWorker

KNN_SPILL = 3  # partitions each vector joins for the k-NN graph (talking points)
EMBED_CHUNK = 200_000  # distinct new texts the driver collects before sending them to embed
EMBED_BATCH = 256  # texts per actor call
VECTOR_BLOCK = 50_000  # vectors per Ray block handed over by the driver
SEED = 0


def ray_available() -> bool:
    """Whether Ray Data can be imported (the ``ray`` extra is installed)."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


class RayEngine:
    """Where the heavy stages run: a Ray cluster (or a local one that it starts).

    Parameters
    ----------
    address:
        Ray cluster address (``"auto"``, ``"ray://host:10001"``); ``None`` connects to the
        cluster of ``RAY_ADDRESS`` or starts a local one, as ``ray.init()`` does.
    num_cpus:
        CPUs of a local cluster that this engine starts (``None``: all of them).
    embed_actors:
        Size of the embedding actor pool; ``None``: one per GPU when the cluster has GPUs, else
        one per ``embed_cpus`` CPUs after leaving an eighth of them, at least one, to read and
        write blocks (an actor pool that takes every CPU starves them and the job stalls).
    embed_cpus:
        CPUs (and encoder threads) per embedding actor.
    partitions:
        k-means partitions of the vectors; ``None``: one per
        :data:`~simdedup.index.partition.PARTITION_ROWS` vectors.
    spill:
        Partitions each vector joins for dedup's pair search (its nearest first); 2 keeps
        99.5 % of the exact pairs at cosine >= 0.9 on real paragraphs (1 keeps 94-97 %).
    knn_spill:
        Partitions each vector joins for the talking-point neighbour graph: a vector's 20
        nearest neighbours reach further than its near-duplicates, so 3 (99 % of the exact
        k-NN edges; 2 keeps 89-95 %).
    work_dir:
        Where embeddings are written as Parquet; ``None``: a temporary directory (fine for a
        single machine; a multi-node cluster needs a path every node reaches).
    object_store_memory:
        Bytes of object store for a local cluster this engine starts (``None``: Ray's default,
        30 % of RAM).
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        *,
        num_cpus: int | None = None,
        embed_actors: int | None = None,
        embed_cpus: int = 1,
        partitions: int | None = None,
        spill: int = DEFAULT_SPILL,
        knn_spill: int = KNN_SPILL,
        work_dir: str | None = None,
        object_store_memory: int | None = None,
    ) -> None:
        for label, value in (
            ("num_cpus", num_cpus),
            ("embed_actors", embed_actors),
            ("embed_cpus", embed_cpus),
            ("partitions", partitions),
            ("spill", spill),
            ("knn_spill", knn_spill),
        ):
            check_optional_int(value, label)
        self.address = address
        self.num_cpus = num_cpus
        self.embed_actors = embed_actors
        self.embed_cpus = embed_cpus
        self.partitions = partitions
        self.spill = spill
        self.knn_spill = knn_spill
        self.work_dir = work_dir
        self.object_store_memory = object_store_memory
        self._started = False
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> RayEngine:
        """Connect to (or start) the cluster, once."""
        if not ray_available():
            raise InputError('the Ray engine needs Ray: pip install "simdedup[ray]"')
        import ray

        if not ray.is_initialized():
            _check_reachable(self.address)
            try:
                ray.init(
                    address=self.address,
                    num_cpus=self.num_cpus if self.address is None else None,
                    object_store_memory=self.object_store_memory,
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.ERROR,
                )
            except (ConnectionError, ValueError, RuntimeError) as exc:
                where = self.address or "a local cluster"
                raise SimdedupError(f"Ray address {where!r}: cannot start Ray ({exc})") from None
            self._started = True
        # no per-stage chatter on stderr; a failed job is reported once, as SimdedupError
        logging.getLogger("ray.data").setLevel(logging.CRITICAL)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        return self

    def stop(self) -> None:
        """Shut down the cluster if this engine started it; remove its temporary files."""
        if self._started:
            import ray

            ray.shutdown()
            self._started = False
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> RayEngine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def cpus(self) -> int:
        """CPUs in the cluster."""
        import ray

        self.start()
        return max(1, int(ray.cluster_resources().get("CPU", 1)))  # type: ignore[no-untyped-call]

    def gpus(self) -> int:
        import ray

        self.start()
        return int(ray.cluster_resources().get("GPU", 0))  # type: ignore[no-untyped-call]

    # -- embedding ----------------------------------------------------------------------------

    def embed_worker(
        self,
        encoder: Encoder,
        fingerprint: str,
        cache: EmbeddingCache,
        progress: Callable[[int], None] | None = None,
    ) -> EmbedWorker:
        """What :meth:`Store.add <simdedup.store.store.Store.add>` hands new texts to: the local
        worker thread, each chunk of :data:`EMBED_CHUNK` texts one job on the cluster."""
        from simdedup.embed.worker import EmbedWorker

        wrapped = _ClusterEncoder(self, encoder)
        return EmbedWorker(wrapped, fingerprint, cache, progress, chunk=EMBED_CHUNK)

    def embed(self, encoder: Encoder, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts``, in order, embedded by the actor pool; also written to
        Parquet under the work directory (``embeddings-<id>/``) on the way."""
        import pyarrow as pa
        import ray.data

        self.start()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        _check_picklable(encoder)
        pool = self._embed_pool(encoder)
        blocks = max(pool[0] * 4, math.ceil(len(texts) / 5_000))
        table = pa.table({"i": np.arange(len(texts), dtype=np.int64), "text": texts})
        with warnings.catch_warnings():  # Ray 2.60 deprecates max_restarts in **ray_remote_args
            warnings.simplefilter("ignore", DeprecationWarning)  # but names no replacement
            embedded = self._embed_plan(encoder, table, blocks, pool)
        target = f"{self._work()}/embeddings-{uuid.uuid4().hex[:12]}"
        out: np.ndarray | None = None
        with _ray_errors("embedding"):
            embedded.write_parquet(target)
            for batch in ray.data.read_parquet(target).iter_batches(batch_format="numpy"):
                vectors = _matrix(batch["vector"])
                if out is None:
                    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
                out[batch["i"]] = vectors
        assert out is not None
        return out

    def _embed_plan(
        self, encoder: Encoder, table: Any, blocks: int, pool: tuple[int, int, int]
    ) -> Any:
        import ray.data

        actors, cpus, gpus = pool
        return (
            ray.data.from_arrow(table)
            .repartition(blocks)
            .map_batches(
                _Embedder,
                fn_constructor_kwargs={"encoder": encoder, "threads": cpus},
                compute=ray.data.ActorPoolStrategy(size=actors),
                num_cpus=cpus,
                num_gpus=gpus,
                batch_size=EMBED_BATCH,
                batch_format="numpy",
                **self._restarts(),
            )
        )

    def _embed_pool(self, encoder: Encoder) -> tuple[int, int, int]:
        """(actors, CPUs per actor, GPUs per actor)."""
        gpus = self.gpus() if getattr(encoder, "backend", "") == "torch" else 0
        if self.embed_actors is not None:
            actors = self.embed_actors
        elif gpus:
            actors = gpus
        else:  # leave an eighth of the CPUs (at least one) to read and write blocks
            cpus = self.cpus()
            actors = max(1, (cpus - max(1, cpus // 8)) // self.embed_cpus)
        return actors, self.embed_cpus, 1 if gpus else 0

    def _restarts(self) -> dict[str, Any]:
        """Actor restarts: none on a local cluster this engine started (a crash there is no
        lost node, and Ray would log a spurious error for every actor, ray-project/ray#53727);
        Ray's default on a real cluster."""
        return {"max_restarts": 0} if self._started and self.address is None else {}

    def _work(self) -> str:
        if self.work_dir is not None:
            return self.work_dir.rstrip("/")
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="simdedup-ray-")
        return self._tmp.name

    # -- search -------------------------------------------------------------------------------

    def pairs(
        self, chunks: Iterable[tuple[np.ndarray, np.ndarray]], n: int, threshold: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every pair of rows with cosine >= ``threshold``, found partition by partition.
        ``chunks`` yields ``(rows, unit vectors)`` covering ``n`` rows. Returns
        ``(src, dst, score)``, ``src < dst``, each pair once."""
        return self._per_partition(
            chunks, n, self.spill, _search_pairs, {"threshold": float(threshold)}
        )

    def neighbours(
        self, chunks: Iterable[tuple[np.ndarray, np.ndarray]], n: int, k: int, threshold: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``k`` nearest neighbours of every row within its partitions, kept at cosine >=
        ``threshold``: edges ``(src, dst, score)``, ``src < dst``, each once."""
        return self._per_partition(
            chunks,
            n,
            self.knn_spill,
            _search_neighbours,
            {"k": int(k), "threshold": float(threshold)},
        )

    def _per_partition(
        self,
        chunks: Iterable[tuple[np.ndarray, np.ndarray]],
        n: int,
        spill: int,
        search: Callable[..., dict[str, np.ndarray]],
        search_kwargs: dict[str, Any],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import ray
        import ray.data

        self.start()
        started = time.perf_counter()
        partitions = self.partitions or partition_count(n)
        rng = np.random.default_rng(SEED)
        share = min(1.0, sample_size(partitions) / max(n, 1))
        refs: list[Any] = []
        sample: list[np.ndarray] = []
        for rows, vectors in chunks:  # blocks go to the object store; the driver keeps refs
            for start in range(0, len(rows), VECTOR_BLOCK):
                part_rows = np.asarray(rows[start : start + VECTOR_BLOCK], dtype=np.int64)
                part = np.ascontiguousarray(vectors[start : start + VECTOR_BLOCK], np.float32)
                refs.append(ray.put(_arrow_block(part_rows, part)))
                sample.append(part[rng.random(len(part)) < share])
        if not refs:
            return unique_pairs([], n)
        centroids = train_centroids(np.concatenate(sample), partitions, seed=SEED)
        groups = min(len(centroids), max(self.cpus() * 2, 1))
        source = ray.data.from_arrow_refs(refs)
        found = (
            source.map_batches(
                _spill,  # type: ignore[arg-type]
                fn_kwargs={"centroids": centroids, "spill": spill},
                batch_format="numpy",
            )
            .groupby("part", num_partitions=groups)
            .map_groups(search, fn_kwargs=search_kwargs, batch_format="numpy")
        )
        with _ray_errors("the partition search"):
            parts = [
                (batch["src"], batch["dst"], batch["score"])
                for batch in found.iter_batches(batch_format="numpy", batch_size=None)
                if len(batch["src"])
            ]
        self.last_search_ = {
            "partitions": len(centroids),
            "spill": spill,
            "seconds": time.perf_counter() - started,
        }
        return unique_pairs(parts, n)  # a pair found in several partitions counts once


class _ClusterEncoder:
    """An :class:`~simdedup.embed.encoder.Encoder` whose ``encode`` is a Ray job on the
    engine's actor pool, so the local :class:`~simdedup.embed.worker.EmbedWorker` runs it on its
    thread while the driver reads the next chunk, and caches its vectors as usual."""

    chunk_size = EMBED_CHUNK  # texts per encode call: one Ray job per ingest chunk

    def __init__(self, engine: RayEngine, encoder: Encoder) -> None:
        self.engine = engine
        self.encoder = encoder
        self.name = encoder_name(encoder)

    @property
    def fingerprint(self) -> str:
        return encoder_fingerprint(self.encoder)

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.engine.embed(self.encoder, texts)


class _Embedder:
    """One embedding actor: its own copy of the encoder, loaded once."""

    def __init__(self, encoder: Encoder, threads: int) -> None:
        if getattr(encoder, "threads", 0) is None:
            encoder.threads = threads  # type: ignore[attr-defined]
        self.encoder = encoder
        load = getattr(encoder, "load", None)
        if callable(load):
            load()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = encode_checked(self.encoder, [str(t) for t in batch["text"]])
        return {"i": batch["i"], "vector": vectors}


def _spill(batch: dict[str, np.ndarray], centroids: np.ndarray, spill: int) -> dict[str, Any]:
    """Each row once per partition it joins."""
    vectors = _matrix(batch["vector"])
    parts = assign(vectors, centroids, spill)
    take = parts.shape[1]
    return {
        "part": parts.reshape(-1),
        "row": np.repeat(batch["row"], take),
        "vector": np.repeat(vectors, take, axis=0),
    }


def _search_pairs(batch: dict[str, np.ndarray], threshold: float) -> dict[str, np.ndarray]:
    src, dst, score = pairs_within(batch["row"], _matrix(batch["vector"]), threshold)
    return {"src": src, "dst": dst, "score": score}


def _search_neighbours(
    batch: dict[str, np.ndarray], k: int, threshold: float
) -> dict[str, np.ndarray]:
    src, dst, score = neighbours_within(batch["row"], _matrix(batch["vector"]), k, threshold)
    return {"src": src, "dst": dst, "score": score}


def _matrix(column: np.ndarray) -> np.ndarray:
    """A vector column as a float32 matrix (Ray hands fixed-size lists over as object arrays)."""
    if column.dtype == object:
        if not len(column):
            return np.zeros((0, 0), dtype=np.float32)
        column = np.stack(list(column))
    return np.ascontiguousarray(column, dtype=np.float32)


def _arrow_block(rows: np.ndarray, vectors: np.ndarray) -> Any:
    import pyarrow as pa

    dim = vectors.shape[1] if vectors.ndim == 2 else 0
    flat = pa.array(vectors.reshape(-1), type=pa.float32())
    return pa.table({"row": rows, "vector": pa.FixedSizeListArray.from_arrays(flat, dim)})


@contextmanager
def _ray_errors(stage: str) -> Iterator[None]:
    """A failed Ray job (an actor that cannot start, a task that raised) as one line."""
    try:
        yield
    except SimdedupError:
        raise
    except Exception as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        cause = lines[-1] if lines else type(exc).__name__
        raise SimdedupError(f"{stage} on Ray failed: {cause[:300]}") from None


def _check_reachable(address: str | None, timeout: float = 5.0) -> None:
    """Fail fast on a ``host:port`` (or ``ray://host:port``) where nothing listens: Ray itself
    retries for minutes before giving up."""
    if not address or address in ("auto", "local") or ":" not in address:
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not port.isdigit():
        raise InputError(f"Ray address {address!r}: expected HOST:PORT, auto or ray://HOST:PORT")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise SimdedupError(
            f"Ray address {address!r}: no Ray cluster answers there ({exc.strerror or exc})"
        ) from None


def _check_picklable(encoder: Encoder) -> None:
    """Actors get a copy of the encoder (serialised only, by Ray, between its own processes);
    refuse one that cannot travel, naming it."""
    import cloudpickle

    try:
        cloudpickle.dumps(encoder)
    except Exception as exc:  # PicklingError, TypeError: the many ways an object cannot travel
        raise InputError(
            f"encoder {encoder_name(encoder)} cannot be sent to Ray workers ({exc}); "
            "give the engine an encoder that pickles"
        ) from None
