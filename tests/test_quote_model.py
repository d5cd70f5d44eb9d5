"""Unmarked quotes found by the paragraph-style model (index/quote_model.py): what it reads of
a paragraph, how its verdict and the rules' named evidence make passages, and that the
committed weights are a model the loaders can use."""

from __future__ import annotations

import json

import numpy as np

from bench.quote_train import _best_threshold
from index.attribution import classify
from index.loaders import LoadContext
from index.loaders.plaintext import answer_text_passages
from index.model import QUESTION, Answer, Passage, Thread
from index.outlets import Gazetteer
from index.quote_model import (
    MODEL,
    Model,
    features,
    mark_question_quotes,
    named_evidence,
    only_asks,
    quotes_question,
    style,
    unmarked_passages,
)


def test_style_tells_a_sources_prose_from_the_answerers() -> None:
    source = style("The minister said on 3 January 2020 that 42% of the troops had left [1].")
    answerer = style("I think you misread the question: my answer above says so, doesn't it?")
    assert (source["first_person"], source["you"], source["question"]) == (0.0, 0.0, 0.0)
    assert (source["said"], source["cite"], source["percent"], source["month"]) == \
        (1.0, 1.0, 1.0, 1.0)
    assert source["year"] > 0
    assert (answerer["first_person"], answerer["you"], answerer["question"]) == \
        (1.0, 1.0, 1.0)
    assert answerer["site"] > 0 and answerer["contraction"] == 1.0


def test_features_see_the_lead_in_and_the_neighbours(gazetteer: Gazetteer) -> None:
    lead, quote, after = features(["According to this BBC article:",
                                   "Troops left the base on Friday.",
                                   "So the claim is false."], gazetteer)
    assert lead["lead"] == 1.0 and lead["p:none"] == 1.0
    assert quote["p:lead"] == 1.0 and quote["p:named"] == 1.0 and quote["p:ends_colon"] == 1.0
    assert quote["rule"] == 1.0 and quote["w:troops"] == 1.0 and quote["w:the_base"] == 1.0
    assert quote["nw:so"] == 1.0 and after["n:none"] == 1.0 and after["since1"] == 1.0


def test_the_model_decides_where_the_rules_have_no_named_evidence(gazetteer: Gazetteer) -> None:
    # A toy model: a paragraph citing "[1]" is quoted, nothing else is.
    model = Model({"bias": -5.0, "cite": 10.0}, threshold=0.5)
    paragraphs = ["The review sums it up:", "Sugar intake was not linked to weight gain [1].",
                  "Here is my own list:", "Eat less sugar, and you will feel better."]
    passages = unmarked_passages(paragraphs, gazetteer, model)
    assert [p.kind for p in passages] == ["answer", "quote", "answer", "answer"]
    assert passages[1].lead_in == "The review sums it up:"
    # Without "[1]" the same paragraph is the answerer's, though a colon comes before it.
    plain = unmarked_passages([paragraphs[0], "Sugar intake was not linked to weight gain."],
                              gazetteer, model)
    assert [p.kind for p in plain] == ["answer", "answer"]


def test_a_model_quote_takes_its_outlet_from_the_lead_in_before_its_run(
        gazetteer: Gazetteer) -> None:
    model = Model({"bias": -5.0, "cite": 10.0}, threshold=0.5)
    passages = unmarked_passages(["Officials said the plan failed [2].",
                                  "Nobody disputed it [3]."], gazetteer, model)
    # The first paragraph is quoted itself: the run has no lead-in of the answerer.
    assert [p.kind for p in passages] == ["quote", "quote"]
    assert {p.lead_in for p in passages} == {None}
    passages = unmarked_passages(["This Reuters article reports:",
                                  "Officials said the plan failed [2].",
                                  "Nobody disputed it [3]."], gazetteer, model)
    assert [(p.kind, p.outlet) for p in passages[1:]] == [("quote", "Reuters")] * 2


def test_named_evidence_keeps_the_rules_news_quotes_unless_the_model_vetoes_them(
        gazetteer: Gazetteer) -> None:
    unsure = Model({"bias": 0.0}, threshold=0.9)  # every paragraph scores 0.5
    paragraphs = ["According to this BBC article Soleimani was in Iraq to meet the Iraqi "
                  "Prime Minister:",
                  "The Iraqi prime minister revealed he had been due to meet Soleimani on "
                  "Friday.",
                  "So I think the claim is false."]
    passages = unmarked_passages(paragraphs, gazetteer, unsure)
    assert [(p.kind, p.outlet) for p in passages] == [
        ("answer", None), ("quote", "BBC"), ("answer", None)]
    # Below VETO the model overrules the rules: "It seems, ..." after a news lead-in.
    sure_not = Model({"bias": -30.0}, threshold=0.9)
    assert [p.kind for p in unmarked_passages(paragraphs, gazetteer, sure_not)] == \
        ["answer"] * 3


