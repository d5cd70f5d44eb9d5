"""What loaders produce: threads with answers, comments and passages.

Plain data, no I/O. A passage is what the bot shows: a ``quote`` (words from a cited source,
with the outlet when known) or ``answer`` (the answerer's own words).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["quote", "answer"]
# The ``source_kind`` of a quote that only repeats its thread's question (``index.quote_model.
# mark_question_quotes``): no source and no evidence; counted, never shown as an answer.
QUESTION = "question"
# The ``source_kind`` of a quote that cites nothing and repeats another answer of its thread
# (``index.quote_model.mark_thread_quotes``): a rebuttal quoting a fellow answerer, no source.
OTHER_ANSWER = "other_answer"
# The ``source_kind`` of a quote that cites nothing and that its lead-in calls a prompt, or
# a chatbot's reply (``index.quote_model.mark_answerer_material``): the answerer's material
# (what they typed, what came back), shown for what it is, never as a source (review7 D7).
PROMPT = "prompt"
CHATBOT_REPLY = "chatbot_reply"
# The ``source_kind`` of a quote its lead-in introduces as the claim the thread examines
# (``index.quote_model.mark_claims``: "This extraordinary claim which came from Wikipedia:"):
# words put forward to be weighed, not evidence; it keeps the outlet whose words they are
# (review9 D1).
CLAIM = "claim"


@dataclass(slots=True)
class Comment:
    text: str
    score: int | None = None
    author: str | None = None
    date: str | None = None


@dataclass(slots=True)
class Passage:
    kind: Kind
    text: str
    outlet: str | None = None
    url: str | None = None
    # The answerer's sentence that introduced a quote ("According to this BBC article ...").
    lead_in: str | None = None
    # A stable id given by the source (a BEIR ``_id``); otherwise the store makes one.
    pid: str | None = None
    # What the quote cites (index.sources): news, reference, scholarly, government,
    # linked_post, file_host or website; None for the answerer's words or no source.
    source_kind: str | None = None


@dataclass(slots=True)
class Answer:
    passages: list[Passage]
    score: int | None = None
    comments: list[Comment] = field(default_factory=list)
    accepted: bool = False
    url: str | None = None
    author: str | None = None
    # When it was written: ISO 8601 ("2020-01-06" or "2020-01-06T02:50:00Z"), where known.
    date: str | None = None


@dataclass(slots=True)
class Thread:
    """A question with its answers. ``key`` is unique in the corpus (site and post id, or file)."""

    key: str
    title: str
    question: str = ""
    url: str | None = None
    site: str | None = None
    score: int | None = None
    tags: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    def passage_id(self, answer: int, index: int, passage: Passage) -> str:
        """A passage's id: the source's own, else one made from its place in the thread."""
        return passage.pid or f"{self.key}/a{answer}/p{index}"

    def passage_ids(self) -> Iterator[str]:
        for a, answer in enumerate(self.answers):
            for i, passage in enumerate(answer.passages):
                yield self.passage_id(a, i, passage)
