"""The query's inner loops, compiled with numba: add a term's impacts into a score buffer,
touching only the documents in its postings, or only given documents (by binary search).

The buffers are reused from query to query (one set per thread) and reset only where they
were written, so a query costs what its postings cost, never the size of the index. Compiled
without the interpreter lock, so searches in worker threads run side by side. The compiled
code is cached on disk by numba (``cache=True``).
"""

from __future__ import annotations

import threading

import numpy as np
from numba import njit


class Buffers(threading.local):
    """Per-thread score buffers for an index of ``n_docs`` documents."""

    def __init__(self, n_docs: int) -> None:
        self.acc = np.zeros(n_docs, dtype=np.float64)
        self.seen = np.zeros(n_docs, dtype=np.bool_)
        self.touched = np.empty(n_docs, dtype=np.int32)


@njit(cache=True, nogil=True)
def accumulate_from(n: int, offsets: np.ndarray, docs: np.ndarray, impacts: np.ndarray,
                    row: int, weight: float, acc: np.ndarray, seen: np.ndarray,
                    touched: np.ndarray) -> int:  # pragma: no cover - compiled
    """``accumulate`` for one term, continuing the touched list at ``n``."""
    for j in range(offsets[row], offsets[row + 1]):
        doc = docs[j]
        if not seen[doc]:
            seen[doc] = True
            touched[n] = doc
            n += 1
        acc[doc] += weight * impacts[j]
    return n


@njit(cache=True, nogil=True)
def add_for(offsets: np.ndarray, docs: np.ndarray, impacts: np.ndarray, row: int,
            weight: float, candidates: np.ndarray, acc: np.ndarray) -> None:  # pragma: no cover
    """Add one term's impacts for the given documents only, finding each by binary search
    in the term's postings (documents ascending)."""
    start, end = offsets[row], offsets[row + 1]
    postings = docs[start:end]
    for i in range(candidates.shape[0]):
        doc = candidates[i]
        j = np.searchsorted(postings, doc)
        if j < postings.shape[0] and postings[j] == doc:
            acc[doc] += weight * impacts[start + j]
