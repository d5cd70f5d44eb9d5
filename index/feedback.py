"""Pseudo-relevance feedback: RM3 (Lavrenko & Croft, 2001; Abdul-Jaleel et al., 2004).

The best passages of a first BM25 pass are taken as relevant; words frequent in them, weighted
by how well each passage matched, are added to the query, which BM25 then scores again. The
original terms keep ``ORIGINAL_WEIGHT`` of the query's mass.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 30
ORIGINAL_WEIGHT = 0.7  # FEEDBACK_* and this tuned on SciFact train judgments


def rm3(query: Mapping[str, float], documents: Sequence[Sequence[str]],
        scores: Sequence[float], *, terms: int = FEEDBACK_TERMS,
        original_weight: float = ORIGINAL_WEIGHT) -> dict[str, float]:
    """The query with feedback terms: ``P(t|R) = sum_d P(t|d) P(d|q)``, where ``P(d|q)`` is
    the softmax of the first-pass scores, mixed with the normalised original query."""
    if not documents or not query:
        return dict(query)
    top = max(scores)
    relevance = [math.exp(s - top) for s in scores]
    total = sum(relevance)
    model: defaultdict[str, float] = defaultdict(float)
    for tokens, r in zip(documents, relevance, strict=True):
        if tokens:
            for term, tf in Counter(tokens).items():
                model[term] += (tf / len(tokens)) * (r / total)
    chosen = heapq.nlargest(terms, model.items(), key=lambda item: item[1])  # most_common's way
    mass = sum(w for _, w in chosen) or 1.0
    # RM3 mixes ``ow * q(t) / |q| + (1 - ow) * P(t|R) / mass``. BM25 ranks the same under any
    # scale, so it is scaled by ``|q| / ow``: the original terms keep their own weights, and
    # each feedback term adds ``(1 - ow) / ow * |q| * P(t|R) / mass``.
    per_feedback = (1 - original_weight) / original_weight * sum(query.values()) / mass
    weights = dict(query)
    for term, w in chosen:
        weights[term] = weights.get(term, 0.0) + w * per_feedback
    return weights
