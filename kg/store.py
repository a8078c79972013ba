"""Store: per-document extraction results in an embedded SQLite database (``OUT/kg.sqlite``).

A result is keyed by the file's content (sha256 of its bytes, and whether it is read as HTML) and
by kg's *pipeline version* (:func:`pipeline_version`: ``kg.__version__`` plus a hash of the code and
data that extraction depends on), so a rebuild re-extracts only new or changed files, and any change
to kg's extraction code or data invalidates every stored result. ``files`` maps the paths of the
last build to their content, size and modification time (a file whose size and time did not change
is not read again). The graph and exports are regenerated from the store on every build; the
``plan_*`` tables keep what the last build's graph was made of (:class:`PlanState`), so that the
next one computes only what changed (:mod:`kg.incremental`).

Results are committed in transactions, one per batch, in WAL mode: an interrupted build keeps every
batch it committed and never leaves the database half-written.

>>> import tempfile, pathlib
>>> with Store(pathlib.Path(tempfile.mkdtemp()) / "kg.sqlite") as store:
...     key = Key(content_hash(b"x"), False)
...     store.put([(key, '{"doc": "a.txt"}', '{"doc": "a.txt"}', None, 1, 0.0)])
...     store.get_many([key])[key].record
'{"doc": "a.txt"}'
"""
from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from . import __version__

SCHEMA = 3
FILENAME = "kg.sqlite"

# What extraction depends on, relative to the kg package: any change to these invalidates the store.
_PIPELINE_FILES = ("__init__.py", "io.py", "extract.py", "relations.py", "lexicon.py", "gazetteer.py",
                   "nlp/*.py", "nlp/config.cfg")
_PIPELINE_DATA = "data"


@lru_cache(maxsize=1)
def pipeline_version():
    """``kg.__version__`` plus a hash of kg's extraction code and of every file in ``kg/data``.

    >>> pipeline_version().startswith(__version__ + "+")
    True
    """
    root = Path(__file__).resolve().parent
    files = set()
    for pattern in _PIPELINE_FILES:
        files.update(p for p in root.glob(pattern) if p.is_file())
    files.update(p for p in (root / _PIPELINE_DATA).rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith("."))
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    return f"{__version__}+{h.hexdigest()[:16]}"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()



class Key(NamedTuple):
    """What an extraction result depends on besides the pipeline version."""
    hash: str
    html: bool


@dataclass
class Stored:
    record: str | None  # the extraction record as JSON text, or None if the file could not be read
    error: str | None  # the problem (InputError.problem) if it could not


class StoreError(Exception):
    pass


