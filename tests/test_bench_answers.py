"""``make answers`` counts a passage shown inside a joined quote as shown (h19gate)."""

from __future__ import annotations

import dataclasses

from bench.answers import Question, members
from bot.answering import choose

from .test_answering import hit


def test_a_passage_shown_inside_a_joined_quote_counts_as_shown() -> None:
    texts = {"t/a0/p2": "The first part of it.", "t/a0/p3": "The second part of it.",
             "t/a0/p4": "A third part of it."}
    run = [dataclasses.replace(hit(pid, 0.9), text=text) for pid, text in texts.items()]
    [joined] = choose(run[:2], k=3, min_relevance=0.3)
    assert joined.passage_id == "t/a0/p2"
    assert joined.text == "The first part of it.\n\nThe second part of it."
    assert members(joined, texts) == ["t/a0/p2", "t/a0/p3"]  # not p4: not shown
    question = Question("what is in the second part?", ("t/a0/p3",), "tune")
    assert question.shown_right(members(joined, texts))
    assert not question.shown_right([joined.passage_id])  # how it was counted before
    assert members(run[2], texts) == ["t/a0/p4"]


def test_the_gate_fit_scores_a_passage_inside_a_joined_quote_as_shown() -> None:
    # bench.gate_fit chooses the gate's threshold by the same count as make answers.
    import numpy as np

    from bench.gate_fit import Asked, right

    texts = {"t/a0/p2": "The first part of it.", "t/a0/p3": "The second part of it.",
             "t/a1/p0": "Another answer's words."}
    hits = [dataclasses.replace(hit(pid, 0.9), text=text) for pid, text in texts.items()]
    question = Question("what is in the second part?", ("t/a0/p3",), "tune")
    asked = Asked(question, hits, np.zeros((3, 0)), np.array([False, True, False]))
    assert right(asked, np.array([0.9, 0.8, 0.2]), 0.35, 3)  # p2+p3 joined under p2's id
    assert not right(asked, np.array([0.9, 0.2, 0.8]), 0.35, 3)  # p3 below: not shown


def test_every_split_of_the_question_file_is_a_split_choice() -> None:
    # A set added to bench/answers_questions.toml must be askable with --split, and a choice
    # must have questions: otherwise a blind set is run empty or not at all.
    from bench.answers import SPLITS, read_questions

    questions = read_questions()
    assert {q.split for q in questions} == set(SPLITS)
    for q in questions:
        assert q.text.strip(), q
        assert all(e and e == e.strip() and " " not in e for e in q.expect), q
