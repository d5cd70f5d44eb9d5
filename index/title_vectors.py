"""Thread titles' vectors, stored in the index when it is built.

The relevance measure weighs the cosine of a passage's thread title to the question
(``index.relevance.with_meaning``). Embedding titles when a question first meets them cost
tens of milliseconds a question (a forward pass over up to 40 titles), which a question's
latency budget cannot hold. So the embedding step of a build (``index.vectors.embed_missing``)
embeds each distinct title once, beside the passages, into the same new file; a rebuild carries
the vector of every title it still holds, as it carries passage vectors, so only new titles are
embedded (and the build's vector cache keeps them, as it keeps passages', for an index that
cannot be reused). The reader looks up the few titles a question needs; an index built before
this (no table) or by another model is answered as before, titles embedded when met.

Stored as float16: the cosines stay within about 1e-3 of float32's, in half the space.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Protocol

import numpy as np

TABLE = "CREATE TABLE IF NOT EXISTS title_vectors (title TEXT PRIMARY KEY, vector BLOB NOT NULL)"
# Meta rows: the model that made the vectors, and how many titles have none yet.
MODEL = "title_vectors_model"
MISSING = "title_vectors_missing"
# Titles embedded, or rows copied, at a time.
BATCH = 1024
_DTYPE = np.float16
_MISSING_TITLES = ("SELECT DISTINCT title FROM threads WHERE title NOT IN "
                   "(SELECT title FROM title_vectors)")
_CACHE = ("CREATE TABLE IF NOT EXISTS titles (model TEXT NOT NULL, title TEXT NOT NULL, "
          "vector BLOB NOT NULL, PRIMARY KEY (model, title))")
READ = "SELECT title, vector FROM title_vectors WHERE title IN (SELECT value FROM json_each(?))"


class Model(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _has_table(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                       "'title_vectors'").fetchone() is not None


def rows_of(con: sqlite3.Connection, model: str) -> Iterator[list[tuple[str, bytes]]]:
    """An index's stored title vectors made by ``model``, ``BATCH`` rows at a time (none from
    an index without them or made by another model)."""
    meta = dict(con.execute("SELECT key, value FROM meta WHERE key = ?", (MODEL,)).fetchall())
    if meta.get(MODEL) != model or not _has_table(con):
        return
    cursor = con.execute("SELECT title, vector FROM title_vectors")
    while rows := cursor.fetchmany(BATCH):
        yield rows


def carry(con: sqlite3.Connection, model: str,
          previous: Iterable[list[tuple[str, bytes]]]) -> dict[str, str]:
    """Create the table in a new index (its threads written) and keep there the ``previous``
    index's vectors of titles it still holds. Returns the meta rows."""
    con.execute(TABLE)
    for rows in previous:
        con.executemany("INSERT OR IGNORE INTO title_vectors VALUES (?, ?)", rows)
    con.execute("DELETE FROM title_vectors WHERE title NOT IN (SELECT title FROM threads)")
    (missing,) = con.execute(f"SELECT count(*) FROM ({_MISSING_TITLES})").fetchone()
    return {MODEL: model, MISSING: str(missing)}


def missing(con: sqlite3.Connection, model: str) -> list[str]:
    """The titles of an index that have no vector from ``model`` (all of them in an index
    built before title vectors: the next build adds them)."""
    made_by = dict(con.execute("SELECT key, value FROM meta WHERE key = ?", (MODEL,)).fetchall())
    if made_by.get(MODEL) != model or not _has_table(con):
        return [t for (t,) in con.execute("SELECT DISTINCT title FROM threads")]
    return [t for (t,) in con.execute(_MISSING_TITLES)]


def embed(model: Model, titles: Sequence[str]) -> list[tuple[str, bytes]]:
    """The rows to store for ``titles``: each title with its vector."""
    out: list[tuple[str, bytes]] = []
    for at in range(0, len(titles), BATCH):
        part = titles[at:at + BATCH]
        vectors = np.asarray(model.embed(part), dtype=_DTYPE)
        out += [(t, v.tobytes()) for t, v in zip(part, vectors, strict=True)]
    return out


def write(con: sqlite3.Connection, rows: Sequence[tuple[str, bytes]], model: str) -> None:
    """Store ``rows`` (from ``embed``) in an index, within the caller's transaction; vectors
    of another model are dropped first."""
    con.execute(TABLE)
    made_by = dict(con.execute("SELECT key, value FROM meta WHERE key = ?", (MODEL,)).fetchall())
    if made_by.get(MODEL) != model:
        con.execute("DELETE FROM title_vectors")
    con.executemany("INSERT OR REPLACE INTO title_vectors VALUES (?, ?)", rows)
    (left,) = con.execute(f"SELECT count(*) FROM ({_MISSING_TITLES})").fetchone()
    con.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    [(MODEL, model), (MISSING, str(left))])


def cached(work: sqlite3.Connection, model: str, titles: Sequence[str]
           ) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The rows of ``titles`` that the build's vector cache holds from ``model`` (an index
    deleted or unusable is rebuilt without the model), and the titles it does not hold."""
    work.execute(_CACHE)
    found: dict[str, bytes] = {}
    for at in range(0, len(titles), BATCH):
        found.update(work.execute(
            "SELECT title, vector FROM titles WHERE model = ? AND title IN "
            "(SELECT value FROM json_each(?))", (model, json.dumps(list(titles[at:at + BATCH])))))
    return list(found.items()), [t for t in titles if t not in found]


def cache(work: sqlite3.Connection, model: str, rows: Sequence[tuple[str, bytes]]) -> None:
    """Keep newly embedded ``rows`` in the build's vector cache."""
    with work:
        work.execute(_CACHE)
        work.executemany("INSERT OR REPLACE INTO titles VALUES (?, ?, ?)",
                         [(model, t, v) for t, v in rows])


def keep_only(work: sqlite3.Connection, model: str, database: Path) -> None:
    """The cache holds the titles of the index at ``database``, from ``model``, and no
    others."""
    uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
    with work, closing(sqlite3.connect(uri, uri=True)) as index:
        work.execute(_CACHE)
        work.execute("CREATE TEMP TABLE current_titles (title TEXT PRIMARY KEY)")
        work.executemany("INSERT OR IGNORE INTO current_titles VALUES (?)",
                         index.execute("SELECT DISTINCT title FROM threads"))
        work.execute("DELETE FROM titles WHERE model != ? OR title NOT IN "
                     "(SELECT title FROM current_titles)", (model,))
        work.execute("DROP TABLE current_titles")


def complete(meta: dict[str, str], model: str) -> bool:
    """Whether an index's meta rows say every title has its vector from ``model``."""
    return meta.get(MODEL) == model and meta.get(MISSING) == "0"


def query(titles: Sequence[str]) -> tuple[str, tuple[str]]:
    """The SQL and parameters that read ``titles``' stored vectors (``READ``)."""
    return READ, (json.dumps(list(titles)),)


def vector(blob: bytes) -> np.ndarray:
    """A stored vector, as float32."""
    return np.frombuffer(blob, dtype=_DTYPE).astype(np.float32)
