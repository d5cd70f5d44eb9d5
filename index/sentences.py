"""Where sentences end in an answer's text (an abbreviation's full stop ends none)."""

from __future__ import annotations

import re

# A full stop after these ends no sentence: "Dehhaghi et al. wrote", "J. Smith", "U.S. embassy".
_ABBREVIATION = re.compile(
    r"(?:\b(?:al|etc|vs|e\.g|i\.e|cf|Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|Inc|Ltd|Co|No|Vol|pp|Fig|"
    r"approx|ca)|\b[A-Z]|(?:\b[A-Za-z]\.)+[A-Za-z])\.$")


def last_sentence(text: str) -> str:
    """The last sentence of ``text`` (a full stop after an abbreviation ends none)."""
    text = " ".join(text.split())
    start = 0
    for m in SENTENCE_END.finditer(text):
        if not _ABBREVIATION.search(text[:m.start() + 1]):
            start = m.end()
    return text[start:]



# A sentence ends at . ! ? or … (closing quotes and brackets after it), then a space.
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
