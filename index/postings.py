"""Term-frequency postings: what BM25's impacts are computed from, kept so a rebuild after a
change does not tokenize the unchanged passages again.

Impacts depend on the whole corpus (idf, average length), so every change moves them all and
they are always recomputed; the postings are not: a rebuild drops the documents of changed and
removed files, renumbers the rest and merges in the new ones, in time proportional to the
postings, with no sort. The vocabulary is kept sorted, so the same corpus gives the same
arrays whether it was built at once or file by file.
"""

from __future__ import annotations

import bisect
import itertools
import os
import sqlite3
import tempfile
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .bm25 import (
    BM25Params,
    ImpactIndex,
    count_postings,
    floor_negative_idf,
    okapi_idf,
    okapi_tf,
    term_ids,
)

IntArray = npt.NDArray[np.int64]
CHUNK_DOCS = 20_000


@dataclass(slots=True)
class Postings:
    """For each term of a sorted vocabulary, the documents holding it (ascending) and how
    often; and each document's length in tokens."""

    vocabulary: list[str]
    offsets: IntArray                   # len(vocabulary) + 1
    docs: npt.NDArray[np.int32]
    tfs: npt.NDArray[np.unsignedinteger]
    lengths: npt.NDArray[np.int32]      # one per document

    @property
    def n_docs(self) -> int:
        return len(self.lengths)

    @classmethod
    def of_documents(cls, documents: Iterable[Sequence[str]], *, numbers: IntArray | None = None,
                     n_docs: int | None = None) -> Postings:
        """Postings of token lists: document ``i`` of the input is number ``numbers[i]``
        (ascending; by default ``i``) of ``n_docs``; the others are left empty.

        Counted ``CHUNK_DOCS`` documents at a time, so the token ids of only one chunk are in
        memory at once (at 200,000 passages, counting them all at once took 550 MB more)."""
        vocabulary: dict[str, int] = {}
        parts: list[tuple[npt.NDArray[np.int32], npt.NDArray[np.int32],
                          npt.NDArray[np.uint32]]] = []
        all_lengths: list[IntArray] = []
        documents = iter(documents)
        first = 0
        while chunk := list(itertools.islice(documents, CHUNK_DOCS)):
            ids, lengths, _ = term_ids(chunk, vocabulary)
            del chunk
            terms, docs, tf = count_postings(ids, lengths)
            del ids
            parts.append((terms.astype(np.int32), (docs + first).astype(np.int32),
                          tf.astype(np.uint32)))
            all_lengths.append(lengths)
            first += len(lengths)
        names = sorted(vocabulary)
        rank = np.empty(len(names), dtype=np.int32)  # first-seen id -> place in sorted order
        rank[[vocabulary[t] for t in names]] = np.arange(len(names), dtype=np.int32)
        del vocabulary
        terms = np.concatenate([rank[t] for t, _, _ in parts] or [np.zeros(0, np.int32)])
        docs = np.concatenate([d for _, d, _ in parts] or [np.zeros(0, np.int32)])
        tf = np.concatenate([f for _, _, f in parts] or [np.zeros(0, np.uint32)])
        del parts
        # Within a chunk, postings are in (term, document) order and chunks follow each other:
        # a stable sort by term gives (term, document) order overall.
        order = np.argsort(terms, kind="stable")
        terms, docs, tf = terms[order], docs[order], tf[order]
        del order
        lengths = np.concatenate(all_lengths or [np.zeros(0, np.int64)])
        if numbers is None:
            numbers = np.arange(len(lengths), dtype=np.int64)
        n_docs = len(lengths) if n_docs is None else n_docs
        doc_lengths = np.zeros(n_docs, dtype=np.int32)
        doc_lengths[numbers] = lengths
        return cls(names, _offsets(terms, len(names)), numbers[docs].astype(np.int32),
                   _narrow(tf), doc_lengths)

    def renumbered(self, new_of_old: IntArray, n_docs: int) -> Postings:
        """Document ``d`` becomes ``new_of_old[d]`` of ``n_docs``, or is dropped where that is
        -1; kept documents must keep their order. Terms left with no document are dropped."""
        mapped = new_of_old[self.docs]
        keep = mapped >= 0
        terms = self._terms()[keep]
        df = np.bincount(terms, minlength=len(self.vocabulary))
        live = df > 0
        kept = new_of_old >= 0
        lengths = np.zeros(n_docs, dtype=np.int32)
        lengths[new_of_old[kept]] = self.lengths[kept]
        offsets = np.zeros(int(live.sum()) + 1, dtype=np.int64)
        np.cumsum(df[live], out=offsets[1:])
        return Postings([t for t, alive in zip(self.vocabulary, live.tolist(), strict=True)
                         if alive], offsets, mapped[keep].astype(np.int32), self.tfs[keep],
                        lengths)

    def merged(self, other: Postings) -> Postings:
        """The union of two postings over the same documents, where no document is in both.

        Raises:
            ValueError: the two count different numbers of documents.
        """
        if self.n_docs != other.n_docs:
            raise ValueError(f"postings over {self.n_docs} and {other.n_docs} documents cannot "
                             "be merged: both must count the same documents")
        vocabulary = sorted(set(self.vocabulary).union(other.vocabulary))
        place = {t: i for i, t in enumerate(vocabulary)}
        mine, theirs = self._terms(place), other._terms(place)
        # Both sides are sorted by (term, document): inserting one into the other by key keeps
        # the order, in linear time.
        n = max(self.n_docs, 1)
        at = np.searchsorted(mine * n + self.docs, theirs * n + other.docs)
        tfs = np.insert(self.tfs.astype(np.uint32), at, other.tfs)
        df = np.bincount(mine, minlength=len(vocabulary)) + np.bincount(
            theirs, minlength=len(vocabulary))
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(df, out=offsets[1:])
        return Postings(vocabulary, offsets, np.insert(self.docs, at, other.docs), _narrow(tfs),
                        self.lengths + other.lengths)

    def impacts(self, params: BM25Params | None = None) -> ImpactIndex:
        """BM25Okapi's impacts over these postings."""
        return ImpactIndex.from_postings({t: i for i, t in enumerate(self.vocabulary)},
                                         self._terms(), self.docs, self.tfs, self.lengths, params)

    def _terms(self, place: dict[str, int] | None = None) -> IntArray:
        """Each posting's term number: its row, or its term's number in ``place``."""
        rows = np.arange(len(self.vocabulary), dtype=np.int64) if place is None else \
            np.array([place[t] for t in self.vocabulary], dtype=np.int64)
        return np.repeat(rows, np.diff(self.offsets))


