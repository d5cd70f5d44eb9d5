"""A question as it enters the bot, made safe once: every path (mention, ``/ask``, auto-answer,
the terminal) cleans it here, and what is searched, shown and stored is that one text, so
every page of an answer ("More") searches exactly what the first page searched."""

from __future__ import annotations

import re
import unicodedata

QUESTION_MAX = 1000  # characters searched and stored; /ask's option allows no more either

_SURROGATE = re.compile(r"[\ud800-\udfff]")  # only unpaired ones survive in a Python str
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_question(text: str) -> str:
    """``text`` in Unicode NFC, unpaired surrogates as U+FFFD (they cannot be encoded, so
    SQLite and Discord refuse them), control characters and runs of white space as one space,
    trimmed to ``QUESTION_MAX`` characters at a word boundary."""
    text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    if len(text) <= QUESTION_MAX:
        return text
    cut = text[:QUESTION_MAX + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > QUESTION_MAX // 2 else cut[:QUESTION_MAX]).rstrip()
