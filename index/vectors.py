"""Passage vectors in the index: carried through rebuilds, embedded after the BM25 build.

A build writes, beside BM25's arrays, each passage's key (a hash of the text it is embedded
as: ``index.embedding.embedded_text``), its vector and its scale. Vectors of unchanged
passages are carried from the previous index (by document, for unchanged files; by key, for
passages of changed files whose text is the same), so a rebuild embeds only what is new. The
rest are embedded afterwards by ``embed_missing``, in its own step: the BM25 index is already
in place and serving. It saves each finished chunk in a cache beside the index
(``.NAME.vectors``, vectors by key), so a build that is stopped loses nothing: the next one
starts where it stopped. When every passage has its vector, a new index file with them is
renamed into place, and the cache is trimmed to the index's passages. The cache stays: a build
that cannot reuse the previous index (another version of Sourced, another gazetteer or passage
size) takes its vectors from it instead of embedding everything again.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embedding import Embedder, content_key, embedded_text, quantize
from .model import Passage, Thread
from .store import (
    EMBED_ROWS,
    META,
    VECTOR_ARRAYS,
    PreviousIndex,
    VectorArrays,
    arrays_from_rows,
    replacing,
)

log = logging.getLogger(__name__)

# Passages embedded, then saved to the cache, at a time: what a stop can lose at most.
CHUNK = 256


def key_of(thread: Thread, passage: Passage) -> bytes:
    """A passage's key: the hash of the text it is embedded as."""
    return content_key(embedded_text(thread.title, passage.text, passage.lead_in))


def carry(model: str, n_docs: int, previous: PreviousIndex | None,
          new_of_old: np.ndarray | None, parsed: Sequence[tuple[np.ndarray, int]]
          ) -> VectorArrays:
    """The new index's vector arrays: keys for every passage, and the vectors the previous
    index has for them (made by the same model); the others wait for ``embed_missing``.
    ``parsed`` is each parsed file's passage keys (an array of 16-byte rows) with its first
    document number."""
    old = previous.vector_arrays() if previous is not None else None
    same = old is not None and old.model == model
    dim = old.rows.shape[1] if same and old is not None else 0
    keys = np.zeros((n_docs, 16), dtype=np.uint8)
    rows = np.zeros((n_docs, dim), dtype=np.int8)
    scales = np.zeros(n_docs, dtype=np.float32)
    if old is not None and new_of_old is not None:
        moved = new_of_old >= 0
        keys[new_of_old[moved]] = old.keys[moved]
        if same:
            rows[new_of_old[moved]] = old.rows[moved]
            scales[new_of_old[moved]] = old.scales[moved]
    lookup: dict[bytes, int] | None = None
    for file_keys, first in parsed:
        keys[first:first + len(file_keys)] = file_keys
        if not (same and old is not None):
            continue
        if lookup is None:
            lookup = {k.tobytes(): i for i, k in enumerate(old.keys) if old.scales[i] != 0}
        for doc, key in enumerate(file_keys, start=first):
            if (at := lookup.get(key.tobytes())) is not None:
                rows[doc] = old.rows[at]
                scales[doc] = old.scales[at]
    return VectorArrays(model, keys, rows, scales)


@dataclass(slots=True)
class EmbedReport:
    embedded: int = 0        # passages embedded now
    resumed: int = 0         # taken from the cache (a stopped build, an unusable index)
    passages: int = 0        # passages in the index
    complete: bool = False   # every passage has its vector in the index
    seconds: float = 0.0

    def summary(self) -> str:
        if self.complete:
            return (f"Vectors: {self.passages} passage(s), {self.embedded} embedded now"
                    + (f", {self.resumed} from the vector cache" if self.resumed else "")
                    + f", in {self.seconds:.1f} s")
        return (f"Vectors: incomplete ({self.embedded} embedded now): search answers with "
                "BM25 alone until a build finishes them")


def work_file(database: Path) -> Path:
    return database.with_name(f".{database.name}.vectors")


