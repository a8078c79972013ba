"""Store: per-document extraction results in an embedded SQLite database (``OUT/kg.sqlite``).

A result is keyed by the file's content (sha256 of its bytes, and whether it is read as HTML) and
by kg's *pipeline version* (:func:`pipeline_version`: ``kg.__version__`` plus a hash of the code and
data that extraction depends on), so a rebuild re-extracts only new or changed files, and any change
to kg's extraction code or data invalidates every stored result. ``files`` maps the paths of the
last build to their content; the graph and exports are regenerated from the store on every build.

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

SCHEMA = 2
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
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)  # explicit transactions
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across a killed process, never corrupt
            db.execute("PRAGMA foreign_keys=OFF")
            schema = db.execute("PRAGMA user_version").fetchone()[0]
            if schema not in (0, SCHEMA):
                db.execute("BEGIN IMMEDIATE")
                db.execute("DROP TABLE IF EXISTS extractions")
                db.execute("DROP TABLE IF EXISTS files")
                db.execute("COMMIT")
            db.execute("BEGIN IMMEDIATE")
            db.execute("""CREATE TABLE IF NOT EXISTS extractions (
                hash TEXT NOT NULL, html INTEGER NOT NULL, version TEXT NOT NULL,
                record TEXT, skeleton TEXT, error TEXT, chars INTEGER NOT NULL DEFAULT 0, seconds REAL,
                created REAL NOT NULL,
                PRIMARY KEY (hash, html, version))""")
            db.execute("""CREATE TABLE IF NOT EXISTS files (
                path TEXT PRIMARY KEY, hash TEXT NOT NULL, html INTEGER NOT NULL, size INTEGER NOT NULL)""")
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
        """``{path: Key}`` of the last completed build."""
        return {p: Key(h, bool(html)) for p, h, html in self.db.execute("SELECT path, hash, html FROM files")}

    def set_files(self, files):
        """Record the corpus of a completed build (``{path: (Key, size)}``) and drop what no file of
        it uses any more: results of other pipeline versions and of contents no longer in the corpus.
        Returns the paths that were in the last build and are not in this one."""
        with self.transaction():
            old = {p: (Key(h, bool(html)), size) for p, h, html, size in
                   self.db.execute("SELECT path, hash, html, size FROM files")}
            gone = sorted(set(old) - set(files))
            self.db.executemany("DELETE FROM files WHERE path=?", [(p,) for p in gone])
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                                [(p, k.hash, int(k.html), size) for p, (k, size) in files.items()
                                 if old.get(p) != (k, size)])
            self.db.execute("DELETE FROM extractions WHERE version<>?", (self.version,))
            used = {k for k, _ in files.values()}
            unused = {k for k, _ in old.values()} - used
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


class _Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False
