"""The passages nearest a question's vector, found through an approximate index (usearch HNSW).

Exact search reads every vector: at a million passages that is 384 MB a question, tens of ms
on two cores, and the vectors held in memory. So the build writes, beside the index, one file
with an HNSW graph (usearch, chosen by measurement: README, "Vector search at scale") and the
passages' int8 rows. The graph holds each passage over fewer dimensions than the model's: its
unit vector minus the passages' mean (the centre), projected on the DIMS directions along which
the passages vary most (principal components, fitted at build time on a sample of the
passages and stored in the file), quantized to int8 with one scale for all. The graph links
and walks them by cosine, a true distance (by inner product, over vectors sharing one large
component, HNSW's walk lost most of the nearest at a million passages: README), and a
question, projected as it is, is compared with them by that cosine. The mean's inner product
with a question is the same for every passage, so centring changes no exact ranking; the
graph's order only has to put the exact best among its first RESCORED, which are then scored
exactly from their full int8 rows, read from the file (``pread``: a question reads a few
hundred KB through the operating system's page cache, never mapped into the process), as
``index.dense`` scores them; so scores equal exact search's. The reader reads the graphs into
memory of its own, in huge pages where the system gives them (HUGE_PAGE). The graph is what
has to stay in memory, and it is about two thirds of what it was with the full int8 rows inside it
(README, "Vector search at scale": the layouts measured).

The file is named for the vectors it holds: a digest of the format, the model, the dimension
and every passage's key (``index.embedding.content_key``) in document order. A rebuild that
changes any passage, or their order, changes the digest, so a reader never opens a graph
whose numbers are another index's; without a file of the right name it answers with BM25
alone (``python -m index build`` makes it).

The passages are split between PARTS graphs (consecutive halves of the document numbers), and
a question walks them at once, one thread each, in usearch's own threads (its search holds
Python's lock, so Python threads would take turns); the nearest of all the walks found are
merged before rescoring. Each walk is shorter than one over all the passages, and on an idle
machine the two run side by side (README, "Vector search at scale": "Two graphs, two threads").
A question far from every passage (WIDEN: told by its length along the first principal
directions, before walking) is walked wider: its exact best are far and nearly tied, where the
walks missed most.

The file: the graphs (usearch's own format), each from a 4,096-byte boundary, the first at
offset 0; the int8 rows, n x dim, from a 4,096-byte boundary; the projection (float32, dim x
reduced dimensions) and the centre (float32, dim); where each graph is (offset and bytes); a
trailer saying where each part is and the projection's int8 scale. A file of the format before
(``OLD_FORMAT``: one graph, its trailer without the parts) is still opened and searched as one
graph, until a build writes the new one beside it and removes it.

While building, usearch holds one part's graph at a time (with 16 links it grew by about 400
bytes a passage at a million, 24 links add about 64; its key-to-node table, off, would add
about 55) beside CHUNK rows in float32 (README, "The graph's stage").
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import mmap
import os
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from . import memory
from .store import META

log = logging.getLogger(__name__)

# The graph's layout and HNSW's parameters: dimensions kept, links a node keeps, candidates
# kept while inserting and while searching, and how many of the best found are rescored
# exactly. Chosen with bench.ann_layout on 200,000 realistic vectors (bench.real_vectors) and
# the "tune" questions: centred, recall@10 0.9990 keeping 2,048 candidates and 1.0000 keeping
# 3,072 (uncentred, by inner product: 0.9983 and 0.9993), the best 1,024 rescored. At
# 1,000,000 (bench.ann_choice --sweep, the same questions): 0.9783 keeping 1,536, 0.9837
# keeping 2,048, 0.9900 keeping 3,072 (README "Vector search at scale"). Searching, 2,560 kept
# and the best 512 rescored: 0.9873 on 300 tune questions at 1,000,000 (2,048: 0.9837; 3,072:
# 0.9900; rescoring 1,024 instead of 512 changed none of them), the walk about a sixth shorter
# than keeping 3,072 and half the rows read (bench.ann_choice --sweep, bench.ann_split).
# Split between two graphs of 500,000, each keeping 1,536 (the same 300 questions): 0.9893,
# each walk about half the CPU time of one graph keeping 2,560 (1,280: 0.9867; 2,048: 0.9920,
# two thirds of it), and the two walks run side by side.
DIMS = 192
# 24 links a node, not 16 (2026-12-05): at 1,000,000, "tune-mixed" recall@10 keeping 1,536
# each 0.9731 against 0.9570 (16 links), with two WIDEN bounds 0.9942 against 0.9834, for a
# file 64 MB larger (752 MiB) and a build's graph step peaking at 363 MB (335). An index whose
# graph was built with 16 keeps it (usearch's file says its links) until its passages change.
CONNECTIVITY = 24
EXPANSION_ADD = 128
EXPANSION_SEARCH = 512  # each graph's walk, for the questions nearest the passages (WIDEN)
# A file of one graph (the format before, or an index too small to split) keeps what one graph
# over all the passages kept: 2,560 (0.9873 above; 1,536 would give 0.9783).
EXPANSION_ONE_GRAPH = 2560
# 384, not 512 (h20lat): the same recall@10 on "tune-mixed" with the walks below (0.9884 both;
# 0.9906 both with h19lat's), a quarter fewer rows read and scored (256: 0.9895 against 0.9906).
RESCORED = 384
# Questions far from every passage (off-topic ones, whose exact best 10 are far and nearly
# tied) are where the walks miss: at 1,000,000, 16 links, 1,536 kept each reached 0.889 of
# their best 10 against 0.98-0.99 for the others ("tune-mixed" questions, bench.ann_choice
# --sweep). Rescoring more would not help: the best 10 are among the projection's nearest 512
# (99.8%); the walk does not reach them. A question's length along the WIDEN_DIMS first
# principal directions (its unit vector, not centred) says, before any walk, how far it is
# from the passages: below a WIDEN bound, each walk keeps that many (the first bound it is
# under). Chosen on "tune-mixed" at 1,000,000 with 24 links (h18lat): the 15% below 0.407 keeping
# 6,144, the rest 1,536: recall@10 0.9878 (0.9731 without). Then (h19lat) a table over the whole
# range, so that near questions walk less and the farthest no further than 4,096 (the p99):
# each question's recall at 768 to 6,144 measured, widths per tenth of the questions' lengths
# chosen to maximise recall less a cost in walk time, never narrower for a farther question:
# 0.9906 (split in halves, fitted on one and checked on the other: 0.9885 and 0.9912), the
# median question's walk 1,280 instead of 1,536, the farthest 4,096 instead of 6,144. Then
# (h20lat) the same choice, per twentieth, with a cost a little higher and 512 and 640 allowed:
# the nearest half walk 512-640 (768-1,024 before) and a tenth 4,096 (three tenths before),
# recall@10 0.9884 (split in halves: 0.9900/0.9869 and 0.9883/0.9898), the walk's cost at the
# median question a third lower and its mean a fifth. README, "Vector search at scale".
WIDEN_DIMS = 32
WIDEN: tuple[tuple[float, int], ...] = ((0.379, 4096), (0.447, 3072), (0.506, 2048),
                                        (0.526, 1024), (0.546, 768), (0.648, 640))
# Graphs the passages are split between, each walked on a thread of its own.
PARTS = 2
# The reader reads the graphs into memory of its own, in huge pages (2 MB) where the system
# gives them (Linux's transparent huge pages, asked for with madvise), rather than walking
# them memory-mapped from the file in 4 KB pages: a walk visits thousands of nodes spread over
# the whole graph, and each one in another small page costs an address-translation miss. At
# 1,000,000 passages, 24 links, 1,536 kept: the slower walk's CPU time 12.2-12.9 ms against
# 15.2 mapped at load 5-8 (14.1-14.8 in memory without huge pages), 9.9 against 10.8 at
# load 1. Same memory (the graph's pages were all mapped after a few hundred questions), but
# no longer the page cache's to drop under memory pressure; reading it takes 0.4-6 s (the
# kernel compacts memory for huge pages), in the reader's loading thread.
HUGE_PAGE = 2 << 20
# Threads inserting into the graph (0: every core). Several threads make the graph depend on
# their timing; tests that compare a graph's answers with exact search use one.
BUILD_THREADS = 0
# A restricted search (quotes only, one outlet) asks the graph for enough candidates that at
# least this many allowed ones are very likely among them.
AT_LEAST = 100
# Passages the projection is fitted on, evenly spread over the index (float32 while fitting:
# 77 MB at 384 dimensions, given back before the graph is built).
SAMPLE = 50_000
# An index, or a restriction (quotes only, one outlet), of fewer passages than this is searched
# exactly over them (their rows read in one run: a few ms at most); above it, the graph is
# asked, for more under a restriction and the rest filtered out. Exactly, a small index loses
# nothing to the projection: with the graph, SciFact's 5,183 passages lost 0.0017 of the
# vectors' Recall@100 (bench.scifact_eval).
EXACT_BELOW = 20_000
# Rows read at a time while building: bounds the build's memory beside the graph's (each is
# turned into float32 to be projected: 4 bytes a dimension).
CHUNK = 16_384
FORMAT = b"sourced-ann/5"
# magic, dimension, reduced dimensions, passages, parts, rows offset, projection offset (the
# centre follows it, then the parts' table: offset and bytes of each graph), the projection's
# int8 scale
TRAILER = struct.Struct("<16s6Qd")
PART = struct.Struct("<2Q")
MAGIC = FORMAT.ljust(16, b"\0")
# The format before: one graph at offset 0; its trailer says the graph's bytes where this one
# says the parts.
OLD_FORMAT = b"sourced-ann/4"
OLD_MAGIC = OLD_FORMAT.ljust(16, b"\0")
ALIGN = 4096

KEYS_AND_SCALES = ("SELECT name, data FROM arrays WHERE name IN "
                   "('vector_keys', 'vector_scales')")


def digest(model: str, dim: int, keys: bytes, form: bytes = FORMAT) -> str:
    """What names a graph: its format, model, dimension and passages (keys in document
    order)."""
    h = hashlib.blake2b(form, digest_size=12)
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


def _chunks(database: Path, n: int, dim: int, start: int = 0
            ) -> Iterator[tuple[int, np.ndarray]]:
    """The index's int8 rows from ``start`` to ``n``, CHUNK at a time, streamed from the
    SQLite blob."""
    uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        (rowid,) = con.execute("SELECT rowid FROM arrays WHERE name = 'vectors'").fetchone()
        with con.blobopen("arrays", "data", rowid, readonly=True) as blob:
            for at in range(start, n, CHUNK):
                part = min(CHUNK, n - at)
                blob.seek(at * dim)
                yield at, np.frombuffer(blob.read(part * dim), dtype=np.int8).reshape(part, dim)


def fit(units: np.ndarray, reduced: int) -> tuple[np.ndarray, float]:
    """The ``reduced`` directions along which the vectors ``units`` vary most (the
    eigenvectors of their second moment, largest first: the subspace that keeps the most of
    every inner product; Jolliffe, *Principal Component Analysis*, 2002, ch. 3), dim x
    reduced, and the scale that maps the largest projected component to 127."""
    moment = np.zeros((units.shape[1],) * 2, dtype=np.float64)
    step = 4096  # rows at a time: a small float32 product, summed in float64
    for at in range(0, len(units), step):
        part = units[at:at + step]
        moment += part.T @ part
    _, vectors = np.linalg.eigh(moment)  # ascending eigenvalues
    basis = np.ascontiguousarray(vectors[:, ::-1][:, :reduced], dtype=np.float32)
    peak = max((float(np.abs(units[at:at + step] @ basis).max())
                for at in range(0, len(units), step)), default=0.0)
    return basis, 127.0 / peak if peak > 0 else 1.0


def project(units: np.ndarray, basis: np.ndarray, scale: float) -> np.ndarray:
    """Vectors (n x dim, or one; passages centred) as the graph holds them: int8 over the
    basis."""
    # One vector: einsum, not BLAS, whose threads contend on a busy machine.
    projected = np.einsum("j,jk->k", units, basis) if units.ndim == 1 else units @ basis
    projected *= scale  # in place: no more float32 copies of a build's chunk than needed
    np.rint(projected, out=projected)
    np.clip(projected, -127, 127, out=projected)
    out: np.ndarray = projected.astype(np.int8)
    return out


def _sample(database: Path, n: int, dim: int, scales: np.ndarray) -> np.ndarray:
    """About SAMPLE passages' unit vectors, evenly spread over the index (float32)."""
    step = max(1, n // SAMPLE)
    out = np.empty((len(range(0, n, step)), dim), dtype=np.float32)
    for at, rows in _chunks(database, n, dim):
        picked = np.arange(at + -at % step, at + len(rows), step)  # multiples of ``step``
        out[picked // step] = rows[picked - at].astype(np.float32) * scales[picked, None]
    return out


def build(database: Path, *, progress: Callable[[int, int], None] | None = None
          ) -> float | None:
    """Write the graph for the index at ``database`` unless its file is there already; remove
    the graphs of earlier indexes. Returns the seconds it took, or None when nothing was to
    do. The index's vectors must be complete (``index.vectors.embed_missing``).

    Raises:
        ValueError: the index has no vectors, or not all of them.
    """
    import usearch.index  # noqa: F401 (the `semantic` extra: missing, say so before any work)

    started = time.perf_counter()
    meta, keys, scales = _read(database)
    dim = int(meta.get("vectors_dim", "0"))
    if meta.get("vectors_missing") != "0" or not dim:
        raise ValueError(f"{database}: {meta.get('vectors_missing')} passage(s) have no "
                         "vector yet")
    target = path_for(database, digest(meta["vectors_model"], dim, keys))
    del keys  # 16 bytes a passage, needed only for the name
    n = len(scales)
    took = None
    if not target.exists():
        log.info("building the nearest-neighbour index of %d passage vector(s)", n)
        reduced = min(DIMS, dim)
        sample = _sample(database, n, dim, scales)
        centre = sample.mean(axis=0, dtype=np.float64).astype(np.float32)
        sample -= centre
        basis, scale = fit(sample, reduced)
        del sample
        tmp = target.with_name(target.name + ".tmp")
        part_tmp = target.with_name(target.name + ".part.tmp")
        bounds = _bounds(n)
        table = []
        with tmp.open("wb") as f:
            for lo, hi in bounds:
                _graph(database, lo, hi, dim, scales, centre, basis, scale, reduced,
                       part_tmp, progress, n)
                at = f.seek(-(-f.tell() // ALIGN) * ALIGN)
                with part_tmp.open("rb") as part:
                    while block := part.read(1 << 20):
                        f.write(block)
                table.append((at, f.tell() - at))
                part_tmp.unlink()
            rows_at = f.seek(-(-f.tell() // ALIGN) * ALIGN)
            for _, rows in _chunks(database, n, dim):
                f.write(rows.tobytes())
            basis_at = f.tell()
            f.write(basis.tobytes())
            f.write(centre.tobytes())
            for part_at, part_bytes in table:
                f.write(PART.pack(part_at, part_bytes))
            f.write(TRAILER.pack(MAGIC, dim, reduced, n, len(table), rows_at, basis_at,
                                 scale))
        os.replace(tmp, target)  # whole or not at all: a stopped build leaves only a .tmp
        took = time.perf_counter() - started
    # A running reader holds its graphs in memory and keeps the file it opened (POSIX): removing
    # is safe.
    for old in database.parent.glob(f".{database.name}.ann-*"):
        if old != target:
            old.unlink(missing_ok=True)
    return took


def _bounds(n: int) -> list[tuple[int, int]]:
    """The document numbers each graph holds: PARTS runs of about equal length (one graph
    under EXACT_BELOW passages a part: such an index is searched exactly anyway)."""
    parts = max(1, min(PARTS, n // max(1, EXACT_BELOW)))
    cuts = [n * p // parts for p in range(parts + 1)]
    return list(itertools.pairwise(cuts))


def _graph(database: Path, lo: int, hi: int, dim: int, scales: np.ndarray, centre: np.ndarray,
           basis: np.ndarray, scale: float, reduced: int, path: Path,
           progress: Callable[[int, int], None] | None, n: int) -> None:
    """The graph of passages ``lo`` to ``hi`` (keys: their document numbers), saved at
    ``path``."""
    from usearch.index import Index

    # No key lookups: keys are document numbers, and rows are read from the file. They
    # would cost about 55 bytes a passage while building (bench.ann_build_memory).
    index = Index(ndim=reduced, metric="cos", dtype="i8", connectivity=CONNECTIVITY,
                  expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH,
                  enable_key_lookups=False)
    for at, rows in _chunks(database, hi, dim, lo):
        units = rows.astype(np.float32)
        units *= scales[at:at + len(rows), None]
        units -= centre
        index.add(np.arange(at, at + len(rows), dtype=np.uint64),
                  project(units, basis, scale), threads=BUILD_THREADS)
        del units
        # The chunk's float32 copies are freed, but malloc keeps them (about 120 MB of
        # its heap at a million passages, measured): hand them back as the graph grows.
        memory.give_back(collect=False)
        if progress:
            progress(at + len(rows), n)
    index.save(str(path))


class NearestIndex:
    """The graphs of an index's vectors, held in memory, and its rows, read as needed;
    ``top_k`` and ``similarity`` as ``index.dense.DenseIndex``'s (the exact search it
    replaces)."""

    def __init__(self, graphs: list[Any], file: BinaryIO, mapped: mmap.mmap,
                 held: list[tuple[mmap.mmap, memoryview]], trailer: tuple[Any, ...],
                 scales: np.ndarray) -> None:
        from usearch.index import Indexes

        # In this order: the graphs (which point into the memory held) go before it.
        self._graphs = graphs
        # Several graphs are walked at once by usearch's threads, one each, and their
        # nearest merged (its search holds Python's lock: Python threads would take turns).
        self._walk = Indexes(graphs) if len(graphs) > 1 else None
        self._held = held  # the graphs' bytes in memory
        self._map = mapped
        self._file = file
        self.path = Path(file.name)  # the file: graphs and rows
        _, self.dim, self.reduced, _, _, self._rows_at, basis_at, self._scale = trailer
        self.scales = scales
        self._basis = np.frombuffer(mapped, np.float32, self.dim * self.reduced, basis_at
                                    ).reshape(self.dim, self.reduced).copy()
        self._near = np.ascontiguousarray(self._basis[:, :WIDEN_DIMS])  # for ``kept``
        # What the graph's passages were centred on. Questions are not: a question's inner
        # product with the centre is the same for every passage, so it would only shift them.
        self.centre = np.frombuffer(mapped, np.float32, self.dim,
                                    basis_at + 4 * self.dim * self.reduced).copy()
        # One search at a time on the graph; each takes a few milliseconds.
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
        model = meta.get("vectors_model", "")
        path = path_for(database, digest(model, dim, keys))
        old = path_for(database, digest(model, dim, keys, OLD_FORMAT))
        if not path.exists() and old.exists():
            path = old  # built before the graphs were split: one graph, searched alone
        elif not path.exists():
            raise FileNotFoundError(f"no nearest-neighbour index {path.name} for these "
                                    "vectors: `python -m index build` makes it")
        file = path.open("rb")
        try:
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            trailer, parts = _layout(mapped, dim, len(scales))
            if trailer is None:
                raise ValueError(f"{path} does not fit {database}: rebuild with `python -m "
                                 "index build`")
            held = [_in_memory(file, at, size) for at, size in parts]
            views = [view for _, view in held]
            graphs = []
            for view in views:
                # No key lookups: keys are document numbers, and rows are read from the file.
                graph = Index(ndim=trailer[2], metric="cos", dtype="i8",
                              enable_key_lookups=False)
                graph.view(view)
                graphs.append(graph)
            if sum(g.size for g in graphs) != len(scales):
                raise ValueError(f"{path} does not fit {database}: rebuild with `python -m "
                                 "index build`")
        except Exception:
            file.close()
            raise
        return cls(graphs, file, mapped, held, trailer, scales.copy())

    @property
    def parts(self) -> int:
        """How many graphs the passages are split between."""
        return len(self._graphs)

    def _rows(self, docs: np.ndarray) -> np.ndarray:
        """The int8 rows of ``docs``, read from the file (runs of neighbours at once)."""
        docs = np.asarray(docs, dtype=np.int64)
        out = np.empty((len(docs), self.dim), dtype=np.int8)
        if not len(docs):
            return out
        order = np.argsort(docs, kind="stable")
        ordered = docs[order]
        breaks = np.flatnonzero(np.diff(ordered) != 1) + 1
        starts = np.concatenate(([0], breaks)).tolist()
        ends = np.concatenate((breaks, [len(docs)])).tolist()
        fd, dim, at = self._file.fileno(), self.dim, self._rows_at
        first = ordered.tolist()
        data = b"".join([os.pread(fd, (e - s) * dim, at + first[s] * dim)
                         for s, e in zip(starts, ends, strict=True)])
        if len(data) != len(docs) * dim:
            raise OSError(f"{self._file.name}: short read of passage vectors")
        out[order] = np.frombuffer(data, dtype=np.int8).reshape(-1, dim)
        return out

    def similarity(self, query: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """The cosine similarity of ``docs`` to the unit vector ``query``."""
        docs = np.asarray(docs, dtype=np.int64)
        query = np.ascontiguousarray(query, dtype=np.float32)
        similarities: np.ndarray = np.einsum("ij,j->i", self._rows(docs).astype(np.float32),
                                             query) * self.scales[docs]
        return similarities

    def _best(self, docs: np.ndarray, query: np.ndarray, k: int
              ) -> tuple[np.ndarray, np.ndarray]:
        """``docs`` scored exactly, the best ``k``, ties by document number."""
        scores = self.similarity(query, docs).astype(np.float32)
        order = np.lexsort((docs, -scores))[:k]
        return docs[order].astype(np.int64), scores[order]

    def kept(self, query: np.ndarray) -> int:
        """How many candidates each walk keeps for the unit vector ``query``: more when it
        is far from the passages (WIDEN; measured with two graphs, so only with them)."""
        if len(self._graphs) == 1:
            return EXPANSION_ONE_GRAPH
        if WIDEN:
            length = float(np.linalg.norm(np.einsum("j,jk->k", query, self._near)))
            for bound, kept in WIDEN:
                if length < bound:
                    return max(kept, EXPANSION_SEARCH)
        return EXPANSION_SEARCH

    def _search(self, query: np.ndarray, count: int) -> np.ndarray:
        """The ``count`` passages nearest ``query`` in the graph's projection, nearest
        first."""
        projected = project(query, self._basis, self._scale)
        kept = self.kept(query)
        with self._lock:
            for graph in self._graphs:
                graph.expansion_search = max(kept, count)
            if self._walk is None:
                found = self._graphs[0].search(projected, count, threads=1).keys
            else:  # each graph's nearest ``count``, merged: the nearest ``count`` of all
                found = self._walk.search(projected, count, threads=len(self._graphs)).keys
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
            if n > EXACT_BELOW:
                return self._best(self._search(query, min(n, max(k, RESCORED))), query, k)
            docs = np.arange(n, dtype=np.int64)
        else:
            among = int(np.count_nonzero(allowed))
            if among > EXACT_BELOW:
                # Ask for as many as an unrestricted search rescores, or enough that AT_LEAST
                # allowed ones are very likely among them; rescore the best RESCORED allowed.
                count = max(RESCORED, math.ceil(max(k, AT_LEAST) * n / among * 2))
                found = self._search(query, min(n, count))
                found = found[allowed[found]][:RESCORED]
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


def _in_memory(file: BinaryIO, at: int, size: int) -> tuple[mmap.mmap, memoryview]:
    """``size`` bytes of ``file`` from ``at``, read into memory of the process's own that
    starts on a huge page's boundary and asks for huge pages (HUGE_PAGE); the view is what
    usearch walks."""
    # Anonymous and private (shared anonymous memory would take the shared memory's huge
    # page setting, usually off); the slack lets the view start on a boundary.
    buffer = mmap.mmap(-1, size + HUGE_PAGE, flags=mmap.MAP_PRIVATE)
    if hasattr(mmap, "MADV_HUGEPAGE"):  # Linux; elsewhere plain pages
        buffer.madvise(mmap.MADV_HUGEPAGE)
    start = -int(np.frombuffer(buffer, np.uint8, 1).ctypes.data) % HUGE_PAGE
    view = memoryview(buffer)[start:start + size]
    done, fd = 0, file.fileno()
    while done < size:  # read, not copied from the mapping: its pages would stay mapped too
        got = os.preadv(fd, [view[done:]], at + done)
        if got <= 0:
            raise OSError(f"{file.name}: short read of the graph")
        done += got
    return buffer, view


def _layout(mapped: mmap.mmap, dim: int, n: int
            ) -> tuple[tuple[Any, ...] | None, list[tuple[int, int]]]:
    """The file's trailer (as this format's: the parts' count where the format before said
    its graph's bytes) and where each graph is; (None, []) when it does not fit ``dim`` and
    ``n`` passages."""
    size = len(mapped)
    if size < TRAILER.size:
        return None, []
    trailer = TRAILER.unpack_from(mapped, size - TRAILER.size)
    magic, file_dim, reduced, file_n, count, rows_at, basis_at, _ = trailer
    end = basis_at + 4 * dim * (reduced + 1)  # the projection and the centre
    if magic == OLD_MAGIC:
        parts, table_bytes = [(0, count)], 0
    elif magic == MAGIC and 0 < count <= 64 and end + count * PART.size <= size:
        parts = [PART.unpack_from(mapped, end + i * PART.size) for i in range(count)]
        table_bytes = count * PART.size
    else:
        return None, []
    if file_dim != dim or file_n != n or not 0 < reduced <= dim or \
            any(at + length > rows_at for at, length in parts) or \
            not rows_at + n * dim <= basis_at or end + table_bytes + TRAILER.size != size:
        return None, []
    return trailer, parts
