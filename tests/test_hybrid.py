"""The fusion of BM25 and dense candidates (index.hybrid), on hand-made scores."""

from __future__ import annotations

import numpy as np
import pytest

from index.hybrid import Fusion, fuse, normalised, one_per_thread, rrf, with_titles


def test_normalisations() -> None:
    x = np.array([1.0, 2.0, 3.0, 10.0])
    np.testing.assert_allclose(normalised(x, "minmax"), [0, 1 / 9, 2 / 9, 1])
    z = normalised(x, "zscore")  # the z-score, shifted so the lowest is 0
    assert z.min() == 0 and z.std() == pytest.approx(1)
    np.testing.assert_allclose(z - z.mean(), (x - x.mean()) / x.std())
    # All equal: all the best, no division by zero (a single candidate keeps a positive score).
    assert normalised(np.full(3, 7.0), "zscore").tolist() == [1, 1, 1]
    assert normalised(np.full(1, 7.0), "minmax").tolist() == [1]
    with pytest.raises(ValueError, match="unknown normalisation"):
        normalised(x, "rank")


def test_the_dense_weight_follows_how_well_bm25_covers_the_question() -> None:
    f = Fusion(dense_weight=0.4, dense_weight_uncovered=0.8, covered=0.6, uncovered=0.2)
    assert f.weight(0.9) == pytest.approx(0.4)
    assert f.weight(0.6) == pytest.approx(0.4)
    assert f.weight(0.4) == pytest.approx(0.6)
    assert f.weight(0.1) == pytest.approx(0.8)
    # Without a band the weight is fixed.
    assert Fusion(dense_weight=0.3, covered=0, uncovered=0).weight(0.0) == pytest.approx(0.3)


def test_fuse_weighs_both_scores_of_every_candidate() -> None:
    docs = np.array([3, 5, 8, 9])
    bm25 = np.array([9.0, 1.0, 0.0, 4.0])  # 8: brought by the vectors alone
    cosine = np.array([0.1, 0.5, 0.9, 0.6])
    relevance = np.zeros(4)  # not used by the normalised fusions
    order, scores = fuse(docs, bm25, cosine, relevance, 1.0,
                         Fusion(normalise="minmax", dense_weight=0.5, covered=0.0))
    # 3: 0.5*1 + 0; 5: 0.5/9 + 0.5*0.5; 8: 0 + 0.5; 9: 0.5*4/9 + 0.5*0.625
    assert order.tolist() == [9, 3, 8, 5]  # 3 and 8 tie: by document number
    expected = {3: 0.5, 5: 0.5 / 9 + 0.25, 8: 0.5, 9: 2 / 9 + 0.3125}
    assert dict(zip(order.tolist(), scores.tolist(), strict=True)) == pytest.approx(expected)
    # A question BM25 covers poorly leans on the vectors.
    lean = Fusion(normalise="minmax", dense_weight=0.5, dense_weight_uncovered=1.0,
                  covered=0.5, uncovered=0.1)
    assert fuse(docs, bm25, cosine, relevance, 0.05, lean)[0].tolist() == [8, 9, 5, 3]
    assert fuse(docs[:0], bm25[:0], cosine[:0], relevance[:0], 0.0)[0].size == 0


def test_the_absolute_fusion_weighs_relevance_and_cosine_as_they_are() -> None:
    docs = np.array([3, 5, 8])
    bm25 = np.array([12.0, 3.0, 0.0])  # raw BM25 scores: not used by this fusion
    relevance = np.array([0.2, 0.6, 0.0])
    cosine = np.array([0.3, 0.1, -0.4])  # a negative cosine counts as 0
    f = Fusion(normalise="absolute", dense_weight=0.5, covered=0.0)
    order, scores = fuse(docs, bm25, cosine, relevance, 1.0, f)
    assert order.tolist() == [5, 3, 8]
    assert scores.tolist() == pytest.approx([0.35, 0.25, 0.0])
    # BM25's best covers the question poorly: the weight moves to the cosine.
    lean = Fusion(normalise="absolute", dense_weight=0.5, dense_weight_uncovered=0.9,
                  covered=0.5, uncovered=0.3)
    order, scores = fuse(docs, bm25, cosine, relevance, 0.2, lean)
    assert order.tolist() == [3, 5, 8]
    assert scores.tolist() == pytest.approx([0.1 * 0.2 + 0.9 * 0.3, 0.1 * 0.6 + 0.9 * 0.1, 0])


