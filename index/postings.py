"""Term-frequency postings: what BM25's impacts are computed from, kept so a rebuild after a
change does not tokenize the unchanged passages again.

Impacts depend on the whole corpus (idf, average length), so every change moves them all and
they are always recomputed; the postings are not: a rebuild drops the documents of changed and
removed files, renumbers the rest and merges in the new ones, in time proportional to the
postings, with no sort. The vocabulary is kept sorted, so the same corpus gives the same
arrays whether it was built at once or file by file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .bm25 import BM25Params, ImpactIndex, count_postings, term_ids

IntArray = npt.NDArray[np.int64]
CHUNK_DOCS = 50_000


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
