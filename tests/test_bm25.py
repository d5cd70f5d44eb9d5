"""The BM25 stage equals rank-bm25's BM25Okapi on the same tokens."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.bm25 import BM25Params, ImpactIndex, floor_negative_idf, okapi_idf


def _random_corpus(rng: random.Random, n_docs: int, vocab: int) -> list[list[str]]:
    words = [f"w{i}" for i in range(vocab)]
    # Zipf-like: low word numbers are frequent, so some idfs are negative.
    return [[words[min(int(rng.paretovariate(1.2)) - 1, vocab - 1)]
             for _ in range(rng.randint(0, 40))] for _ in range(n_docs)]


@pytest.mark.parametrize("seed", range(6))
def test_scores_equal_rank_bm25(seed: int) -> None:
    rng = random.Random(seed)
    corpus = _random_corpus(rng, rng.randint(1, 300), rng.randint(5, 200))
    corpus[0] = []  # an empty passage
    ref, ours = BM25Okapi(corpus), ImpactIndex.build(corpus)
    for _ in range(30):
        query = [f"w{min(int(rng.paretovariate(1.0)) - 1, 250)}" for _ in range(rng.randint(1, 8))]
        query.append(query[0])  # a repeated term counts twice, as in rank-bm25
        query.append("never-seen")
        expected = ref.get_scores(query)
        got = ours.scores(query)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-12)
        some = np.array(sorted(rng.sample(range(len(corpus)), min(len(corpus), 7)))[::-1])
        np.testing.assert_allclose(ours.scores_of(query, some), got[some], rtol=1e-12)
        top = ours.top_k(query, 10)[0]
        ref_top = np.argsort(-expected, kind="stable")[:10]
        # Same top 10, up to the order of exact ties.
        assert sorted(expected[top]) == pytest.approx(sorted(expected[ref_top][:len(top)]))


def test_custom_parameters_match() -> None:
    corpus = _random_corpus(random.Random(7), 120, 60)
    ref = BM25Okapi(corpus, k1=0.9, b=0.4, epsilon=0.1)
    ours = ImpactIndex.build(corpus, BM25Params(k1=0.9, b=0.4, epsilon=0.1))
    query = ["w0", "w1", "w5", "w30"]
    np.testing.assert_allclose(ours.scores(query), ref.get_scores(query), rtol=1e-6)


def test_idf_by_hand() -> None:
    # 4 documents; "a" in 3 of them: log(4 - 3 + .5) - log(3 + .5) = log(1.5 / 3.5) < 0,
    # "b" in 1: log(3.5 / 1.5). The mean of the two raw idfs is 0, so "a" floors to 0.
    idf = okapi_idf(4, np.array([3, 1]))
    assert idf[0] == pytest.approx(math.log(1.5 / 3.5))
    assert idf[1] == pytest.approx(math.log(3.5 / 1.5))
    assert floor_negative_idf(idf, 0.25).tolist() == pytest.approx([0.0, math.log(3.5 / 1.5)])


def test_all_terms_frequent_floor() -> None:
    corpus = [["x", "y"], ["x", "y"], ["x"], ["x", "z"]]
    np.testing.assert_allclose(ImpactIndex.build(corpus).scores(["x", "y"]),
                               BM25Okapi(corpus).get_scores(["x", "y"]), rtol=1e-6)


def test_top_k_prefers_marked_documents_at_equal_score() -> None:
    # Rare words everywhere else keep the mean idf positive, so "a" scores above zero.
    corpus = [["a", "b"], ["a", "b"], ["a", "b"], *([f"u{i}"] for i in range(8))]
    index = ImpactIndex.build(corpus)
    prefer = np.zeros(len(corpus), dtype=bool)
    prefer[2] = True
    docs, scores = index.top_k(["a"], 3, prefer=prefer)
    assert docs.tolist() == [2, 0, 1]
    assert len(set(scores.tolist())) == 1


def test_top_k_masks_and_pages() -> None:
    corpus = [["a"] * n + ["pad"] * (5 - n) for n in range(1, 6)]
    corpus += [[f"u{i}"] for i in range(10)]  # "a" in a third of the documents: idf > 0
    index = ImpactIndex.build(corpus)
    assert index.top_k(["a"], 2)[0].tolist() == [4, 3]
    assert index.top_k(["a"], 2, offset=2)[0].tolist() == [2, 1]
    allowed = np.array([True, False, True, False, True] + [True] * 10)
    assert index.top_k(["a"], 5, allowed=allowed)[0].tolist() == [4, 2, 0]
    assert index.top_k(["nothing"], 5)[0].tolist() == []


def test_empty_corpus() -> None:
    index = ImpactIndex.build([])
    assert index.n_docs == 0
    assert index.top_k(["a"], 3)[0].tolist() == []


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match=r"b=1\.5"):
        BM25Params(b=1.5)


@pytest.mark.parametrize("seed", range(4))
def test_sparse_top_k_equals_exhaustive_ranking(seed: int) -> None:
    """top_k scores only the documents the query touches; it must rank as scoring all would."""
    rng = random.Random(100 + seed)
    corpus = _random_corpus(rng, 400, 80)
    index = ImpactIndex.build(corpus)
    allowed = np.array([rng.random() < 0.7 for _ in corpus])
    prefer = np.array([rng.random() < 0.3 for _ in corpus])
    for _ in range(20):
        query = {f"w{rng.randint(0, 79)}": rng.choice([1.0, 2.0, 0.45])
                 for _ in range(rng.randint(1, 6))}
        dense = index.scores(query)
        dense[~allowed] = 0
        positive = np.flatnonzero(dense > 0)
        expected = positive[np.lexsort((positive, ~prefer[positive], -dense[positive]))]
        for k, offset in ((10, 0), (5, 3), (50, 0)):
            docs, scores = index.top_k(query, k, allowed=allowed, prefer=prefer, offset=offset)
            assert docs.tolist() == expected[offset:offset + k].tolist()
            np.testing.assert_allclose(scores, dense[docs], rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_pruned_top_k_keeps_ties_and_odd_weights(seed: int) -> None:
    """Larger corpus, so MaxScore prunes a lot; repeated documents make exact ties at the
    cut; negative and zero weights and the floored idf of very common words make bounds
    that are not simply each term's largest impact."""
    rng = random.Random(200 + seed)
    corpus = _random_corpus(rng, 3000, 500)
    corpus += [list(doc) for doc in rng.sample(corpus, 300)]  # duplicates: equal scores
    index = ImpactIndex.build(corpus)
    for _ in range(60):
        query = {f"w{rng.randint(0, 60) if rng.random() < 0.5 else rng.randint(0, 499)}":
                 rng.choice([1.0, 1.0, 3.0, 0.2, 0.0, -0.5]) for _ in range(rng.randint(1, 10))}
        dense = index.scores(query)
        positive = np.flatnonzero(dense > 0)
        expected = positive[np.lexsort((positive, -dense[positive]))]
        for k in (1, 10, 40):
            docs, scores = index.top_k(query, k)
            assert docs.tolist() == expected[:k].tolist(), query
            np.testing.assert_allclose(scores, dense[docs], rtol=1e-12)
