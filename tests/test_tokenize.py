"""The tokenizer: folding, apostrophes, stopwords, stemming."""

from __future__ import annotations

import pytest

from index.tokenize import Tokenizer, fold

tokenize = Tokenizer()


@pytest.mark.parametrize(("a", "b"), [
    ("Qāsem", "Qasem"),
    ("QASEM", "qasem"),
    ("Soleimani's", "Soleimani"),
    ("Soleimani’s", "Soleimani"),
    ("Kata’ib", "Kataib"),
    ("Kata'ib", "Kataib"),
    ("Shi’ite", "Shiite"),
    ("café", "CAFE"),
    ("ﬁnance", "finance"),   # compatibility ligature
])
def test_spellings_meet(a: str, b: str) -> None:
    assert tokenize(a) == tokenize(b) != []


def test_stopwords_and_stemming() -> None:
    assert tokenize("Why was he killed in the attacks?") == ["kill", "attack"]
    assert tokenize("militias militia") == ["militia", "militia"]


def test_contractions_are_stopwords() -> None:
    assert tokenize("I don’t know") == ["know"]


def test_numbers_and_non_latin_scripts() -> None:
    assert tokenize("08:30 on 3 January 2020") == ["08", "30", "3", "januari", "2020"]
    # Other scripts are words too; marks are folded there as well (й -> и), on both sides.
    assert tokenize("Сулеймани قاسم") == ["сулеимани", "قاسم"]
    assert tokenize("Сулеймани") == tokenize("СУЛЕИМАНИ")


def test_underscores_and_punctuation_split_words() -> None:
    assert tokenize("snake_case--words!!") == ["snake", "case", "word"]


def test_empty_and_emoji() -> None:
    assert tokenize("") == []
    assert tokenize("🙂🔥 \u200b\u202e") == []


def test_fold() -> None:
    assert fold("Qāsem SOLEIMANI’s Kata’ib") == "qasem soleimani kataib"