def _identity(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino, status.st_mtime_ns


def complete_with(database: Path, model: str) -> int | None:
    """How many passages the index at ``database`` has, when each already has its vector from
    ``model``; None otherwise. A build with nothing to embed then need not load the model
    (seconds, and hundreds of MB)."""
    uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        meta = dict(con.execute(META).fetchall())
        if meta.get("vectors_model") != model or meta.get("vectors_missing") != "0":
            return None
        row = con.execute("SELECT length(data) FROM arrays WHERE name = 'rowids'").fetchone()
    return None if row is None else int(row[0]) // np.dtype(np.int64).itemsize


def embed_missing(database: Path, embedder: Embedder, *,
                  progress: Callable[[int, int], None] | None = None) -> EmbedReport:
    """Embed the passages of the index at ``database`` that have no vector yet, then put a
    complete index in its place. ``progress(done, total)`` follows the work.

    Stopping it (KeyboardInterrupt, SIGTERM, a kill) keeps every finished chunk in the work
    file, which the next call takes up. If the index is replaced meanwhile (another build),
    the finished work stays in the cache and nothing is renamed.
    """
    started = time.perf_counter()
    before = _identity(database)
    uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        meta = dict(con.execute(META).fetchall())
        if "vectors_model" not in meta:
            raise ValueError(f"{database} was built without vectors ([semantic] enabled)")
        arrays = arrays_from_rows(con.execute(VECTOR_ARRAYS).fetchall())
        vectors = VectorArrays.from_arrays(meta["vectors_model"], int(meta["vectors_dim"]),
                                           arrays)
        (rowids_blob,) = con.execute("SELECT data FROM arrays WHERE name = 'rowids'").fetchone()
        rowids = np.frombuffer(rowids_blob, dtype=np.int64)
        report = EmbedReport(passages=len(rowids))
        keys, scales = vectors.keys, vectors.scales.copy()
        rows = vectors.rows.copy()
        if vectors.model != embedder.name or rows.shape[1] != embedder.dim:
            rows = np.zeros((len(rowids), embedder.dim), dtype=np.int8)
            scales[:] = 0
        missing = np.flatnonzero(scales == 0)
        if not len(missing):
            report.complete = True
            report.seconds = time.perf_counter() - started
            return report
        # One vector per distinct text: a passage repeated across threads is embedded once.
        by_key: dict[bytes, list[int]] = {}
        for doc in missing.tolist():
            by_key.setdefault(keys[doc].tobytes(), []).append(doc)
        with closing(_open_work(work_file(database), embedder)) as work:
            for key, row, scale in work.execute("SELECT key, row, scale FROM vectors"):
                for doc in by_key.pop(bytes(key), ()):
                    rows[doc] = np.frombuffer(row, dtype=np.int8)
                    scales[doc] = scale
                    report.resumed += 1
            todo = list(by_key)
            total = len(todo)
            if progress:
                progress(0, total)
            for at in range(0, total, CHUNK):
                chunk = todo[at:at + CHUNK]
                first_docs = [by_key[k][0] for k in chunk]
                texts = dict((rowid, embedded_text(title, text, lead_in)) for rowid, title, text,
                             lead_in in con.execute(EMBED_ROWS, (json.dumps(
                                 rowids[first_docs].tolist()),)))
                q_rows, q_scales = quantize(embedder.embed(
                    [texts[int(rowids[d])] for d in first_docs]))
                with work:  # one transaction a chunk: a stop keeps every chunk before it
                    work.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                                     [(k, r.tobytes(), float(s))
                                      for k, r, s in zip(chunk, q_rows, q_scales, strict=True)])
                for k, r, s in zip(chunk, q_rows, q_scales, strict=True):
                    for doc in by_key[k]:
                        rows[doc] = r
                        scales[doc] = s
                        report.embedded += 1
                if progress:
                    progress(min(at + CHUNK, total), total)
    if _identity(database) != before:
        log.warning("%s was rebuilt while its passages were being embedded: the vectors made "
                    "are kept in %s for the next build", database, work_file(database))
        report.seconds = time.perf_counter() - started
        return report
    done = VectorArrays(embedder.name, keys, rows, scales)
    with replacing(database) as tmp:
        shutil.copyfile(database, tmp)
        with closing(sqlite3.connect(tmp)) as out:
            out.execute("PRAGMA journal_mode = OFF")
            with out:
                out.executemany("UPDATE arrays SET dtype = ?, data = ? WHERE name = ?",
                                [(str(a.dtype), a.tobytes(), name)
                                 for name, a in done.arrays().items()])
                out.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                done.meta().items())
            out.execute("PRAGMA journal_mode = DELETE")
    _keep_only(work_file(database), embedder, done)
    report.complete = True
    report.seconds = time.perf_counter() - started
    return report


def _keep_only(path: Path, embedder: Embedder, vectors: VectorArrays) -> None:
    """The cache holds the index's vectors, and no others."""
    unique = {k.tobytes(): i for i, k in enumerate(vectors.keys)}
    with closing(_open_work(path, embedder)) as work, work:
        work.execute("CREATE TEMP TABLE current (key BLOB PRIMARY KEY)")
        work.executemany("INSERT INTO current VALUES (?)", ((k,) for k in unique))
        work.execute("DELETE FROM vectors WHERE key NOT IN (SELECT key FROM current)")
        work.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)",
                         ((k, vectors.rows[i].tobytes(), float(vectors.scales[i]))
                          for k, i in unique.items()))


def _open_work(path: Path, embedder: Embedder) -> sqlite3.Connection:
    """The cache of finished chunks, emptied when another model made them."""
    con = sqlite3.connect(path)
    try:
        con.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, row BLOB NOT "
                    "NULL, scale REAL NOT NULL)")
        con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        made_by = dict(con.execute("SELECT key, value FROM meta"))
        if made_by.get("model") != embedder.name or made_by.get("dim") != str(embedder.dim):
            with con:
                con.execute("DELETE FROM vectors")
                con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                [("model", embedder.name), ("dim", str(embedder.dim))])
    except sqlite3.Error:
        con.close()
        path.unlink(missing_ok=True)  # a damaged cache only costs its vectors
        return _open_work(path, embedder)
    return con