def test_rrf() -> None:
    docs, scores = rrf([(np.array([1, 2]), 1.0), (np.array([2, 3]), 2.0)], k=1)
    assert docs.tolist() == [2, 3, 1]
    assert scores.tolist() == pytest.approx([1 / 3 + 2 / 2, 2 / 3, 1 / 2])
    assert rrf([])[0].size == 0


def test_one_passage_per_thread_first_then_the_rest_in_order() -> None:
    # Ranked passages of threads 7, 7, 7, 2, 7, 4, 2.
    threads = np.array([7, 7, 7, 2, 7, 4, 2])
    # Two distinct threads first (7's best, then 2's), then all the others as they were.
    assert one_per_thread(threads, 2).tolist() == [0, 3, 1, 2, 4, 5, 6]
    # Three: 7, 2 and 4 first; a thread's second passage waits, never dropped.
    assert one_per_thread(threads, 3).tolist() == [0, 3, 5, 1, 2, 4, 6]
    # More places than threads: each thread's best, then the others.
    assert one_per_thread(threads, 10).tolist() == [0, 3, 5, 1, 2, 4, 6]
    assert one_per_thread(threads, 0).tolist() == list(range(7))
    assert one_per_thread(np.zeros(0, dtype=np.int64), 5).tolist() == []


def test_the_title_counts_in_the_meaning_of_the_first_passages_only() -> None:
    docs = np.array([2, 4, 6, 8])
    bm25 = np.zeros(4)  # not used by the absolute fusion
    relevance = np.array([0.5, 0.5, 0.0, 0.5])
    cosine = np.array([0.6, 0.4, 0.3, -0.2])
    f = Fusion(dense_weight=0.5, covered=0.0, title_weight=0.5)
    ranked, scores = fuse(docs, bm25, cosine, relevance, 1.0, f)
    assert ranked.tolist() == [2, 4, 8, 6]
    assert scores.tolist() == pytest.approx([0.55, 0.45, 0.25, 0.15])
    # The first three's thread titles: 4's is the question's, 2's far from it.
    titles = np.array([0.0, 1.0, 0.5])
    order, fused = with_titles(ranked, scores, (docs, bm25, cosine, relevance, 1.0), titles, f)
    # meaning: 2: 0.5*0.6 + 0 = 0.3; 4: 0.5*0.4 + 0.5 = 0.7; 8: 0 (negative) + 0.25
    assert order.tolist() == [4, 2, 8, 6]
    assert fused.tolist() == pytest.approx([0.25 + 0.35, 0.25 + 0.15, 0.25 + 0.125, 0.15])
    # 6, after the head, keeps its place and a score no higher than the head's last.
    titles = np.array([0.0, 0.0, 0.0])
    order, fused = with_titles(ranked, scores, (docs, bm25, cosine, relevance, 1.0), titles, f)
    assert order.tolist() == [2, 4, 8, 6]
    assert fused.tolist() == pytest.approx([0.4, 0.35, 0.25, 0.15])
    assert list(fused) == sorted(fused, reverse=True)
    # A head of one: 4, after it, keeps its place, its score brought down to the head's.
    order, fused = with_titles(ranked, scores, (docs, bm25, cosine, relevance, 1.0),
                               np.array([0.0]), f)
    assert order.tolist() == [2, 4, 8, 6]
    assert fused.tolist() == pytest.approx([0.4, 0.4, 0.25, 0.15])
    # No title weight, or no titles: the list as it was.
    plain = Fusion(dense_weight=0.5, covered=0.0)
    assert with_titles(ranked, scores, (docs, bm25, cosine, relevance, 1.0), titles,
                       plain)[0].tolist() == ranked.tolist()
    assert with_titles(ranked, scores, (docs, bm25, cosine, relevance, 1.0), titles[:0],
                       f)[1].tolist() == scores.tolist()
