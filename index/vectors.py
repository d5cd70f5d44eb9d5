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

Memory does not follow the corpus beyond a few numbers a passage (its 16-byte key, scale and
source): vectors go from the previous index, the cache or the model to the new file
``SLICE`` rows at a time, through SQLite's incremental blob I/O; passages are grouped by key
with numpy. The model is loaded only when a passage's vector is in neither the index nor the
cache.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt

from . import title_vectors
from .embedding import content_key, embedded_text, quantize
from .model import Passage, Thread
from .store import EMBED_ROWS, META, PreviousIndex, replacing

log = logging.getLogger(__name__)

# Passages embedded, then saved to the cache, at a time: what a stop can lose at most.
CHUNK = 256
# Vector rows read or written at a time (6 MB at 384 dimensions).
SLICE = 16_384


class Model(Protocol):
    """What embedding needs of a model (``index.embedding.Embedder``, or a stand-in)."""

    name: str

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class Deferred:
    """A model loaded the first time a passage needs it: a build whose vectors are all in the
    index or the cache never loads it (seconds, and about 500 MB of PyTorch)."""

    def __init__(self, name: str, load: Callable[[], Model]) -> None:
        self.name = name
        self._load = load
        self._model: Model | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def model(self) -> Model:
        """Raises what ``load`` raises (``EmbeddingUnavailable``)."""
        if self._model is None:
            self._model = self._load()
        return self._model


def key_of(thread: Thread, passage: Passage) -> bytes:
    """A passage's key: the hash of the text it is embedded as."""
    return content_key(embedded_text(thread.title, passage.text, passage.lead_in))


def _void(keys: npt.NDArray[np.uint8]) -> np.ndarray:
    """16-byte keys as one comparable value each (sorted as SQLite sorts BLOBs)."""
    return np.ascontiguousarray(keys, dtype=np.uint8).view("V16").reshape(-1)


