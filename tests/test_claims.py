"""A quote its answer introduces as the claim under examination is labelled so and never
shown ahead of the evidence (review9 D1: Wikipedia's "In 2012, Thabet developed a formula
..." above a Skeptics answer that says "NO!")."""

from __future__ import annotations

import dataclasses

import pytest

from bot.answering import choose
from index.model import CLAIM, PROMPT, Answer, Passage, Thread
from index.quote_model import mark_claims
from index.sources import source_label
from index.voices import introduces_claim

from .test_answering import hit, ids


@pytest.mark.parametrize("lead", [
    "NO! This extraordinary claim which came from Wikipedia:",
    "The claim to the contrary, for instance voiced here by Ian Plimer on ABC:",
    "Regardless of that, it does counter the source's assertion that",
    "Considerable time has passed, and the claim has been changed. Now the claim says:",
    "They announce extraordinary unreferenced claims like this one on thegloss.com:",
    "Statistic Brain does make the claim:",
    "The claim started with this YouTube video:",
    # review10 D1 (Skeptics 44329): the sentence saying so is not the last.
    "The claim is repeated here by Andrew Solomon. I could not find other instances of it. "
    "The article seems to have been presented at the NIMH.",
])
def test_a_lead_in_that_introduces_the_claim(lead: str) -> None:
    assert introduces_claim(lead)


@pytest.mark.parametrize("lead", [
    "Snopes investigated this claim and concluded it was False.",  # its conclusion follows
    "In fact, a psychologist found a result that suggests the opposite to the original claim:",
    "The missing study is here and it does not confirm the claim, nor it addresses the claim:",
    "The summary of the paper claims:",  # a verb: the paper's finding follows
    "The author claims to have contacted Princeton, and received the following reply:",
    # review11: the lead-in ends pointing at something else, which the quote then is.
    "The claim is made here by a blog. However, the FDA's review found:",
    "The rumor seems to be false.",
    "According to the BBC:",
    None,
])
def test_a_lead_in_that_does_not(lead: str | None) -> None:
    assert not introduces_claim(lead)


def test_a_quote_the_next_paragraph_calls_the_claim() -> None:
    """review10 D1 (Skeptics 34234): an answer opening on the quote, then "The source of the
    claim is this news article ...". "The source of the myth has been traced by ..." after a
    study's quote speaks of the thread's myth, not of that quote."""
    thread = Thread(key="t", title="Did Kaku prove we live in a Matrix?", answers=[Answer(
        passages=[Passage("quote", "It claims Kaku has developed a theory"),
                  Passage("quote", "using primitive semi-radius tachyons."),
                  Passage("answer", "The source of the claim is this news article."),
                  Passage("quote", "Most participants formed the habit in 66 days."),
                  Passage("answer", "The source of the myth has been traced by a columnist."),
                  Passage("quote", "Conventional systems keep drawing power."),
                  Passage("answer", "This claim is a bit surprising."),
                  Passage("quote", "Fries are washed in sugary water.",
                          lead_in="A 2010 study found:"),
                  Passage("answer", "The source of the claim is a 1960 book."),
                  Passage("quote", "Sugar does not make children hyperactive."),
                  Passage("answer", "This myth has been debunked many times.")])])
    mark_claims(thread)
    # The whole quote above (review11: its first part was shown as a plain quote), not a
    # quote its lead-in gives to a study, not one before words about the thread's myth.
    assert [p.source_kind for p in thread.answers[0].passages if p.kind == "quote"] == [
        CLAIM, CLAIM, None, CLAIM, None, None]


def test_a_translation_of_the_claim_is_the_claim() -> None:
    """review12 (Skeptics 44309): a 1930 French newspaper's claim, then "A rough translation of
    this is" and its English, which was shown as an unnamed source's quote, read as evidence.
    A translation of evidence stays evidence, and takes no outlet either way."""
    claim_lead = "The claim was also made in domestic newspapers, e.g. L'Express du Midi:"
    thread = Thread(key="t", title="Was it 50 degrees in Saint-Etienne in 1930?", answers=[
        Answer(passages=[Passage("quote", "50° AU SOLEIL A SAINT-ETIENNE", lead_in=claim_lead),
                         Passage("answer", "A rough translation of this is"),
                         Passage("quote", "50° IN THE SUN IN SAINT-ETIENNE",
                                 lead_in="A rough translation of this is")]),
        Answer(passages=[Passage("quote", "Il faisait 30 degrés.", "Le Monde",
                                 lead_in="Le Monde reported:"),
                         Passage("quote", "It was 30 degrees.",
                                 lead_in="Translated:")])])
    mark_claims(thread)
    assert [(p.source_kind, p.outlet) for a in thread.answers for p in a.passages
            if p.kind == "quote"] == [(CLAIM, None), (CLAIM, None), (None, "Le Monde"),
                                      (None, None)]


def test_a_claim_keeps_whose_words_it_is() -> None:
    thread = Thread(key="t", title="Did Manahel Thabet invent a formula?", answers=[Answer(
        passages=[Passage("answer", "NO!"),
                  Passage("quote", "In 2012, Thabet developed a formula.", "Wikipedia",
                          "https://en.wikipedia.org/wiki/Manahel_Thabet",
                          "NO! This extraordinary claim which came from Wikipedia:"),
                  Passage("quote", "Do not apologize.", lead_in="This claim is my prompt:",
                          source_kind=PROMPT),
                  Passage("quote", "No such formula was published.", "Gulf News",
                          lead_in="Gulf News later reported:")])])
    mark_claims(thread)
    claim, prompt, evidence = thread.answers[0].passages[1:]
    assert (claim.source_kind, claim.outlet) == (CLAIM, "Wikipedia")
    assert prompt.source_kind == PROMPT and evidence.source_kind is None
    assert source_label("quote", "Wikipedia", CLAIM) == \
        "The claim examined, in Wikipedia's words (not evidence)"
    assert source_label("quote", None, CLAIM) == "The claim examined (not evidence)"


def test_a_claim_comes_after_the_evidence_and_the_answer_that_weighs_it() -> None:
    claim = dataclasses.replace(hit("t/a0/p1", 0.8, outlet="Wikipedia"), source_kind=CLAIM)
    verdict = hit("t/a0/p0", 0.75, "answer", outlet=None)
    evidence = hit("t/a1/p1", 0.6, outlet="Gulf News")
    # The verdict shares the claim's answer: the claim waits for a later place, not it.
    assert ids(choose([claim, verdict, evidence], k=3, min_relevance=0.3)) == [
        "t/a0/p0", "t/a1/p1", "t/a0/p1"]
