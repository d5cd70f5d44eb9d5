"""A question as it enters the bot, made safe once: every path (mention, ``/ask``, auto-answer,
the terminal) cleans it here, and what is searched, shown and stored is that one text, so
every page of an answer ("More") searches exactly what the first page searched."""

from __future__ import annotations

import re
import unicodedata

QUESTION_MAX = 1000  # characters searched and stored; /ask's option allows no more either

_SURROGATE = re.compile(r"[\ud800-\udfff]")  # only unpaired ones survive in a Python str
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Discord markup that is no words: a custom emoji (a picture; shown raw in an answer's title,
# and its name and id, searched as words, turned answered questions into "No good match",
# review14 L5/L6) and a command's mention, which reads as the command.
_CUSTOM_EMOJI = re.compile(r"<a?:\w+:\d+>")
_COMMAND_MENTION = re.compile(r"</([\w -]+):\d+>")


def clean_question(text: str) -> str:
    """``text`` in Unicode NFC, unpaired surrogates as U+FFFD (they cannot be encoded, so
    SQLite and Discord refuse them), control characters and runs of white space as one space,
    custom emoji left out and a command's mention as ``/name``, trimmed to ``QUESTION_MAX``
    characters at a word boundary."""
    text = _COMMAND_MENTION.sub(r"/\1", _CUSTOM_EMOJI.sub(" ", text))
    text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    if len(text) <= QUESTION_MAX:
        return text
    cut = text[:QUESTION_MAX + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > QUESTION_MAX // 2 else cut[:QUESTION_MAX]).rstrip()


# Words that open a question or a request for sources ("why ...", "is it true ...", "source
# for ...", "any evidence ..."): in an auto-answer channel, where nobody mentions the bot, a
# message asks something when it has a question mark or opens with one of these.
_OPENERS = frozenset({
    "who", "whom", "whose", "what", "whats", "which", "when", "where", "why", "how", "is", "are",
    "was", "were", "am", "do", "does", "did", "don't", "doesn't", "didn't", "can", "could",
    "can't", "couldn't", "should", "shouldn't", "would", "wouldn't", "will", "won't", "has",
    "have", "had", "hasn't", "haven't", "may", "might", "must", "shall", "isn't", "aren't",
    "wasn't", "weren't", "any", "anyone", "source", "sources", "evidence", "proof", "citation",
    "citations", "tell", "explain", "show", "find",
})
_WORD = re.compile(r"[\w']+")


def asks_something(text: str) -> bool:
    """Whether a message reads as a question or a request for sources: a question mark, or a
    first word from ``_OPENERS``. "thanks!" and "lol" in an auto-answer channel are talk, not
    questions: they get no answer, no "No good match" and no cooldown."""
    if "?" in text or "\uff1f" in text:
        return True
    first = _WORD.search(text.lower().replace("\u2019", "'"))
    return first is not None and first.group() in _OPENERS


# The reply to a question without words, in Discord (/ask) and in the terminal alike.
WORDLESS = "Ask a question in words, for example: why was Soleimani in Baghdad?"
_WORDLIKE = re.compile(r"[^\W_]")  # a letter or digit: "\w" less "_", which says nothing


def has_words(text: str) -> bool:
    """Whether ``text`` holds anything to search: a letter or digit, not only punctuation
    ("?", "...", "___"), which gets the usage hint rather than "No good match" and a gap."""
    return _WORDLIKE.search(text) is not None


def searchable(text: str) -> str | None:
    """``text`` cleaned (``clean_question``) when what is left has words to search, else None.
    Every entry point decides with this, before any cooldown, so that what it refuses is what
    would be searched: a custom emoji alone is no question (review15 M1)."""
    cleaned = clean_question(text)
    return cleaned if has_words(cleaned) else None


# Not where a sentence ends (that is index.sentences.SENTENCE_END, which needs a space after
# it): the marks after which a post's title reads on into its message with no full stop
# added. ":" introduces the message; "\uff1f" is the full-width question mark.
_TITLE_ENDS = (".", "?", "!", ":", "\u2026", "\uff1f")


def asked_in_post(title: str, body: str) -> str:
    """A forum post's question: its title (where people put the question) and its first
    message (the detail) as one text, the title first so that a long body is cut, not it."""
    title, body = title.strip(), body.strip()
    if not title or body.casefold().startswith(title.casefold()):
        return body
    if not body:
        return title
    return f"{title}{'' if title.endswith(_TITLE_ENDS) else '.'} {body}"
