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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .kernels import Buffers

FloatArray = npt.NDArray[np.float64]
# Tokens (as rank-bm25 takes them), or terms with weights.
Query = Sequence[str] | Mapping[str, float]
IntArray = npt.NDArray[np.int64]
IMPACT_SLICE = 1 << 20


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
    idf: FloatArray = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
    return idf


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


def term_ids(documents: Iterable[Sequence[str]], vocabulary: dict[str, int] | None = None
             ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], dict[str, int]]:
    """Token lists as term ids end to end, each list's length, and the vocabulary that names
    the ids (numbered as first seen; ``vocabulary``, when given, is extended)."""
    vocabulary = {} if vocabulary is None else vocabulary
    ids: list[int] = []
    lengths: list[int] = []
    for tokens in documents:
        lengths.append(len(tokens))
        ids.extend([vocabulary.setdefault(t, len(vocabulary)) for t in tokens])
    return np.asarray(ids, dtype=np.int64), np.asarray(lengths, dtype=np.int64), vocabulary


def count_postings(ids: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
                   ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(term, document, frequency) of every distinct pair in documents given as term ids end
    to end, sorted by term, then document: one sort of the pairs gives both the counts and
    the order of the postings lists."""
    n_docs = len(lengths)
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    pairs, tf = np.unique(ids * n_docs + doc_of, return_counts=True)
    del doc_of
    terms, docs = np.divmod(pairs, n_docs)
    return terms, docs, tf


@dataclass(slots=True)
class ImpactIndex:
    """Per-term BM25 impacts in CSR form, and the vocabulary that names the rows."""

    vocabulary: dict[str, int]
    offsets: npt.NDArray[np.int64]   # len(vocabulary) + 1
    docs: npt.NDArray[np.int32]      # document numbers, ascending within a term
    impacts: npt.NDArray[np.float32]
    n_docs: int
    _buffers: Buffers | None = field(default=None, repr=False, compare=False)
    _impact_range: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]] | None = field(
        default=None, repr=False, compare=False)

    @classmethod
    def build(cls, documents: Iterable[Sequence[str]],
              params: BM25Params | None = None) -> ImpactIndex:
        """Index token lists; document ``i`` of the input is document number ``i``."""
        ids, lengths, vocabulary = term_ids(documents)
        return cls.from_ids(ids, lengths, vocabulary, params)

    @classmethod
    def from_ids(cls, ids: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64],
                 vocabulary: dict[str, int], params: BM25Params | None = None) -> ImpactIndex:
        """Index documents given as term ids: ``ids`` all documents' tokens end to end,
        ``lengths`` each document's token count; ``vocabulary`` names the ids."""
        terms, docs, tf = count_postings(ids, lengths)
        return cls.from_postings(vocabulary, terms, docs, tf, lengths, params)

    @classmethod
    def from_postings(cls, vocabulary: dict[str, int], terms: npt.NDArray[np.integer],
                      docs: npt.NDArray[np.integer], tf: npt.NDArray[np.integer],
                      lengths: npt.NDArray[np.integer],
                      params: BM25Params | None = None) -> ImpactIndex:
        """Index (term, document, frequency) postings sorted by term, then document;
        ``lengths`` gives each document's token count. Every term of ``vocabulary`` must have
        a posting, as in rank-bm25, whose idf floor averages over the terms it has seen."""
        params = params or BM25Params()
        n_docs, n_terms = len(lengths), len(vocabulary)
        if n_docs == 0:
            return cls({}, np.zeros(1, np.int64), np.zeros(0, np.int32),
                       np.zeros(0, np.float32), 0)
        doc_len = lengths.astype(np.float64)
        avgdl = float(doc_len.sum()) / n_docs or 1.0  # all empty: nothing to normalise
        df = np.bincount(terms, minlength=n_terms)
        idf = floor_negative_idf(okapi_idf(n_docs, df), params.epsilon)
        # In slices: the float64 temporaries of the whole corpus at once were the build's
        # peak memory. Each impact is computed as before, so the values are the same.
        impacts = np.empty(len(docs), dtype=np.float32)
        for start in range(0, len(docs), IMPACT_SLICE):
            part = slice(start, start + IMPACT_SLICE)
            impacts[part] = idf[terms[part]] * okapi_tf(
                tf[part].astype(np.float64), doc_len[docs[part]], avgdl, params.k1, params.b)
        offsets = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=offsets[1:])
        return cls(vocabulary, offsets, docs.astype(np.int32, copy=False), impacts, n_docs)

    @property
    def impact_range(self) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Each term's smallest and largest impact (0 for a term with no postings)."""
        if self._impact_range is None:
            filled = np.diff(self.offsets) > 0
            low = np.zeros(len(self.offsets) - 1, dtype=np.float32)
            high = np.zeros(len(self.offsets) - 1, dtype=np.float32)
            if self.impacts.size:
                starts = self.offsets[:-1][filled]
                low[filled] = np.minimum.reduceat(self.impacts, starts)
                high[filled] = np.maximum.reduceat(self.impacts, starts)
            self._impact_range = (low, high)
        return self._impact_range

    def _max_score(self, known: list[tuple[int, float]], want: int,
                   allowed: npt.NDArray[np.bool_] | None
                   ) -> tuple[npt.NDArray[np.int32], FloatArray]:
        """A superset of the ``want`` best documents with their exact scores (see
        ``kernels.max_score_daat``), ties at the cut included."""
        from .kernels import max_score_daat  # numba (~100 MB): only where queries are ranked

        buffers = self._buffers
        assert buffers is not None  # set by top_k
        rows = np.array([r for r, _ in known], dtype=np.int64)
        weights = np.array([w for _, w in known], dtype=np.float64)
        low, high = self.impact_range
        # The most a term can add to any score: its weight times its largest impact, or its
        # smallest when the weight is negative; a document without the term gets 0.
        bounds = np.maximum(np.maximum(weights * high[rows], weights * low[rows]), 0.0)
        order = np.argsort(bounds, kind="stable")
        no_mask = np.zeros(1, dtype=np.bool_)
        n = max_score_daat(self.offsets, self.docs, self.impacts, rows[order], weights[order],
                           bounds[order], want, no_mask if allowed is None else allowed,
                           allowed is not None, buffers.touched, buffers.scores,
                           np.empty(want, np.float64))
        return buffers.touched[:n].copy(), buffers.scores[:n].copy()

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

    def scores_of(self, query: Query, docs: npt.NDArray[np.integer]) -> FloatArray:
        """``scores(query)[docs]``, looking up only ``docs`` in each term's postings."""
        weights = query if isinstance(query, Mapping) else Counter(query)
        docs = np.asarray(docs, dtype=np.int64)
        scores = np.zeros(len(docs), dtype=np.float64)
        for term, weight in weights.items():
            term_docs, impacts = self.postings(term)
            if not len(term_docs):
                continue
            # Searched in the postings' own type: int64 keys would copy the whole row to int64
            # first (a common word's million postings: about a millisecond, each time).
            at = np.minimum(np.searchsorted(term_docs, docs.astype(term_docs.dtype)),
                            len(term_docs) - 1)
            found = term_docs[at] == docs
            scores[found] += weight * impacts[at[found]].astype(np.float64)
        return scores

    def top_k(
        self, query: Query, k: int, *, allowed: npt.NDArray[np.bool_] | None = None,
        prefer: npt.NDArray[np.bool_] | None = None, offset: int = 0,
    ) -> tuple[IntArray, FloatArray]:
        """The ``k`` best documents with a positive score, best first, skipping ``offset``.

        The same scores as ``scores()``, computed only for the documents the query's terms
        touch. ``allowed`` masks documents out; among equal scores a ``prefer``-ed one goes
        first, then the lower document number.
        """
        weights = query if isinstance(query, Mapping) else Counter(query)
        known = [(self.vocabulary[t], w) for t, w in weights.items() if t in self.vocabulary]
        if not known or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        if self._buffers is None:
            from .kernels import Buffers  # numba (~100 MB): a build never loads it

            self._buffers = Buffers(self.n_docs)
        candidates, scores = self._max_score(known, offset + k, allowed)
        keep = scores > 0
        if allowed is not None:
            keep &= allowed[candidates]
        candidates, scores = candidates[keep], scores[keep]
        want = offset + k
        if candidates.size > want:
            kth = np.partition(scores, candidates.size - want)[candidates.size - want]
            cut = scores >= kth  # ties at the cut stay in, for the tie-break below
            candidates, scores = candidates[cut], scores[cut]
        preferred = prefer[candidates] if prefer is not None else np.zeros(candidates.size, bool)
        order = np.lexsort((candidates, ~preferred, -scores))[offset:want]
        return candidates[order].astype(np.int64), scores[order]