def _offsets(terms: IntArray, n_terms: int) -> IntArray:
    offsets = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=n_terms), out=offsets[1:])
    return offsets


def _narrow(tf: npt.NDArray[np.integer]) -> npt.NDArray[np.unsignedinteger]:
    """Frequencies in 16 bits when they fit (they do, but for freak documents), else 32."""
    dtype = np.uint16 if tf.size == 0 or int(tf.max()) <= np.iinfo(np.uint16).max else np.uint32
    return tf.astype(dtype)


# Postings per piece of the arrays written (about 150 bytes each while in memory).
PIECE = 1 << 19


@dataclass(slots=True)
class OldPostings:
    """A previous index's postings, read in pieces: what a rebuild keeps of them is renumbered
    (``new_of_old``: each old document's new number, -1 when dropped)."""

    vocabulary: list[str]
    offsets: IntArray
    lengths: npt.NDArray[np.int32]
    new_of_old: IntArray
    read: Callable[[str, int, int], npt.NDArray[Any]]  # (array name, start, stop) -> slice
    tfs_fit_16_bits: bool  # the old frequencies are stored as uint16


class PostingsWriter:
    """Postings counted ``CHUNK_DOCS`` documents at a time into a temporary file, then written
    to the index's arrays in pieces of about ``PIECE`` postings, term by term, with their BM25
    impacts: memory holds one chunk or one piece, not the corpus's postings (at 1,000,000
    passages they are ~45 million, 450 MB of arrays).

    The arrays equal ``Postings.of_documents`` (and ``renumbered``/``merged`` for a rebuild)
    followed by ``impacts``: the same vocabulary order, the same (term, document) order, and
    each impact computed by the same expression as ``ImpactIndex.from_postings``."""

    def __init__(self, n_docs: int, folder: Path) -> None:
        self.vocabulary: dict[str, int] = {}  # term -> id, numbered as first seen
        self.df = np.zeros(0, dtype=np.int64)
        self.lengths = np.zeros(n_docs, dtype=np.int32)
        self.max_tf = 0
        # Closed by close(); unlinked at once, so a killed build leaves nothing behind.
        self._file = tempfile.TemporaryFile(dir=folder, buffering=0)  # noqa: SIM115
        self._chunks: list[tuple[int, int]] = []  # (byte position, postings)
        self._end = 0
        # The chunk being filled: documents' numbers, token counts and term ids.
        self._numbers, self._lengths, self._ids = array("q"), array("i"), array("i")

    def close(self) -> None:
        self._file.close()

    def add(self, number: int, tokens: Sequence[str]) -> None:
        """Document ``number``'s tokens (numbers ascending). Only term ids are kept, in a
        compact array, until a chunk is full."""
        vocabulary = self.vocabulary
        self._numbers.append(number)
        self._lengths.append(len(tokens))
        self._ids.extend([vocabulary.setdefault(t, len(vocabulary)) for t in tokens])
        if len(self._numbers) >= CHUNK_DOCS:
            self._flush()

    def _flush(self) -> None:
        """Count the chunk's postings and write them to the temporary file."""
        if not self._numbers:
            return
        ids = np.frombuffer(self._ids, dtype=np.int32).astype(np.int64)
        lengths = np.frombuffer(self._lengths, dtype=np.int32).astype(np.int64)
        numbers = np.frombuffer(self._numbers, dtype=np.int64).copy()
        self._ids, self._lengths, self._numbers = array("i"), array("i"), array("q")
        terms, docs, tf = count_postings(ids, lengths)
        del ids
        self.lengths[numbers] = lengths
        if len(self.df) < len(self.vocabulary):
            self.df = np.concatenate([self.df, np.zeros(len(self.vocabulary) - len(self.df),
                                                        dtype=np.int64)])
        self.df += np.bincount(terms, minlength=len(self.df))
        if tf.size:
            self.max_tf = max(self.max_tf, int(tf.max()))
        # One chunk: its term ids, document numbers and frequencies, each a run of int32s.
        for part in (terms.astype(np.int32), numbers[docs].astype(np.int32),
                     tf.astype(np.int32)):
            self._write(self._end, part)
            self._end += part.nbytes
        self._chunks.append((self._end - 12 * len(terms), len(terms)))

    def write(self, con: sqlite3.Connection, params: BM25Params,
              old: OldPostings | None = None) -> None:
        """Insert the arrays offsets, docs, impacts, tfs, lengths and vocabulary into the
        ``arrays`` table of ``con``, merged with what ``old`` keeps."""
        self._flush()
        lengths, n_docs = self.lengths, len(self.lengths)
        old_df, old_max, old_rank = None, 0, None
        if old is not None:
            kept = old.new_of_old >= 0
            lengths[old.new_of_old[kept]] = old.lengths[kept]
            old_df, old_max = self._old_counts(old)
        new_terms = list(self.vocabulary)
        del self.vocabulary
        live_old = [] if old is None or old_df is None else [
            t for t, n in zip(old.vocabulary, old_df.tolist(), strict=True) if n]
        names = sorted(set(new_terms).union(live_old))
        place = {t: i for i, t in enumerate(names)}
        new_rank = np.array([place[t] for t in new_terms], dtype=np.int64)
        del new_terms
        df = np.zeros(len(names), dtype=np.int64)
        df[new_rank] += self.df[:len(new_rank)]
        if old is not None and old_df is not None:
            old_rank = np.array([place.get(t, -1) if n else -1 for t, n in
                                 zip(old.vocabulary, old_df.tolist(), strict=True)],
                                dtype=np.int64)
            df[old_rank[old_rank >= 0]] += old_df[old_rank >= 0]
        del place
        offsets = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(df, out=offsets[1:])
        total = int(offsets[-1])
        bounds = _pieces(offsets)
        cuts = self._sort_chunks(new_rank, bounds)
        tf_dtype = np.uint16 if max(self.max_tf, old_max) <= np.iinfo(np.uint16).max \
            else np.uint32
        doc_len = lengths.astype(np.float64)
        avgdl = float(doc_len.sum()) / n_docs if n_docs else 1.0
        avgdl = avgdl or 1.0  # all empty: nothing to normalise
        idf = floor_negative_idf(okapi_idf(n_docs, df), params.epsilon)
        blobs = {name: _blob(con, name, np.dtype(dtype), total)
                 for name, dtype in (("docs", np.int32), ("impacts", np.float32),
                                     ("tfs", tf_dtype))}
        try:
            for i in range(len(bounds) - 1):
                terms, docs, tf = self._piece(i, cuts, bounds, names, offsets, old, old_rank,
                                              n_docs)
                impacts = idf[terms] * okapi_tf(tf.astype(np.float64), doc_len[docs], avgdl,
                                                params.k1, params.b)
                blobs["docs"].write(docs.astype(np.int32).tobytes())
                blobs["impacts"].write(impacts.astype(np.float32).tobytes())
                blobs["tfs"].write(tf.astype(tf_dtype).tobytes())
        finally:
            for blob in blobs.values():
                blob.close()
        con.executemany("INSERT INTO arrays (name, dtype, data) VALUES (?,?,?)",
                        [("offsets", "int64", offsets.tobytes()),
                         ("lengths", "int32", lengths.tobytes()),
                         ("vocabulary", "text", "\n".join(names).encode())])

    def _write(self, at: int, part: npt.NDArray[Any]) -> None:
        os.pwrite(self._file.fileno(), part.tobytes(), at)

    def _read(self, at: int, count: int) -> npt.NDArray[np.int32]:
        data = os.pread(self._file.fileno(), 4 * count, at)
        return np.frombuffer(data, dtype=np.int32)

    def _sort_chunks(self, new_rank: IntArray, bounds: IntArray) -> list[IntArray]:
        """Put each chunk in (term rank, document) order, in place; return where each piece
        of terms starts in each chunk."""
        cuts = []
        for at, n in self._chunks:
            ranks = new_rank[self._read(at, n)]
            order = np.argsort(ranks, kind="stable")  # documents stay ascending in a term
            ranks = ranks[order]
            self._write(at, ranks.astype(np.int32))
            for k in (1, 2):
                self._write(at + 4 * n * k, self._read(at + 4 * n * k, n)[order])
            cuts.append(np.searchsorted(ranks, bounds, side="left"))
        return cuts

    def _piece(self, i: int, cuts: list[IntArray], bounds: IntArray, names: list[str],
               offsets: IntArray, old: OldPostings | None, old_rank: IntArray | None,
               n_docs: int) -> tuple[IntArray, IntArray, IntArray]:
        """The postings of the terms ranked ``bounds[i]`` to ``bounds[i + 1]``: (term rank,
        document, frequency) in (term, document) order, from every chunk and from the old
        index."""
        parts: list[tuple[IntArray, IntArray, IntArray]] = []
        for (at, n), cut in zip(self._chunks, cuts, strict=True):
            a, b = int(cut[i]), int(cut[i + 1])
            if a < b:
                parts.append((self._read(at + 4 * a, b - a).astype(np.int64),
                              self._read(at + 4 * (n + a), b - a).astype(np.int64),
                              self._read(at + 4 * (2 * n + a), b - a).astype(np.int64)))
        terms, docs, tfs = _joined(parts)
        # Each chunk's slice is in (term, document) order and the chunks follow each other in
        # document order: a stable sort by term (merging the runs) orders them all.
        order = np.argsort(terms, kind="stable")
        terms, docs, tfs = terms[order], docs[order], tfs[order]
        if old is None or old_rank is None:
            return terms, docs, tfs
        first = bisect.bisect_left(old.vocabulary, names[bounds[i]])
        last = len(old.vocabulary) if bounds[i + 1] >= len(names) else \
            bisect.bisect_left(old.vocabulary, names[bounds[i + 1]])
        kept = []
        for start in range(int(old.offsets[first]), int(old.offsets[last]), PIECE):
            stop = min(start + PIECE, int(old.offsets[last]))
            mapped = old.new_of_old[old.read("docs", start, stop)]
            keep = mapped >= 0
            rows = np.searchsorted(old.offsets, np.arange(start, stop), side="right") - 1
            kept.append((old_rank[rows[keep]], mapped[keep],
                         old.read("tfs", start, stop)[keep].astype(np.int64)))
        old_terms, old_docs, old_tfs = _joined(kept)  # renumbering keeps the order
        if not len(terms):
            return old_terms, old_docs, old_tfs
        width = max(n_docs, 1)
        where = np.searchsorted(old_terms * width + old_docs, terms * width + docs)
        return (np.insert(old_terms, where, terms), np.insert(old_docs, where, docs),
                np.insert(old_tfs, where, tfs))

    @staticmethod
    def _old_counts(old: OldPostings) -> tuple[IntArray, int]:
        """How many postings each old term keeps, and the largest frequency kept (read only
        where the old frequencies do not fit 16 bits)."""
        counts = np.diff(old.offsets)
        if bool(np.all(old.new_of_old >= 0)):  # nothing dropped: every posting stays
            return counts, 0 if old.tfs_fit_16_bits else _largest(old, 0, int(old.offsets[-1]))
        df = np.zeros(len(old.vocabulary), dtype=np.int64)
        largest = 0
        bounds = _pieces(old.offsets)
        for first, last in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            start, stop = int(old.offsets[first]), int(old.offsets[last])
            keep = old.new_of_old[old.read("docs", start, stop)] >= 0
            # Every stored term has a posting, so no run is empty.
            df[first:last] = np.add.reduceat(keep.astype(np.int64),
                                             old.offsets[first:last] - start)
            if not old.tfs_fit_16_bits:
                kept = old.read("tfs", start, stop)[keep]
                if kept.size:
                    largest = max(largest, int(kept.max()))
        return df, largest


