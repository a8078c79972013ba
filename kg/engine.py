"""Engines: run extraction over batches of files, on this machine or on a Dask cluster.

A batch is a list of ``(key, path, data)`` items: the file's :class:`~kg.store.Key`, its path (for
the record's ``doc`` and for messages) and its bytes. The bytes travel with the task, so workers never
need to see the files. :func:`extract_batch` turns a batch into result rows for the store; it runs in
the main process (``jobs=1``), in a pool of worker processes that load the spaCy pipeline and the
gazetteer once (:class:`LocalEngine`), or on the workers of a dask.distributed cluster
(:class:`DaskEngine`).
"""
from __future__ import annotations

import json
import os
import sys
import time
import traceback
from itertools import islice
from pathlib import Path

from .store import Key, pipeline_version

# A short text that touches every recogniser, the village gazetteer and the relation rules, so that
# every lazily loaded table is loaded before the first real batch.
WARM_TEXT = ("2021年，海南省海口市琼山区云龙镇云阁村党总支部书记杜世河介绍，村里种植荔枝。"
             "浙江省湖州市安吉县推行“积分制”，成立白茶产业链党委，与浙江大学签订合作协议。")


class EngineError(Exception):
    pass


def default_jobs():
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def warm():
    """Load the pipeline and every table it reads (pool initializer; also run on Dask workers)."""
    from .extract import extract_text
    extract_text(WARM_TEXT, name="warm.txt")
    return pipeline_version()


def extract_bytes(data, path):
    """``(record, characters)`` for a file's bytes: what :func:`kg.extract.extract_file` returns for
    the file, without reading it. Raises :class:`~kg.io.InputError` as ``read_file`` does."""
    from .extract import extract_document
    from .io import MAX_BYTES, InputError, document_from_bytes
    path = Path(path)
    if len(data) > MAX_BYTES:
        raise InputError(path, f"too large ({len(data)} bytes; limit {MAX_BYTES})")
    doc = document_from_bytes(data, path)
    return extract_document(doc), len(doc.text)


def extract_batch(batch):
    """Extract every item of a batch. Returns ``{"version", "results"}``; a result is
    ``(key, path, record_json, problem, chars, seconds, cacheable, cpu_seconds, skeleton_json)``: a file kg cannot
    read gives a ``problem`` (cached: the same bytes give the same problem), an unexpected failure of
    extraction gives a problem that is not cached (the next build tries again)."""
    from .extract import skeleton
    from .io import InputError
    results = []
    for key, path, data in batch:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            record, chars = extract_bytes(data, path)
            row = (json.dumps(record, ensure_ascii=False), None, chars, True,
                   json.dumps(skeleton(record), ensure_ascii=False))
        except InputError as err:
            row = (None, err.problem, 0, True, None)
        except Exception as err:  # noqa: BLE001 — one file's failure must not lose the batch
            where = traceback.extract_tb(err.__traceback__)[-1]
            problem = (f"extraction failed ({type(err).__name__}: {err} at "
                       f"{Path(where.filename).name}:{where.lineno}); please report this file")
            row = (None, problem, 0, False, None)
        results.append((tuple(key), str(path), row[0], row[1], row[2], time.perf_counter() - t0, row[3],
                        time.process_time() - c0, row[4]))
    return {"version": pipeline_version(), "results": results}


def _check_version(result, remedy="kg's code or data changed during the build; run kg build again"):
    """Results are stored under this process's pipeline version: refuse any made by other code."""
    if result["version"] != pipeline_version():
        raise EngineError(f"a worker runs kg pipeline {result['version']}, this process "
                          f"{pipeline_version()}: {remedy}")
    return result


class SerialEngine:
    """Extraction in this process."""
    name = "serial"
    workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def run(self, batches, meanwhile=None):
        """The result of every batch, in order; ``meanwhile()`` is called first (nothing runs
        beside this process)."""
        if meanwhile is not None:
            meanwhile()
        for batch in batches:
            yield _check_version(extract_batch(batch))


def _init_worker():
    """Pool initializer: Ctrl-C is the parent's to handle (it lets the running batches finish and
    stops); a worker whose parent is gone (killed) exits; then load what extraction needs, once.
    A worker ends without freeing the pipeline's tables one by one (most of a second): it has
    nothing else to clean up, and the pool waits for it to end."""
    import atexit
    import signal
    import threading
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    atexit.register(os._exit, 0)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()
    warm()


class LocalEngine:
    """A pool of worker processes, each warmed once (pipeline and gazetteer), fed batch by batch
    with a bounded number of batches in flight."""
    name = "local"

    def __init__(self, jobs):
        self.workers = jobs
        self.pool = None

    def __enter__(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        # spawn: safe whatever threads this process runs (a Dask client, a progress thread) and the
        # same on every platform; the warm-up dominates the start of a worker anyway. A worker that
        # dies (killed, out of memory) fails the build with BrokenProcessPool instead of hanging it.
        self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_worker)
        return self

    def __exit__(self, exc_type, exc, tb):
        self.pool.shutdown(wait=True, cancel_futures=exc_type is not None)
        return False

    def run(self, batches, meanwhile=None):
        """The result of every batch as it comes; ``meanwhile()`` is called once the first batches
        are submitted (while the workers load the pipeline and extract them)."""
        from concurrent.futures import FIRST_COMPLETED, wait
        batches = iter(batches)
        pending = {self.pool.submit(extract_batch, b) for b in islice(batches, 2 * self.workers)}
        if meanwhile is not None:
            meanwhile()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.update(self.pool.submit(extract_batch, b) for b in islice(batches, 1))
                yield _check_version(future.result())


