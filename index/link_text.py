"""Link text that says nothing once its link is gone ("Source", "This is the link.", "See
the first commit in the repository."): the bot shows an answerer's words without their
links, so such a paragraph would dangle. The loaders leave it out, unless it introduces a
quote (then it is the quote's lead-in, and its link the quote's address)."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words that only point at a link: all a paragraph of them says is "follow the link".
POINTER_WORDS = frozenset({
    "source", "sources", "link", "links", "here", "this", "that", "is", "the", "a", "an",
    "see", "click", "read", "more", "at", "via", "from", "original", "full", "it", "its"})
# Words that open a paragraph that sends the reader to its link ("See the first commit ...").
OPENERS = frozenset({"see", "click", "read", "here", "source", "sources", "link", "links",
                     "more", "via", "from"})
_WORD = re.compile(r"[^\W_]+")
# Link text that is an address ("https://openai.com/...", "example.org") shows where it led.
_ADDRESS = re.compile(r"://|\bwww\.|\w\.(?:com|org|net|edu|gov|io|co)\b", re.IGNORECASE)
# A longer paragraph says something of its own, link or not.
MAX_WORDS = 12


def says_nothing_without_link(text: str, anchors: Sequence[str] = (),
                              offsets: Sequence[int] = ()) -> bool:
    """``text`` (a paragraph of the answerer's) is pointer words only ("Source", "Link
    here."), or, where its links' texts and places are known, opens by sending the reader
    to a link ("See", "Read", "Here") whose text names nothing (no capitalised word but
    pointer words, no address: "See the first commit in the repository.", not "See Reuters."
    or a headline), with pointer words alone around it. A paragraph ending in ":"
    introduces what follows: never."""
    stripped = text.strip()
    words = _WORD.findall(stripped)
    if not words or len(words) > MAX_WORDS or stripped.endswith(":") or _ADDRESS.search(text):
        return False
    if all(w.casefold() in POINTER_WORDS for w in words):
        return True
    if not anchors or len(offsets) != len(anchors) or words[0].casefold() not in OPENERS:
        return False
    inside = [False] * len(text)
    for anchor, at in zip(anchors, offsets, strict=True):
        if text[at:at + len(anchor)] != anchor:
            return False  # not where it was said to be: unknown
        inside[at:at + len(anchor)] = [True] * len(anchor)
    for m in _WORD.finditer(text):
        word = m.group()
        pointer = word.casefold() in POINTER_WORDS
        if inside[m.start()]:
            if not (pointer or word[0].islower()):
                return False  # a name or a title: it says what the link was
        elif not pointer:
            return False  # the paragraph's own words
    return True
