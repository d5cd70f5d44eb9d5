"""A question is cleaned once, where it enters the bot (bot.questions)."""

from __future__ import annotations

from bot.questions import (
    QUESTION_MAX,
    asked_in_post,
    asks_something,
    clean_question,
    has_words,
    searchable,
)


def test_text_sqlite_and_discord_would_refuse_is_replaced() -> None:
    assert clean_question("\ud800 why\x00was\u0007 he\r\nthere?\udfff") == \
        "\ufffd why was he there?\ufffd"
    clean_question("\ud83d").encode("utf-8")  # encodable: no UnicodeEncodeError


def test_one_normal_form() -> None:
    assert clean_question("Qa\u0304sem") == "Q\u0101sem"  # NFC: the same text as typed


def test_long_questions_are_trimmed_at_a_word() -> None:
    text = "Soleimani Baghdad " * 100
    cleaned = clean_question(text)
    assert len(cleaned) <= QUESTION_MAX and text.startswith(cleaned)
    assert cleaned.split()[-1] in {"Soleimani", "Baghdad"}
    assert len(clean_question("x" * 5000)) == QUESTION_MAX
    assert clean_question(cleaned) == cleaned


def test_what_reads_as_a_question_in_an_auto_answer_channel() -> None:
    for text in ("why was Soleimani in Baghdad", "Was he in Baghdad?", "Soleimani Baghdad?",
                 "Doesn’t coffee stunt growth", "source for the Baghdad strike",
                 "any evidence that sugar makes kids hyperactive", "tell me about kuru",
                 "Is it true that... the strike was legal", "？"):
        assert asks_something(text), text
    for text in ("thanks!", "lol", "Soleimani Baghdad", "I think that's wrong",
                 "great answer, this helps", "", "<@123> ok", "howdy all"):
        assert not asks_something(text), text


def test_punctuation_alone_has_no_words_to_search() -> None:
    assert not has_words("   ?  ") and not has_words("?!…") and not has_words("")
    assert has_words("why?") and has_words("¿Qué?") and has_words("2020?")
    assert not has_words("___") and not has_words("_?_")  # review15 N8: "_" says nothing


def test_a_question_is_judged_as_it_will_be_searched() -> None:
    """review15 M1: a custom emoji alone had words before cleaning ("pepe"), none after: it
    was searched and answered "No good match" in public."""
    assert searchable("<:pepe:123456789012345678>") is None
    assert searchable("  <a:dance:1>  ?  ") is None and searchable("__") is None
    assert searchable("<:pepe:1> why   did the dam fail?") == "why did the dam fail?"


def test_a_forum_post_is_asked_by_its_title_and_its_message() -> None:
    assert asked_in_post("Why did the dam fail?", "It was new.") == \
        "Why did the dam fail? It was new."
    assert asked_in_post("Dam failure", "why did it fail?") == "Dam failure. why did it fail?"
    assert asked_in_post("Why did the dam fail?", "") == "Why did the dam fail?"
    # A message that repeats the title is not asked twice.
    assert asked_in_post("Why did the dam fail?", "why did the dam fail? It was new.") == \
        "why did the dam fail? It was new."


def test_custom_emoji_are_left_out_and_command_mentions_read_as_commands() -> None:
    """review14 L5/L6: "<:pepe:123…>" showed raw in an answer's title, and its words turned
    an answered question into "No good match" with BM25 alone."""
    assert clean_question("why did the dam fail? <:pepe:123456789012345678> <a:dance:5>") == \
        "why did the dam fail?"
    assert clean_question("see </ask:1> or </sources list:22>") == "see /ask or /sources list"
    assert clean_question("<@123> <#4> <t:0:R> :pepe:") == "<@123> <#4> <t:0:R> :pepe:"
