"""The embedding experiment's own arithmetic (bench/quote_embed.py): the cosines it adds to the
paragraph-style features and the folds it cross-validates on. The experiment itself embeds the
tuning half with the real model and is a bench command, not part of the suite."""

from __future__ import annotations

import numpy as np
import pytest

from bench.quote_embed import BUCKETS, answer_cosines, folds, last_lead_ins
from index.outlets import Gazetteer


def test_each_paragraph_is_compared_with_its_neighbours_lead_in_question_and_the_rest() -> None:
    # Three unit vectors: the lead-in, a quote at 60 degrees from it, the answerer's reply
    # at right angles to the lead-in.
    vectors = np.array([[1.0, 0.0], [0.5, np.sqrt(3) / 2], [0.0, 1.0]])
    question = np.array([1.0, 0.0])
    lead, quote, reply = answer_cosines(vectors, [None, 0, 0], question)
    assert lead["cos_prev_none"] == lead["cos_lead_none"] == 1.0
    assert lead["cos_next"] == pytest.approx(0.5) and lead["cos_question"] == pytest.approx(1.0)
    assert quote["cos_prev"] == pytest.approx(0.5) and quote["cos_lead"] == pytest.approx(0.5)
    assert quote["cos_next"] == pytest.approx(np.sqrt(3) / 2)
    assert reply["cos_lead"] == pytest.approx(0.0) and reply["cos_next_none"] == 1.0
    # The rest of the answer for the reply: the mean of the lead-in and the quote.
    rest = (vectors[0] + vectors[1]) / 2
    assert reply["cos_rest"] == pytest.approx(float(vectors[2] @ rest / np.linalg.norm(rest)))
    # Each cosine also falls in one bucket: 0.5 is at or above the first three edges.
    assert quote["cos_prev_b3"] == 1.0 and BUCKETS[2] == 0.5
    assert not any(k.startswith("cos_prev_b") and k != "cos_prev_b3" for k in quote)


def test_an_answer_of_one_paragraph_without_a_question_has_only_missing_cosines() -> None:
    [only] = answer_cosines(np.array([[0.0, 1.0]]), [None], None)
    assert only == {"cos_prev_none": 1.0, "cos_next_none": 1.0, "cos_lead_none": 1.0,
                    "cos_question_none": 1.0, "cos_rest_none": 1.0}


def test_the_last_lead_in_before_each_paragraph(gazetteer: Gazetteer) -> None:
    paragraphs = ["According to this BBC article:", "Troops left the base on Friday.",
                  "They came back on Monday.", "The Reuters report says that", "Nobody left."]
    assert last_lead_ins(paragraphs, gazetteer) == [None, 0, 0, 0, 3]


@pytest.mark.parametrize("seed", [None, 7])
def test_folds_keep_each_answer_whole_and_test_every_paragraph_once(seed: int | None) -> None:
    groups = [0, 0, 1, 2, 2, 2, 3, 4, 5, 5, 6, 7, 8, 9, 9]
    split = folds({"group": groups}, seed)
    assert len(split) == 5
    tested = np.concatenate([test for _, test in split])
    assert sorted(tested.tolist()) == list(range(len(groups)))
    for train, test in split:
        assert not {groups[i] for i in train} & {groups[i] for i in test}


def test_precision_where_the_recall_target_is_first_reached() -> None:
    from bench.quote_embed import precision_at_recall

    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    y = np.array([True, False, True, False, True])
    none = np.zeros(5, dtype=bool)
    # Two of three quoted paragraphs (67%) are found at 0.7, with three shown.
    assert precision_at_recall(scores, y, none, 0.6) == pytest.approx(2 / 3)
    assert precision_at_recall(scores, y, none, 1.0) == pytest.approx(3 / 5)
    # A kept paragraph counts before any threshold: the one at 0.5, quoted.
    kept = np.array([False, False, False, False, True])
    assert precision_at_recall(scores, y, kept, 0.6) == pytest.approx(2 / 2)
