"""The relevance measure: a score's share of the most the question's words could give."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from index.bm25 import BM25Params, ImpactIndex
from index.build import build
from index.config import AnswerSettings
from index.embedding import DEFAULT_MODEL
from index.reader import IndexReader
from index.relevance import (
    DEFINITION,
    GATE_FILE,
    GATES,
    MEANING,
    Gate,
    GateFileError,
    IdfTable,
    MeaningScale,
    Option,
    Trees,
    Word,
    adjacent,
    compact_json,
    defined_term,
    figure_asked,
    figure_missing,
    holds,
    load_gates,
    question_words,
    rarest_word,
    relevance,
    with_meaning,
    without_word,
)
from index.sentences import sentences, window
from index.tokenize import Tokenizer

DOCS = [["ferry", "sank", "oslo"], ["ferry", "late"], ["bridge", "fell"], ["storm", "oslo"],
        ["train", "late"]]


def _measure(question: list[str], docs: list[int], variants=None, joined=None) -> np.ndarray:
    index = ImpactIndex.build(DOCS)
    params = BM25Params()
    idf = IdfTable(index.vocabulary, index.offsets, index.n_docs, params.epsilon)
    words = question_words(question, idf, variants, joined)
    lengths = np.array([len(d) for d in DOCS], dtype=float)
    norms = 1 - params.b + params.b * lengths / lengths.mean()
    return relevance(np.array(docs), words, index.postings, params.k1, norms[docs])


def test_by_hand() -> None:
    # N = 5. "sank" is in 1 document: idf = ln(4.5 / 1.5) = ln 3; "ferry" in 2: idf =
    # ln(3.5 / 2.5). Each word met once saturates to tf / (tf + k1) = 1 / 2.5 = 0.4, whatever
    # the passage's length.
    idf_sank, idf_ferry = math.log(3), math.log(3.5 / 2.5)
    both, ferry_only = _measure(["ferry", "sank"], [0, 1])
    assert both == pytest.approx(0.4)
    assert ferry_only == pytest.approx(idf_ferry * 0.4 / (idf_sank + idf_ferry))


def test_an_unknown_word_weighs_as_a_word_in_no_passage() -> None:
    [known] = _measure(["ferry", "sank"], [0])
    [with_guitar] = _measure(["ferry", "sank", "guitar"], [0])
    unseen = math.log(5.5 / 0.5)
    assert with_guitar == pytest.approx(known * (math.log(3) + math.log(1.4))
                                        / (math.log(3) + math.log(1.4) + unseen))


def test_a_spelling_variant_stands_for_its_word_at_its_similarity() -> None:
    [exact] = _measure(["ferry", "sank"], [0])
    [variant] = _measure(["ferry", "sankk"], [0],
                         lambda t: [("sank", 0.8)] if t == "sankk" else [])
    # "sankk" is unseen, so it weighs as a word in no passage; "sank" matches for it at 0.8.
    idf_ferry, unseen = math.log(1.4), math.log(5.5 / 0.5)
    sat = exact  # both words of document 0 saturate alike
    assert variant == pytest.approx(sat * (idf_ferry + 0.8 * unseen) / (idf_ferry + unseen))


def test_words_written_apart_or_together_meet() -> None:
    [apart] = _measure(["ferry", "sank"], [0])
    # "ferrysank", unseen, splits into two terms the passage has: as good as both words.
    assert _measure(["ferrysank"], [0]).tolist() == pytest.approx([0.4])
    assert _measure(["ferrysank"], [1]).tolist() == [0.0]  # only one half: nothing
    # "sea" + "storm" written together in the corpus ("seastorm"): each word may match it.
    docs = [["seastorm", "oslo"], ["sea", "ferry"], ["storm", "late"], ["train"], ["bridge"]]
    index = ImpactIndex.build(docs)
    params = BM25Params()
    idf = IdfTable(index.vocabulary, index.offsets, index.n_docs, params.epsilon)
    words = question_words(["sea", "storm"], idf, None, {"sea": ["seastorm"],
                                                          "storm": ["seastorm"]})
    norm = 1 - params.b + params.b * 2 / 1.6  # 2 tokens; the mean is 8 / 5
    [value] = relevance(np.array([0]), words, index.postings, params.k1, np.array([norm]))
    assert value == pytest.approx(0.4) and apart == pytest.approx(0.4)


def test_nothing_matched_is_zero_and_scale_is_bounded() -> None:
    assert _measure(["ferry"], [2]).tolist() == [0.0]
    assert _measure([], [0]).tolist() == [0.0]
    values = _measure(["ferry", "oslo", "late", "storm"], list(range(5)))
    assert ((values >= 0) & (values <= 1)).all()


def test_search_hits_carry_it(tmp_path: Path, run) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("---\ntitle: Ferry\n---\n> The ferry sank near Oslo.\n")
    (corpus / "b.md").write_text("---\ntitle: Storm\n---\n> A storm hit Oslo.\n")
    for i, topic in enumerate(["The train was late.", "The bridge fell.", "Rain in Bergen."]):
        (corpus / f"other{i}.md").write_text(f"---\ntitle: Other\n---\n> {topic}\n")
    db = tmp_path / "index.db"
    build(corpus, db)

    async def go() -> list[float]:
        async with await IndexReader.open(db) as reader:
            hits = await reader.search("did the ferry sink near Oslo?", 5)
            return [h.relevance for h in hits]

    first, second = run(go())
    assert 0 < second < first <= 1


def test_meaning_is_calibrated_and_weighted_by_hand() -> None:
    scale = MeaningScale(zero=0.3, full=1.0, weight=0.7)
    # cosine 0.3 or less adds nothing, 1 counts in full, linear between.
    assert scale(np.array([-0.2, 0.3, 0.65, 1.0])).tolist() == pytest.approx([0, 0, 0.5, 1])
    lexical, cosine = np.array([0.0, 0.5, 1.0, 0.0]), np.array([0.65, 0.3, 0.0, 1.0])
    assert with_meaning(lexical, cosine, scale).tolist() == pytest.approx(
        [0.7 * 0.5, 0.3 * 0.5, 0.3, 0.7])
    # Weight 0: the words' measure as it was.
    assert with_meaning(lexical, cosine, MeaningScale(0.3, 1.0, 0.0)).tolist() == \
        pytest.approx(lexical.tolist())


def test_the_threads_title_counts_beside_the_passage_and_can_veto_it() -> None:
    scale = MeaningScale(zero=0.3, full=1.0, weight=1.0, title_share=0.4, title_floor=0.5,
                         alone=0.8)
    passage, title = np.array([0.65, 0.65, 0.79, 0.81]), np.array([1.0, 0.49, 0.0, 0.0])
    # The similarity is 0.6 of the passage's and 0.4 of the title's; a title under 0.5 leaves
    # the passage nothing unless its own cosine reaches 0.8.
    assert with_meaning(np.zeros(4), passage, scale, title).tolist() == pytest.approx(
        [(0.6 * 0.65 + 0.4 - 0.3) / 0.7, 0.0, 0.0, (0.6 * 0.81 - 0.3) / 0.7])
    # Without titles the passage's cosine stands for the title's.
    assert with_meaning(np.zeros(1), np.array([0.65]), scale).tolist() == pytest.approx([0.5])


def test_the_shipped_calibration_lets_neither_part_pass_alone_by_a_little() -> None:
    """With [answers] min_relevance at its default, the words alone never pass, and meaning
    alone (title and passage alike) only from a cosine of 0.54: the calibration README gives.
    A thread whose title is far from the question (0.43) gives nothing under a passage cosine
    of 0.65."""
    scale = MEANING[DEFAULT_MODEL]
    threshold = AnswerSettings().min_relevance
    assert with_meaning(np.array([1.0]), np.array([0.2]), scale)[0] < threshold
    assert with_meaning(np.array([0.0]), np.array([0.538]), scale)[0] < threshold
    assert with_meaning(np.array([0.0]), np.array([0.541]), scale)[0] >= threshold
    far = np.array([0.43])
    assert with_meaning(np.array([1.0]), np.array([0.64]), scale, far)[0] == 0
    assert with_meaning(np.array([0.5]), np.array([0.66]), scale, far)[0] >= threshold


def test_the_rarest_word_the_index_knows_and_who_holds_it() -> None:
    index = ImpactIndex.build(DOCS)
    params = BM25Params()
    idf = IdfTable(index.vocabulary, index.offsets, index.n_docs, params.epsilon)
    # "guitar" is unseen (no option): the rarest word that can match is "sank" (1 document).
    words = question_words(["ferry", "sank", "guitar"], idf)
    word = rarest_word(words)
    assert word is not None and word.terms == ["sank"]
    norms = np.ones(5)
    assert holds(np.arange(5), word, index.postings, params.k1, norms).tolist() == [
        True, False, False, False, False]
    # A variant holds for its word; nothing known: no rarest word, nobody holds it.
    variant = rarest_word(question_words(["sankk"], idf, lambda t: [("sank", 0.8)]))
    assert holds(np.array([0, 1]), variant, index.postings, params.k1, norms[:2]).tolist() == [
        True, False]
    assert rarest_word(question_words(["guitar"], idf)) is None
    assert not holds(np.array([0]), None, index.postings, params.k1, norms[:1]).any()


def test_the_gate_by_hand() -> None:
    gate = Gate(features=("cosine", "rare"), coefficients=(10.0, 2.0), intercept=-6.0,
                threshold=0.6, shown_at=0.35, title_floor=0.44, alone=0.65)
    evidence = gate.evidence(words=np.array([0.2, 0.2, 0.0]), cosine=np.array([0.5, 0.3, 0.7]),
                             title=np.array([0.5, 0.3, 0.1]), rare=np.array([True, True, False]),
                             rare_in_title=np.array([True, False, False]))
    assert evidence["thread_or_close"].tolist() == [1.0, 0.0, 1.0]
    z = np.array([-6 + 5 + 2, -6 + 3 + 2, -6 + 7])
    assert gate.probability(evidence).tolist() == pytest.approx((1 / (1 + np.exp(-z))).tolist())
    # Placed so that a probability of exactly the threshold is shown at exactly 0.35.
    at_threshold = gate.evidence(np.zeros(1), np.array([(math.log(0.6 / 0.4) + 6) / 10]),
                                 np.zeros(1), np.zeros(1, bool), np.zeros(1, bool))
    assert gate.probability(at_threshold)[0] == pytest.approx(0.6)
    assert gate(at_threshold)[0] == pytest.approx(0.35)
    # Monotone: the order of the candidates is the probability's.
    assert np.argsort(gate(evidence)).tolist() == np.argsort(gate.probability(evidence)).tolist()


def test_the_gate_as_trees_by_hand(tmp_path: Path) -> None:
    # Two trees: the first splits on cosine at 0.5, then (right) on rare at 0.5; the second
    # a stump on title at 0.4. Leaves hold log-odds; the base is added once.
    trees = Trees(base=-1.0, roots=(0, 5),
                  feature=(0, -1, 1, -1, -1, 2, -1, -1),
                  threshold=(0.5, 0.0, 0.5, 0.0, 0.0, 0.4, 0.0, 0.0),
                  left=(1, -1, 3, -1, -1, 6, -1, -1), right=(2, -1, 4, -1, -1, 7, -1, -1),
                  value=(0.0, -2.0, 0.0, 0.5, 3.0, 0.0, -0.25, 0.75))
    x = np.array([[0.3, 1.0, 0.9],   # cosine <= 0.5: -2; title > 0.4: +0.75
                  [0.5, 0.0, 0.4],   # at a threshold the node sends left: -2, -0.25
                  [0.8, 0.0, 0.1],   # cosine > 0.5, rare <= 0.5: +0.5; -0.25
                  [0.8, 1.0, 0.6]])  # +3, +0.75
    assert trees(x).tolist() == pytest.approx([-2.25, -3.25, -0.75, 2.75])
    assert trees(np.zeros((0, 3))).tolist() == []
    gate = Gate(features=("cosine", "rare", "title"), coefficients=(), intercept=0.0,
                threshold=0.6, shown_at=0.35, title_floor=0.44, alone=0.65, trees=trees)
    evidence = {"cosine": x[:, 0], "rare": x[:, 1], "title": x[:, 2]}
    z = np.array([-2.25, -3.25, -0.75, 2.75])
    assert gate.probability(evidence).tolist() == pytest.approx((1 / (1 + np.exp(-z))).tolist())
    # Placed as the logistic gate is: shown at 0.35 exactly when the probability is >= 0.6.
    assert ((gate(evidence) >= 0.35) == (gate.probability(evidence) >= 0.6)).all()
    # Through the gate file and back, the same gate.
    data = {"features": list(gate.features), "intercept": 0.0, "threshold": 0.6,
            "shown_at": 0.35, "title_floor": 0.44, "alone": 0.65, "trees": trees.to_json()}
    path = tmp_path / "gate.json"
    path.write_text(json.dumps({"models": {"m": data}}), encoding="utf-8")
    assert load_gates(path)["m"] == gate


def _two_trees() -> Trees:
    return Trees(base=-1.0, roots=(0, 5), feature=(0, -1, 1, -1, -1, 2, -1, -1),
                 threshold=(0.5, 0.0, 0.5, 0.0, 0.0, 0.4, 0.0, 0.0),
                 left=(1, -1, 3, -1, -1, 6, -1, -1), right=(2, -1, 4, -1, -1, 7, -1, -1),
                 value=(0.0, -2.0, 0.0, 0.5, 3.0, 0.0, -0.25, 0.75))


def test_the_gate_file_holds_a_tree_a_line_and_checks_its_nodes(tmp_path: Path) -> None:
    trees = _two_trees()
    data = trees.to_json()
    # Each tree's nodes numbered from its own root: the second tree's children are 1 and 2.
    assert data["trees"][1] == {"feature": [2, -1, -1], "threshold": [0.4, 0.0, 0.0],  # type: ignore[index]
                                "left": [1, -1, -1], "right": [2, -1, -1],
                                "value": [0.0, -0.25, 0.75]}
    gate = {"features": ["cosine", "rare", "title"], "intercept": 0.0, "threshold": 0.6,
            "shown_at": 0.35, "title_floor": 0.44, "alone": 0.65, "trees": data}
    text = compact_json({"about": "x", "models": {"m": gate}})
    lines = text.splitlines()
    # One line a tree (the two trees' lines hold their five arrays), and the same data back.
    assert sum('"feature": [' in line for line in lines) == 2
    assert json.loads(text) == {"about": "x", "models": {"m": gate}}
    path = tmp_path / "gate.json"
    path.write_text(text, encoding="utf-8")
    assert load_gates(path)["m"].trees == trees

    def broken(**tree: object) -> str:
        bad = json.loads(text)
        bad["models"]["m"]["trees"]["trees"][1].update(tree)
        path.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(GateFileError) as raised:
            load_gates(path)
        return str(raised.value)

    # A child before its node (a walk that never ends), past the tree, or only one of two.
    assert "tree 1, node 0" in broken(left=[0, -1, -1])
    assert str(path) in broken(right=[3, -1, -1]) and "model m" in broken(right=[3, -1, -1])
    assert "tree 1, node 1" in broken(left=[1, 2, -1])
    assert "one length" in broken(value=[0.0, 1.0])
    assert "finite" in broken(value=[0.0, float("nan"), 1.0])
    assert "past the 3" in broken(feature=[3, -1, -1])


def test_the_fitted_trees_are_exported_as_fitted() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    from bench.gate_fit import TREES, trees_of

    rng = np.random.default_rng(0)
    x = rng.random((2000, 3))
    y = x[:, 0] + x[:, 1] * x[:, 2] + rng.normal(0, 0.3, len(x)) > 1
    model = HistGradientBoostingClassifier(**TREES).fit(x, y)  # type: ignore[arg-type]
    trees = trees_of(model)
    held = rng.random((200, 3))
    assert len(trees.roots) == model.n_iter_
    assert trees(held) == pytest.approx(model.decision_function(held), abs=1e-6)


def test_the_shipped_gate_is_placed_at_the_default_threshold(tmp_path: Path) -> None:
    gate = GATES[DEFAULT_MODEL]
    assert gate.shown_at == AnswerSettings().min_relevance
    evidence = gate.evidence(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1, bool),
                             np.zeros(1, bool), np.zeros(1), np.zeros(1, bool), True,
                             np.zeros(1), np.zeros(1, bool), (np.zeros(1), np.zeros(1)),
                             np.zeros(1, bool))
    assert set(gate.features) <= set(evidence)
    assert gate.reads_sentences
    # Its cascade: a cheap gate that reads no sentences, at the same place, with a band.
    assert gate.cheap is not None and not gate.cheap.reads_sentences
    assert gate.cheap.shown_at == gate.shown_at and gate.cheap.cheap is None
    assert gate.cheap.band[0] > 0 and gate.cheap.band[1] > 0
    assert load_gates(GATE_FILE)[DEFAULT_MODEL] == gate
    # No file: no gate, and the calibration (MEANING) answers.
    assert load_gates(tmp_path / "none.json") == {}


def test_sentences_end_at_a_stop_or_a_line() -> None:
    text = ('REM sleep is when most dreams happen. It returns every 90 minutes!\n'
            '- a list item without a stop\nThe "rapid eye movement" stage.) Then   more?')
    assert sentences(text) == ["REM sleep is when most dreams happen.",
                               "It returns every 90 minutes!", "- a list item without a stop",
                               'The "rapid eye movement" stage.)', "Then   more?"]
    # A decimal point or an abbreviation's stop without a space after it ends nothing.
    assert sentences("It costs 3.5 dollars (e.g.x) here") == ["It costs 3.5 dollars (e.g.x) here"]
    assert sentences("One. Two. Three.", most=2) == ["One.", "Two."]
    # Bounded in length too: a long line without a stop is cut.
    assert sentences("word " * 500) == [("word " * 500).strip()[:1000]]
    assert sentences("Short one. " + "x" * 50, chars=8) == ["Short on", "x" * 8]
    assert sentences(" \n\n ") == []


def test_a_long_sentence_is_cut_to_a_window_around_a_place_between_words() -> None:
    words = " ".join(f"w{i:03d}" for i in range(200))  # 799 characters, 4-letter words
    at = words.index("w100")
    cut = window(words, at, chars=100)
    # At most 100 characters, whole words only, centred on w100: 10 words of 4 on each side
    # make 99 characters with their spaces; the 11th would cut a word.
    assert len(cut) <= 100 and cut.split()[0] in ("w090", "w091") and cut.endswith(
        ("w110", "w109"))
    assert "w100" in cut and cut == cut.strip()
    assert all(len(w) == 4 for w in cut.split())
    # Near an end: the window is the first (or last) characters, still in whole words.
    assert window(words, 0, chars=100).startswith("w000 w001")
    assert window(words, len(words) - 1, chars=100).endswith("w198 w199")
    # A sentence no longer than the window is whole; the default is SENTENCE_WINDOW.
    assert window("a short one", 3, chars=11) == "a short one"
    assert len(window(words, at)) <= 240 and "w100" in window(words, at)


def test_the_gate_reads_the_sentence_holding_the_rare_word_by_hand() -> None:
    gate = Gate(features=("cosine", "sentence", "sentence_found"),
                coefficients=(2.0, 10.0, -1.0), intercept=-5.0, threshold=0.5, shown_at=0.35,
                title_floor=0.44, alone=0.65)
    assert gate.reads_sentences
    evidence = gate.evidence(words=np.zeros(3), cosine=np.array([0.3, 0.4, 0.5]),
                             title=np.zeros(3), rare=np.zeros(3, bool),
                             rare_in_title=np.zeros(3, bool),
                             sentence=np.array([0.7, np.nan, np.nan]))
    # No sentence read (or none holding the word): the passage's own cosine stands for it.
    assert evidence["sentence"].tolist() == pytest.approx([0.7, 0.4, 0.5])
    assert evidence["sentence_found"].tolist() == [1.0, 0.0, 0.0]
    z = np.array([-5 + 0.6 + 7 - 1, -5 + 0.8 + 4, -5 + 1 + 5])
    assert gate.probability(evidence).tolist() == pytest.approx((1 / (1 + np.exp(-z))).tolist())
    # Without sentences the evidence has no such features, and a gate of the six never asks.
    six = gate.evidence(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1, bool),
                        np.zeros(1, bool))
    assert "sentence" not in six and "sentence_found" not in six
    assert not Gate(("cosine",), (1.0,), 0.0, 0.5, 0.35, 0.44, 0.65).reads_sentences


def test_a_definition_question_and_an_adjacent_phrase() -> None:
    for asks in ("what is ikejime?", "Whats tit for tat in game theory", "what's lauric acid",
                 "who was Abu Mahdi al-Muhandis?", "what are antineoplastons",
                 "what does few-shot prompting mean?", "define panchamrita"):
        assert DEFINITION.search(asks), asks
    for other in ("how do I remove a tick?", "what time does the sun set in Oslo?",
                  "is whatever I eat fine?", "can you define a function in a loop?"):
        assert not DEFINITION.search(other), other
    # Next to each other in the question (stopwords out) and in one sentence, in that order.
    assert adjacent(["lauric", "acid"], [["coconut", "oil"], ["mostli", "lauric", "acid"]])
    assert not adjacent(["lauric", "acid"], [["acid", "lauric"], ["lauric", "rich", "acid"]])
    assert not adjacent(["lauric", "acid"], [["lauric"], ["acid"]])  # split by a sentence
    assert not adjacent(["ikejim"], [["ikejim", "kill"]])  # one word: no pair


def test_a_question_asking_a_figure_and_the_passages_holding_none_of_its_kind() -> None:
    asks = {"what year did hormel first start selling spam": "year",
            "When did D-Wave go public?": "year",
            "how high was the tsunami wave that hit fukushima": "measure",
            "how old was she when she died": "measure",
            "how many people died in the ebola outbreak": "count",
            "what percentage of adults snore": "count",
            "is the brat diet ok for a dog": None, "who founded mcdonalds": None,
            "how do i get wrinkles out of a shirt": None}
    for question, kind in asks.items():
        assert figure_asked(question) == kind, question
    texts = ["Spam went on sale in July 1937.", "Hormel sued over the name.",
             "The wave reached 14 metres at the plant.", "About 11,000 people died.",
             "It cost $5 a tin."]
    assert figure_missing(texts, "year").tolist() == [False, True, True, True, True]
    assert figure_missing(texts, "measure").tolist() == [True, True, False, False, False]
    assert figure_missing(texts, "count").tolist() == [False, True, False, False, False]
    assert figure_missing(texts, None).tolist() == [False] * 5
    # As a feature of the gate: 1 where the asked figure is missing.
    gate = Gate(features=("cosine", "figure_missing"), coefficients=(1.0, -3.0), intercept=0.0,
                threshold=0.5, shown_at=0.35, title_floor=0.44, alone=0.65)
    evidence = gate.evidence(np.zeros(2), np.array([0.5, 0.5]), np.zeros(2), np.zeros(2, bool),
                             np.zeros(2, bool), no_figure=np.array([True, False]))
    assert evidence["figure_missing"].tolist() == [1.0, 0.0]
    assert gate.probability(evidence).tolist() == pytest.approx(
        (1 / (1 + np.exp(-np.array([0.5 - 3, 0.5])))).tolist())


def test_the_gate_weighs_a_definition_by_hand() -> None:
    gate = Gate(features=("title", "adjacent", "definition", "definition_sentence",
                          "definition_title"),
                coefficients=(4.0, 0.5, 1.0, 2.0, -3.0), intercept=-2.0, threshold=0.5,
                shown_at=0.35, title_floor=0.44, alone=0.65)
    assert gate.reads_sentences
    args = (np.zeros(2), np.array([0.3, 0.6]), np.array([0.2, 0.5]), np.zeros(2, bool),
            np.zeros(2, bool), np.array([0.7, np.nan]), np.array([True, False]))
    asked = gate.evidence(*args, definition=True)
    assert asked["definition"].tolist() == [1.0, 1.0]
    assert asked["definition_sentence"].tolist() == pytest.approx([0.7, 0.6])
    assert asked["definition_title"].tolist() == pytest.approx([0.2, 0.5])
    assert asked["adjacent"].tolist() == [1.0, 0.0]
    z = np.array([-2 + 0.8 + 0.5 + 1 + 1.4 - 0.6, -2 + 2 + 0 + 1 + 1.2 - 1.5])
    assert gate.probability(asked).tolist() == pytest.approx((1 / (1 + np.exp(-z))).tolist())
    # Another question: the definition's terms are 0, whatever the cosines.
    other = gate.evidence(*args)
    assert other["definition"].tolist() == other["definition_sentence"].tolist() == [0.0, 0.0]
    assert other["definition_title"].tolist() == [0.0, 0.0]


def test_the_cascade_is_unsure_only_within_its_band(tmp_path: Path) -> None:
    cheap = Gate(features=("cosine",), coefficients=(10.0,), intercept=-5.0, threshold=0.5,
                 shown_at=0.35, title_floor=0.44, alone=0.65, band=(1.0, 2.0))
    evidence = {"cosine": np.array([0.35, 0.45, 0.6, 0.75])}  # log-odds -1.5, -0.5, 1, 2.5
    read = np.array([True, False, False, True])
    assert not cheap.uncertain(evidence, read)  # -1.5 and 2.5: outside -1..+2
    assert cheap.uncertain(evidence, np.array([False, True, False, False]))
    assert cheap.uncertain(evidence, np.array([False, False, True, False]))
    assert not cheap.uncertain(evidence, np.zeros(4, bool))  # nothing to read: never unsure
    # The band is around the threshold, not 0.5: at 0.731 (log-odds 1), 1 is its middle.
    moved = dataclasses.replace(cheap, threshold=1 / (1 + math.exp(-1.0)), band=(0.1, 0.1))
    assert moved.uncertain(evidence, np.array([False, False, True, False]))
    # Read from the file with the gate that reads the sentences.
    path = tmp_path / "gate.json"
    path.write_text(json.dumps({"models": {"m": {
        "features": ["cosine", "sentence"], "coefficients": [1.0, 2.0], "intercept": -1.0,
        "threshold": 0.6, "shown_at": 0.35, "title_floor": 0.44, "alone": 0.65,
        "cheap": {"features": ["cosine"], "coefficients": [10.0], "intercept": -5.0,
                  "threshold": 0.5, "band": [1.0, 2.0]}}}}), encoding="utf-8")
    gate = load_gates(path)["m"]
    assert gate.cheap == cheap and gate.band == (0.0, 0.0) and gate.threshold == 0.6


def test_the_question_without_its_rarest_word() -> None:
    """Every word that is one of the rarest word's index terms goes, whatever its case or
    ending; the rest is kept as written."""
    tokenize = Tokenizer()
    forms = frozenset(tokenize("walruses"))
    assert without_word("How long do Walruses live? A walrus in the wild", forms, tokenize) == \
        "How long do live? A in the wild"
    assert without_word("how long do walruses live?", frozenset(), tokenize) == \
        "how long do walruses live?"
    assert without_word("walrus", forms, tokenize) == "?"  # nothing left: no empty text


def test_the_gate_weighs_every_sentence_and_the_rest_by_hand() -> None:
    gate = Gate(features=("cosine", "best_sentence", "first_sentence_rare", "rest_cosine",
                          "rest_title"),
                coefficients=(2.0, 4.0, 1.0, 3.0, -2.0), intercept=-4.0, threshold=0.5,
                shown_at=0.35, title_floor=0.44, alone=0.65)
    assert gate.reads_sentences and gate.reads_every_sentence and gate.reads_rest
    assert not Gate(("sentence",), (1.0,), 0.0, 0.5, 0.35, 0.44, 0.65).reads_every_sentence
    rest_only = Gate(("rest_cosine",), (1.0,), 0.0, 0.5, 0.35, 0.44, 0.65)
    assert rest_only.reads_sentences and rest_only.reads_rest
    assert not rest_only.reads_every_sentence
    args = (np.zeros(3), np.array([0.3, 0.5, 0.6]), np.array([0.4, 0.2, 0.1]),
            np.array([True, True, False]), np.zeros(3, bool))
    more = {"best_sentence": np.array([0.8, np.nan, 0.7]),
            "first_rare": np.array([True, False, True]),
            "rest": (np.array([0.2, 0.3, 0.4]), np.array([0.5, 0.1, 0.0]))}
    asked = gate.evidence(*args, **more)
    # Not read: the passage's own cosine stands for the best sentence.
    assert asked["best_sentence"].tolist() == pytest.approx([0.8, 0.5, 0.7])
    # The first sentence counts only for a passage that holds the word at all.
    assert asked["first_sentence_rare"].tolist() == [1.0, 0.0, 0.0]
    assert asked["rest_cosine"].tolist() == pytest.approx([0.2, 0.3, 0.4])
    assert asked["rest_title"].tolist() == pytest.approx([0.5, 0.1, 0.0])
    z = np.array([-4 + 0.6 + 3.2 + 1 + 0.6 - 1.0, -4 + 1.0 + 2.0 + 0 + 0.9 - 0.2,
                  -4 + 1.2 + 2.8 + 0 + 1.2 - 0.0])
    assert gate.probability(asked).tolist() == pytest.approx((1 / (1 + np.exp(-z))).tolist())
    # A definition question's rest ("what is") asks nothing: 0.
    defining = gate.evidence(*args, definition=True, **more)
    assert defining["rest_cosine"].tolist() == defining["rest_title"].tolist() == [0.0] * 3
    # Without them, no such features.
    assert "best_sentence" not in gate.evidence(*args) and "rest_cosine" not in \
        gate.evidence(*args)


def test_the_term_a_short_definition_question_asks_about() -> None:
    kuru = Word(5.0, (Option((("kuru", 5.0),)),), "kuru")
    once = lambda word: 1  # noqa: E731 - how many passages hold it

    assert defined_term("what is kuru?", ["kuru"], kuru, once) == "kuru"
    assert defined_term("what does kuru do", ["kuru"], kuru, once) == "kuru"
    # Held by more passages than DEFINED_TERM_PASSAGES (3): a word the corpus uses widely.
    assert defined_term("what is kuru?", ["kuru"], kuru, lambda word: 3) == "kuru"
    assert defined_term("what is kuru?", ["kuru"], kuru, lambda word: 4) is None
    # Not a definition; or more words than DEFINED_TERM_WORDS (4): it asks something else.
    assert defined_term("is kuru contagious?", ["kuru", "contagi"], kuru, once) is None
    assert defined_term("whats the best kuru pattern for deer hunting",
                        ["best", "kuru", "pattern", "deer", "hunt"], kuru, once) is None
    # Short, but asking for a judgement or today's state, not what the term is (review12 D1).
    pizza = Word(5.0, (Option((("pizza", 5.0),)),), "pizza")
    assert defined_term("what is pizza?", ["pizza"], pizza, once) == "pizza"
    assert defined_term("what's the best pizza topping?", ["best", "pizza", "top"], pizza,
                        once) is None
    assert defined_term("what is a good pizza?", ["good", "pizza"], pizza, once) is None
    assert defined_term("what is the weather in pizza today?", ["weather", "pizza", "today"],
                        pizza, once) is None
    # ... but a term holding such a word is still one (review13 F3).
    for question, terms in (("what is time dilation?", ["time", "pizza"]),
                            ("what is the right to pizza?", ["right", "pizza"]),
                            ("what is top pizza?", ["top", "pizza"])):
        assert defined_term(question, terms, pizza, once) == "pizza", question
    # The index knows only a variant of it: no passage holds the term as the question spells it.
    variant = Word(5.0, (Option((("kurus", 5.0),), 0.8),), "kuru")
    assert defined_term("what is kuru?", ["kuru"], variant, once) is None
    assert defined_term("what is kuru?", ["kuru"], None, once) is None


def test_the_gate_passes_the_candidates_holding_a_defined_term() -> None:
    gate = Gate(features=("cosine",), coefficients=(10.0,), intercept=-8.0, threshold=0.5,
                shown_at=0.35, title_floor=0.44, alone=0.65, trees=None)
    cosine = np.array([0.2, 0.3, 0.1, 0.9])
    plain = gate({"cosine": cosine})
    assert (plain >= 0.35).tolist() == [False, False, False, True]
    held = np.array([True, True, False, False])
    lifted = gate({"cosine": cosine, "defined_term": held})
    # The two holding it pass, the weaker just, in their order; the others are as they were.
    assert (lifted >= 0.35).tolist() == [True, True, False, True]
    assert lifted[0] == pytest.approx(0.35, abs=1e-5) and lifted[1] > lifted[0]
    assert lifted[2:].tolist() == plain[2:].tolist()
    # Already passing: nothing changes.
    assert gate({"cosine": cosine, "defined_term": np.array([False, False, False, True])}
                ).tolist() == plain.tolist()
    assert gate({"cosine": cosine, "defined_term": np.zeros(4, bool)}).tolist() == plain.tolist()
