"""Opening an index's postings without waiting for them: the whole arrays load in the
background, and a question asked meanwhile reads only its own terms' rows from the file.

At a million passages the ``docs`` and ``impacts`` arrays are hundreds of MB and take about
half a second to read. Rows read through SQLite's incremental blob I/O are the same bytes, so a
question gets the same answer before and after the arrays are in.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .bm25 import ImpactIndex
from .kernels import Buffers, warm_up

log = logging.getLogger(__name__)

# The arrays read in the background, with their element types (as ``store`` writes them).
POSTINGS = {"docs": np.dtype(np.int32), "impacts": np.dtype(np.float32)}
# A question whose rows hold more postings than this waits for the whole arrays instead: read
# by rows they would cost about as much time, and memory on top of the arrays being read.
ROWS_AT_MOST = 2_000_000


class PostingsLoader:
    """The postings of the index file at ``path``, whose terms are ``vocabulary`` and
    ``offsets``. ``start()`` begins the background read; ``close()`` stops it."""

    def __init__(self, path: Path, vocabulary: dict[str, int], offsets: np.ndarray,
                 n_docs: int) -> None:
        self.vocabulary = vocabulary
        self.offsets = offsets
        self.n_docs = n_docs
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        # Connected now, so a build that renames a new file over this one later changes
        # nothing here: each connection holds the file it opened.
        self._connections = {name: sqlite3.connect(uri, uri=True, check_same_thread=False)
                             for name in (*POSTINGS, "rows")}
        try:
            self._rowid = self._check(self._connections["rows"])
        except sqlite3.Error:
            self._close_connections()
            raise
        self._lock = threading.Lock()  # the rows connection, and the end of loading
        self._stop = threading.Event()
        self._done = threading.Event()
        self._read: dict[str, np.ndarray] = {}
        self._full: ImpactIndex | None = None
        # One set of the kernel's per-document buffers for every index made here: a set per
        # question would leave megabytes of freed heap behind each one.
        self._buffers = Buffers(n_docs)
        self._threads = [threading.Thread(target=self._read_array, args=(name,), daemon=True,
                                          name=f"sourced-load-{name}") for name in POSTINGS]
        self._reading = len(self._threads)
        self._started = False

    def _check(self, con: sqlite3.Connection) -> dict[str, int]:
        """Each postings array's row id, once its size is found to match the offsets (read
        from the record header: nothing of the array itself is read)."""
        found = {name: (rowid, size) for name, rowid, size in con.execute(
            "SELECT name, rowid, length(data) FROM arrays WHERE name IN (?, ?)",
            tuple(POSTINGS))}
        for name, dtype in POSTINGS.items():
            if name not in found:
                raise sqlite3.DatabaseError(f"no {name} array")
            if found[name][1] != int(self.offsets[-1]) * dtype.itemsize:
                raise sqlite3.DatabaseError(
                    f"the {name} array holds {found[name][1] // dtype.itemsize:,} postings "
                    f"where the offsets say {int(self.offsets[-1]):,}")
        return {name: rowid for name, (rowid, _) in found.items()}

    def start(self) -> PostingsLoader:
        self._started = True
        for thread in self._threads:
            thread.start()
        return self

    @property
    def loaded(self) -> bool:
        return self._full is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the background read has ended (at once if it never started); whether
        the arrays are in."""
        if self._started:
            self._done.wait(timeout)
        return self.loaded

    def index_for(self, terms: Iterable[str]) -> ImpactIndex:
        """An index that scores ``terms`` as the whole index does: the whole index once it is
        read, until then one holding only these terms' rows, read from the file now."""
        if (full := self._full) is not None:
            return full
        wanted = sorted({t for t in terms if t in self.vocabulary})
        spans = [(int(self.offsets[r]), int(self.offsets[r + 1]))
                 for r in map(self.vocabulary.__getitem__, wanted)]
        offsets = np.zeros(len(spans) + 1, dtype=np.int64)
        np.cumsum([end - start for start, end in spans], out=offsets[1:])
        if offsets[-1] > ROWS_AT_MOST and self.wait() and (full := self._full) is not None:
            return full
        arrays: dict[str, npt.NDArray[Any]] = {name: np.empty(int(offsets[-1]), dtype=dtype)
                                               for name, dtype in POSTINGS.items()}
        with self._lock:
            if (full := self._full) is not None:  # loaded while this waited
                return full
            rows = self._connections["rows"]
            for name, out in arrays.items():
                size = out.dtype.itemsize
                with rows.blobopen("arrays", "data", self._rowid[name], readonly=True) as blob:
                    for (start, end), at in zip(spans, offsets[:-1].tolist(), strict=True):
                        blob.seek(start * size)
                        out[at:at + end - start] = np.frombuffer(
                            blob.read((end - start) * size), dtype=out.dtype)
        return ImpactIndex({t: i for i, t in enumerate(wanted)}, offsets, arrays["docs"],
                           arrays["impacts"], self.n_docs, _buffers=self._buffers)

    def close(self) -> None:
        """Stop the background read and close the file (waits for an array being read)."""
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()
        with self._lock:
            self._close_connections()

    def _read_array(self, name: str) -> None:
        # The first question waits for the compiled kernel, not for these arrays: on two
        # cores, reading them alongside would only slow it down.
        warm_up().join()
        try:
            if self._stop.is_set():
                return
            with self._connections[name].blobopen("arrays", "data", self._rowid[name],
                                                  readonly=True) as blob:
                # In one read: no second copy, and sqlite3 lets go of the interpreter lock.
                self._read[name] = np.frombuffer(blob.read(), dtype=POSTINGS[name])
        except Exception as exc:  # whatever it was, questions must go on
            # Questions go on reading the rows they need: slower, not wrong.
            log.warning("could not read the %s array of the index (%s); reading postings "
                        "per question instead", name, exc)
            self._stop.set()  # the other array alone is of no use
        finally:
            self._finish()

    def _finish(self) -> None:
        with self._lock:
            self._reading -= 1
            if self._reading:
                return  # the other array is still being read
            try:
                if len(self._read) == len(POSTINGS) and not self._stop.is_set():
                    full = ImpactIndex(self.vocabulary, self.offsets, self._read["docs"],
                                       self._read["impacts"], self.n_docs,
                                       _buffers=self._buffers)
                    full.impact_range  # noqa: B018  computed now, not on the next question
                    self._full = full
                    self._close_connections()  # nothing more to read
            except Exception as exc:
                log.warning("could not set up the index's postings (%s); reading postings per "
                            "question instead", exc)
            finally:
                if self._full is None:
                    self._read.clear()  # hundreds of MB that nothing will use
                self._done.set()  # nobody waits for ever

    def _close_connections(self) -> None:
        for con in self._connections.values():
            con.close()
