"""Exact search over passage vectors held in memory: the reference the approximate index
(``index.ann``, which the reader uses) is measured against, in the benchmarks and tests.

Vectors are stored as int8 rows with a scale each (``index.embedding.quantize``): a quarter of
float32's memory, and on SciFact the same ranking to the fourth decimal (README). Search is
exact: one numba loop over every row, the question in float32.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, fastmath=True)
def _scores(rows: np.ndarray, scales: np.ndarray, query: np.ndarray) -> np.ndarray:
    n, dim = rows.shape
    out = np.empty(n, dtype=np.float32)
    for i in range(n):
        acc = np.float32(0.0)
        for j in range(dim):
            acc += np.float32(rows[i, j]) * query[j]
        out[i] = acc * scales[i]
    return out


class DenseIndex:
    """``rows[i] * scales[i]`` is passage ``i``'s unit vector (BM25's document numbers)."""

    def __init__(self, rows: np.ndarray, scales: np.ndarray) -> None:
        assert rows.ndim == 2 and len(rows) == len(scales)
        self.rows = rows
        self.scales = scales

    @property
    def dim(self) -> int:
        return int(self.rows.shape[1])

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Every passage's cosine similarity to the unit vector ``query``."""
        return _scores(self.rows, self.scales, np.ascontiguousarray(query, dtype=np.float32))

    def similarity(self, query: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """The cosine similarity of ``docs`` to ``query``."""
        similarities: np.ndarray = (self.rows[docs].astype(np.float32) @ query) * \
            self.scales[docs]
        return similarities

    def top_k(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` passages nearest ``query`` (among ``allowed``), best first; ties by
        document number."""
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf).astype(np.float32)
        k = min(k, int(np.count_nonzero(scores > -np.inf)))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        part = np.argpartition(-scores, k - 1)[:k]
        order = np.lexsort((part, -scores[part]))
        docs = part[order].astype(np.int64)
        return docs, scores[docs]