def _find(held: npt.NDArray[np.uint8], usable: npt.NDArray[np.bool_],
          wanted: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """For each wanted key, the last place among ``held[usable]`` holding it, or -1."""
    at = np.flatnonzero(usable)
    values = _void(held[at])
    order = np.argsort(values, kind="stable")
    values = values[order]
    want = _void(wanted)
    pos = np.searchsorted(values, want, side="right") - 1
    found = pos >= 0
    found[found] = values[pos[found]] == want[found]
    out = np.full(len(want), -1, dtype=np.int64)
    out[found] = at[order[pos[found]]]
    return out


def _runs(sources: npt.NDArray[np.int64]) -> Iterator[tuple[int, int, int]]:
    """(place, source, count) for each run of consecutive sources (>= 0) at consecutive
    places: ``sources[place + i] == source + i``. Unchanged files are one run each."""
    places = np.flatnonzero(sources >= 0)
    if not len(places):
        return
    values = sources[places]
    breaks = np.flatnonzero((np.diff(places) != 1) | (np.diff(values) != 1)) + 1
    for a, b in zip(np.r_[0, breaks], np.r_[breaks, len(places)], strict=True):
        yield int(places[a]), int(values[a]), int(b - a)


def carry(con: sqlite3.Connection, model: str, n_docs: int, previous: PreviousIndex | None,
          new_of_old: npt.NDArray[np.int64] | None,
          parsed: Sequence[tuple[npt.NDArray[np.uint8], int]]) -> dict[str, str]:
    """Write the new index's vector arrays through ``con``: keys for every passage, and the
    vectors the previous index has for them (made by the same model), copied ``SLICE`` rows
    at a time; the others wait for ``embed_missing``. ``parsed`` is each parsed file's
    passage keys (an array of 16-byte rows) with its first document number. Returns the meta
    rows."""
    old = previous.vector_keys() if previous is not None else None
    same = previous is not None and old is not None and old.model == model
    dim = old.dim if same and old is not None else 0
    keys = np.zeros((n_docs, 16), dtype=np.uint8)
    scales = np.zeros(n_docs, dtype=np.float32)
    sources = np.full(n_docs, -1, dtype=np.int64)  # the old document whose vector each takes
    if old is not None and new_of_old is not None:
        moved = np.flatnonzero(new_of_old >= 0)
        keys[new_of_old[moved]] = old.keys[moved]
        if same:
            sources[new_of_old[moved]] = moved
    for file_keys, first in parsed:
        keys[first:first + len(file_keys)] = file_keys
    if same and old is not None and parsed:
        docs = np.concatenate([np.arange(first, first + len(k)) for k, first in parsed])
        sources[docs] = _find(old.keys, old.scales != 0, keys[docs])
    if same and old is not None:
        has = sources >= 0
        scales[has] = old.scales[sources[has]]
    con.executemany("INSERT INTO arrays (name, dtype, data) VALUES (?,?,?)",
                    [("vector_keys", "uint8", keys.tobytes()),
                     ("vector_scales", "float32", scales.tobytes())])
    rowid = con.execute("INSERT INTO arrays (name, dtype, data) VALUES ('vectors', 'int8', "
                        "zeroblob(?))", (n_docs * dim,)).lastrowid
    if same and previous is not None and rowid is not None and (sources >= 0).any():
        with previous.vector_rows(dim) as read, \
                con.blobopen("arrays", "data", rowid) as out:
            for lo in range(0, n_docs, SLICE):
                part = sources[lo:lo + SLICE]
                if not (part >= 0).any():
                    continue  # zeros already
                rows = np.zeros((len(part), dim), dtype=np.int8)
                for at, source, count in _runs(part):
                    rows[at:at + count] = read(source, count)
                out.seek(lo * dim)
                out.write(rows.tobytes())
    return {"vectors_model": model, "vectors_dim": str(dim),
            "vectors_missing": str(n_docs - int(np.count_nonzero(scales)))}


@dataclass(slots=True)
class EmbedReport:
    embedded: int = 0        # passages embedded now
    resumed: int = 0         # taken from the cache (a stopped build, an unusable index)
    passages: int = 0        # passages in the index
    complete: bool = False   # every passage has its vector in the index
    titles: int = 0          # thread titles embedded now (index.title_vectors)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.complete:
            return (f"Vectors: {self.passages} passage(s), {self.embedded} embedded now"
                    + (f", {self.resumed} from the vector cache" if self.resumed else "")
                    + (f", {self.titles} thread title(s)" if self.titles else "")
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
        if meta.get("vectors_model") != model or meta.get("vectors_missing") != "0" \
                or not title_vectors.complete(meta, model):
            return None
        row = con.execute("SELECT length(data) FROM arrays WHERE name = 'rowids'").fetchone()
    return None if row is None else int(row[0]) // np.dtype(np.int64).itemsize


def _small_arrays(con: sqlite3.Connection, database: Path
                  ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32],
                             npt.NDArray[np.int64], int]:
    """Keys, scales and row ids of an index, and the length of its vectors array."""
    found = {name: (data, length) for name, data, length in con.execute(
        "SELECT name, CASE WHEN name = 'vectors' THEN NULL ELSE data END, length(data) "
        "FROM arrays WHERE name IN ('vector_keys', 'vector_scales', 'rowids', 'vectors')")}
    if missing := {"vector_keys", "vector_scales", "rowids", "vectors"} - set(found):
        raise ValueError(f"{database}: no {', '.join(sorted(missing))} array")
    rowids = np.frombuffer(found["rowids"][0], dtype=np.int64)
    scales = np.frombuffer(found["vector_scales"][0], dtype=np.float32).copy()
    keys = np.frombuffer(found["vector_keys"][0], dtype=np.uint8)
    if len(scales) != len(rowids) or len(keys) != 16 * len(rowids):
        raise ValueError(f"{database}: vector arrays of {len(keys)} and {len(scales)} entries "
                         f"for {len(rowids)} passages")
    return keys.reshape(-1, 16), scales, rowids, int(found["vectors"][1])


def embed_missing(database: Path, embedder: Model | Deferred, *,
                  progress: Callable[[int, int], None] | None = None) -> EmbedReport:
    """Embed the passages of the index at ``database`` that have no vector yet, then put a
    complete index in its place. ``progress(done, total)`` follows the work. A ``Deferred``
    model is loaded only if some passage's vector is in neither the index nor the cache.

    Stopping it (KeyboardInterrupt, SIGTERM, a kill) keeps every finished chunk in the work
    file, which the next call takes up. If the index is replaced meanwhile (another build),
    the finished work stays in the cache and nothing is renamed.
    """
    started = time.perf_counter()
    before = _identity(database)
    name = embedder.name
    uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        meta = dict(con.execute(META).fetchall())
        if "vectors_model" not in meta:
            raise ValueError(f"{database} was built without vectors ([semantic] enabled)")
        keys, scales, rowids, length = _small_arrays(con, database)
        n = len(rowids)
        report = EmbedReport(passages=n)
        model = embedder if not isinstance(embedder, Deferred) else None
        # The index's rows are kept when the same model made them (its dimension, when the
        # model is not loaded yet: the same name is the same model).
        dim = int(meta.get("vectors_dim", "0")) if meta["vectors_model"] == name else 0
        if dim and (length != n * dim or (model is not None and model.dim != dim)):
            dim = 0
        keep_rows = dim > 0
        if not keep_rows:
            scales[:] = 0
        missing = np.flatnonzero(scales == 0)
        titles = title_vectors.missing(con, name)  # embedded here too, into the same file
        if not len(missing) and not titles:
            report.complete = True
            report.seconds = time.perf_counter() - started
            return report
        if not keep_rows:
            cached_dim = _cached_dim(work_file(database), name) if model is None else None
            if cached_dim is not None:
                dim = cached_dim
            else:
                if model is None:
                    assert isinstance(embedder, Deferred)
                    model = embedder.model()
                dim = model.dim
        # One vector per distinct text: a passage repeated across threads is embedded once.
        unique, first, group = np.unique(_void(keys[missing]), return_index=True,
                                         return_inverse=True)
        per_key = np.bincount(group.reshape(-1), minlength=len(unique))
        with closing(_open_work(work_file(database), name, dim)) as work:
            cached = np.isin(unique, _cached_keys(work))
            report.resumed = int(per_key[cached].sum())
            todo = np.flatnonzero(~cached)
            titles_found, titles = title_vectors.cached(work, name, titles)
            if (len(todo) or titles) and model is None:
                assert isinstance(embedder, Deferred)
                model = embedder.model()
                if model.dim != dim:  # the cache was another model's after all
                    return embed_missing(database, model, progress=progress)
            total = len(todo)
            if progress:
                progress(0, total)
            for at in range(0, total, CHUNK):
                assert model is not None
                chunk = todo[at:at + CHUNK]
                docs = missing[first[chunk]]
                texts = {rowid: embedded_text(title, text, lead_in) for rowid, title, text,
                         lead_in in con.execute(EMBED_ROWS, (json.dumps(
                             rowids[docs].tolist()),))}
                q_rows, q_scales = quantize(model.embed([texts[int(rowids[d])] for d in docs]))
                with work:  # one transaction a chunk: a stop keeps every chunk before it
                    work.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                                     [(k.tobytes(), r.tobytes(), float(s)) for k, r, s
                                      in zip(unique[chunk], q_rows, q_scales, strict=True)])
                report.embedded += int(per_key[chunk].sum())
                if progress:
                    progress(min(at + CHUNK, total), total)
            assert model is not None or not titles
            title_rows = title_vectors.embed(model, titles) if model is not None else []
            title_vectors.cache(work, name, title_rows)
            report.titles = len(title_rows)
            title_rows += titles_found
            if _identity(database) != before:
                log.warning("%s was rebuilt while its passages were being embedded: the "
                            "vectors made are kept in %s for the next build", database,
                            work_file(database))
                report.seconds = time.perf_counter() - started
                return report
            with replacing(database) as tmp:
                shutil.copyfile(database, tmp)
                with closing(sqlite3.connect(tmp)) as out:
                    out.execute("PRAGMA journal_mode = OFF")
                    with out:
                        _fill(out, work, keys, scales, missing, dim, keep_rows)
                        title_vectors.write(out, title_rows, name)
                        left = int(np.count_nonzero(scales == 0))
                        out.execute("UPDATE arrays SET data = ? WHERE name = 'vector_scales'",
                                    (scales.tobytes(),))
                        out.executemany(
                            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                            [("vectors_model", name), ("vectors_dim", str(dim)),
                             ("vectors_missing", str(left))])
                    out.execute("PRAGMA journal_mode = DELETE")
            _keep_only(work, database, keys, dim)
            title_vectors.keep_only(work, name, database)
    report.complete = left == 0
    report.seconds = time.perf_counter() - started
    return report


