"""Fusing the BM25 and the dense candidates into one ranking.

The candidates are each list's best ``Fusion.candidates`` passages, and every candidate is
scored by BOTH: its BM25 score and its cosine similarity, computed for it even when the other
list did not bring it (a passage one list missed is not thereby its worst). Each score is
normalised over the candidates (``Fusion.normalise``; 0 for the lowest), and the fused score is
``(1 - w) * bm25 + w * dense``.

The dense weight ``w`` depends on the question: when the best BM25 passage covers the
question's words well (``index.relevance``, 0 to 1), the words are to be trusted and ``w`` is
``dense_weight``; when it covers them poorly (the question is in other words than the
corpus), ``w`` is ``dense_weight_uncovered``; linearly in between.

Every choice here was made on SciFact's train judgments and the paraphrase tune set
(``python -m bench.hybrid_tune``: 0.7340 train nDCG@10 against 0.7317 for the min-max sum of
each list's own scores shipped before, and tune-set MRR@10 0.740 against 0.569 for the same
z-score sum at a fixed weight); the README gives the figures. Reciprocal rank fusion ranked
lower on both (0.7224 at best).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Fusion:
    """How the two candidate lists become one ranking."""

    # Each list contributes its best this many passages.
    candidates: int = 100
    # "zscore": (x - min) / standard deviation over the candidates (the z-score, shifted);
    # "minmax": (x - min) / (max - min), which an outlying best BM25 score squeezes.
    normalise: str = "zscore"
    # The dense weight when the best BM25 passage's relevance is at least ``covered``...
    dense_weight: float = 0.5
    covered: float = 0.25
    # ... and when it is at most ``uncovered``; linearly in between.
    dense_weight_uncovered: float = 0.9
    uncovered: float = 0.15

    def weight(self, coverage: float) -> float:
        """The dense weight for a question whose best BM25 passage has relevance
        ``coverage``."""
        if self.covered <= self.uncovered:
            return self.dense_weight
        share = min(max((coverage - self.uncovered) / (self.covered - self.uncovered), 0.0), 1.0)
        return self.dense_weight_uncovered + share * (self.dense_weight -
                                                      self.dense_weight_uncovered)


FUSION = Fusion()


def normalised(x: npt.NDArray[np.float64], how: str) -> npt.NDArray[np.float64]:
    """``x`` on a common scale (see ``Fusion.normalise``), 0 for the lowest: the z-score is
    shifted by a constant, which keeps the order and keeps fused scores positive (the bot's
    ``min_score`` hides scores at or below 0). All equal: all 1, as they are all the best."""
    low = float(x.min()) if len(x) else 0.0
    if how == "minmax":
        spread = float(x.max()) - low if len(x) else 0.0
    elif how == "zscore":
        spread = float(x.std()) if len(x) else 0.0
    else:
        raise ValueError(f"unknown normalisation {how!r}")
    if spread <= 0:
        return np.ones_like(x)
    out: npt.NDArray[np.float64] = (x - low) / spread
    return out


def fuse(docs: npt.NDArray[np.int64], bm25: npt.NDArray[np.float64],
         cosine: npt.NDArray[np.float64], coverage: float, fusion: Fusion = FUSION
         ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The candidates ``docs`` (each with its BM25 score and cosine similarity) ranked by the
    fused score, best first, ties by document number; and their fused scores. ``coverage``:
    the relevance of the best BM25 passage (0 when BM25 found none)."""
    if not len(docs):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    w = fusion.weight(coverage)
    scores = (1 - w) * normalised(np.asarray(bm25, dtype=np.float64), fusion.normalise) + \
        w * normalised(np.asarray(cosine, dtype=np.float64), fusion.normalise)
    order = np.lexsort((docs, -scores))
    return docs[order].astype(np.int64), scores[order]


def rrf(lists: list[tuple[npt.NDArray[np.int64], float]], k: float = 60.0
        ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Reciprocal rank fusion of ranked document lists, each with its weight (measured in
    ``bench.hybrid_tune`` against ``fuse``, not used); equal scores by document number."""
    fused: dict[int, float] = {}
    for docs, weight in lists:
        for rank, doc in enumerate(docs.tolist(), start=1):
            fused[doc] = fused.get(doc, 0.0) + weight / (k + rank)
    if not fused:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return (np.array([d for d, _ in ranked], dtype=np.int64),
            np.array([s for _, s in ranked], dtype=np.float64))
