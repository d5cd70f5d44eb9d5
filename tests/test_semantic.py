"""Passage vectors and hybrid retrieval, with the real model (all-MiniLM-L6-v2) on tiny corpora:
questions in other words than the passage's, incremental embedding, stop and resume, and
BM25 whenever vectors are missing."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

import index.reader
from index import embedding, sentences, vectors
from index.build import build, build_with
from index.config import AnswerSettings, load_config
from index.embedding import quantize
from index.hybrid import FUSION
from index.reader import IndexReader
from index.relevance import GATES, MEANING, with_meaning
from index.settings import ConfigError, IndexSettings, SemanticSettings
from index.tokenize import Tokenizer

NOTES = {
    "heart.md": ("Myocardial infarction in young adults",
                 "Myocardial infarction is rare before forty, but smoking and cocaine use raise "
                 "the incidence sharply.\n\nCoronary arteries blocked by a clot starve the "
                 "cardiac muscle of oxygen."),
    "kids.md": ("Screen time and children",
                "Pupils who spend more than four hours a day on tablets sleep less and score "
                "lower in reading tests."),
    "harbour.md": ("Harbour traffic in Rotterdam",
                   "Container ships queued for a week outside the port after the strike."),
}


def write_corpus(folder: Path, notes: dict[str, tuple[str, str]] = NOTES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, body) in notes.items():
        (folder / name).write_text(f"---\ntitle: {title}\n---\n\n{body}\n", encoding="utf-8")
    return folder


def settings(tmp_path: Path, **semantic: object) -> IndexSettings:
    return IndexSettings(corpus=tmp_path / "corpus", database=tmp_path / "i.db",
                         semantic=SemanticSettings(**semantic))  # type: ignore[arg-type]


async def ask(db: Path, question: str, k: int = 3, **kwargs: bool) -> list:
    async with await IndexReader.open(db, **kwargs) as reader:
        await reader.semantic_ready()
        return await reader.search(question, k)


async def ask_evidence(db: Path, question: str, k: int = 3) -> tuple[list, dict]:
    async with await IndexReader.open(db) as reader:
        assert await reader.semantic_ready()
        found = await reader.evidence(question, k)
        assert found is not None
        return found


def vector_rows(db: Path) -> dict[str, bytes]:
    """Each passage id's stored vector bytes."""
    con = sqlite3.connect(db)
    try:
        arrays = dict(con.execute("SELECT name, data FROM arrays").fetchall())
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        dim = int(meta["vectors_dim"])
        rowids = np.frombuffer(arrays["rowids"], dtype=np.int64)
        rows = np.frombuffer(arrays["vectors"], dtype=np.int8).reshape(len(rowids), dim)
        pids = dict(con.execute("SELECT id, pid FROM passages").fetchall())
    finally:
        con.close()
    return {pids[int(r)]: rows[i].tobytes() for i, r in enumerate(rowids)}


def test_a_question_in_other_words_finds_the_passage(tmp_path: Path, run) -> None:
    s = settings(tmp_path)
    write_corpus(s.corpus)
    report = build_with(s)
    assert report.vectors is not None
    assert report.vectors.startswith("Vectors: 3 passage(s), 3 embedded now")
    question = "can a heart attack hit people under 40?"
    bm25 = run(ask(s.database, question, semantic=False))
    hybrid = run(ask(s.database, question))
    assert not any("infarction" in h.text for h in bm25)  # no word in common
    assert "Myocardial infarction" in hybrid[0].text
    assert hybrid[0].similarity is not None and hybrid[0].similarity > 0.3
    assert all(h.similarity is None for h in bm25)
    kids = run(ask(s.database, "are schoolchildren glued to iPads getting worse marks?"))
    assert kids[0].thread_title == "Screen time and children"


