"""The relevance's pull (index.relevance.question_parts, pull, with_meaning): a passage that
leaves one of the question's words unaddressed comes closer to the question without that word,
and loses that much similarity. The parts and the arithmetic on hand-made inputs; then the real
model (all-MiniLM-L6-v2) on a tiny corpus in a temporary folder, through the reader."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from index import reader as reader_module
from index.build import build_with
from index.embedding import DEFAULT_MODEL
from index.reader import IndexReader
from index.relevance import WITH_PULL, MeaningScale, pull, question_parts, with_meaning
from index.settings import IndexSettings, SemanticSettings
from index.tokenize import Tokenizer

IDF = {"safe": 4.0, "eat": 2.7, "sushi": 6.8, "pregnant": 6.2}


def test_the_parts_leave_out_the_rarest_words_one_at_a_time() -> None:
    question = "Is it safe to eat sushi while pregnant? Sushi, I mean."
    words = Tokenizer().words(question)  # is, it, to, while: stopwords
    parts = question_parts(question, words, lambda w: IDF.get(w, 0.0))
    # The three rarest: sushi (every occurrence, any case), pregnant, safe; in the question's
    # order; eat (the commonest) is never left out.
    assert parts == ["Is it to eat sushi while pregnant? Sushi, I mean.",
                     "Is it safe to eat while pregnant? , I mean.",
                     "Is it safe to eat sushi while ? Sushi, I mean."]


def test_the_pull_is_the_most_a_part_raises_each_cosine() -> None:
    similarity = np.array([0.60, 0.50, 0.40])
    parts = np.array([[0.55, 0.58, 0.30],    # a part: nearer the second passage (+0.08)
                      [0.50, 0.52, 0.45]])   # another: nearer the second and the third
    assert np.allclose(pull(similarity, parts), [0.0, 0.08, 0.05])
    assert np.allclose(pull(similarity, np.zeros((0, 3))), 0.0)


def test_the_pull_lowers_passage_and_title_cosine_alike() -> None:
    scale = MeaningScale(zero=0.14, full=1.0, weight=0.8, title_share=0.3, title_floor=0.44,
                         alone=0.65, pull=2.0)
    words, passage, title = np.array([0.2]), np.array([0.6]), np.array([0.6])
    plain = with_meaning(words, passage, scale, title)
    pulled = with_meaning(words, passage, scale, title, np.array([0.05]))
    # Both cosines 0.1 lower: meaning (0.6 - 0.1 - 0.14) / 0.86 instead of (0.6 - 0.14) / 0.86.
    assert plain[0] == pytest.approx(0.2 * 0.2 + 0.8 * 0.46 / 0.86)
    assert pulled[0] == pytest.approx(0.2 * 0.2 + 0.8 * 0.36 / 0.86)
    # A pull that takes the title under its floor: the passage counts for nothing.
    assert with_meaning(words, passage, scale, title, np.array([0.09]))[0] == 0.0
    # No pull in the scale: the parts change nothing.
    assert with_meaning(words, passage, dataclasses.replace(scale, pull=0.0), title,
                        np.array([0.05]))[0] == plain[0]


NOTES = {
    "sushi.md": ("Are there better or worse days for ordering sushi?",
                 "Most fish markets are closed on Sunday, so the fish a restaurant serves on a "
                 "Monday was bought on Friday or Saturday. Order sushi later in the week, when "
                 "the deliveries are fresh."),
    "tea.md": ("Does green tea help you lose weight?",
               "Catechins and caffeine in green tea raise energy expenditure a little, but the "
               "weight lost in trials was small and not significant."),
}


async def relevances(db: Path, questions: list[str]) -> dict[str, dict[str, float]]:
    async with await IndexReader.open(db) as reader:
        assert await reader.semantic_ready()
        return {q: {h.thread_title: h.relevance or 0.0 for h in await reader.search(q, 5)}
                for q in questions}


def test_the_real_model_pulls_a_neighbour_and_not_an_answer(tmp_path: Path, run,
                                                             monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (title, body) in NOTES.items():
        (corpus / name).write_text(f"---\ntitle: {title}\n---\n\n{body}\n", encoding="utf-8")
    settings = IndexSettings(corpus=corpus, database=tmp_path / "i.db",
                             semantic=SemanticSettings())
    build_with(settings)
    neighbour = "is it safe to eat sushi while pregnant?"
    answered = "which day of the week should I avoid ordering sushi?"
    sushi = NOTES["sushi.md"][0]
    # The pull is measured but off by default (index.relevance.WITH_PULL turns it on, in the
    # calibration the fitted gate replaces by default).
    monkeypatch.setattr(reader_module, "GATES", {})
    monkeypatch.setattr(reader_module, "MEANING", WITH_PULL)
    with_pull = run(relevances(settings.database, [neighbour, answered]))
    monkeypatch.setattr(reader_module, "MEANING", {
        DEFAULT_MODEL: dataclasses.replace(WITH_PULL[DEFAULT_MODEL], pull=0.0)})
    without = run(relevances(settings.database, [neighbour, answered]))
    # The neighbour's passage loses relevance (its question without "pregnant" is nearer it),
    # several times what the answer loses, which stays well above the bot's threshold.
    lost = without[neighbour][sushi] - with_pull[neighbour][sushi]
    assert lost > 0.05
    assert without[answered][sushi] - with_pull[answered][sushi] < lost / 2
    assert with_pull[answered][sushi] >= 0.35
