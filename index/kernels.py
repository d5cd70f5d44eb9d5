"""The query's inner loop, compiled with numba: document-at-a-time MaxScore over the postings
of the query's terms, touching only what can still change the top k, never every document.

The output buffers are reused from query to query (one set per thread). Compiled without the
interpreter lock, so searches in worker threads run side by side. The compiled code is cached
on disk by numba (``cache=True``).
"""

from __future__ import annotations

import functools
import threading

import numpy as np
from numba import njit


class Buffers(threading.local):
    """Per-thread output buffers for an index of ``n_docs`` documents."""

    def __init__(self, n_docs: int) -> None:
        self.touched = np.empty(n_docs, dtype=np.int32)
        self.scores = np.empty(n_docs, dtype=np.float64)


@njit(cache=True, nogil=True)
def _advance(docs: np.ndarray, pos: int, end: int, target: int) -> int:  # pragma: no cover
    """First position in ``docs[pos:end]`` holding ``target`` or more: galloping, then binary
    search, so skipping far ahead in a long posting list costs a logarithm of the skip."""
    step = 1
    hi = pos
    while hi < end and docs[hi] < target:
        pos = hi + 1
        hi += step
        step *= 2
    if hi > end:
        hi = end
    while pos < hi:
        mid = (pos + hi) // 2
        if docs[mid] < target:
            pos = mid + 1
        else:
            hi = mid
    return pos


@njit(cache=True, nogil=True)
def max_score_daat(offsets: np.ndarray, docs: np.ndarray, impacts: np.ndarray,
                   rows: np.ndarray, weights: np.ndarray, bounds: np.ndarray, k: int,
                   allowed: np.ndarray, use_allowed: bool, out_docs: np.ndarray,
                   out_scores: np.ndarray, heap: np.ndarray) -> int:  # pragma: no cover
    """Document-at-a-time MaxScore (Turtle & Flood, 1995), exact.

    ``rows`` are the query's terms sorted by ``bounds`` ascending (each the most the term can
    add to a score, never negative). The terms whose bounds together stay below the k-th best
    score so far are *non-essential*: a document only they contain cannot make the cut, so
    documents are enumerated from the other terms' postings, and the non-essential ones are
    only looked up (by galloping) for documents that can still reach the cut.

    Writes every document that was, when scored, at least the k-th best positive score so far
    into ``out_docs``/``out_scores`` and returns their number: a superset of the top k, ties at
    the cut included, for the caller to rank.
    """
    m = rows.shape[0]
    none = np.iinfo(np.int64).max  # past every document: a list that has run out
    pos = np.empty(m, np.int64)
    end = np.empty(m, np.int64)
    cur = np.empty(m, np.int64)  # cur[i]: the document at pos[i], read once per move
    for i in range(m):
        pos[i] = offsets[rows[i]]
        end[i] = offsets[rows[i] + 1]
        cur[i] = docs[pos[i]] if pos[i] < end[i] else none
    prefix = np.empty(m, np.float64)  # prefix[i]: what terms 0..i can add together
    total = 0.0
    for i in range(m):
        total += bounds[i]
        prefix[i] = total * (1.0 + 1e-9)  # a hair of slack against rounding
    filled = 0
    threshold = 0.0
    essential = 0  # terms essential..m-1 drive the enumeration
    n_out = 0
    while True:
        doc = none
        for i in range(essential, m):
            if cur[i] < doc:
                doc = cur[i]
        if doc == none:
            break
        score = 0.0
        for i in range(essential, m):
            if cur[i] == doc:
                score += weights[i] * impacts[pos[i]]
                pos[i] += 1
                cur[i] = docs[pos[i]] if pos[i] < end[i] else none
        if use_allowed and not allowed[doc]:
            continue
        alive = True
        for i in range(essential - 1, -1, -1):
            if score + prefix[i] < threshold:
                alive = False
                break
            if cur[i] < doc:
                pos[i] = _advance(docs, pos[i], end[i], doc)
                cur[i] = docs[pos[i]] if pos[i] < end[i] else none
            if cur[i] == doc:
                score += weights[i] * impacts[pos[i]]
        if not alive or score <= 0.0 or score < threshold:
            continue
        out_docs[n_out] = doc
        out_scores[n_out] = score
        n_out += 1
        # Min-heap of the k best scores so far; its root is the threshold once full.
        if filled < k:
            j = filled
            filled += 1
            heap[j] = score
            while j > 0 and heap[(j - 1) // 2] > heap[j]:
                p = (j - 1) // 2
                heap[p], heap[j] = heap[j], heap[p]
                j = p
        elif score > heap[0]:
            heap[0] = score
            j = 0
            while True:
                left, right, small = 2 * j + 1, 2 * j + 2, j
                if left < k and heap[left] < heap[small]:
                    small = left
                if right < k and heap[right] < heap[small]:
                    small = right
                if small == j:
                    break
                heap[small], heap[j] = heap[j], heap[small]
                j = small
        if filled == k:
            threshold = heap[0]
            while essential < m and prefix[essential] < threshold:
                essential += 1
    return n_out


@functools.cache
def warm_up() -> threading.Thread:
    """Load the compiled kernel (from numba's cache, else compile it) in a background thread,
    once per process, so this overlaps with reading an index instead of delaying its first
    answer by a few hundred milliseconds."""
    def run() -> None:
        one = np.ones(1)
        offsets, docs, impacts = np.zeros(2, np.int64), np.zeros(0, np.int32), \
            np.zeros(0, np.float32)
        # Both kinds numba compiles apart: a loaded index's postings are read-only views of
        # the file's bytes; a question's own rows, read before they are all loaded, are not.
        for writeable in (False, True):
            for array in (offsets, docs, impacts):
                array.flags.writeable = writeable
            max_score_daat(offsets, docs, impacts, np.zeros(1, np.int64), one, one, 1,
                           np.zeros(1, np.bool_), False, np.zeros(1, np.int32), np.zeros(1),
                           np.zeros(1))

    thread = threading.Thread(target=run, name="sourced-warm-up", daemon=True)
    thread.start()
    return thread
