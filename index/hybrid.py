"""Fusing the BM25 and the dense candidate lists into one ranking.

Reciprocal rank fusion (Cormack et al., 2009) with a weight per list: a passage scores
``w / (K + rank)`` from each list it is in. Chosen over a min-max normalised sum of the two
scores, and ``K`` and the weight chosen, on SciFact's train judgments (``python -m
bench.hybrid_tune``); the README gives the figures.
"""

from __future__ import annotations

import numpy as np

# Each list contributes its best CANDIDATES passages.
CANDIDATES = 100
RRF_K = 60.0
DENSE_WEIGHT = 1.0  # the BM25 list weighs 1


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
        span = (high - low) or 1.0
        for doc, score in zip(docs.tolist(), scores.tolist(), strict=True):
            fused[doc] = fused.get(doc, 0.0) + weight * (score - low) / span
    if not fused:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return (np.array([d for d, _ in ranked], dtype=np.int64),
            np.array([s for _, s in ranked], dtype=np.float64))
