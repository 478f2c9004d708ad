"""Executors: where the per-document work of a run happens.

``annotate()`` (``pipeline/run.py``) owns discovery, the skip-unchanged cache, the journal, the
outputs and the manifest; an executor only turns batches of ``InputFile`` into rendered
``runner.Result``s (each with its stages' outcome and seconds), one list per batch, as batches
finish. So outputs, manifest and resume are the same whichever executor ran, byte for byte but the
timings.

- ``AutoExecutor`` (``vien annotate``'s default): a pool when there are two cores or more and more
  than one batch to annotate, else this process.
- ``LocalExecutor``: everything in this process, batch after batch (``annotate()``'s default).
- ``PoolExecutor``: a process pool reads, segments and finds entities (the CPU-bound Vietnamese
  stages; models loaded once per worker by the pool's initializer), then aligns and renders the
  JSON, while this process does nothing but translate, a few articles at a time, with CTranslate2
  on part of the cores, so translation and the rest run side by side.
- ``DaskExecutor``: whole batches on Dask workers (``distributed``); each worker process loads the
  models once and translates its batches. Without a scheduler address it starts a ``LocalCluster``.

Pool and Dask keep a bounded number of batches in flight, so memory is bounded by the batch size,
not by the corpus, and results stream back in the order batches finish.
"""
from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Protocol

from .errors import OptionalDependencyMissing, VienError, WorkerDied, WorkerMismatch, error_record
from .discover import InputFile
from .core import Outcome
from .runner import Result, Runner, Settings

log = logging.getLogger(__name__)

EXECUTORS = ("auto", "local", "pool", "dask")
#: the pool translates a batch (``Settings.batch_size`` articles) in chunks of this many articles, so
#: translation starts after a few articles and few renders trail it (non-translation share of a pool
#: run 24% -> 15% on two cores); outputs do not depend on it
POOL_CHUNK_ARTICLES = 4


class Executor(Protocol):
    #: CTranslate2 threads for a translator in this process (None: the translator's default)
    translate_threads: int | None

    def run(self, runner: Runner, batches: Iterable[list[InputFile]]) -> Iterator[Iterable[Result]]: ...


class WorkerFailure(VienError):
    """An article's error as it was recorded where it happened (a pool or Dask worker).

    Exceptions do not all survive pickling, so workers send the manifest record instead; the
    record is exactly the one a local run writes.
    """

    def __init__(self, record: dict) -> None:
        self.record = record
        self.code = record["code"]
        super().__init__(message=record["reason"])

    def to_record(self) -> dict:
        return dict(self.record)

    def __reduce__(self):
        return WorkerFailure, (self.record,)