def embed_apart(database: Path, model: str, *,
                progress: Callable[[int, int], None] | None = None) -> EmbedReport:
    """``embed_missing`` in a process of its own, which loads the model if anything needs it.

    PyTorch and the model take about 500 MB, and a process never gives most of it back; in
    a process of its own it is all given back when the embedding ends, so the nearest-neighbour
    graph, built next, does not come on top of it. ``progress`` is called in this process.
    The process is a fresh interpreter started directly, not through multiprocessing, whose
    start would leave a resource-tracker process of 13 MB beside the build until it ends.

    Raises:
        EmbeddingUnavailable: the model cannot be loaded.
        KeyboardInterrupt: the embedding was stopped (its finished chunks are kept).
        RuntimeError: the process ended without a result.
    """
    read_end, write_end = os.pipe()
    # The child imports this very package, wherever it is installed or run from.
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", "from index.vectors import _embed_child; _embed_child()",
             str(write_end), str(database), model], pass_fds=(write_end,), env=env)
    finally:
        os.close(write_end)
    receive = Connection(read_end, writable=False)
    result: tuple[str, object] | None = None
    try:
        while True:
            try:
                kind, value = receive.recv()
            except EOFError:
                break
            if kind == "progress":
                if progress:
                    progress(*cast(tuple[int, int], value))
            else:
                result = (kind, value)
    finally:
        try:  # a stopped one saves its finished chunk first
            child.wait(timeout=None if result is not None else 10)
        except subprocess.TimeoutExpired:
            child.terminate()
            child.wait()
        receive.close()
    if result is None:
        if child.returncode in (-signal.SIGINT, 130):
            raise KeyboardInterrupt
        raise RuntimeError(f"the embedding process ended without a result (exit code "
                           f"{child.returncode})")
    kind, value = result
    if kind == "error":
        assert isinstance(value, BaseException)
        raise value
    assert isinstance(value, EmbedReport)
    return value