class Store:
    """The extraction store of one output folder. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path, version=None):
        self.path = Path(path)
        self.version = version or pipeline_version()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open()
        except sqlite3.OperationalError:
            raise  # locked by another build, unreadable folder...: not a damaged store
        except sqlite3.DatabaseError as err:
            # Not a database, or a damaged one. The store is a cache: set it aside (never delete it)
            # and start again.
            aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
            print(f"kg: {self.path}: not a usable store ({err}); moved to {aside.name}, starting a new one",
                  file=sys.stderr)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.unlink()
            os.replace(self.path, aside)
            self.db = self._open()

    def _open(self):
        # explicit transactions; a build may record its plan from another thread (never two at once)
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across a killed process, never corrupt
            db.execute("PRAGMA foreign_keys=OFF")
            schema = db.execute("PRAGMA user_version").fetchone()[0]
            if schema not in (0, 2, SCHEMA):
                db.execute("BEGIN IMMEDIATE")
                db.execute("DROP TABLE IF EXISTS extractions")
                db.execute("DROP TABLE IF EXISTS files")
                db.execute("COMMIT")
            db.execute("BEGIN IMMEDIATE")
            if schema == 2:  # files gained their modification time: keep the results
                db.execute("ALTER TABLE files ADD COLUMN mtime_ns INTEGER NOT NULL DEFAULT -1")
            db.execute("""CREATE TABLE IF NOT EXISTS extractions (
                hash TEXT NOT NULL, html INTEGER NOT NULL, version TEXT NOT NULL,
                record TEXT, skeleton TEXT, error TEXT, chars INTEGER NOT NULL DEFAULT 0, seconds REAL,
                created REAL NOT NULL,
                PRIMARY KEY (hash, html, version))""")
            db.execute("""CREATE TABLE IF NOT EXISTS files (
                path TEXT PRIMARY KEY, hash TEXT NOT NULL, html INTEGER NOT NULL, size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL DEFAULT -1)""")
            PlanState.create(db)
            db.execute(f"PRAGMA user_version={SCHEMA}")
            db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    # ------------------------------------------------------------ results

    def keys(self):
        """``{key: problem}`` for every key stored under the current pipeline version (``problem`` is
        None for a record, else why the file could not be read)."""
        return {Key(h, bool(html)): error for h, html, error in
                self.db.execute("SELECT hash, html, error FROM extractions WHERE version=?", (self.version,))}

    def get_many(self, keys, column="record"):
        """``{key: Stored}`` for those of ``keys`` stored under the current pipeline version;
        ``column="skeleton"`` gives the records' skeletons (:func:`kg.extract.skeleton`) instead."""
        if column not in ("record", "skeleton"):
            raise ValueError(column)
        keys = list(dict.fromkeys(keys))
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (hash TEXT NOT NULL, html INTEGER NOT NULL)")
        with self.transaction():
            self.db.execute("DELETE FROM wanted")
            self.db.executemany("INSERT INTO wanted VALUES (?, ?)", [(k.hash, int(k.html)) for k in keys])
            rows = self.db.execute(
                f"SELECT e.hash, e.html, e.{column}, e.error FROM wanted w JOIN extractions e "
                "ON e.hash=w.hash AND e.html=w.html AND e.version=?", (self.version,)).fetchall()
            self.db.execute("DELETE FROM wanted")
        return {Key(h, bool(html)): Stored(record, error) for h, html, record, error in rows}

    def put(self, results):
        """Store ``(key, record_json, skeleton_json, error, chars, seconds)`` rows in one transaction."""
        now = time.time()
        rows = [(k.hash, int(k.html), self.version, record, skel, error, chars, seconds, now)
                for k, record, skel, error, chars, seconds in results]
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    # ------------------------------------------------------------ the corpus of the last build

    def files(self):
        """``{path: (Key, size, mtime_ns)}`` of the last completed build (``mtime_ns`` -1: unknown,
        read the file again)."""
        return {p: (Key(h, bool(html)), size, mtime) for p, h, html, size, mtime in
                self.db.execute("SELECT path, hash, html, size, mtime_ns FROM files")}

    def set_files(self, files):
        """Record the corpus of a completed build (``{path: (Key, size, mtime_ns)}``) and drop what
        no file of it uses any more: results of other pipeline versions and of contents no longer in
        the corpus. Returns the paths that were in the last build and are not in this one."""
        with self.transaction():
            old = self.files()
            gone = sorted(set(old) - set(files))
            self.db.executemany("DELETE FROM files WHERE path=?", [(p,) for p in gone])
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                                [(p, k.hash, int(k.html), size, mtime) for p, (k, size, mtime) in files.items()
                                 if old.get(p) != (k, size, mtime)])
            self.db.execute("DELETE FROM extractions WHERE version<>?", (self.version,))
            used = {k for k, _, _ in files.values()}
            unused = {k for k, _, _ in old.values()} - used
            if unused:
                self.db.executemany("DELETE FROM extractions WHERE hash=? AND html=?",
                                    [(k.hash, int(k.html)) for k in unused])
            stored = self.db.execute("SELECT COUNT(*) FROM extractions").fetchone()[0]
            if stored > len(used):  # results of a build that did not complete
                self.db.execute("DELETE FROM extractions WHERE NOT EXISTS (SELECT 1 FROM files "
                                "WHERE files.hash=extractions.hash AND files.html=extractions.html)")
        return gone

    def stats(self):
        n, chars, errors = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(chars), 0), COUNT(error) FROM extractions WHERE version=?",
            (self.version,)).fetchone()
        return {"results": n, "chars": chars, "errors": errors,
                "files": self.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]}

    def plan_state(self):
        """What the graph of the last build was made of (:class:`PlanState`)."""
        return PlanState(self.db)

    def integrity_check(self):
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # ------------------------------------------------------------ plumbing

    def transaction(self):
        return _Transaction(self.db)

    def close(self):
        if self.db is not None:
            try:
                self.db.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            self.db.close()  # the last connection checkpoints the WAL and removes -wal and -shm
            self.db = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class DocState(NamedTuple):
    """A document of the last build's graph: ``doc`` numbers it for as long as its name and
    content stay the same; ``pos`` is its place in corpus order."""
    doc: int
    name: str
    key: Key
    pos: int
    kg_version: str
    articles: str  # JSON


