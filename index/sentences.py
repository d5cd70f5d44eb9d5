"""Where sentences end in an answer's text: for trimming and lead-ins (``SENTENCE_END``), and
for the sentences the relevance gate reads and Discord's cuts (a line ends one too:
``SENTENCE_OR_LINE_END``). Both patterns match every full stop, an abbreviation's too; where it
matters whether one ends a sentence ("U.S. President" goes on), ``after_abbreviation`` says."""

from __future__ import annotations

import re

# A full stop after these ends no sentence: "Dehhaghi et al. wrote", "J. Smith", "U.S. embassy".
_ABBREVIATION = re.compile(
    r"(?:\b(?:al|etc|vs|e\.g|i\.e|cf|Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|Inc|Ltd|Co|No|Vol|pp|Fig|"
    r"approx|ca)|\b[A-Z]|(?:\b[A-Za-z]\.)+[A-Za-z])\.$")


def after_abbreviation(text: str, at: int) -> bool:
    """Whether the mark at ``text[at]`` is an abbreviation's full stop, which ends no sentence."""
    return text[at] == "." and _ABBREVIATION.search(text, 0, at + 1) is not None


def last_sentence(text: str) -> str:
    """The last sentence of ``text`` (a full stop after an abbreviation ends none)."""
    text = " ".join(text.split())
    start = 0
    for m in SENTENCE_END.finditer(text):
        if not after_abbreviation(text, m.start()):
            start = m.end()
    return text[start:]



# A sentence ends at . ! ? or … (closing quotes and brackets after it), then a space.
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")


# The sentences of a passage the relevance gate reads, at most, and each cut to this many
# characters: about the model's 256-token window, so a long line
# without a full stop costs no more than the model reads (the longest sentence held by the
# tuning questions' candidates has 780).
SENTENCES = 12
SENTENCE_CHARS = 1000
# A sentence held for the rarest word and longer than this is embedded as this many characters
# around the word's first place (``window``): embedding costs by the token, about 0.05 ms a
# character on this machine, and a 1,000-character sentence made a question's p99 at a
# million passages (h19lat's tail: 22-76 ms in the sentences). The words far from the rare
# one say least about whether the sentence is about it.
SENTENCE_WINDOW = 240
# A sentence's end, or a line's (lists end their lines without a full stop); bot.render cuts
# passages for Discord at the same ends.
SENTENCE_OR_LINE_END = re.compile(r"""[.!?…]["'”’)\]]*(?=\s)|\n""")


def sentences(text: str, most: int = SENTENCES, chars: int = SENTENCE_CHARS) -> list[str]:
    """The first ``most`` sentences of ``text`` (a line counts as one), stripped, none empty,
    each cut to ``chars`` characters."""
    out: list[str] = []
    start = 0
    for m in SENTENCE_OR_LINE_END.finditer(text):
        if piece := text[start:m.end()].strip():
            out.append(piece[:chars])
        start = m.end()
    if piece := text[start:].strip():
        out.append(piece[:chars])
    return out[:most]


def window(sentence: str, at: int, chars: int = SENTENCE_WINDOW) -> str:
    """At most ``chars`` characters of ``sentence`` around its character ``at``, centred on it
    where the sentence allows, cut at spaces (no word in part); whole when short enough."""
    if len(sentence) <= chars:
        return sentence
    start = max(0, min(at - chars // 2, len(sentence) - chars))
    end = start + chars
    if start > 0 and not sentence[start - 1].isspace():  # a word cut at the start: drop it
        start = next((i + 1 for i in range(start, end) if sentence[i].isspace()), start)
    if end < len(sentence) and not sentence[end].isspace():  # and at the end
        end = next((i for i in range(end - 1, start, -1) if sentence[i].isspace()), end)
    return sentence[start:end].strip()
