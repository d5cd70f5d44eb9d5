"""Text -> search terms: Unicode-aware, case- and accent-folded, stopped and stemmed.

Folding: NFKD then drop combining marks, so "Qāsem" and "Qasem" meet; ``casefold`` for case.
Apostrophes (straight, curly, modifier letters) never split a word: a possessive "'s" is dropped
("Soleimani's" -> "soleimani") and any other is removed ("Kata’ib" -> "kataib").
Stopwords: NLTK's English list as bm25s ships it (``index.stopwords``). Stemming: Snowball
English via PyStemmer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import Stemmer

from .stopwords import STOPWORDS_EN

_APOSTROPHES = "'\u2018\u2019\u02bc\u02b9\u0060\u00b4\u2032"
_POSSESSIVE = re.compile(rf"(?<=\w)[{_APOSTROPHES}]s\b")
_INNER_APOSTROPHE = re.compile(rf"(?<=\w)[{_APOSTROPHES}](?=\w)")
# \w is Unicode-aware; the underscore is a word character to Python but not to people.
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Case- and accent-fold ``text`` and join words split by apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():  # most text is: skip the per-character pass
        decomposed = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = decomposed.casefold()
    folded = _POSSESSIVE.sub("", folded)
    return _INNER_APOSTROPHE.sub("", folded)


class Tokenizer:
    """Callable that turns text into the terms the index stores and queries ask for."""

    def __init__(self, stopwords: Iterable[str] = STOPWORDS_EN, *, stem: bool = True) -> None:
        # Stopwords go through the same folding as text, so "don't" matches "dont".
        self.stopwords = frozenset(fold(w) for w in stopwords)
        self._stemmer = Stemmer.Stemmer("english") if stem else None

    def words(self, text: str) -> list[str]:
        """Folded words with stopwords removed, before stemming."""
        return [w for w in _WORD.findall(fold(text)) if w not in self.stopwords]

    def __call__(self, text: str) -> list[str]:
        words = self.words(text)
        if self._stemmer is None:
            return words
        stems: list[str] = self._stemmer.stemWords(words)
        return stems
