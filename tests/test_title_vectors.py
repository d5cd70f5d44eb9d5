"""Thread titles' vectors stored at build time (index.title_vectors), with the real model on
tiny corpora in temporary folders: embedded once per title, carried through a rebuild, read
at question time instead of embedding the titles, and an index without them still answered
the same way."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index import embedding
from index.build import build_with
from index.reader import IndexReader
from index.settings import IndexSettings, SemanticSettings

NOTES = {
    "heart.md": ("Myocardial infarction in young adults",
                 "Myocardial infarction is rare before forty, but smoking and cocaine use raise "
                 "the incidence sharply."),
    "kids.md": ("Screen time and children",
                "Pupils who spend more than four hours a day on tablets sleep less and score "
                "lower in reading tests."),
}
QUESTION = "can a heart attack hit people under 40?"


def write_notes(folder: Path, notes: dict[str, tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, body) in notes.items():
        (folder / name).write_text(f"---\ntitle: {title}\n---\n\n{body}\n", encoding="utf-8")


def settings(tmp_path: Path) -> IndexSettings:
    return IndexSettings(corpus=tmp_path / "corpus", database=tmp_path / "i.db",
                         semantic=SemanticSettings())


def stored(db: Path) -> dict[str, bytes]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT title, vector FROM title_vectors").fetchall())
    finally:
        con.close()


def meta(db: Path) -> dict[str, str]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())
    finally:
        con.close()


class Counting:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, model: embedding.Embedder) -> None:
        self.model, self.texts = model, []  # type: list[str]

    @property
    def dim(self) -> int:
        return self.model.dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += list(texts)
        return self.model.embed(texts)


def test_the_build_stores_each_title_vector_and_a_rebuild_embeds_only_new_titles(
        tmp_path: Path) -> None:
    s = settings(tmp_path)
    write_notes(s.corpus, NOTES)
    report = build_with(s)
    assert report.vectors is not None and "2 thread title(s)" in report.vectors
    first = stored(s.database)
    assert set(first) == {title for title, _ in NOTES.values()}
    assert meta(s.database)["title_vectors_missing"] == "0"
    model = embedding.load()
    for title, blob in first.items():
        vector = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        # The model's own vector, to float16's precision.
        assert np.abs(vector - model.embed([title])[0]).max() < 2e-3

    write_notes(s.corpus, {"harbour.md": ("Harbour traffic in Rotterdam",
                                         "Container ships queued for a week outside the port.")})
    (s.corpus / "kids.md").unlink()
    build_with(s)
    second = stored(s.database)
    assert set(second) == {"Myocardial infarction in young adults",
                           "Harbour traffic in Rotterdam"}
    # The unchanged thread's title vector is carried, byte for byte; the removed one is gone.
    assert second["Myocardial infarction in young adults"] == \
        first["Myocardial infarction in young adults"]


def test_only_new_titles_are_embedded(tmp_path: Path) -> None:
    from index.build import build
    from index.vectors import embed_missing

    s = settings(tmp_path)
    write_notes(s.corpus, NOTES)
    build(s.corpus, s.database, vectors_model=embedding.DEFAULT_MODEL)
    counting = Counting(embedding.load())
    counting.name = embedding.DEFAULT_MODEL  # type: ignore[attr-defined]
    embed_missing(s.database, counting)  # type: ignore[arg-type]
    assert {"Myocardial infarction in young adults", "Screen time and children"} <= \
        set(counting.texts)
    write_notes(s.corpus, {"harbour.md": ("Harbour traffic in Rotterdam",
                                         "Container ships queued for a week outside the port.")})
    build(s.corpus, s.database, vectors_model=embedding.DEFAULT_MODEL)
    counting.texts.clear()
    embed_missing(s.database, counting)  # type: ignore[arg-type]
    # The new passage's text (title, then body) and the new title, nothing else.
    assert counting.texts == ["Harbour traffic in Rotterdam\nContainer ships queued for a week "
                              "outside the port.", "Harbour traffic in Rotterdam"]
    assert meta(s.database)["title_vectors_missing"] == "0"


async def relevances(db: Path) -> tuple[list[float], list[str]]:
    """The hits' relevance for QUESTION, and the texts the model embedded for it."""
    async with await IndexReader.open(db) as reader:
        assert await reader.semantic_ready()
        counting = Counting(reader._embedder)  # type: ignore[arg-type]
        reader._embedder = counting  # type: ignore[assignment]
        hits = await reader.search(QUESTION, 3)
        return [h.relevance or 0.0 for h in hits], counting.texts


def test_the_reader_reads_stored_titles_and_answers_the_same_without_them(
        tmp_path: Path, run) -> None:
    s = settings(tmp_path)
    write_notes(s.corpus, NOTES)
    build_with(s)
    titles = {t for t, _ in NOTES.values()}
    with_table, embedded = run(relevances(s.database))
    # The question (and its parts, for the relevance's pull), no title: they were stored.
    assert embedded[0] == QUESTION and not titles & set(embedded)
    assert with_table[0] > 0  # the heart passage, with its title's meaning counted

    # An index built before title vectors: the titles are embedded when met, as before.
    con = sqlite3.connect(s.database)
    with con:
        con.execute("DROP TABLE title_vectors")
        con.execute("DELETE FROM meta WHERE key LIKE 'title_vectors_%'")
    con.close()
    without, embedded = run(relevances(s.database))
    assert embedded[0] == QUESTION and titles <= set(embedded)
    assert np.allclose(with_table, without, atol=2e-3)

    # The next build adds them to that older index.
    build_with(s)
    assert set(stored(s.database)) == {t for t, _ in NOTES.values()}


def test_a_question_whose_titles_outnumber_the_kept_title_vectors_is_still_answered(
        tmp_path: Path, run, monkeypatch) -> None:
    # The reader keeps at most _TITLE_VECTORS titles' vectors (index.kept_vectors); the gate
    # reads the vectors of every hit's title after they were trimmed (h22pkg: SciFact's 5,183
    # titles raised a KeyError on main 92e4aac). Three threads, room for one: this question's
    # titles must stay.
    import index.kept_vectors

    monkeypatch.setattr(index.kept_vectors, "_TITLE_VECTORS", 1)
    s = settings(tmp_path)
    write_notes(s.corpus, {**NOTES, "harbour.md": (
        "Harbour traffic in Rotterdam",
        "Myocardial infarction struck two dock workers under forty while container ships "
        "queued for a week outside the port.")})
    build_with(s)

    async def ask() -> list[str]:
        async with await IndexReader.open(s.database) as reader:
            assert await reader.semantic_ready()
            # Words the passages hold: the gate then reads the question without its rarest
            # word against each hit's title (the path that read the trimmed vectors).
            found = await reader.evidence("is myocardial infarction rare in adults under "
                                          "forty who smoke?", 3)
            assert found is not None
            hits, evidence = found
            assert len(evidence["rest_title"]) == len(hits)
            return [h.thread_title for h in hits]

    titles = run(ask())
    assert "Myocardial infarction in young adults" in titles and len(set(titles)) >= 2
