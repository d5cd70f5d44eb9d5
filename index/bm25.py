"""BM25 as rank-bm25's ``BM25Okapi`` defines it, precomputed as per-term impacts.

rank-bm25 scores a query by looping over every document for every query term. Here the
per-(term, document) contribution, the *impact*, is computed once at build time, as bm25s does
(Lù, 2024, "BM25S: Orders of magnitude faster lexical search via eager sparse scoring"), and
stored as a compressed-sparse-row matrix: for term ``t``, ``docs[offsets[t]:offsets[t+1]]`` are
the documents containing it and ``impacts[...]`` their contributions. A query then touches only
the postings of its own terms. Scores equal ``BM25Okapi.get_scores`` (tests prove it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
# Tokens (as rank-bm25 takes them), or terms with weights.
Query = Sequence[str] | Mapping[str, float]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class BM25Params:
    """rank-bm25's ``BM25Okapi`` defaults."""

    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25

    def __post_init__(self) -> None:
        if self.k1 < 0 or not 0 <= self.b <= 1 or self.epsilon < 0:
            raise ValueError(f"BM25 parameters out of range: k1={self.k1} (>= 0), "
                             f"b={self.b} (0..1), epsilon={self.epsilon} (>= 0)")


def okapi_idf(n_docs: int, df: npt.NDArray[np.integer]) -> FloatArray:
    """Robertson–Spärck Jones idf, unsmoothed: ``log((N - df + 0.5) / (df + 0.5))``.

    Negative for terms in more than half the documents. Computed as rank-bm25 does, as a
    difference of logs, so the floating-point result is the same.
    """
    df = df.astype(np.float64)
    return np.log(n_docs - df + 0.5) - np.log(df + 0.5)


def floor_negative_idf(idf: FloatArray, epsilon: float) -> FloatArray:
    """ATIRE-style floor (Trotman et al., 2014) as rank-bm25 applies it: a negative idf becomes
    ``epsilon`` times the mean idf of the whole vocabulary (the mean taken before flooring)."""
    if idf.size == 0:
        return idf
    floor = epsilon * float(np.sum(idf) / idf.size)
    return np.where(idf < 0, floor, idf)


def okapi_tf(tf: FloatArray, doc_len: FloatArray, avgdl: float, k1: float, b: float) -> FloatArray:
    """Saturated, length-normalised term frequency (Robertson et al., 1994):
    ``tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))``."""
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_len / avgdl))


@dataclass(slots=True)
class ImpactIndex:
    """Per-term BM25 impacts in CSR form, and the vocabulary that names the rows."""

    vocabulary: dict[str, int]
    offsets: npt.NDArray[np.int64]   # len(vocabulary) + 1
    docs: npt.NDArray[np.int32]      # document numbers, ascending within a term
    impacts: npt.NDArray[np.float32]
    n_docs: int

    @classmethod
    def build(cls, documents: Iterable[Sequence[str]],
              params: BM25Params | None = None) -> ImpactIndex:
        """Index token lists; document ``i`` of the input is document number ``i``."""
        params = params or BM25Params()
        vocabulary: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        tfs: list[int] = []
        lengths: list[int] = []
        for d, tokens in enumerate(documents):
            lengths.append(len(tokens))
            for term, tf in Counter(tokens).items():
                term_ids.append(vocabulary.setdefault(term, len(vocabulary)))
                doc_ids.append(d)
                tfs.append(tf)
        n_docs = len(lengths)
        if n_docs == 0:
            return cls({}, np.zeros(1, np.int64), np.zeros(0, np.int32),
                       np.zeros(0, np.float32), 0)
        terms = np.asarray(term_ids, dtype=np.int64)
        order = np.argsort(terms, kind="stable")  # keeps documents ascending within a term
        terms = terms[order]
        docs = np.asarray(doc_ids, dtype=np.int32)[order]
        tf = np.asarray(tfs, dtype=np.float64)[order]
        doc_len = np.asarray(lengths, dtype=np.float64)
        avgdl = float(doc_len.sum()) / n_docs
        if avgdl == 0:
            avgdl = 1.0  # every document empty: no term has postings, nothing to normalise

        df = np.bincount(terms, minlength=len(vocabulary))
        idf = floor_negative_idf(okapi_idf(n_docs, df), params.epsilon)
        impacts = idf[terms] * okapi_tf(tf, doc_len[docs], avgdl, params.k1, params.b)
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(df, out=offsets[1:])
        return cls(vocabulary, offsets, docs, impacts.astype(np.float32), n_docs)

    def postings(self, term: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        row = self.vocabulary.get(term)
        if row is None:
            return self.docs[:0], self.impacts[:0]
        start, end = self.offsets[row], self.offsets[row + 1]
        return self.docs[start:end], self.impacts[start:end]

    def scores(self, query: Query) -> FloatArray:
        """Every document's score, as ``BM25Okapi.get_scores(query)``: a repeated query term
        counts again; an unknown term adds nothing. A mapping gives each term a weight (a
        later stage's expanded query); with weights 1 it is the same sum."""
        weights = query if isinstance(query, Mapping) else Counter(query)
        scores = np.zeros(self.n_docs, dtype=np.float64)
        for term, weight in weights.items():
            docs, impacts = self.postings(term)
            scores[docs] += weight * impacts.astype(np.float64)
        return scores

    def top_k(
        self, query: Query, k: int, *, allowed: npt.NDArray[np.bool_] | None = None,
        prefer: npt.NDArray[np.bool_] | None = None, offset: int = 0,
    ) -> tuple[IntArray, FloatArray]:
        """The ``k`` best documents with a positive score, best first, skipping ``offset``.

        ``allowed`` masks documents out; among equal scores a ``prefer``-ed one goes first,
        then the lower document number.
        """
        scores = self.scores(query)
        if allowed is not None:
            scores[~allowed] = 0.0
        candidates = np.flatnonzero(scores > 0)
        want = offset + k
        if candidates.size > want:
            kth = np.partition(scores[candidates], candidates.size - want)[candidates.size - want]
            candidates = candidates[scores[candidates] >= kth]  # ties at the cut stay in
        preferred = prefer[candidates] if prefer is not None else np.zeros(candidates.size, bool)
        order = np.lexsort((candidates, ~preferred, -scores[candidates]))
        chosen = candidates[order][offset:want]
        return chosen.astype(np.int64), scores[chosen]