def _embed_child() -> None:
    """The embedding process (``embed_apart``): arguments are the pipe's end to write to, the
    index and the model."""
    from . import embedding, logs
    from .parent import EXIT_WITH_PARENT, exit_with_parent

    fd, database, model = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    send = Connection(fd, readable=False)
    os.environ[EXIT_WITH_PARENT] = str(os.getppid())
    exit_with_parent()
    logs.configure()
    try:
        report = embed_missing(database, Deferred(model, lambda: embedding.load(model)),
                               progress=lambda done, total: send.send(("progress",
                                                                       (done, total))))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # back to the parent, which raises it as if it were its own
        try:
            send.send(("error", exc))
        except Exception:  # not picklable
            send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        return
    send.send(("done", report))


def _fill(out: sqlite3.Connection, work: sqlite3.Connection, keys: npt.NDArray[np.uint8],
          scales: npt.NDArray[np.float32], missing: npt.NDArray[np.int64], dim: int,
          keep_rows: bool) -> None:
    """Write the cache's vectors of the ``missing`` documents into the index ``out`` (whose
    rows are kept, or all replaced by rows of ``dim``), ``SLICE`` documents at a time; set
    their ``scales``."""
    if not keep_rows:
        out.execute("UPDATE arrays SET dtype = 'int8', data = zeroblob(?) WHERE name = "
                    "'vectors'", (len(scales) * dim,))
    (rowid,) = out.execute("SELECT rowid FROM arrays WHERE name = 'vectors'").fetchone()
    work.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (doc INTEGER PRIMARY KEY, key BLOB)")
    with out.blobopen("arrays", "data", rowid) as blob:
        for lo in range(0, len(scales), SLICE):
            docs = missing[np.searchsorted(missing, lo):np.searchsorted(missing, lo + SLICE)]
            if not len(docs):
                continue
            hi = min(lo + SLICE, len(scales))
            blob.seek(lo * dim)
            rows = np.frombuffer(blob.read((hi - lo) * dim), dtype=np.int8).reshape(
                hi - lo, dim).copy()
            work.execute("DELETE FROM wanted")
            work.executemany("INSERT INTO wanted VALUES (?, ?)",
                             zip(docs.tolist(), (k.tobytes() for k in keys[docs]),
                                 strict=True))
            for doc, row, scale in work.execute("SELECT w.doc, v.row, v.scale FROM wanted w "
                                                "JOIN vectors v ON v.key = w.key"):
                rows[doc - lo] = np.frombuffer(row, dtype=np.int8)
                scales[doc] = scale
            blob.seek(lo * dim)
            blob.write(rows.tobytes())
    work.execute("DROP TABLE wanted")