class EntityRow(NamedTuple):
    """An entity of a document (``j``: its index in the record) and the key it resolved to.
    ``phase`` 1: resolved after every other (a place without code or parent); ``bucket``: what must
    be resolved again with it (``person:NAME``, ``parentless:NAME``, ``named:NAME``)."""
    doc: int
    j: int
    key: str
    phase: int
    bucket: str | None
    reason: str
    context: str | None  # a person's neighbours (JSON)
    name: str
    n: int  # mentions
    item: str  # the skeleton entity (JSON)


class RelationRow(NamedTuple):
    """A relation of a document and the edge it supports (``u``, ``v``, ``k``; ``u`` None or equal
    to ``v``: none); ``sj``, ``tj``: the indices of its source and target entities (-1: none)."""
    doc: int
    j: int
    u: str | None
    v: str | None
    k: str
    sj: int
    tj: int
    n: int  # evidence sentences
    item: str  # the skeleton relation (JSON)


_CHUNK = 300  # values per query


class PlanState:
    """The ``plan_*`` tables: the documents, entities and relations of the last build's graph,
    each entity with its key, and the build's ``generation`` (the output index carries the same
    one: if they differ, an interrupted build left them apart and every output is made afresh).
    :meth:`save` replaces what changed in one transaction.

    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "kg.sqlite") as store:
    ...     state = store.plan_state()
    ...     state.save("g1", docs=[DocState(1, "a.txt", Key("h", False), 0, "0.1", "[]")],
    ...                entities=[(EntityRow(1, 0, "program:积分制", 0, None, "new", None, "积分制", 1, "{}"), None)])
    ...     state.generation(), [r.key for r in state.entities_with_keys(["program:积分制"])]
    ('g1', ['program:积分制'])
    """

    def __init__(self, db):
        self.db = db
        self._cache = {}

    SCHEMA = "2"  # of the plan tables: they are dropped when it changes (the next build makes them afresh)
    TABLES = ("plan_docs", "plan_entities", "plan_relations")

    @classmethod
    def create(cls, db):
        db.execute("""CREATE TABLE IF NOT EXISTS plan_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)""")
        schema = db.execute("SELECT value FROM plan_meta WHERE name='schema'").fetchone()
        if schema is None or schema[0] != cls.SCHEMA:
            for table in cls.TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute("DELETE FROM plan_meta")
            db.execute("INSERT INTO plan_meta VALUES ('schema', ?)", (cls.SCHEMA,))
        cls._tables(db)
        cls._indexes(db)

    @staticmethod
    def _tables(db):
        db.execute("""CREATE TABLE IF NOT EXISTS plan_docs (
            doc INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL,
            html INTEGER NOT NULL, pos INTEGER NOT NULL, kg_version TEXT NOT NULL, articles TEXT NOT NULL)""")
        db.execute("""CREATE TABLE IF NOT EXISTS plan_entities (
            doc INTEGER NOT NULL, j INTEGER NOT NULL, key TEXT NOT NULL, phase INTEGER NOT NULL, bucket TEXT,
            reason TEXT NOT NULL, context TEXT, name TEXT NOT NULL, n INTEGER NOT NULL, item TEXT NOT NULL, merge TEXT,
            PRIMARY KEY (doc, j))""")
        db.execute("""CREATE TABLE IF NOT EXISTS plan_relations (
            doc INTEGER NOT NULL, j INTEGER NOT NULL, u TEXT, v TEXT, k TEXT NOT NULL, sj INTEGER NOT NULL,
            tj INTEGER NOT NULL, n INTEGER NOT NULL, item TEXT NOT NULL, PRIMARY KEY (doc, j))""")

    @staticmethod
    def _indexes(db):
        db.execute("CREATE INDEX IF NOT EXISTS plan_entities_key ON plan_entities (key)")
        db.execute("CREATE INDEX IF NOT EXISTS plan_entities_bucket ON plan_entities (bucket) WHERE bucket IS NOT NULL")
        db.execute("CREATE INDEX IF NOT EXISTS plan_entities_merge ON plan_entities (doc) WHERE merge IS NOT NULL")
        db.execute("CREATE INDEX IF NOT EXISTS plan_relations_edge ON plan_relations (u, v, k)")
        db.execute("CREATE INDEX IF NOT EXISTS plan_relations_target ON plan_relations (v)")

    def generation(self):
        row = self.db.execute("SELECT value FROM plan_meta WHERE name='generation'").fetchone()
        return row[0] if row else None

    def docs(self):
        """``{name: DocState}``."""
        return {r[1]: DocState(r[0], r[1], Key(r[2], bool(r[3])), *r[4:]) for r in
                self.db.execute("SELECT doc, name, hash, html, pos, kg_version, articles FROM plan_docs")}

    def _select(self, table, columns, values):
        """Rows of ``table`` whose ``columns`` (one name, or a tuple of names) hold one of ``values``;
        remembered until :meth:`save` (a build asks for some of them twice)."""
        row = EntityRow if table == "plan_entities" else RelationRow
        cache = self._cache.setdefault((table, columns), {})
        values = list(dict.fromkeys(values))
        missing = [v for v in values if v not in cache]
        for v in missing:
            cache[v] = []
        fields = [row._fields.index(c) for c in (columns if isinstance(columns, tuple) else (columns,))]
        for r in self._query(table, row, columns, missing):
            cache[tuple(r[i] for i in fields) if len(fields) > 1 else r[fields[0]]].append(r)
        return [r for v in values for r in cache[v]]

    def _query(self, table, row, columns, values):
        make = functools.partial(tuple.__new__, row)  # the rows as they come, typed (row(*r) is 5 times slower)
        names = ", ".join(row._fields)
        if isinstance(columns, tuple):
            one = "(" + " AND ".join(f"{c}=?" for c in columns) + ")"
            join, width = " OR ", len(columns)
        else:
            one, join, width = "?", ", ", 1
        where = "{}" if width > 1 else f"{columns} IN ({{}})"
        out = []
        for b in range(0, len(values), _CHUNK):
            chunk = values[b:b + _CHUNK]
            params = [x for v in chunk for x in v] if width > 1 else chunk
            query = f"SELECT {names} FROM {table} WHERE " + where.format(join.join([one] * len(chunk)))
            out.extend(map(make, self.db.execute(query, params)))
        return out

    def entities_of(self, docs):
        return self._select("plan_entities", "doc", docs)

    def entities_with_keys(self, keys):
        return self._select("plan_entities", "key", keys)

    def entities_in_buckets(self, buckets):
        return self._select("plan_entities", "bucket", buckets)

    def relations_of(self, docs):
        return self._select("plan_relations", "doc", docs)

    def relations_on(self, edges):
        """The relations supporting the edges ``(u, v, k)``."""
        return self._select("plan_relations", ("u", "v", "k"), edges)

    def relations_touching(self, keys):
        """The relations with one of ``keys`` at an end."""
        keys = list(keys)
        found = {(r.doc, r.j): r for r in self._select("plan_relations", "u", keys)}
        found.update(((r.doc, r.j), r) for r in self._select("plan_relations", "v", keys))
        return list(found.values())

    def merges(self):
        """``(doc, phase, j, row JSON)`` of every entity that the merge log lists."""
        return self.db.execute("SELECT doc, phase, j, merge FROM plan_entities WHERE merge IS NOT NULL").fetchall()

    def save(self, generation, docs=(), entities=(), relations=(), merges=(), gone=(), positions=(),
             rekeyed=(), moved=(), everything=False):
        """Record a build, in one transaction: remove the documents ``gone`` (numbers) and their
        entities and relations (``everything``: all documents), add ``docs``, ``entities``
        (EntityRow and merge log row or None) and ``relations`` (rows), set ``positions``
        (``(pos, doc)``), the keys of ``rekeyed`` entities (``(key, reason, doc, j)``), the edges of
        ``moved`` relations (``(u, v, doc, j)``) and merge log rows ``merges`` (``(row or None, doc, j)``)."""
        self._cache.clear()
        with _Transaction(self.db):
            if everything:  # tables made again, indexed once filled: much faster than row by row
                for table in self.TABLES:
                    self.db.execute(f"DROP TABLE {table}")
                self._tables(self.db)
            for table in self.TABLES:
                self.db.executemany(f"DELETE FROM {table} WHERE doc=?", [(d,) for d in gone])
            self.db.executemany("INSERT INTO plan_docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                                [(d.doc, d.name, d.key.hash, int(d.key.html), d.pos, d.kg_version, d.articles)
                                 for d in docs])
            self.db.executemany("UPDATE plan_docs SET pos=? WHERE doc=?", positions)
            self.db.executemany("INSERT INTO plan_entities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                (row + (merge,) for row, merge in entities))
            self.db.executemany("INSERT INTO plan_relations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", relations)
            self.db.executemany("UPDATE plan_entities SET key=?, reason=? WHERE doc=? AND j=?", rekeyed)
            self.db.executemany("UPDATE plan_relations SET u=?, v=? WHERE doc=? AND j=?", moved)
            self.db.executemany("UPDATE plan_entities SET merge=? WHERE doc=? AND j=?", merges)
            if everything:
                self._indexes(self.db)
            self.db.execute("INSERT OR REPLACE INTO plan_meta VALUES ('generation', ?)", (generation,))


class _Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False