class DaskEngine:
    """Extraction on a dask.distributed cluster: an existing one (``scheduler`` address) or a
    LocalCluster of ``jobs`` single-threaded worker processes. Batches carry the files' bytes."""
    name = "dask"

    def __init__(self, scheduler=None, jobs=None):
        self.scheduler = scheduler
        self.jobs = jobs or default_jobs()
        self.cluster = self.client = None
        self.workers = 0

    def __enter__(self):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError('the dask engine needs dask.distributed: pip install "kg[dask]"') from None
        try:
            if self.scheduler:
                try:
                    self.client = Client(self.scheduler, timeout="60s")
                except OSError as err:  # includes timeouts
                    raise EngineError(f"cannot reach the Dask scheduler at {self.scheduler}: {err}") from None
            else:
                self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                            dashboard_address=None)
                self.client = Client(self.cluster)
            try:
                versions = self.client.run(warm)  # every worker, in parallel: warm and report its version
            except Exception as err:  # noqa: BLE001 — typically kg missing on a worker
                raise EngineError(f"Dask workers cannot run kg ({type(err).__name__}: {err}): "
                                  f"install the same kg on every worker") from None
            bad = {w: v for w, v in versions.items() if v != pipeline_version()}
            if not versions or bad:
                raise EngineError("the Dask cluster has no workers" if not versions else
                                  f"Dask workers run another kg pipeline ({sorted(set(bad.values()))}; "
                                  f"here {pipeline_version()}): install the same kg on every worker")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self.workers = sum(self.client.nthreads().values())
        return self

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None
        return False

    def run(self, batches, meanwhile=None):
        """The result of every batch as it comes; ``meanwhile()`` is called once the first batches
        are submitted."""
        from distributed import as_completed
        batches = iter(batches)
        window = 2 * max(1, self.workers) + 2  # bounded: the client never holds the whole corpus
        pending = as_completed([self.client.submit(extract_batch, b, pure=False)
                                for b in islice(batches, window)])
        if meanwhile is not None:
            meanwhile()
        for future in pending:
            result = future.result()
            future.release()
            nxt = next(batches, None)
            if nxt is not None:
                pending.add(self.client.submit(extract_batch, nxt, pure=False))
            yield _check_version(result, "install the same kg on every worker")


# A worker process costs about 4 s to start (imports, pipeline, gazetteer) and extracts about
# 100k characters (~300 kB of UTF-8) a second: below this much work per worker, fewer workers finish first.
MIN_BYTES_PER_WORKER = 1_000_000


def make_engine(engine="local", jobs=None, scheduler=None, batches=None, nbytes=None):
    """The engine for a run: ``local`` — a pool of up to ``jobs`` worker processes (default: every
    core), as many as the work is worth (``nbytes`` to extract, in ``batches``), in this process
    when ``jobs`` is 1 — or ``dask``. Even a little work goes to a worker when there are cores to
    spare: the pipeline then never loads here (this process needs its memory for the outputs,
    and ends sooner without it)."""
    jobs = jobs or default_jobs()
    if engine == "dask" or scheduler:
        return DaskEngine(scheduler=scheduler, jobs=jobs)
    if engine != "local":
        raise EngineError(f"unknown engine {engine!r} (local or dask)")
    if jobs <= 1:
        return SerialEngine()
    if batches is not None:
        jobs = min(jobs, batches)
    if nbytes is not None:
        jobs = min(jobs, 1 + nbytes // MIN_BYTES_PER_WORKER)
    return LocalEngine(max(1, jobs))


# ---------------------------------------------------------------- progress on stderr

class Progress:
    """One line on stderr, rewritten in place: files, characters, rate and time left.

    Off unless enabled; on a terminal it redraws at most every 0.2 s, elsewhere it prints a line
    every 30 s."""

    def __init__(self, files, nbytes, enabled=False, stream=None, label="extracting"):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.total_files, self.total_bytes = files, max(1, nbytes)
        self.files = self.chars = self.bytes = 0
        self.label = label
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def update(self, files, chars, nbytes):
        self.files += files
        self.chars += chars
        self.bytes += nbytes
        now = time.monotonic()
        if self.enabled and now - self.last >= (0.2 if self.tty else 30.0):
            self.last = now
            self._draw(now)

    def line(self, now=None):
        elapsed = max(1e-9, (now or time.monotonic()) - self.start)
        done = self.bytes / self.total_bytes
        eta = elapsed * (1 - done) / done if done > 0 else None
        parts = [f"kg: {self.label} {self.files:,}/{self.total_files:,} files",
                 f"{_si(self.chars)} chars", f"{_si(self.chars / elapsed)} chars/s", f"{100 * done:.0f}%"]
        if eta is not None and self.files < self.total_files:
            parts.append(f"{_duration(eta)} left")
        return " · ".join(parts)

    def _draw(self, now):
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line(now))
            self.shown = True
        else:
            self.stream.write(self.line(now) + "\n")
        self.stream.flush()

    def clear(self):
        """Clear the line (before another message is printed)."""
        if self.tty and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
            self.last = 0.0

    def close(self):
        if self.enabled and self.files:
            if self.tty:
                self.stream.write("\r\x1b[K")
            self.stream.write(self.line() + f" in {_duration(time.monotonic() - self.start)}\n")
            self.stream.flush()


def _si(n):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return f"{n:.0f}"


def _duration(s):
    s = int(round(s))
    return f"{s // 3600}h{s // 60 % 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


__all__ = ["Key", "EngineError", "SerialEngine", "LocalEngine", "DaskEngine", "make_engine", "extract_batch",
           "extract_bytes", "warm", "default_jobs", "Progress"]