def _cached_dim(path: Path, name: str) -> int | None:
    """The dimension of the cache's vectors, when ``name`` made them."""
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as con:
            made_by = dict(con.execute("SELECT key, value FROM meta"))
    except sqlite3.Error:
        return None
    dim = made_by.get("dim", "")
    return int(dim) if made_by.get("model") == name and dim.isdigit() and int(dim) else None


def _cached_keys(work: sqlite3.Connection) -> np.ndarray:
    """Every key in the cache, as ``_void`` values."""
    chunks = []
    cursor = work.execute("SELECT key FROM vectors WHERE length(key) = 16")
    while rows := cursor.fetchmany(65_536):
        chunks.append(b"".join(k for (k,) in rows))
    return _void(np.frombuffer(b"".join(chunks), dtype=np.uint8).reshape(-1, 16))


def _keep_only(work: sqlite3.Connection, database: Path, keys: npt.NDArray[np.uint8],
               dim: int) -> None:
    """The cache holds the index's vectors, and no others."""
    uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
    with work, closing(sqlite3.connect(uri, uri=True)) as con:
        work.execute("CREATE TEMP TABLE current (key BLOB PRIMARY KEY)")
        work.executemany("INSERT OR IGNORE INTO current VALUES (?)",
                         ((k.tobytes(),) for k in keys))
        work.execute("DELETE FROM vectors WHERE key NOT IN (SELECT key FROM current)")
        work.execute("DROP TABLE current")
        (rowid,) = con.execute("SELECT rowid FROM arrays WHERE name = 'vectors'").fetchone()
        (scales,) = con.execute("SELECT data FROM arrays WHERE name = 'vector_scales'"
                                ).fetchone()
        scales = np.frombuffer(scales, dtype=np.float32)
        with con.blobopen("arrays", "data", rowid, readonly=True) as blob:
            for lo in range(0, len(keys), SLICE):
                hi = min(lo + SLICE, len(keys))
                rows = np.frombuffer(blob.read((hi - lo) * dim), dtype=np.int8).reshape(
                    hi - lo, dim)
                work.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)",
                                 ((keys[d].tobytes(), rows[d - lo].tobytes(),
                                   float(scales[d])) for d in range(lo, hi) if scales[d]))


def _open_work(path: Path, name: str, dim: int) -> sqlite3.Connection:
    """The cache of finished chunks, emptied when another model (``name``, ``dim``) made
    them."""
    con = sqlite3.connect(path)
    try:
        con.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, row BLOB NOT "
                    "NULL, scale REAL NOT NULL)")
        con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        made_by = dict(con.execute("SELECT key, value FROM meta"))
        if made_by.get("model") != name or made_by.get("dim") != str(dim):
            with con:
                con.execute("DELETE FROM vectors")
                con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                [("model", name), ("dim", str(dim))])
    except sqlite3.Error:
        con.close()
        path.unlink(missing_ok=True)  # a damaged cache only costs its vectors
        return _open_work(path, name, dim)
    return con
