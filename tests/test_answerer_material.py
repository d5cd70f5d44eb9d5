"""Prompts and chatbot replies an answerer shows (review7 D7): labelled for what they are,
never a cited source."""

from __future__ import annotations

import pytest

from index.attribution import answerer_material
from index.model import CHATBOT_REPLY, PROMPT, Answer, Passage, Thread
from index.quote_model import mark_answerer_material
from index.sources import source_label


@pytest.mark.parametrize(("lead", "kind"), [
    ("ChatGPT:", "chatbot_reply"),
    ("This is the result.", "chatbot_reply"),
    ("It answered.", "chatbot_reply"),
    ("I asked Bing the same question, and this is its answer.", "chatbot_reply"),
    ("This is what ChatGPT says when I paste your question verbatim:", "chatbot_reply"),
    ("Both ChatGPT and Bard give this as their response to the prompt above:", "chatbot_reply"),
    ("User: Why do you give silly answers sometimes? ChatGPT", "chatbot_reply"),
    ("Use this Prompt", "prompt"),
    ("Prompt:", "prompt"),
    ("If you have ChatGPT Plus - Go to custom instructions and add the following prompt",
     "prompt"),
    ("I used the prompt on https://bard.google.com/:", "prompt"),
    ("Along with the negative prompt:", "prompt"),
    ("I asked ChatGPT this.", "prompt"),
    # Not called either: stays a quote whose source is not named.
    ("Note these two restrictions from the license:", None),
    ("Here's my summary of ChatGPT's story:", None),
    ("The guide's section on prompts says:", None),
    ("It says:", None),
    ("Result:", None),
])
def test_what_a_lead_in_calls_the_quote(lead: str, kind: str | None) -> None:
    assert answerer_material(lead) == kind


def test_only_in_an_answer_about_chatbots() -> None:
    """Skeptics: "This is the result." of a study, "They said:" of a company are sources'
    words; the rules speak of chatbots only where the answer or its thread does."""
    study = Thread(key="s", title="Does coffee stunt growth?", answers=[Answer(passages=[
        Passage("answer", "The study tested 40 children."),
        Passage("quote", "Growth was the same in both groups.", lead_in="This is the result.")])])
    chat = Thread(key="c", title="How do I stop ChatGPT apologizing?", answers=[Answer(passages=[
        Passage("answer", "Use this Prompt"),
        Passage("quote", "Do not apologize.", lead_in="Use this Prompt"),
        Passage("quote", "Sure! I will not.", lead_in="This is the result."),
        Passage("quote", "Do not apologize.", "OpenAI", None, "Use this Prompt")])])
    mark_answerer_material(study)
    mark_answerer_material(chat)
    assert [p.source_kind for p in study.answers[0].passages] == [None, None]
    assert [p.source_kind for p in chat.answers[0].passages] == [
        None, PROMPT, CHATBOT_REPLY, None]  # a named source's words stay its own
    assert "not a source" in source_label("quote", None, PROMPT)
    assert "not a source" in source_label("quote", None, CHATBOT_REPLY)
