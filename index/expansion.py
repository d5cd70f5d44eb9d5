"""Query stages after tokenizing and before BM25: names spelled differently meet.

A query term the index has never seen, or has seen only rarely, is matched against the index
vocabulary by edit similarity (rapidfuzz's normalized Indel similarity), so "Suleimani"
finds "Soleimani". The expansions are added with the similarity as their weight; the BM25
stage then scores the weighted query exactly as rank-bm25 would score each term.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz, process

MIN_LENGTH = 5        # shorter words have too many neighbours to guess from
SIMILARITY = 80.0     # 0..100; "suleimani" ~ "soleimani" is 88.9
RARE_DOCS = 3         # a term in at most this many passages may be a spelling variant
MAX_VARIANTS = 3
# A variant counts half as much as the word asked for, times its similarity: tuned on SciFact's
# train judgments, where full weight lowered nDCG@10 and half weight raised it.
VARIANT_WEIGHT = 0.5
# Terms whose variants are kept: a few hundred questions' rare words.
_KEPT = 4096


class Terms(Protocol):
    """An index's terms: ``docs[offsets[row]:offsets[row + 1]]`` holds a term's postings."""

    @property
    def vocabulary(self) -> Mapping[str, int]: ...
    @property
    def offsets(self) -> np.ndarray: ...


class SpellingVariants:
    """Finds index terms spelled like a query term. Built once per opened index."""

    def __init__(self, index: Terms) -> None:
        self._index = index
        # A question's words are looked up twice (its relevance, its rarest word) and common
        # ones come back question after question; an index's answers never change.
        self._found: dict[str, list[tuple[str, float]]] = {}

    @cached_property
    def _by_length(self) -> dict[int, list[str]]:
        buckets: dict[int, list[str]] = defaultdict(list)
        for term in self._index.vocabulary:
            if len(term) >= MIN_LENGTH - 1 and not term.isdigit():
                buckets[len(term)].append(term)
        return buckets

    def _similar(self, term: str) -> list[tuple[str, float]]:
        """The terms most like ``term`` within two letters of its length, best first, ties in
        the order of the lengths then of the vocabulary: each length's bucket is searched
        apart (joining them into one list cost about a millisecond a term at a million
        passages)."""
        found: list[tuple[float, int, str]] = []
        at = 0
        for n in range(len(term) - 2, len(term) + 3):
            bucket = self._by_length.get(n, ())
            found += [(-score, at + i, t) for t, score, i in process.extract(
                term, bucket, scorer=fuzz.ratio, score_cutoff=SIMILARITY,
                limit=MAX_VARIANTS + 1)]
            at += len(bucket)
        return [(t, -negative) for negative, _, t in sorted(found)[:MAX_VARIANTS + 1]]

    def _df(self, term: str) -> int:
        row = self._index.vocabulary.get(term)
        return 0 if row is None else int(self._index.offsets[row + 1] - self._index.offsets[row])

    def variants(self, term: str) -> list[tuple[str, float]]:
        """Index terms like ``term`` (within two letters), with their weight (similarity times
        ``VARIANT_WEIGHT``)."""
        if len(term) < MIN_LENGTH or term.isdigit() or self._df(term) > RARE_DOCS:
            return []
        found = self._found.get(term)
        if found is None:
            found = [(t, VARIANT_WEIGHT * score / 100) for t, score in self._similar(term)
                     if t != term][:MAX_VARIANTS]
            if len(self._found) >= _KEPT:
                self._found.clear()
            self._found[term] = found
        return list(found)

    def expand(self, terms: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
        """The query's terms with weights, spelling variants of rare terms added."""
        weights: dict[str, float] = dict(Counter(terms)) if not isinstance(terms, Mapping) \
            else dict(terms)
        for term, weight in list(weights.items()):
            for variant, similarity in self.variants(term):
                weights[variant] = max(weights.get(variant, 0.0), weight * similarity)
        return weights