def _largest(old: OldPostings, start: int, stop: int) -> int:
    largest = 0
    for at in range(start, stop, PIECE):
        tfs = old.read("tfs", at, min(at + PIECE, stop))
        if tfs.size:
            largest = max(largest, int(tfs.max()))
    return largest


def _joined(parts: list[tuple[IntArray, IntArray, IntArray]]
            ) -> tuple[IntArray, IntArray, IntArray]:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]))


def _pieces(offsets: IntArray) -> IntArray:
    """Term ranks cutting the postings into pieces of at most ``PIECE`` (or one term)."""
    bounds = [0]
    n_terms = len(offsets) - 1
    while bounds[-1] < n_terms:
        r = bounds[-1]
        nxt = int(np.searchsorted(offsets, offsets[r] + PIECE, side="right")) - 1
        bounds.append(min(max(nxt, r + 1), n_terms))
    return np.array(bounds, dtype=np.int64)


def _blob(con: sqlite3.Connection, name: str, dtype: np.dtype[Any], n: int) -> sqlite3.Blob:
    """An array row of ``n`` zeros, opened for writing in pieces."""
    rowid = con.execute("INSERT INTO arrays (name, dtype, data) VALUES (?, ?, zeroblob(?))",
                        (name, str(dtype), n * dtype.itemsize)).lastrowid
    assert rowid is not None
    return con.blobopen("arrays", "data", rowid)
