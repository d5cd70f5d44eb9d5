"""Names spelled differently still meet, and the expansions are modest."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.bm25 import ImpactIndex
from index.build import build
from index.expansion import SpellingVariants
from index.reader import IndexReader


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each name spelled one way only, among other threads (so the names are rare words)."""
    corpus = tmp_path_factory.mktemp("mixed") / "corpus"
    corpus.mkdir()
    names = {"qasem": "Qasem Soleimani flew into Baghdad on a carrier flight.",
             "kataib": "Kata’ib Hezbollah fighters scaled the embassy walls."}
    for key, sentence in names.items():
        (corpus / f"{key}.txt").write_text(
            f"1\n\nWhat happened in Baghdad?\n\n1 Answer 1\n\n2\n\nAccording to Reuters:"
            f"\n\n{sentence}\n", encoding="utf-8")
    for i in range(40):
        (corpus / f"other-{i}.txt").write_text(
            f"1\n\nWhat about harbour {i}?\n\n1 Answer 1\n\n2\n\nAccording to Reuters:\n\n"
            f"Harbour {i} handled ships and cargo in spring, said port officials.\n",
            encoding="utf-8")
    db = corpus.parent / "mixed.db"
    build(corpus, db)
    return db


@pytest.mark.parametrize(("question", "spelled"), [
    ("Qassem", "Qasem"),
    ("Suleimani", "Soleimani"),
    ("Soleimany", "Soleimani"),
    ("Kataib Hezbollah", "Kata’ib Hezbollah"),
    ("Kata'ib", "Kata’ib"),
])
def test_variant_spellings_find_the_passage(mixed_db: Path, run, question: str,
                                            spelled: str) -> None:
    async def go() -> list:
        async with await IndexReader.open(mixed_db) as reader:
            return await reader.search(question, 1)

    [hit] = run(go())
    assert spelled in hit.text


def test_variants_in_the_seed(seed_db: Path, run) -> None:
    async def go() -> list:
        async with await IndexReader.open(seed_db) as reader:
            return await reader.search("Suleimani", 3)

    assert any("Soleimani" in h.text for h in run(go()))


def test_common_and_short_words_are_not_expanded() -> None:
    corpus = [["soleimani", "baghdad"]] * 5 + [["solemn"], ["iran"], ["iraq"]]
    variants = SpellingVariants(ImpactIndex.build(corpus))
    assert variants.variants("baghdad") == []           # frequent: a word of its own
    assert variants.variants("iraq") == []              # too short to guess from
    found = dict(variants.variants("suleimani"))        # unknown: matched to the vocabulary
    assert set(found) == {"soleimani"} and 0 < found["soleimani"] < 1


def test_expansion_keeps_the_words_asked() -> None:
    variants = SpellingVariants(ImpactIndex.build([["soleimani"]] * 4 + [["other"]] * 4))
    weights = variants.expand(["suleimani", "suleimani", "other"])
    assert weights["suleimani"] == 2 and weights["other"] == 1
    assert weights["soleimani"] < 2


def test_the_best_variants_across_lengths_in_order() -> None:
    """Each length's terms are searched apart: the best of all lengths win (a longer one
    first here), equal ones in the order of the vocabulary, as when they were one list."""
    corpus = [["soleiman"], ["soleimanii"], ["soleimann"], ["soleimano"], ["suleymani"],
              ["solemani"]]
    variants = SpellingVariants(ImpactIndex.build(corpus))
    found = variants.variants("soleimani")
    # 94.7, then two of 94.1 in the order they were indexed; 88.9 ("soleimann") is fourth.
    assert [t for t, _ in found] == ["soleimanii", "soleiman", "solemani"]
    assert found == variants.variants("soleimani")  # kept, and the same
    found.clear()  # a caller's copy: what is kept stays whole
    assert len(variants.variants("soleimani")) == 3
