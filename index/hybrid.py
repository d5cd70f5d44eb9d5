"""Fusing the BM25 and the dense candidate lists into one ranking.

Each list's best ``CANDIDATES`` passages; each list's scores min-max normalised over its own
candidates (the best 1, the last 0; a passage missing from a list gets 0 from it); the fused
score is ``(1 - DENSE_WEIGHT) * bm25 + DENSE_WEIGHT * dense``. Chosen on SciFact's train
judgments (``python -m bench.hybrid_tune``, 809 queries) over reciprocal rank fusion (best
nDCG@10 0.7284, K = 5, dense weight 0.75, against 0.7317 here), and over BM25 with its query
stages (spelling variants and RM3: 0.7289 at best, for 5-15 ms more a question); the README
gives the figures.
"""

from __future__ import annotations

import numpy as np

# Each list contributes its best CANDIDATES passages.
CANDIDATES = 100
DENSE_WEIGHT = 0.5  # BM25 weighs 1 - DENSE_WEIGHT
RRF_K = 60.0  # reciprocal rank fusion's usual constant (measured, not used: see above)


def rrf(lists: list[tuple[np.ndarray, float]], k: float = RRF_K) -> tuple[np.ndarray, np.ndarray]:
    """Fuse ranked document lists, each with its weight: (documents, scores), best first;
    equal scores by document number."""
    fused: dict[int, float] = {}
    for docs, weight in lists:
        for rank, doc in enumerate(docs.tolist(), start=1):
            fused[doc] = fused.get(doc, 0.0) + weight / (k + rank)
    if not fused:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return (np.array([d for d, _ in ranked], dtype=np.int64),
            np.array([s for _, s in ranked], dtype=np.float64))


def normalised_sum(lists: list[tuple[np.ndarray, np.ndarray, float]]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Fuse (documents, scores, weight) lists by the weighted sum of min-max normalised
    scores; a document missing from a list gets that list's lowest (0)."""
    fused: dict[int, float] = {}
    for docs, scores, weight in lists:
        if not len(docs):
            continue
        low, high = float(scores.min()), float(scores.max())
        for doc, score in zip(docs.tolist(), scores.tolist(), strict=True):
            # A list of equal scores (one passage, say) has no worst: all count as its best.
            normalised = (score - low) / (high - low) if high > low else 1.0
            fused[doc] = fused.get(doc, 0.0) + weight * normalised
    if not fused:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return (np.array([d for d, _ in ranked], dtype=np.int64),
            np.array([s for _, s in ranked], dtype=np.float64))
