"""Build: a corpus → extraction records → graph → every output file, in one call.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> src = out / "in"; src.mkdir(); _ = (src / "a.txt").write_text("2021年，浙江省安吉县推行积分制。", encoding="utf-8")
>>> result = build([src], out / "kg")
>>> sorted(p.name for p in (out / "kg").iterdir() if not p.name.startswith("kg."))
['entities.csv', 'graph.gexf', 'graph.graphml', 'graph.html', 'graph.json', 'merges.csv', 'relations.csv']
>>> result.errors, result.stats["nodes"] == result.graph.number_of_nodes()
([], True)
"""
from __future__ import annotations

import gc
import json
import os
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


@dataclass
class BuildResult:
    """What a build did (``errors``, ``stats``); its graph and records are read from ``out`` when
    first asked for (a large corpus's are not kept in memory)."""
    out: Path
    documents: list  # (name, store key) of every document in the graph, in corpus order
    errors: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @cached_property
    def graph(self):
        """The graph, from ``out/graph.json`` (networkx ``MultiDiGraph``)."""
        from .graph import from_json
        return from_json((self.out / "graph.json").read_text(encoding="utf-8"))

    @cached_property
    def records(self):
        """The extraction records of the documents, from the store."""
        from .store import FILENAME, Store
        with Store(self.out / FILENAME) as store:
            stored = store.get_many(key for _, key in self.documents)
        return [dict(json.loads(stored[key].record), doc=name) for name, key in self.documents]


@dataclass
class _Entry:
    path: Path  # as listed (for messages and the record's ``doc``)
    key: object  # kg.store.Key
    size: int
    real: str = ""  # the resolved path (what the store's file list records)
    mtime_ns: int = -1  # its modification time, -1 if too recent to tell a later change by


def build(paths, out, title=None, on_error=None, *, jobs=None, engine="local", scheduler=None,
          batch_size=None, progress=False):
    """Extract every file under ``paths`` and write the graph and its exports to folder ``out``.

    Extraction results are kept in ``out/kg.sqlite`` (see :mod:`kg.store`): only new and changed
    files are extracted, on up to ``jobs`` processes (default: every core) or, with
    ``engine="dask"``, on a Dask cluster (``scheduler`` address, else a local cluster of ``jobs``
    workers); files no longer in ``paths`` drop out. ``batch_size`` caps the files per batch (each
    batch is committed to the store in one transaction: a killed build resumes from there).
    ``progress`` shows a progress line on stderr. A file that cannot be read is reported to
    ``on_error`` once per call. ``result.stats`` counts the files extracted, reused and removed.
    """
    # A build makes millions of small acyclic objects: the cyclic collector would scan them
    # over and over (a third of a rebuild's time) and free nothing that reference counting does not.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(paths, out, title, on_error, jobs, engine, scheduler, batch_size, progress)
    finally:
        if enabled:
            gc.enable()


def _build(paths, out, title, on_error, jobs, engine, scheduler, batch_size, progress):
    from .incremental import Doc, Outputs
    from .io import InputError
    from .store import FILENAME, Store

    out = Path(out)
    started = time.perf_counter()
    errors = []
    progress_line = []

    def report(err):
        errors.append(err)
        for bar in progress_line:
            bar.clear()
        if on_error is not None:
            on_error(err)

    stats = {"files": 0, "extracted": 0, "reused": 0, "removed": 0, "chars_extracted": 0, "engine": None,
             "workers": 0, "extract_seconds": 0.0, "file_seconds": 0.0, "file_cpu_seconds": 0.0}
    with Store(out / FILENAME) as store:
        known = store.keys()
        entries = _scan(paths, store.files(), known, report)
        todo = {}  # content key -> the entries with that content (extracted once)
        for e in entries:
            if e.key not in known:
                todo.setdefault(e.key, []).append(e)
        outputs = Outputs(store, out, title)
        if todo:
            _extract(store, todo, stats, report, progress_line, engine=engine, jobs=jobs, scheduler=scheduler,
                     batch_size=batch_size, progress=progress,
                     meanwhile=lambda: outputs.prepare({e.path.name: e.key for e in entries}))
            known = store.keys()
        docs, kept = [], []
        reported = {str(err.path) for err in errors}
        for e in entries:
            if e.key in known:
                kept.append(e)  # a record, or a problem kept so that it is reported without reading again
            if known.get(e.key, "") is not None:
                if str(e.path) not in reported:
                    report(InputError(e.path, known[e.key] if e.key in known else
                                      "changed or removed while kg was reading it; run kg build again"))
                continue
            docs.append(Doc(e.path.name, e.key))  # the same content may be stored under another name
        stats["files"] = len(entries)
        stats["reused"] = sum(e.key not in todo for e in entries)
        stats["removed"] = len(store.set_files({e.real: (e.key, e.size, e.mtime_ns) for e in kept}))
        stats["documents"] = len(docs)
        t0 = time.perf_counter()
        written = outputs.write(docs)
        stats["write_seconds"] = time.perf_counter() - t0
    stats.update(nodes=written.nodes, edges=written.edges, elements=written.elements,
                 elements_computed=written.computed, full_records_read=written.full_records)
    stats["seconds"] = time.perf_counter() - started
    return BuildResult(out=out, documents=[(d.name, d.key) for d in docs], errors=errors, stats=stats)


