"""RM3 feedback (index.feedback) on tiny inputs whose numbers are worked out by hand."""

from __future__ import annotations

import math

import pytest

from index.feedback import rm3


def test_equal_scores_weigh_the_passages_equally() -> None:
    # Equal first-pass scores: P(d|q) = 1/2 each. P(t|d): d1 a 1/2, b 1/2; d2 b 1/2, c 1/2.
    # P(t|R) = a 1/4, b 1/2, c 1/4; the two best are b, then a (c ties a but comes later).
    # mass = 3/4; with ow = 1/2 and |q| = 1 each feedback term adds (1/2)/(1/2) * 1 / (3/4) =
    # 4/3 of its P(t|R): a = 1 + 1/4 * 4/3 = 4/3, b = 1/2 * 4/3 = 2/3.
    weights = rm3({"a": 1.0}, [["a", "b"], ["b", "b", "c", "c"]], [0.0, 0.0], terms=2,
                  original_weight=0.5)
    assert weights == pytest.approx({"a": 4 / 3, "b": 2 / 3})


def test_scores_weigh_passages_by_their_softmax() -> None:
    # Scores ln 3 and 0: P(d|q) = 3/4 and 1/4. P(t|d1): x 1/2, a 1/4, y 1/4; P(t|d2): y 1.
    # P(t|R) = x 3/8, a 3/16, y 3/16 + 1/4 = 7/16: the best one term is y, mass 7/16.
    # ow = 0.8, |q| = 2: y adds 0.2/0.8 * 2 / (7/16) * 7/16 = 1/2, and the original term
    # keeps its weight 2, which is 0.8 of the new mass (2 / 2.5).
    weights = rm3({"a": 2.0}, [["x", "x", "a", "y"], ["y"]], [math.log(3), 0.0], terms=1,
                  original_weight=0.8)
    assert weights == pytest.approx({"a": 2.0, "y": 0.5})
    assert weights["a"] / sum(weights.values()) == pytest.approx(0.8)


def test_no_passages_leave_the_query_as_it_was() -> None:
    assert rm3({"a": 1.0, "b": 2.0}, [], []) == {"a": 1.0, "b": 2.0}
