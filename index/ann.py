"""The passages nearest a question's vector, found through an approximate index (usearch HNSW).

Exact search reads every vector: at a million passages that is 384 MB a question, tens of ms
on two cores, and the vectors held in memory. So the build writes an HNSW graph over the
passages' int8 vectors (usearch, chosen by measurement: README, "Vector search at scale") to a
file beside the index, and the reader memory-maps it: the operating system pages in the parts
questions visit, and pages them out again under pressure. The candidates it finds are scored
exactly (int8 row times its scale, as ``index.dense``), so scores equal exact search's.

The file is named for the vectors it holds: a digest of the model, the dimension and every
passage's key (``index.embedding.content_key``) in document order. A rebuild that changes any
passage, or their order, changes the digest, so a reader never opens a graph whose numbers are
another index's; without a file of the right name it answers with BM25 alone (``python -m
index build`` makes it).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

from .store import META

log = logging.getLogger(__name__)

# HNSW's parameters: 16 links a node, 128 candidates kept while inserting, 1,536 while
# searching. At 1,000,000 synthetic passages (bench.semantic_scale's), recall@10 against exact
# search was 0.667 searching with 256, 0.967 with 1,024, 0.988 with 1,536 and 0.993 with
# 2,048, for a served-path median of 18.7, 21.8, 23.8 and 25.9 ms (README, "Vector search at
# scale"); at 100,000, 256 already gave 0.9947.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 1536
# Questions ask for at least this many candidates, rescored exactly: the best 10 of 100 found
# approximately are the exact best 10 far more often than the 10 found directly.
AT_LEAST = 100
# A restriction (quotes only, one outlet) leaving fewer passages than this is searched
# exactly over them; above it, the graph is asked for more and the rest filtered out.
EXACT_BELOW = 20_000
# Rows read at a time while building: bounds the build's memory beside the graph's.
CHUNK = 100_000
FORMAT = b"sourced-ann/1"

KEYS_AND_SCALES = ("SELECT name, data FROM arrays WHERE name IN "
                   "('vector_keys', 'vector_scales')")


def digest(model: str, dim: int, keys: bytes) -> str:
    """What names a graph: its model, dimension and passages (keys in document order)."""
    h = hashlib.blake2b(FORMAT, digest_size=12)
    h.update(f"{model}\n{dim}\n".encode())
    h.update(keys)
    return h.hexdigest()


def path_for(database: Path, name: str) -> Path:
    return database.with_name(f".{database.name}.ann-{name}")


def _read(database: Path) -> tuple[dict[str, str], bytes, np.ndarray]:
    """The index's meta, its vector keys and scales (not the rows: they stay on disk)."""
    uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        meta = dict(con.execute(META).fetchall())
        arrays = dict(con.execute(KEYS_AND_SCALES).fetchall())
    if "vector_keys" not in arrays or "vector_scales" not in arrays:
        raise ValueError(f"{database} holds no passage vectors")
    return meta, bytes(arrays["vector_keys"]), np.frombuffer(arrays["vector_scales"],
                                                             dtype=np.float32)


def build(database: Path, *, progress: Callable[[int, int], None] | None = None
          ) -> float | None:
    """Write the graph for the index at ``database`` unless its file is there already; remove
    the graphs of earlier indexes. Returns the seconds it took, or None when nothing was to
    do. The index's vectors must be complete (``index.vectors.embed_missing``).

    Raises:
        ValueError: the index has no vectors, or not all of them.
    """
    from usearch.index import Index  # the `semantic` extra

    started = time.perf_counter()
    meta, keys, scales = _read(database)
    dim = int(meta.get("vectors_dim", "0"))
    if meta.get("vectors_missing") != "0" or not dim:
        raise ValueError(f"{database}: {meta.get('vectors_missing')} passage(s) have no "
                         "vector yet")
    target = path_for(database, digest(meta["vectors_model"], dim, keys))
    n = len(scales)
    took = None
    if not target.exists():
        index = Index(ndim=dim, metric="cos", dtype="i8", connectivity=CONNECTIVITY,
                      expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)
        uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
        with closing(sqlite3.connect(uri, uri=True)) as con:
            (rowid,) = con.execute("SELECT rowid FROM arrays WHERE name = 'vectors'").fetchone()
            with con.blobopen("arrays", "data", rowid, readonly=True) as blob:
                for at in range(0, n, CHUNK):
                    part = min(CHUNK, n - at)
                    blob.seek(at * dim)
                    rows = np.frombuffer(blob.read(part * dim), dtype=np.int8).reshape(part, dim)
                    # Cosine on the int8 rows as stored: a row's scale does not change it.
                    index.add(np.arange(at, at + part, dtype=np.uint64), rows, threads=0)
                    if progress:
                        progress(at + part, n)
        tmp = target.with_name(target.name + ".tmp")
        index.save(str(tmp))
        del index
        os.replace(tmp, target)  # whole or not at all: a stopped build leaves only a .tmp
        took = time.perf_counter() - started
    # A running reader that mapped an older graph keeps its mapping (POSIX): removing is safe.
    for old in database.parent.glob(f".{database.name}.ann-*"):
        if old != target:
            old.unlink(missing_ok=True)
    return took