def test_a_paragraph_in_quotation_marks_is_named_evidence(gazetteer: Gazetteer) -> None:
    paragraphs = ["The government answered in a statement:",
                  "\"The assassination is an aggression on Iraq,\" Abdul Mahdi said in a "
                  "statement.",
                  "\"Not a word\" and \"not a second\" are what the answerer quotes here."]
    ruled = classify(paragraphs, gazetteer)
    kept = named_evidence(paragraphs, ruled, gazetteer)
    assert kept[:2] == [False, True]
    assert kept[2] is False  # two quotations inside the answerer's own sentence


def test_a_run_closed_by_the_next_news_source_is_named_evidence(gazetteer: Gazetteer) -> None:
    paragraphs = ["He was killed with a militia leader:",
                  "He was credited with being a key leader in the militias.",
                  "And equally important was his role in founding one of them.",
                  "Furthermore, Reuters has published an article saying that he planned "
                  "attacks.",
                  "Soleimani met his allies at a villa on the river."]
    kept = named_evidence(paragraphs, classify(paragraphs, gazetteer), gazetteer)
    assert kept == [False, True, True, False, True]


def test_a_paragraph_repeating_the_question_is_a_quote_of_it(gazetteer: Gazetteer) -> None:
    never = Model({"bias": -30.0}, threshold=0.9)  # the model quotes nothing
    question = ("Was Soleimani in Iraq to meet the prime minister? The U.S. says he planned "
                "attacks.\n\nWhy was he there at all?")
    paragraphs = ["In your question you write:",
                  "Was Soleimani in Iraq to meet the prime minister?", "Why was he",
                  "I think he was in Iraq to meet the prime minister.",
                  "The U.S. says he planned attacks:"]
    # Word for word (case and punctuation aside); three words or a lead-in are not enough.
    assert quotes_question(paragraphs, question) == [False, True, False, False, False]
    assert quotes_question(paragraphs, None) == [False] * 5
    passages = unmarked_passages(paragraphs, gazetteer, never, question=question)
    assert [p.kind for p in passages] == ["answer", "quote", "answer", "answer", "answer"]
    assert (passages[1].lead_in, passages[1].outlet, passages[1].url) == \
        ("In your question you write:", None, None)
    assert [p.kind for p in unmarked_passages(paragraphs, gazetteer, never)] == ["answer"] * 5


def test_a_quote_that_only_asks_a_question_is_no_evidence() -> None:
    """Skeptics: an answer about passive marijuana smoke quotes another thread's question
    ("... on lobsters?"); a reviewer saw it shown as a quote in an answer."""
    texts = ["Is there any scientific evidence that marijuana has any effect on lobsters?",
             "The study found no effect. Why would it?", "Why not?",
             "Lobsters exposed to vapour were calmer, the study found.",
             "“Did the minister know about the strike?”"]
    assert [only_asks(t) for t in texts] == [True, False, False, False, True]
    thread = Thread(key="t", title="Does second-hand marijuana smoke make you high?",
                    answers=[Answer(passages=[Passage("quote", t) for t in texts] + [
                        Passage("quote", "Why did the ferry sink?", "BBC", None)])])
    mark_question_quotes(thread)
    assert [p.source_kind for p in thread.answers[0].passages] == [
        QUESTION, None, None, None, QUESTION, None]  # a named source's words are its own


def test_the_committed_model_is_used_by_the_plain_text_path() -> None:
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    model = Model.load()
    assert 0 < model.threshold < 1 and len(model.weights) == len(data["weights"]) > 100
    assert "tuning half" in data["about"] and data["cross_validated"]["precision"] >= 0.85
    ctx = LoadContext(passage_chars=0)
    # An answerer's list and opinion after a colon are the answerer's words.
    answer = ("Here is what I think you should do:\n\n"
              "I would check the question again, do you not agree? I'm fairly sure.\n")
    assert [p.kind for p in answer_text_passages(answer, ctx)] == ["answer", "answer"]
    # The same answer repeating the thread's question: that paragraph is a quote of it.
    asked = "I would check the question again, do you not agree? I'm fairly sure."
    assert [p.kind for p in answer_text_passages(answer, ctx, question=asked)] == \
        ["answer", "quote"]


def test_the_threshold_is_the_lowest_that_keeps_the_precision() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    y = np.array([True, True, False, True, False, False])
    kept = np.zeros(6, dtype=bool)
    assert _best_threshold(scores, y, kept, 0.75) == (0.6, 1.0, 0.75)
    assert _best_threshold(scores, y, kept, 1.0) == (0.8, 2 / 3, 1.0)
    # A kept paragraph that is not quoted costs precision before any threshold.
    kept[5] = True
    assert _best_threshold(scores, y, kept, 1.0) is None


def test_refitted_weights_make_a_build_read_its_files_again(tmp_path) -> None:
    from index.quote_model import fingerprint

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"weights": {"bias": 1.0}, "threshold": 0.5}', encoding="utf-8")
    b.write_text('{"weights": {"bias": 2.0}, "threshold": 0.5}', encoding="utf-8")
    assert fingerprint(a) != fingerprint(b)
    assert Model.load(a).weights == {"bias": 1.0}
