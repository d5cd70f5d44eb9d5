"""Prompts and chatbot replies an answerer shows (review7 D7): labelled for what they are,
never a cited source."""

from __future__ import annotations

import pytest

from index.model import CHATBOT_REPLY, PROMPT, Answer, Passage, Thread
from index.quote_model import mark_answerer_material
from index.sources import source_label
from index.voices import answerer_material, transcript_speaker


@pytest.mark.parametrize(("lead", "kind"), [
    ("ChatGPT:", "chatbot_reply"),
    ("This is the result.", "chatbot_reply"),
    ("It answered.", "chatbot_reply"),
    ("I asked Bing the same question, and this is its answer.", "chatbot_reply"),
    ("This is what ChatGPT says when I paste your question verbatim:", "chatbot_reply"),
    ("Both ChatGPT and Bard give this as their response to the prompt above:", "chatbot_reply"),
    ("User: Why do you give silly answers sometimes? ChatGPT", "chatbot_reply"),
    ("ChatGPT (417 chars):", "chatbot_reply"),  # a transcript's speaker labels
    ("Assistant", "chatbot_reply"),
    ("Me:", "prompt"),
    ("User (edited):", "prompt"),
    ("Use this Prompt", "prompt"),
    ("Prompt:", "prompt"),
    ("If you have ChatGPT Plus - Go to custom instructions and add the following prompt",
     "prompt"),
    ("I used the prompt on https://bard.google.com/:", "prompt"),
    ("Along with the negative prompt:", "prompt"),
    ("I asked ChatGPT this.", "prompt"),
    ("This is what I used to get an example of labelled list that ChatGPT would normally "
     "generates.", "prompt"),  # review12 D3
    # Not called either: stays a quote whose source is not named.
    ("This is what I used as a reference when I wrote the policy for my team:", None),
    ("This is what I entered into the form, and it still failed:", None),  # review13 F5
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


@pytest.mark.parametrize(("text", "kind"), [
    ("ChatGPT: Look, I'm not here to sugarcoat things.", "chatbot_reply"),
    ("assistant: A stable environment is one where ...", "chatbot_reply"),
    ("User: What is 2 + 2?\nChatGPT: 2 + 2 equals 4.", "chatbot_reply"),
    ("Me: Write a story in Chinese about a character who changes.", "prompt"),
    ("Note: the model was retrained in 2023.", None),
    ("Meanwhile ChatGPT: no.", None),
])
def test_a_quote_that_opens_on_a_speaker_label(text: str, kind: str | None) -> None:
    assert transcript_speaker(text) == kind
    assert transcript_speaker(text, about_chatbots=False) is None


def test_a_transcript_under_its_speaker_labels() -> None:
    """genai answer 530 sets out a chat as "Me:" / "ChatGPT (417 chars):" paragraphs: each
    quote is the answerer's prompt or the chatbot's reply, not a source's words."""
    chat = Thread(key="c", title="Can ChatGPT write a long story in Chinese?", answers=[Answer(
        passages=[Passage("answer", "Below is an example. Me:"),
                  Passage("quote", "Write a story in Chinese.", lead_in="Below is an example. Me:"),
                  Passage("answer", "ChatGPT (417 chars):"),
                  Passage("quote", "在远古的岁月中", lead_in="ChatGPT (417 chars):"),
                  Passage("quote", "ChatGPT: Look, I am not here to apologise.",
                          lead_in="You may get some funny responses if you push it:")])])
    mark_answerer_material(chat)
    assert [p.source_kind for p in chat.answers[0].passages] == [
        None, PROMPT, None, CHATBOT_REPLY, CHATBOT_REPLY]


def test_a_reply_set_as_several_blockquotes_is_the_reply_throughout() -> None:
    """review10 D2: genai answer 91 sets ChatGPT's reply as four blockquotes, only the first
    opening on "assistant:"; the next ones, nothing between, are the reply too. A quote
    after the answerer's words again is not."""
    chat = Thread(key="c", title="How can I get ChatGPT to vary paragraph lengths?",
                  answers=[Answer(passages=[
                      Passage("answer", "For instance:"),
                      Passage("quote", "assistant: A stable environment is calm.",
                              lead_in="For instance:"),
                      Passage("quote", "Furthermore, it is safe."),
                      Passage("quote", "Lastly, it is kind."),
                      Passage("answer", "The paragraphs are all alike. OpenAI says:"),
                      Passage("quote", "Models repeat patterns.",
                              lead_in="The paragraphs are all alike. OpenAI says:")])])
    mark_answerer_material(chat)
    assert [p.source_kind for p in chat.answers[0].passages] == [
        None, CHATBOT_REPLY, CHATBOT_REPLY, CHATBOT_REPLY, None, None]
    # One blockquote cut into passages keeps its lead-in: still the reply. A quote after a
    # prompt, unlabelled, is not taken for the prompt (review11).
    cut = Thread(key="d", title="Why does ChatGPT repeat itself?", answers=[Answer(passages=[
        Passage("quote", "ChatGPT: Here is a poem.", lead_in="For instance:"),
        Passage("quote", "The second stanza goes on.", lead_in="For instance:"),
        Passage("quote", "Me: Write a poem about rain.", lead_in="I tried:"),
        Passage("quote", "Rain falls on the roof.")])])
    mark_answerer_material(cut)
    assert [p.source_kind for p in cut.answers[0].passages] == [
        CHATBOT_REPLY, CHATBOT_REPLY, PROMPT, None]