class NearestIndex:
    """The graph of an index's vectors, memory-mapped; ``top_k`` and ``similarity`` as
    ``index.dense.DenseIndex``'s (the exact search it replaces)."""

    def __init__(self, graph: Any, scales: np.ndarray, dim: int) -> None:
        self._graph = graph
        self.scales = scales
        self.dim = dim
        # One search at a time on the graph; each takes about a millisecond.
        self._lock = threading.Lock()

    @classmethod
    def open(cls, database: Path) -> NearestIndex:
        """The graph for the index at ``database``.

        Raises:
            FileNotFoundError: it has not been built for these vectors.
            ValueError: the index has no complete vectors, or the file does not fit them.
        """
        from usearch.index import Index  # the `semantic` extra

        meta, keys, scales = _read(database)
        dim = int(meta.get("vectors_dim", "0"))
        path = path_for(database, digest(meta.get("vectors_model", ""), dim, keys))
        if not path.exists():
            raise FileNotFoundError(f"no nearest-neighbour index {path.name} for these "
                                    "vectors: `python -m index build` makes it")
        graph = Index.restore(str(path), view=True)
        if graph is None or graph.size != len(scales) or graph.ndim != dim:
            raise ValueError(f"{path} does not fit {database}: rebuild with `python -m index "
                             "build`")
        return cls(graph, scales.copy(), dim)

    def _rows(self, docs: np.ndarray) -> np.ndarray:
        if not len(docs):
            return np.zeros((0, self.dim), dtype=np.int8)
        with self._lock:
            got = self._graph.get(docs.astype(np.uint64), dtype=np.int8)
        return np.stack(got) if isinstance(got, tuple) else np.asarray(got).reshape(-1, self.dim)

    def similarity(self, query: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """The cosine similarity of ``docs`` to the unit vector ``query``."""
        similarities: np.ndarray = (self._rows(docs).astype(np.float32) @ query) * \
            self.scales[docs]
        return similarities

    def _best(self, docs: np.ndarray, query: np.ndarray, k: int
              ) -> tuple[np.ndarray, np.ndarray]:
        """``docs`` scored exactly, the best ``k``, ties by document number."""
        scores = self.similarity(query, docs).astype(np.float32)
        order = np.lexsort((docs, -scores))[:k]
        return docs[order].astype(np.int64), scores[order]

    def _search(self, query: np.ndarray, count: int) -> np.ndarray:
        with self._lock:
            self._graph.expansion_search = max(EXPANSION_SEARCH, count)
            found = self._graph.search(query, count, threads=1).keys
        return np.asarray(found, dtype=np.int64)

    def top_k(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` passages nearest ``query`` (among ``allowed``), best first, with their
        cosine similarities."""
        query = np.ascontiguousarray(query, dtype=np.float32)
        n = len(self.scales)
        if k <= 0 or n == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if allowed is None:
            return self._best(self._search(query, min(n, max(k, AT_LEAST))), query, k)
        among = int(np.count_nonzero(allowed))
        if among > EXACT_BELOW:
            # Ask for enough that ``k`` allowed ones are very likely among them.
            count = min(n, math.ceil(max(k, AT_LEAST) * n / among * 2))
            found = self._search(query, count)
            found = found[allowed[found]]
            if len(found) >= min(k, among):
                return self._best(found, query, k)
        docs = np.flatnonzero(allowed)
        best: tuple[np.ndarray, np.ndarray] = (np.zeros(0, dtype=np.int64),
                                               np.zeros(0, dtype=np.float32))
        for at in range(0, len(docs), EXACT_BELOW):
            part = self._best(docs[at:at + EXACT_BELOW], query, k)
            merged = np.concatenate([best[0], part[0]])
            scores = np.concatenate([best[1], part[1]])
            order = np.lexsort((merged, -scores))[:k]
            best = merged[order], scores[order]
        return best
