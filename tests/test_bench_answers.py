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