def test_one_passage_per_thread_first_when_asked(tmp_path: Path, run,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """By default the fused order stands: a thread whose every passage is near the question
    (they are embedded with its title) fills the first places. With ``distinct_threads`` (off
    by default, measured in bench.hybrid_tune) the next thread's best comes second, and the
    first thread's other passages follow, none dropped."""
    notes = {
        "heart.md": ("Heart attacks in young adults",
                     "The BBC wrote:\n\n> A heart attack before forty is rare.\n\n"
                     "Reuters reported:\n\n> Smoking raises the risk of a heart attack in "
                     "young adults.\n\nThe Guardian added:\n\n> Cocaine use can bring on a "
                     "heart attack at any age."),
        "stroke.md": ("Strokes and the heart",
                      "An irregular heartbeat makes a stroke five times likelier."),
        "harbour.md": NOTES["harbour.md"],
    }
    s = settings(tmp_path)
    write_corpus(s.corpus, notes)
    build_with(s)
    question = "can young people have a heart attack?"
    heart = "Heart attacks in young adults"
    default = [h.thread_title for h in run(ask(s.database, question, k=5))]
    assert default[:3] == [heart] * 3
    monkeypatch.setattr(index.reader, "FUSION", dataclasses.replace(FUSION, distinct_threads=3))
    hits = run(ask(s.database, question, k=5))
    by_thread = [h.thread_title for h in hits]
    assert by_thread[:3] == [heart, "Strokes and the heart", "Harbour traffic in Rotterdam"]
    assert by_thread[3:] == [heart] * 2
    # The first thread's passages keep their order among themselves.
    assert [h.passage_id for h in hits if h.thread_title == heart] == \
        [h.passage_id for h in run(ask(s.database, question, k=9))
         if h.thread_title == heart][:3]


def test_the_hybrid_reads_each_passage_thread_title_cosine(tmp_path: Path, run) -> None:
    """The cosine of each passage's thread title to the question (the title's share of the
    hybrid's meaning, index.hybrid.with_titles) is the model's, whether the index stores the
    titles' vectors (read in one query with the titles) or not (an older index: embedded)."""
    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    question = "can a heart attack hit people under 40?"
    titles = [title for title, _ in NOTES.values()]
    model = embedding.load(embedding.DEFAULT_MODEL)
    *title_vectors, asked = model.embed([*titles, question])
    expected = dict(zip(titles, (float(v @ asked) for v in title_vectors), strict=True))

    async def cosines() -> dict[str, float]:
        async with await IndexReader.open(s.database) as reader:
            assert await reader.semantic_ready()
            hits = await reader.search(question, 3)  # makes the question's vector
            pids = await reader.passage_ids()
            docs = np.array([pids.index(h.passage_id) for h in hits])
            found = await reader.title_similarities(question, docs)
            return dict(zip([h.thread_title for h in hits], found.tolist(), strict=True))

    stored = run(cosines())
    assert stored == pytest.approx(expected, abs=2e-3)  # stored as float16
    con = sqlite3.connect(s.database)  # as an index built before titles' vectors
    with con:
        con.execute("DELETE FROM meta WHERE key = 'title_vectors_model'")
    con.close()
    assert run(cosines()) == pytest.approx(expected, abs=1e-5)


def test_relevance_counts_meaning_on_the_hybrid_path(tmp_path: Path, run,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A passage that answers in other words passes [answers] min_relevance with the vectors,
    not without them; a question the corpus knows nothing of passes with neither."""
    always_reading(monkeypatch)
    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    threshold = AnswerSettings().min_relevance
    question = "do kids who use tablets a lot do worse at school?"
    [words] = [h for h in run(ask(s.database, question, semantic=False))
               if h.thread_title == "Screen time and children"]
    hybrid = run(ask(s.database, question))
    assert hybrid[0].thread_title == "Screen time and children"
    assert words.relevance is not None and words.relevance < threshold
    assert hybrid[0].relevance is not None and hybrid[0].relevance >= threshold
    title, asked = embedding.load(embedding.DEFAULT_MODEL).embed([hybrid[0].thread_title,
                                                                  question])
    # The relevance is the fitted gate's, over the evidence the reader gathers: the words'
    # measure of the BM25 path, the passage's cosine and its thread title's.
    gate = GATES[embedding.DEFAULT_MODEL]
    hits, evidence = run(ask_evidence(s.database, question))
    assert [h.passage_id for h in hits] == [h.passage_id for h in hybrid]
    assert evidence["words"][0] == pytest.approx(words.relevance)
    assert evidence["cosine"][0] == pytest.approx(hybrid[0].similarity)
    assert evidence["title"][0] == pytest.approx(float(title @ asked), abs=1e-3)
    assert hybrid[0].relevance == pytest.approx(float(gate(evidence)[0]))
    # What it replaced, the calibration, passes it too.
    assert hits[0].relevance == pytest.approx(float(with_meaning(
        np.array([words.relevance]), np.array([hybrid[0].similarity]),
        MEANING[embedding.DEFAULT_MODEL], np.array([title @ asked]))[0]), abs=1e-3)
    assert (hits[0].relevance or 0.0) >= threshold
    for hit in run(ask(s.database, "how do I tune a guitar?")):
        assert hit.relevance is not None and hit.relevance < threshold


def always_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped gate without its cascade: it reads the sentences for every question."""
    gate = dataclasses.replace(GATES[embedding.DEFAULT_MODEL], cheap=None)
    monkeypatch.setattr(index.reader, "GATES", {embedding.DEFAULT_MODEL: gate})


def test_the_gate_reads_the_best_sentence_holding_the_rarest_word(
        tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate's ``sentence``: for the first candidates, the model's cosine of the passage's
    best sentence holding the question's rarest word (not the passage's, which mixes in the
    title and every other sentence); the passage's own cosine where none holds it."""
    always_reading(monkeypatch)
    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    question = "what does cocaine do to the heart?"
    hits, evidence = run(ask_evidence(s.database, question, k=3))
    holding = "Myocardial infarction is rare before forty, but smoking and cocaine use raise " \
              "the incidence sharply."
    other = "Coronary arteries blocked by a clot starve the cardiac muscle of oxygen."
    asked, first, second = embedding.load(embedding.DEFAULT_MODEL).embed(
        [question, holding, other])
    [at] = [i for i, h in enumerate(hits) if holding in h.text]
    assert evidence["sentence_found"][at] == 1.0
    assert evidence["sentence"][at] == pytest.approx(float(first @ asked), abs=1e-5)
    assert evidence["sentence"][at] != pytest.approx(float(second @ asked), abs=1e-3)
    # The passages without "cocaine": their own cosine, and nothing found.
    for i, hit in enumerate(hits):
        if i != at:
            assert "cocaine" not in hit.text.lower()
            assert evidence["sentence_found"][i] == 0.0
            assert evidence["sentence"][i] == evidence["cosine"][i]
    # The search gives each hit the shipped gate's relevance over this same evidence.
    gate = index.reader.GATES[embedding.DEFAULT_MODEL]
    assert gate.reads_sentences
    searched = run(ask(s.database, question))
    assert [h.passage_id for h in searched] == [h.passage_id for h in hits]
    assert [h.relevance for h in searched] == pytest.approx(gate(evidence).tolist())
    # Not a definition; "cocaine heart" is no phrase of the passages.
    assert evidence["definition"].tolist() == [0.0] * len(hits)
    assert evidence["adjacent"].tolist() == [0.0] * len(hits)


def test_a_long_sentence_is_read_in_a_window_around_the_rarest_word(
        tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sentence holding the rarest word and longer than ``SENTENCE_WINDOW`` is embedded as
    the window around that word (``index.sentences.window``): the gate's ``sentence`` is the
    window's cosine, and the whole sentence is never embedded."""
    always_reading(monkeypatch)
    long = ("Doctors in the regional hospital network reviewed several thousand admission "
            "records collected over a decade of winters and summers, and they noted that "
            "patients who reported recent cocaine use arrived with chest pain far more often "
            "than others of the same age, sex, weight and smoking history, while the rates of "
            "every other complaint they recorded stayed about the same across both groups.")
    assert len(long) > sentences.SENTENCE_WINDOW
    s = settings(tmp_path)
    write_corpus(s.corpus, {**NOTES, "heart.md": ("Chest pain in the emergency room", long)})
    build_with(s)
    question = "what does cocaine do to the heart?"
    hits, evidence = run(ask_evidence(s.database, question, k=3))
    [at] = [i for i, h in enumerate(hits) if "cocaine" in h.text]
    cut = sentences.window(long, long.index("cocaine") + len("cocaine") // 2)
    assert "cocaine use" in cut and len(cut) <= sentences.SENTENCE_WINDOW < len(long)
    model = embedding.load(embedding.DEFAULT_MODEL)
    asked, windowed, whole = model.embed([question, cut, long])
    assert evidence["sentence_found"][at] == 1.0
    assert evidence["sentence"][at] == pytest.approx(float(windowed @ asked), abs=1e-5)
    assert abs(float(windowed @ asked) - float(whole @ asked)) > 1e-3  # the two differ

    async def embedded() -> set[str]:
        async with await IndexReader.open(s.database) as reader:
            assert await reader.semantic_ready()
            await reader.search(question, 3)
            return set(reader._kept.sentences)
    kept = run(embedded())
    assert cut in kept and long not in kept


def test_the_gate_reads_every_sentence_and_the_question_without_its_rarest_word(
        tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """A gate that weighs ``best_sentence`` reads every sentence of the first candidates (the
    best cosine, held the rare word or not), whether the first sentence holds the rarest
    word, and the passage's and its title's cosines to the question without that word."""
    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    question = "what does cocaine do to the heart?"
    rest = "what does do to the heart?"
    hits, evidence = run(ask_evidence(s.database, question, k=3))
    holding = "Myocardial infarction is rare before forty, but smoking and cocaine use raise " \
              "the incidence sharply."
    other = "Coronary arteries blocked by a clot starve the cardiac muscle of oxygen."
    model = embedding.load(embedding.DEFAULT_MODEL)
    asked, first, second, rest_vector, title = model.embed(
        [question, holding, other, rest, "Myocardial infarction in young adults"])
    [at] = [i for i, h in enumerate(hits) if holding in h.text]
    assert evidence["best_sentence"][at] == pytest.approx(
        max(float(first @ asked), float(second @ asked)), abs=1e-5)
    assert evidence["first_sentence_rare"].tolist() == [float(i == at) for i in range(len(hits))]
    # The rest's cosines: the passages' as the vector search scores them, the title's too.
    async def rest_similarities() -> dict[str, float]:
        async with await IndexReader.open(s.database) as reader:
            assert await reader.semantic_ready()
            return {h.passage_id: h.similarity for h in await reader.nearest(rest, 3)}
    nearest = run(rest_similarities())
    assert evidence["rest_cosine"].tolist() == pytest.approx(
        [nearest[h.passage_id] for h in hits], abs=1e-5)
    assert evidence["rest_title"][at] == pytest.approx(float(title @ rest_vector), abs=2e-3)
    # Served: a gate weighing them (no cascade) gives each hit its relevance over the same
    # evidence, having embedded every sentence of the first candidates and the rest.
    gate = dataclasses.replace(
        GATES[embedding.DEFAULT_MODEL], cheap=None,
        features=("cosine", "best_sentence", "first_sentence_rare", "rest_cosine",
                  "rest_title"), coefficients=(3.0, 4.0, 1.0, 2.0, -1.0), intercept=-4.0,
        trees=None)
    monkeypatch.setattr(index.reader, "GATES", {embedding.DEFAULT_MODEL: gate})

    async def served() -> tuple[list, set[str]]:
        async with await IndexReader.open(s.database) as reader:
            assert await reader.semantic_ready()
            return await reader.search(question, 3), set(reader._kept.sentences)
    searched, embedded = run(served())
    assert [h.passage_id for h in searched] == [h.passage_id for h in hits]
    assert [h.relevance for h in searched] == pytest.approx(gate(evidence).tolist())
    assert {holding, other, rest} <= embedded
    # A gate weighing the rest but not every sentence embeds the rest and the sentences
    # holding the rarest word only.
    gate = dataclasses.replace(gate, features=("cosine", "sentence", "first_sentence_rare",
                                               "rest_cosine", "rest_title"))
    monkeypatch.setattr(index.reader, "GATES", {embedding.DEFAULT_MODEL: gate})
    searched, embedded = run(served())
    assert [h.relevance for h in searched] == pytest.approx(gate(evidence).tolist())
    assert {holding, rest} <= embedded and other not in embedded


def test_the_cascade_reads_sentences_only_when_its_cheap_gate_is_unsure(
        tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a cascade, the cheap gate (no sentences) decides a question unless a candidate
    whose sentences would be read is within its band: then the sentences are embedded and
    the gate that reads them decides. A definition question and an adjacent phrase count."""
    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    question = "what is myocardial infarction?"
    hits, evidence = run(ask_evidence(s.database, question, k=3))
    assert evidence["definition"].tolist() == [1.0] * len(hits)
    [at] = [i for i, h in enumerate(hits) if "Myocardial infarction is rare" in h.text]
    assert evidence["sentence_found"][at] == 1.0 and evidence["adjacent"][at] == 1.0
    full = dataclasses.replace(GATES[embedding.DEFAULT_MODEL], cheap=None)
    cheap = dataclasses.replace(full, features=("cosine",), coefficients=(10.0,),
                                intercept=-5.0, threshold=0.5, trees=None)

    async def served(band: tuple[float, float]) -> tuple[list, int]:
        gate = dataclasses.replace(full, cheap=dataclasses.replace(cheap, band=band))
        monkeypatch.setattr(index.reader, "GATES", {embedding.DEFAULT_MODEL: gate})
        async with await IndexReader.open(s.database) as reader:
            assert await reader.semantic_ready()
            searched = await reader.search(question, 3)
            return searched, len(reader._kept.sentences)

    # Unsure (a band wider than any log-odds): the sentences are read, the full gate decides.
    searched, embedded = run(served((100.0, 100.0)))
    assert embedded >= 1
    assert [h.passage_id for h in searched] == [h.passage_id for h in hits]
    assert [h.relevance for h in searched] == pytest.approx(full(evidence).tolist())
    # Sure (an empty band): nothing embedded, the cheap gate's relevance.
    searched, embedded = run(served((-1.0, -1.0)))
    assert embedded == 0
    assert [h.relevance for h in searched] == pytest.approx(cheap(evidence).tolist())
    assert [h.relevance for h in searched] != pytest.approx(full(evidence).tolist())


def test_a_short_definition_question_is_answered_by_the_passage_holding_its_term(
        tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """"what is kuru?" under a thread about something broader: the gate's evidence is against
    the passage (far title, far passage), but it is one of at most three holding the term,
    among the first candidates, so it passes; the other candidates are left as the gate
    scored them. A longer question, or a term in more passages, is left to the gate."""
    notes = {**NOTES, "flesh.md": (
        "Does human flesh taste like pork?",
        "Several cannibals compared its taste to veal rather than pork.\n\nIn the early 20th "
        "century a kuru epidemic devastated the Fore people of Papua New Guinea.")}
    s = settings(tmp_path)
    write_corpus(s.corpus, notes)
    build_with(s)
    # A gate that refuses every candidate on its evidence alone.
    refusing = dataclasses.replace(GATES[embedding.DEFAULT_MODEL], cheap=None,
                                   features=("cosine",), coefficients=(1.0,), intercept=-20.0,
                                   trees=None)
    monkeypatch.setattr(index.reader, "GATES", {embedding.DEFAULT_MODEL: refusing})
    hits, evidence = run(ask_evidence(s.database, "what is kuru?", k=3))
    held = [bool(x) for x in evidence["defined_term"]]
    assert held == ["kuru" in h.text for h in hits] and sum(held) == 1
    searched = run(ask(s.database, "what is kuru?"))
    shown = [h for h in searched if (h.relevance or 0.0) >= AnswerSettings().min_relevance]
    assert [h.passage_id for h in shown] == [
        h.passage_id for h, x in zip(hits, held, strict=True) if x]
    assert [h.relevance for h in searched] == pytest.approx(refusing(evidence).tolist())
    # Five words (stopwords out): it asks more than what the term is; the gate alone decides.
    _, evidence = run(ask_evidence(s.database,
                                   "what is kuru and how did the Fore people of Papua catch it?"))
    assert not evidence["defined_term"].any()
    # "cannibal" is held by no other passage either, but "what do cannibals eat" asks no
    # definition; "what does a cannibal do" does.
    _, evidence = run(ask_evidence(s.database, "what do cannibals eat?"))
    assert not evidence["defined_term"].any()
    _, evidence = run(ask_evidence(s.database, "what does a cannibal do?"))
    assert evidence["defined_term"].any()


def test_the_gate_reads_whether_a_passage_holds_the_figure_asked(
        tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """"what year did the dock strike begin?" asks a year: the passage giving one holds it,
    the others (the same subject, no year) do not, and a gate weighing that refuses them."""
    notes = {**NOTES, "strike.md": ("Dock strikes in Rotterdam",
                                    "The dockers' strike began in March 1979 and ended in a "
                                    "week.\n\nStrikes at the port are rare and short.")}
    s = settings(tmp_path)
    write_corpus(s.corpus, notes)
    build_with(s)
    question = "what year did the Rotterdam dock strike begin?"
    hits, evidence = run(ask_evidence(s.database, question, k=4))
    assert evidence["figure_missing"].tolist() == [float("1979" not in h.text) for h in hits]
    assert evidence["figure_missing"].tolist().count(0.0) == 1
    # Not asking a figure: nothing is missing.
    _, other = run(ask_evidence(s.database, "why did the Rotterdam dockers strike?", k=4))
    assert not other["figure_missing"].any()
    # Served: a gate weighing it (no cascade) passes only the passage holding the year.
    gate = dataclasses.replace(GATES[embedding.DEFAULT_MODEL], cheap=None, trees=None,
                               features=("figure_missing",), coefficients=(-10.0,),
                               intercept=5.0)
    monkeypatch.setattr(index.reader, "GATES", {embedding.DEFAULT_MODEL: gate})
    searched = run(ask(s.database, question, k=4))
    assert [h.passage_id for h in searched] == [h.passage_id for h in hits]
    shown = [h.text for h in searched if (h.relevance or 0.0) >= AnswerSettings().min_relevance]
    assert len(shown) == 1 and "1979" in shown[0]


def test_the_terminal_answers_with_the_model_from_the_first_question(
        tmp_path: Path, run, capsys: pytest.CaptureFixture[str]) -> None:
    """``make run`` piped a question: answered with the model's meaning, not by BM25 alone
    while the model is still loading (then the passage falls below ``min_relevance``, as
    ``test_relevance_counts_meaning_on_the_hybrid_path`` shows)."""
    import io

    from bot.terminal import run_terminal
    from index.config import Config

    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    config = Config(path=tmp_path / "config.toml", index=s)
    out = io.StringIO()

    async def terminal() -> None:
        async with await IndexReader.open(s.database) as reader:
            await run_terminal(config, reader, stdin=io.StringIO(
                "do kids who use tablets a lot do worse at school?\n"), stdout=out)

    run(terminal())
    assert "Pupils who spend more than four hours" in out.getvalue(), out.getvalue()
    assert "Loading the search index and its sentence model..." in capsys.readouterr().err


def test_a_build_with_nothing_to_embed_does_not_load_the_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)

    def no_model(model: str) -> embedding.Embedder:
        raise AssertionError("the model was loaded with every vector in place")

    monkeypatch.setattr(embedding, "load", no_model)
    report = build_with(s)
    assert report.vectors is not None
    assert report.vectors.startswith("Vectors: 3 passage(s), 0 embedded now"), report.vectors
    assert "nearest-neighbour index: unchanged" in report.vectors
    # Scripts read the same as an object (`build --json`), not a sentence.
    assert report.to_json()["vectors"] == {
        "state": "complete", "passages": 3, "embedded": 0, "from_cache": 0,
        "titles_embedded": 0, "seconds": 0.0,
        "nearest_index": {"state": "unchanged", "seconds": None, "problem": None},
        "summary": report.vectors}


def test_the_build_log_says_what_it_will_embed_then_how_far_it_got(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m index build`` into a log, not a terminal: its first line about vectors
    says what is to come ("embedded 0 of N" read as "nothing was embedded")."""
    from index.__main__ import _build

    s = settings(tmp_path)
    write_corpus(s.corpus)
    with caplog.at_level(logging.INFO, logger="index.vectors"):
        _build(s, None, None, as_json=False)
    said = [r.getMessage() for r in caplog.records if r.name == "index.vectors"]
    assert said and said[0].startswith("embedding ") and said[0].endswith(" distinct text(s)")
    total = said[0].split()[1]
    assert said[-1] == f"embedded {total} of {total} distinct text(s)"
    assert not any(line.startswith("embedded 0 of") for line in said)
    assert "Vectors: 3 passage(s)" in capsys.readouterr().out


def test_the_log_says_building_the_graph_only_when_it_is_built(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """review6: a build that changed nothing logged "building the nearest-neighbour index"
    while its summary said "unchanged"."""
    s = settings(tmp_path)
    write_corpus(s.corpus)
    with caplog.at_level(logging.INFO, logger="index.ann"):
        first = build_with(s)
        said_first = [r.getMessage() for r in caplog.records if r.name == "index.ann"]
        caplog.clear()
        again = build_with(s)
        said_again = [r.getMessage() for r in caplog.records if r.name == "index.ann"]
    assert first.vectors is not None and "nearest-neighbour index built" in first.vectors
    assert any(m.startswith("building the nearest-neighbour index") for m in said_first)
    assert again.vectors is not None and "nearest-neighbour index: unchanged" in again.vectors
    assert not any(m.startswith("building") for m in said_again), said_again


def test_rebuild_embeds_only_new_and_changed_passages(tmp_path: Path, run) -> None:
    s = settings(tmp_path)
    write_corpus(s.corpus)
    first = build_with(s)
    assert first.vectors and "3 embedded now" in first.vectors
    before = vector_rows(s.database)
    (s.corpus / "harbour.md").write_text(
        "---\ntitle: Harbour traffic in Rotterdam\n---\n\nDockers voted to return on "
        "Monday.\n", encoding="utf-8")
    (s.corpus / "ferry.md").write_text("---\ntitle: Ferries\n---\n\nThe ferry sank.\n",
                                       encoding="utf-8")
    second = build_with(s)
    assert second.vectors and "2 embedded now" in second.vectors, second.vectors
    after = vector_rows(s.database)
    unchanged = {p for p in before if "harbour" not in p}
    assert len(unchanged) == 2
    assert {p: after[p] for p in unchanged} == {p: before[p] for p in unchanged}
    assert before["note:harbour/a0/p0"] != after["note:harbour/a0/p0"]
    assert len(after) == 4
    third = build_with(s)  # nothing changed
    assert third.vectors and "0 embedded now" in third.vectors


def test_a_stopped_build_serves_bm25_and_the_next_one_resumes(
        tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    notes = {f"n{i}.md": (f"Note {i}", f"Paragraph about topic number {i} and ships.")
             for i in range(7)}
    s = settings(tmp_path)
    write_corpus(s.corpus, notes)
    monkeypatch.setattr(vectors, "CHUNK", 2)
    model = embedding.load(s.semantic.model)
    real = model.embed
    calls = []

    def stop_on_third_chunk(texts):  # the build is stopped (Ctrl-C) during its third chunk
        calls.append(len(texts))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(texts)

    monkeypatch.setattr(model, "embed", stop_on_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        build_with(s)
    assert vectors.work_file(s.database).exists()
    with caplog.at_level(logging.WARNING, logger="index.reader"):
        hits = run(ask(s.database, "topic number 3"))
    assert hits and "number 3" in hits[0].text  # BM25 answers
    warned = [r for r in caplog.records if "no vector yet" in r.getMessage()]
    assert len(warned) == 1
    monkeypatch.setattr(model, "embed", real)
    report = build_with(s)
    assert report.vectors is not None
    assert "3 embedded now, 4 from the vector cache" in report.vectors, report.vectors
    # An index that cannot be reused (here: gone) takes its vectors from the cache.
    s.database.unlink()
    again = build_with(s)
    assert again.vectors is not None and "0 embedded now, 7 from the vector cache" in again.vectors
    con = sqlite3.connect(s.database)
    assert dict(con.execute("SELECT key, value FROM meta"))["vectors_missing"] == "0"
    con.close()


def test_without_the_model_the_build_and_search_use_bm25(tmp_path: Path, run,
                                                          caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    s = settings(tmp_path, model=str(tmp_path / "no-such-model"))
    write_corpus(s.corpus)
    with caplog.at_level(logging.WARNING):
        report = build_with(s)
    assert report.vectors is not None and report.vectors.startswith("Vectors: none")
    outcome = report.to_json()["vectors"]
    assert isinstance(outcome, dict) and outcome["state"] == "none", outcome
    assert "no-such-model" in str(outcome["problem"])
    assert any("BM25 alone" in r.getMessage() for r in caplog.records)
    hits = run(ask(s.database, "harbour strike"))
    assert hits[0].thread_title == "Harbour traffic in Rotterdam"


def test_an_index_without_vectors_says_so_once(tmp_path: Path, run,
                                               caplog: pytest.LogCaptureFixture) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    build(corpus, tmp_path / "i.db")
    async def twice() -> list:
        async with await IndexReader.open(tmp_path / "i.db") as reader:
            assert not await reader.semantic_ready()
            await reader.search("ships port strike", 5)
            return await reader.search("ships port strike", 5)

    with caplog.at_level(logging.INFO, logger="index.reader"):
        hits = run(twice())
    assert hits[0].thread_title == "Harbour traffic in Rotterdam"
    assert sum("no passage vectors" in r.getMessage() for r in caplog.records) == 1


def test_bm25_only_keeps_rank_bm25_scores_with_vectors_present(tmp_path: Path, run) -> None:
    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    question = "ships queued in the port"
    hits = run(ask(s.database, question, k=10, spelling=False, feedback=False, semantic=False))
    tokenize = Tokenizer()
    con = sqlite3.connect(s.database)
    docs = con.execute("SELECT p.pid, p.text || ' ' || t.title || ' ' || t.question FROM "
                       "passages p JOIN answers a ON a.id = p.answer_id JOIN threads t ON "
                       "t.id = a.thread_id ORDER BY p.id").fetchall()
    con.close()
    expected = BM25Okapi([tokenize(text) for _, text in docs]).get_scores(tokenize(question))
    by_pid = {pid: score for (pid, _), score in zip(docs, expected, strict=True)}
    assert hits
    for h in hits:
        assert h.score == pytest.approx(by_pid[h.passage_id], rel=1e-5)


def test_int8_vectors_keep_the_cosine() -> None:
    model = embedding.load()
    v = model.embed(["the prime minister met the general", "a cat sat on the mat",
                     "the premier had a meeting with the commander"])
    rows, scales = quantize(v)
    approx = rows.astype(np.float32) * scales[:, None]
    assert np.abs(approx @ approx.T - v @ v.T).max() < 0.01
    assert float(v[0] @ v[2]) > float(v[0] @ v[1]) + 0.2  # meaning, not words


@pytest.mark.parametrize(("table", "message"), [
    ("enabled = 'yes'", "[semantic] enabled must be true or false"),
    ("model = ''", "[semantic] model must name a folder or a model id"),
    ("modle = 'x'", "unknown key [semantic] 'modle'"),
])
def test_semantic_config_is_checked(tmp_path: Path, table: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[semantic]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(config)
    assert message in str(err.value)


def test_semantic_search_turned_off_is_off_when_answering_too(tmp_path: Path) -> None:
    """An index built with vectors, then `[semantic] enabled = false` (a reviewer found the
    readers used the vectors and loaded the model all the same): BM25 alone, no similarity."""
    import json
    import subprocess

    from .conftest import PYTHON, ROOT, python_env

    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    configs = []
    for enabled in ("true", "false"):
        configs.append(tmp_path / f"semantic-{enabled}.toml")
        configs[-1].write_text(f"[semantic]\nenabled = {enabled}\n", encoding="utf-8")
    searched = [subprocess.run(
        [PYTHON, "-m", "index", "--config", str(config), "search", "--db", str(s.database),
         "--json", "heart attack in young people"], capture_output=True, text=True, cwd=ROOT,
        env=python_env(), timeout=120) for config in configs]
    on, off = (json.loads(r.stdout) for r in searched)
    assert on and all(h["similarity"] is not None for h in on)
    assert off and all(h["similarity"] is None for h in off)
