"""A question is cleaned once, where it enters the bot (bot.questions)."""

from __future__ import annotations

from bot.questions import QUESTION_MAX, clean_question


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