def _extract(store, todo, stats, report, progress_line, engine, jobs, scheduler, batch_size, progress, meanwhile):
    """Extract one file of each content in ``todo`` and commit the results batch by batch; call
    ``meanwhile()`` while the first batches are being extracted."""
    from .engine import Progress, make_engine
    from .io import InputError
    from .store import Key
    t0 = time.perf_counter()
    batches = _batches([group[0] for group in todo.values()], batch_size, jobs)
    sizes = {str(e.path): e.size for b in batches for e in b}
    bar = Progress(len(sizes), sum(sizes.values()), enabled=progress)
    progress_line.append(bar)
    with make_engine(engine, jobs=jobs, scheduler=scheduler, batches=len(batches),
                     nbytes=sum(sizes.values())) as runner:
        stats["engine"], stats["workers"] = runner.name, runner.workers
        for result in runner.run((_load(b, todo) for b in batches), meanwhile):
            results = result["results"]
            store.put([(Key(*key), record, skeleton, problem, chars, seconds)  # one transaction per batch
                       for key, _, record, problem, chars, seconds, cacheable, _, skeleton in results if cacheable])
            for _, path, _, problem, chars, seconds, _, cpu, _ in results:
                if problem is not None:
                    report(InputError(path, problem))
                stats["extracted"] += 1
                stats["chars_extracted"] += chars
                stats["file_seconds"] += seconds
                stats["file_cpu_seconds"] += cpu
            bar.update(len(results), sum(r[4] for r in results), sum(sizes.get(r[1], 0) for r in results))
    bar.close()
    stats["extract_seconds"] = time.perf_counter() - t0


def _scan(paths, files, known, report):
    """The corpus as entries, each path once, in :func:`kg.io.list_corpus` order: a file whose size
    and modification time are those of the last build's (``files``, :meth:`kg.store.Store.files`)
    keeps its content key, the others are read and hashed. Files that cannot be read are reported,
    and so are files whose stored result is a problem."""
    from .io import InputError, is_html, list_corpus, read_bytes
    from .store import Key, content_hash
    entries, seen, folders = [], set(), {}
    recent = time.time_ns() - 2_000_000_000  # a file changed since may change again unseen within its time's tick
    for path, error in list_corpus(paths):
        if error is None:
            real = _real(path, folders)
            if real in seen:
                continue
            seen.add(real)
            try:
                st = os.stat(path)
                last = files.get(real)
                if last is not None and last[2] >= 0 and (last[1], last[2]) == (st.st_size, st.st_mtime_ns):
                    key, size = last[0], st.st_size
                else:
                    data = read_bytes(path)
                    key, size = Key(content_hash(data), is_html(path)), len(data)
            except InputError as err:
                error = err
            except OSError:
                error = _unreadable(path)
            else:
                problem = known.get(key)
                if problem is not None:
                    error = InputError(path, problem)
                mtime = st.st_mtime_ns if st.st_mtime_ns < recent else -1
                entries.append(_Entry(path, key, size, real, mtime))
        if error is not None:
            report(error)
    return entries


def _real(path, folders):
    """The resolved path of a file as a string (``folders``: resolved folders, cached: a corpus
    has a few folders and many files)."""
    import stat
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return str(path.resolve())
    except OSError:
        return str(path.resolve())
    folder = folders.get(path.parent)
    if folder is None:
        folder = folders[path.parent] = path.parent.resolve()
    return str(folder / path.name)


def _unreadable(path):
    """The problem ``read_bytes`` reports for a file it cannot read."""
    from .io import InputError, read_bytes
    try:
        read_bytes(path)
    except InputError as err:
        return err
    return InputError(path, "changed or removed while kg was reading it; run kg build again")


def _batches(entries, batch_size=None, jobs=None):
    """Entries in batches of about the same size: small enough that every worker gets several (and a
    kill loses little), large enough that a batch is worth a round trip (≤ 256 kB, ≤ 256 files)."""
    from .engine import default_jobs
    if not entries:
        return []
    total = sum(e.size for e in entries)
    target = min(256_000, max(16_000, total // (4 * (jobs or default_jobs()))))
    cap = batch_size or 256
    batches, current, size = [], [], 0
    for e in entries:
        if current and (size + e.size > target or len(current) >= cap):
            batches.append(current)
            current, size = [], 0
        current.append(e)
        size += e.size
    batches.append(current)
    return batches


def _load(batch, todo):
    """A batch as ``(key, path, bytes)`` items. Read again: a file that changed since it was hashed
    is extracted as it is now and filed under its new content (its entry follows)."""
    from .io import InputError, is_html, read_bytes
    from .store import Key, content_hash
    items = []
    for e in batch:
        try:
            data = read_bytes(e.path)
        except InputError:
            continue  # gone since it was hashed: reported at the end (no stored result)
        key = Key(content_hash(data), is_html(e.path))
        if key != e.key:
            todo.setdefault(key, []).insert(0, e)
            e.key = key
        items.append((key, str(e.path), data))
    return items
