"""Fusing the BM25 and the dense candidates into one ranking.

The candidates are each list's best ``Fusion.candidates`` passages, and every candidate is
scored by BOTH lists, even when the other list did not bring it (a passage one list missed is
not thereby its worst). The fused score is ``(1 - w) * words + w * meaning``.

By default (``Fusion.normalise = "absolute"``) ``words`` is the passage's relevance
(``index.relevance``: how much of the question's words it holds, 0 to 1) and ``meaning`` its
cosine similarity to the question (negative counted as 0): two scales that mean the same for
every question. When BM25's best passage holds few of the question's words, no BM25 passage
counts for much, where a normalisation over the candidates (``"zscore"``, ``"minmax"``, of the
BM25 score and the cosine) made that list's best an outlier whatever it held.

The dense weight ``w`` depends on the question too: when the best BM25 passage covers the
question's words well, the words are to be trusted and ``w`` is ``dense_weight``; when it covers
them poorly (the question is in other words than the corpus), ``w`` is
``dense_weight_uncovered``; linearly in between.

The meaning of the fused list's first ``Fusion.title_head`` passages also weighs the thread:
the cosine of its title's vector (stored by the build, ``index.title_vectors``) to the
question's, ``title_weight`` of it (``with_titles``). A passage whose thread asks what the
question asks comes up among passages alike in themselves. No model call: the question's vector
is the search's, the titles' are read from the index (the first 20 only: on the tuning sets
that ranked as titles for every candidate did; an index built before titles' vectors were
stored embeds them when first met, as the relevance measure does).

One passage per thread first (``Fusion.distinct_threads``, ``one_per_thread``: the best
passage of each of the first N threads, then the others in their order) finds the thread
asked about higher (a thread's passages are all embedded with its title, so a near thread
brings several at once), but pushes the right thread's other passages behind other threads':
with 3, 5 or 10 the bot showed the answering passage for fewer questions (README). Off
(0) by default.

Every choice here was made on SciFact's train judgments and the two paraphrase tune sets
(``python -m bench.hybrid_tune``, ``--grid titles`` for the title); the README gives the
figures, with the held-out ones (on SciFact test nDCG@10 0.7253 with the title, 0.7155
without, 0.7280 for the z-score sum shipped before; on the paraphrases well above the z-score
sum). Reciprocal rank fusion ranked lower on both tuning sets.
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
    # "absolute": each passage's relevance (0 to 1) and its cosine (negative as 0), as they are;
    # "zscore": BM25 score and cosine, each (x - min) / standard deviation over the candidates
    # (the z-score, shifted); "minmax": each (x - min) / (max - min).
    normalise: str = "absolute"
    # The dense weight when the best BM25 passage's relevance is at least ``covered``...
    dense_weight: float = 0.45
    covered: float = 0.25
    # ... and when it is at most ``uncovered``; linearly in between.
    dense_weight_uncovered: float = 0.7
    uncovered: float = 0.15
    # The first this many places go to as many different threads (0: the fused order as is).
    distinct_threads: int = 0
    # The share of the thread title's cosine in the meaning (the passage's cosine has the
    # rest), for the fused list's first ``title_head`` passages (0: titles not used).
    title_weight: float = 0.3
    title_head: int = 20

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
         cosine: npt.NDArray[np.float64], relevance: npt.NDArray[np.float64], coverage: float,
         fusion: Fusion = FUSION) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The candidates ``docs`` (each with its BM25 score, cosine similarity and relevance)
    ranked by the fused score, best first, ties by document number; and their fused scores
    (never negative). ``coverage``: the relevance of the best BM25 passage (0 when BM25 found
    none)."""
    if not len(docs):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    w = fusion.weight(coverage)
    cosine = np.asarray(cosine, dtype=np.float64)
    if fusion.normalise == "absolute":
        words = np.asarray(relevance, dtype=np.float64)
        meaning = np.maximum(cosine, 0.0)
    else:
        words = normalised(np.asarray(bm25, dtype=np.float64), fusion.normalise)
        meaning = normalised(cosine, fusion.normalise)
    scores = (1 - w) * words + w * meaning
    order = np.lexsort((docs, -scores))
    return docs[order].astype(np.int64), scores[order]


def with_titles(ranked: npt.NDArray[np.int64], scores: npt.NDArray[np.float64],
                candidates: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64],
                                  npt.NDArray[np.float64], npt.NDArray[np.float64], float],
                titles: npt.NDArray[np.float64], fusion: Fusion = FUSION
                ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The fused list ``ranked`` (with its ``scores``) with its first ``len(titles)`` passages
    fused again, each one's meaning now ``(1 - title_weight) * cosine + title_weight *
    titles`` (``titles``: the cosine of each one's thread title to the question, in the list's
    order). ``candidates``: what ``fuse`` ranked, as ``fuse`` takes them. The passages after
    them keep their order, scored no higher than the last of them, so scores still fall
    down the list."""
    head = len(titles)
    if not head or fusion.title_weight <= 0:
        return ranked, scores
    docs, bm25, cosine, relevance, coverage = candidates
    at = np.searchsorted(docs, ranked[:head])  # the candidates are sorted
    meaning = ((1 - fusion.title_weight) * np.maximum(cosine[at], 0.0)
               + fusion.title_weight * np.asarray(titles, dtype=np.float64))
    first, first_scores = fuse(ranked[:head], bm25[at], meaning, relevance[at], coverage,
                               fusion)
    rest = np.minimum(scores[head:], first_scores[-1])
    return np.concatenate([first, ranked[head:]]), np.concatenate([first_scores, rest])


def one_per_thread(threads: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """Positions into a ranked list whose passages belong to ``threads``: the first passage of
    each of the first ``n`` threads met, in their order, then every other passage in its
    order (a thread's second passage waits, it is not dropped)."""
    if n <= 0:
        return np.arange(len(threads), dtype=np.int64)
    seen: set[int] = set()
    first: list[int] = []
    rest: list[int] = []
    for at, thread in enumerate(threads.tolist()):
        if len(first) < n and thread not in seen:
            seen.add(thread)
            first.append(at)
        else:
            rest.append(at)
    return np.array(first + rest, dtype=np.int64)


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