def _portable(result: Result) -> Result:
    """The result with its error replaced by a picklable ``WorkerFailure`` carrying its record."""
    outcome = result.outcome
    if outcome.error is None:
        return result
    failure = WorkerFailure(error_record(outcome.error, result.entry.name))
    return replace(result, outcome=replace(outcome, error=failure))


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def make_executor(name: str, *, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor called ``name`` (one of ``EXECUTORS``)."""
    if name == "auto":
        return AutoExecutor(workers)
    if name == "local":
        return LocalExecutor()
    if name == "pool":
        return PoolExecutor(workers)
    if name == "dask":
        return DaskExecutor(scheduler=scheduler, workers=workers)
    raise ValueError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}")


# ---- local ----------------------------------------------------------------------------------------
class LocalExecutor:
    """Every stage in this process, one batch after the other."""

    translate_threads = None

    def run(self, runner: Runner, batches: Iterable[list[InputFile]]) -> Iterator[Iterable[Result]]:
        runner.load()
        for batch in batches:
            yield [runner.render(result) for result in runner.annotate_batch(batch)]


# ---- auto ----------------------------------------------------------------------------------------
class AutoExecutor:
    """A ``PoolExecutor`` when this machine has several cores and the run more than one batch: one
    core translates while the others do the rest. Otherwise ``LocalExecutor``: starting worker
    processes (a few seconds each) does not pay for a single batch. Translation gets the pool's
    threads either way when there are several cores, so the choice, made once the batches are
    known, does not need another translator."""

    def __init__(self, workers: int | None = None) -> None:
        self.pool = PoolExecutor(workers)
        self.local = LocalExecutor()
        self.translate_threads = self.pool.translate_threads if default_workers() > 1 else None

    def choose(self, several_batches: bool) -> Executor:
        return self.pool if several_batches and default_workers() > 1 else self.local

    def run(self, runner: Runner, batches: Iterable[list[InputFile]]) -> Iterator[Iterable[Result]]:
        import itertools

        batches = iter(batches)
        head = list(itertools.islice(batches, 2))
        chosen = self.choose(len(head) > 1)
        log.info("executor: %s", "pool" if chosen is self.pool else "local")
        yield from chosen.run(runner, itertools.chain(head, batches))


# ---- process pool ---------------------------------------------------------------------------------
_pool_runner: Runner | None = None
_pool_renders_prepared = False


def _exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """A pool worker outlives a parent killed with ``kill -9``, waiting for work forever with its
    models in memory: it exits once its parent is gone instead."""
    while os.getppid() == parent:
        threading.Event().wait(interval)
    os._exit(1)


def _pool_init(settings: Settings, producer: dict, render_prepared: bool) -> None:
    """Pool initializer: build the Vietnamese stages once per worker process. The worker renders
    documents as the parent's runner would, so it takes the parent's producer record."""
    global _pool_runner, _pool_renders_prepared
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    _pool_runner = Runner(settings)
    _pool_runner.producer = producer
    _pool_runner.vietnamese  # load the models before the first article
    if not render_prepared:  # the parent translates: this worker aligns
        _pool_runner.aligner.load()
    _pool_renders_prepared = render_prepared


def _pool_prepare(entry: InputFile) -> Result:
    result = _pool_runner.prepare(entry)
    if _pool_renders_prepared:  # no translation: nothing is left for the parent to do
        result = _pool_runner.render(result)
    return _portable(result)


def _pool_render(result: Result) -> Result:
    return _portable(_pool_runner.render(_pool_runner.align(result)))


class PoolExecutor:
    """Vietnamese stages, alignment and JSON rendering in worker processes; batched translation in
    this one.

    This process does nothing but translate, with ``translate_threads`` CTranslate2 threads
    (default: half the cores, at least one); ``workers`` processes (default: the other cores, at
    least one) read, segment and find entities in the articles ahead, and align and render the
    ones behind. So on two cores one translates while the other does everything else (measured:
    ``bench/README.md``). On more cores the even split is a guess, not a measurement: a worker
    needs about half the CPU time per article that one translation thread does with the project's
    small models, and CTranslate2's threads scale less than linearly.

    Batches are translated in chunks of at most ``chunk_articles`` (``POOL_CHUNK_ARTICLES``), so
    that translation starts after a few articles rather than a whole batch, and the workers' last
    renders after it are few; outputs do not depend on it (greedy decoding, and beam search on exact batches, translate
    each sentence as it would alone). At most ``prefetch`` chunks (default: workers + 1) are
    prepared ahead. Without translation the workers default to one per core.
    """

    def __init__(self, workers: int | None = None, *, translate_threads: int | None = None,
                 chunk_articles: int = POOL_CHUNK_ARTICLES, prefetch: int | None = None) -> None:
        self.workers = workers
        self.translate_threads = translate_threads or max(1, default_workers() // 2)
        self.chunk_articles = chunk_articles
        self.prefetch = prefetch

    def worker_count(self, translating: bool) -> int:
        if self.workers:
            return self.workers
        return max(1, default_workers() - self.translate_threads) if translating else default_workers()

    def run(self, runner: Runner, batches: Iterable[list[InputFile]]) -> Iterator[Iterable[Result]]:
        # workers get no translator, so they never resolve or load the model
        translating = runner.translator is not None
        worker_settings = replace(runner.settings, translate=False)
        workers = _Workers(self.worker_count(translating), (worker_settings, runner.producer, not translating))
        try:
            prepared: deque[list] = deque()
            rendering: deque[list] = deque()
            size = self.chunk_articles
            batches = (batch[i:i + size] for batch in batches for i in range(0, len(batch), size))
            prefetch = self.prefetch or self.worker_count(translating) + 1

            def submit_next() -> bool:
                batch = next(batches, None)
                if batch is None:
                    return False
                prepared.append([workers.submit(_pool_prepare, entry) for entry in batch])
                return True

            while len(prepared) < prefetch and submit_next():
                pass
            while prepared:
                results = workers.collect(prepared.popleft())
                submit_next()
                if not translating:
                    yield results
                    continue
                done = runner.translate(results)
                rendering.append([workers.submit(_pool_render, r) if r.outcome.ok else r for r in done])
                while len(rendering) > 1:  # the previous batch has rendered meanwhile
                    yield workers.collect(rendering.popleft())
            while rendering:
                yield workers.collect(rendering.popleft())
        finally:
            workers.shutdown()


@dataclass
class _Job:
    """Work sent to a pool: what to call on what, and the future of that pool that will hold it."""

    call: Callable
    arg: InputFile | Result
    future: Future
    pool: ProcessPoolExecutor

    @property
    def entry(self) -> InputFile:
        return self.arg if isinstance(self.arg, InputFile) else self.arg.entry


class _Workers:
    """The pool's worker processes, replaced when one dies (``kill -9``, the out-of-memory killer).

    A dead worker breaks the whole pool: every article it held is retried once, alone, in a spare
    one-worker pool; an article whose retry kills that worker too is recorded as an error
    (``WorkerDied``: it is bad input), and the run goes on.
    """

    def __init__(self, count: int, initargs: tuple) -> None:
        self.count, self.initargs = count, initargs
        self.pool = self._start(count)
        self.spare: ProcessPoolExecutor | None = None

    def _start(self, count: int) -> ProcessPoolExecutor:
        import multiprocessing

        # spawn, not fork: this process may already hold CTranslate2's threads
        return ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_pool_init, initargs=self.initargs)

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        if broken is self.pool:
            broken.shutdown(wait=False, cancel_futures=True)
            self.pool = self._start(self.count)

    def submit(self, call: Callable, arg: InputFile | Result) -> _Job:
        try:
            return _Job(call, arg, self.pool.submit(call, arg), self.pool)
        except BrokenProcessPool:
            self._restart(self.pool)
            return _Job(call, arg, self.pool.submit(call, arg), self.pool)

    def result(self, job: _Job) -> Result:
        """The job's result, retried once in the spare pool when its worker died."""
        try:
            return job.future.result()
        except BrokenProcessPool:
            self._restart(job.pool)
        log.warning("%s: a worker process died; retrying the article in a new one", job.entry.name)
        if self.spare is None:
            self.spare = self._start(1)
        try:
            return self.spare.submit(job.call, job.arg).result()
        except BrokenProcessPool:
            self.spare.shutdown(wait=False, cancel_futures=True)
            self.spare = None
        failure = WorkerFailure(error_record(WorkerDied(path=job.entry.name), job.entry.name))
        return Result(job.entry, Outcome(error=failure))

    def collect(self, items: list) -> list[Result]:
        """Results of a chunk: a worker's, or one this process already had (an article that failed
        before rendering)."""
        return [self.result(item) if isinstance(item, _Job) else item for item in items]

    def shutdown(self) -> None:
        for pool in (self.pool, self.spare):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


# ---- Dask -----------------------------------------------------------------------------------------
_dask_runners: dict[tuple, Runner] = {}
_dask_lock = threading.Lock()


def _dask_runner(settings: Settings, threads: int | None) -> Runner:
    """This worker process's runner for ``settings``: the models load once per process."""
    key = (repr(settings), threads)
    with _dask_lock:
        if key not in _dask_runners:
            _dask_runners[key] = Runner(settings, threads=threads)
        return _dask_runners[key]


def portable_fingerprint(producer: dict) -> str:
    """A hash of what makes outputs differ (versions, stages, settings, the model's bytes), without
    where the model happens to be installed on a machine."""
    import hashlib
    import json

    model = {k: v for k, v in producer.get("model", {}).items() if k != "path"}
    return hashlib.sha256(json.dumps({**producer, "model": model}, sort_keys=True).encode()).hexdigest()


def dask_annotate_batch(settings: Settings, threads: int | None, producer: dict,
                        batch: list[InputFile]) -> tuple[str, list[Result]]:
    """A Dask task: annotate and render one batch on a worker, as the driver's ``producer``.

    Returns the worker's ``portable_fingerprint`` and the results; none when it differs from the
    driver's (the driver then stops the run).
    """
    runner = _dask_runner(settings, threads)
    mine = portable_fingerprint(runner.producer)
    if mine != portable_fingerprint(producer):
        return mine, []
    with _dask_lock:  # one batch at a time per process: the stages are not thread-safe
        own, runner.producer = runner.producer, producer  # outputs name the driver's model path
        try:
            results = [_portable(runner.render(r)) for r in runner.annotate_batch(batch)]
        finally:
            runner.producer = own
    return mine, results


class DaskExecutor:
    """Batches as tasks on a Dask cluster: ``scheduler`` address, or a ``LocalCluster`` of
    ``workers`` single-threaded worker processes (default: one per core).

    Every worker needs vien, its dependencies and the translation model installed, and must see
    the input paths (a shared filesystem); the outputs are written by this process. At most
    ``in_flight`` batches per worker thread are queued, so memory stays bounded.
    """

    translate_threads = None  # this process does not translate

    def __init__(self, scheduler: str | None = None, workers: int | None = None, *,
                 worker_threads: int | None = None, in_flight: int = 2) -> None:
        import importlib.util

        if importlib.util.find_spec("distributed") is None:  # say so before any work starts
            raise OptionalDependencyMissing(feature="--executor dask", package="distributed", extra="dask")
        self.scheduler = scheduler
        self.workers = workers or default_workers()
        # CTranslate2 threads per worker: a local cluster shares this machine's cores among its
        # workers; a remote worker is assumed to have one core per worker process
        self.worker_threads = worker_threads or (max(1, default_workers() // self.workers) if not scheduler else 1)
        self.in_flight = in_flight

    def _client(self):
        from distributed import Client, LocalCluster

        # distributed logs its cluster's life at INFO; follow this program's level instead
        logging.getLogger("distributed").setLevel(logging.getLogger().getEffectiveLevel())
        if self.scheduler:
            return Client(self.scheduler), None
        import dask

        # the workers' statistical profiler samples every thread every 10 ms: it costs the
        # pure-Python stages ~45% more CPU here (bench/executors.py), so the local cluster runs without it
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        return Client(cluster), cluster

    def run(self, runner: Runner, batches: Iterable[list[InputFile]]) -> Iterator[Iterable[Result]]:
        from distributed import as_completed

        client, cluster = self._client()
        try:
            limit = self.in_flight * max(1, sum(client.nthreads().values()))
            pending = as_completed()
            batches = iter(batches)

            def submit_next() -> bool:
                batch = next(batches, None)
                if batch is None:
                    return False
                pending.add(client.submit(dask_annotate_batch, runner.settings, self.worker_threads,
                                          runner.producer, batch, pure=False))
                return True

            while pending.count() < limit and submit_next():
                pass
            expected = portable_fingerprint(runner.producer)
            for future in pending:
                fingerprint, results = future.result()
                future.release()
                if fingerprint != expected:
                    raise WorkerMismatch(worker=fingerprint[:12], driver=expected[:12])
                submit_next()
                yield results
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
