"""Fit the hybrid path's accept/refuse decision (``index.relevance.Gate``) on the questions of
``make answers``, cross-validated, and write ``index/relevance_gate.json``.

    python -m bench.gate_fit [--folds 5] [--seeds 3] [--model trees|logistic] [--write]

Every candidate the bot weighs for a tuning question (``bot.answering.CANDIDATES``, from
``IndexReader.evidence``) is a row: positive when it is a passage the question expects,
negative when the question is off-topic; the other candidates of an on-topic question are
left out (they may answer it too: nobody judged them). Boosted regression trees (``--model
trees``, scikit-learn's HistGradientBoostingClassifier; ``logistic``: a logistic regression)
over the gate's features give each a probability; the operating point is the threshold on it
that answers the most questions right, on-topic share plus off-topic share, the higher
threshold among equals (precision first). Each question is scored through
``bot.answering.choose`` with the gate's relevance, exactly as the bot chooses, a passage
shown inside a joined quote counting as shown (``bench.answers.members``, as ``make answers``
counts it).

Cross-validation: folds by thread (a thread's questions are never both fitted and scored;
off-topic questions drawn at random), each fold's threshold chosen on the other folds, repeated
over ``--seeds`` random fold assignments and averaged. The same is done for the calibration
the gate replaces (``index.relevance.MEANING``: its threshold chosen per fold as well, though
its other settings were chosen on these questions, which favours it). ``--write`` fits on
every tuning question and writes the gate. Only the splits in ``TUNING`` are read: a held-out
split written later is never fitted on.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.answers import CACHE, Question, members, mixed_corpus, read_questions  # noqa: E402
from bot.answering import CANDIDATES, choose  # noqa: E402
from index.build import build_with  # noqa: E402
from index.config import AnswerSettings, load_config  # noqa: E402
from index.embedding import DEFAULT_MODEL  # noqa: E402
from index.reader import Hit, IndexReader  # noqa: E402
from index.relevance import (  # noqa: E402
    GATE_FILE,
    GATES,
    READS_EVERY_SENTENCE,
    SENTENCE_HEAD,
    Gate,
    Trees,
    compact_json,
)

# The splits fitted on: every set written before the gate, and the held-out sets run on it
# since (reported, so now seen). Later ones are held out. "tune3" (h21tune) was written as
# training data (hard neighbours, details inside broader threads): fitted on, never left out.
# "unseen14" joined after its one run (h22gate); the committed gate was fitted before it (no
# new feature beat the placebos, so it was not refit: docs/measurements.md, "h22gate").
TUNING = ("tune", "tune2", "heldout", "fresh", "unseen", "unseen2", "unseen3", "unseen4",
          "unseen5", "unseen6", "unseen7", "unseen8", "unseen9", "unseen10", "unseen11",
          "unseen12", "unseen13", "unseen14", "tune3")
# The sets written blind (threads drawn at random, asked in people's own words, about terms
# inside answers) and each run once before it was tuned on: the earlier sets ask nearer the
# threads' titles, so the CV over all of them overshoots a new blind set. Each is left out in
# turn (``leave_one_set_out``): the estimate the gate is chosen by.
BLIND = ("unseen", "unseen2", "unseen3", "unseen4", "unseen5", "unseen6", "unseen7", "unseen8",
         "unseen9", "unseen10", "unseen11", "unseen12", "unseen13", "unseen14")
# ``--features six``: the gate's before the sentences (h14gate's), for comparison.
SIX = ("cosine", "title", "words", "thread_or_close", "rare", "rare_in_title")
EIGHT = (*SIX, "sentence", "sentence_found")
# ``definitions``: the eight, whether two adjacent words of the question are adjacent in one
# sentence of the passage, and whether the question asks what a term is (alone, and times the
# sentence's and the title's cosines: a definition's answer sits inside a broader thread).
TWELVE = (*EIGHT, "adjacent", "definition", "definition_sentence", "definition_title")
# ``rest``: the twelve, whether the passage's first sentence holds the rarest word, and the
# passage's and its title's cosines to the question without that word (0 for a definition
# question): h17gate's error analysis found neighbours that share the rare word but not the
# rest of the question. ``every``: and the best cosine of any sentence of the first
# candidates (not only those holding the rarest word: the answering sentence is often
# diluted in its passage); more right in both groups, but four times the sentences to embed.
REST = (*TWELVE, "first_sentence_rare", "rest_cosine", "rest_title")
# ``figures``: the rest, and whether the question asks a figure (a year, a count, a measure)
# that the passage holds none of (h21gate: neighbours asking what the thread never gives; left
# out over 13 blind sets with tune3 in training, trees 602 -> 608 of 696 on-topic, 588 -> 594
# of 659 off-topic; the missed words' idf share and ``pull`` gained nothing beyond a placebo's).
FIGURES = (*REST, "figure_missing")
FEATURE_SETS = {"six": SIX, "sentences": EIGHT, "definitions": TWELVE, "rest": REST,
                "every": (*REST[:-3], "best_sentence", *REST[-3:]), "figures": FIGURES}
CHOSEN = "figures"
# The model over the features: ``logistic`` (one weight each), or ``trees`` (boosted regression
# trees, which weigh features together; h18gate: left out 446/516, 431/479 against logistic's
# 437, 426 on the fifteen). The cascade's cheap gate is always logistic.
MODELS = ("logistic", "trees")
CHOSEN_MODEL = "trees"
# The trees' settings (scikit-learn's HistGradientBoostingClassifier), fixed before any
# selection: small trees, shrunk, a leaf holding at least 40 candidates.
TREES = {"max_iter": 150, "learning_rate": 0.05, "max_leaf_nodes": 8, "min_samples_leaf": 40,
         "l2_regularization": 1.0, "random_state": 0}
FEATURES = tuple(dict.fromkeys(f for names in FEATURE_SETS.values() for f in names))
THRESHOLDS = np.round(np.arange(0.3, 0.901, 0.025), 3)
# The cascade's bands tried (log-odds below and above the cheap gate's threshold).
BANDS = [(below, above) for below in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
         for above in (0.5, 1.0, 1.5, 2.0, 3.0)]


@dataclass
class Asked:
    question: Question
    hits: list[Hit]
    x: np.ndarray  # candidates x FEATURES
    expected: np.ndarray  # whether each candidate is a passage the question expects
    # Whether each holds the term of a short definition question (``defined_term``): these
    # pass whatever the gate says (``Gate.__call__``), so the served counts lift them.
    defined: np.ndarray | None = None

    @property
    def thread(self) -> str | None:
        if not self.question.expect:
            return None
        return self.question.expect[0].split("/a")[0]


async def ask_all(reader: IndexReader, questions: list[Question]) -> list[Asked]:
    out = []
    for q in questions:
        found = await reader.evidence(q.text, CANDIDATES)
        if found is None:
            out.append(Asked(q, [], np.zeros((0, len(FEATURES))), np.zeros(0, bool)))
            continue
        hits, evidence = found
        x = np.column_stack([evidence[f] for f in FEATURES]) if hits else \
            np.zeros((0, len(FEATURES)))
        expected = np.array([q.on_topic and q.shown_right([h.passage_id]) for h in hits], bool)
        out.append(Asked(q, hits, x, expected, evidence.get("defined_term")))
    return out


def gate_of(model: object, threshold: float, shown_at: float, base: Gate,
            features: tuple[str, ...] = FEATURES) -> Gate:
    if not hasattr(model, "coef_"):
        return dataclasses.replace(base, features=features, threshold=float(threshold),
                                   shown_at=shown_at, coefficients=(), intercept=0.0,
                                   trees=trees_of(model), cheap=None)
    return dataclasses.replace(
        base, features=features, threshold=float(threshold), shown_at=shown_at,
        coefficients=tuple(float(c) for c in model.coef_[0]),  # type: ignore[attr-defined]
        intercept=float(model.intercept_[0]), trees=None, cheap=None)


def trees_of(model: object) -> Trees:
    """A fitted HistGradientBoostingClassifier's trees (its leaves' values hold the
    shrinkage), every tree's nodes in one set of arrays: ``index.relevance.Trees``."""
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    for (predictor,) in model._predictors:  # type: ignore[attr-defined]
        nodes, at = predictor.nodes, len(feature)
        roots.append(at)
        for node in nodes:
            leaf = bool(node["is_leaf"])
            feature.append(0 if leaf else int(node["feature_idx"]))
            threshold.append(0.0 if leaf else round(float(node["num_threshold"]), 9))
            left.append(-1 if leaf else at + int(node["left"]))
            right.append(-1 if leaf else at + int(node["right"]))
            value.append(round(float(node["value"]), 9) if leaf else 0.0)
    return Trees(float(model._baseline_prediction.ravel()[0]),  # type: ignore[attr-defined]
                 tuple(roots), tuple(feature), tuple(threshold), tuple(left), tuple(right),
                 tuple(value))


def right(asked: Asked, relevance: np.ndarray, min_relevance: float, k: int) -> bool:
    """Whether the bot's first page is right for the question with these relevances."""
    if not len(relevance) or relevance.max() < min_relevance:
        return asked.question.shown_right([])
    # Only the candidates at the threshold can be shown (``choose`` drops the rest first).
    hits = [dataclasses.replace(h, relevance=float(r))
            for h, r in zip(asked.hits, relevance, strict=True) if r >= min_relevance]
    # A quote's consecutive passages shown joined keep the first one's id: each counts as
    # shown, as ``bench.answers`` counts them (the joined ones are among the candidates).
    texts = {h.passage_id: h.text for h in asked.hits}
    return asked.question.shown_right(
        [pid for h in choose(hits, k=k, min_relevance=min_relevance)[:k]
         for pid in members(h, texts)])


def curve(asked: list[Asked], probability: list[np.ndarray], shown_at: float, k: int
          ) -> np.ndarray:
    """Each question right or not (rows) at each threshold of THRESHOLDS (columns), the
    probabilities placed on the relevance scale as ``Gate.__call__`` places them."""
    out = np.zeros((len(asked), len(THRESHOLDS)), bool)
    for i, (a, p) in enumerate(zip(asked, probability, strict=True)):
        z = np.log(np.clip(p, 1e-12, 1 - 1e-12) / np.clip(1 - p, 1e-12, 1))
        for j, t in enumerate(THRESHOLDS):
            shift = np.log(shown_at / (1 - shown_at)) - np.log(t / (1 - t))
            relevance = 1 / (1 + np.exp(-(z + shift)))
            passing = relevance >= shown_at
            # Exact shortcuts, without choose (it shows only candidates that pass).
            if not passing.any():
                out[i, j] = asked[i].question.shown_right([])
            elif a.question.on_topic and not (passing & a.expected).any():
                out[i, j] = False
            else:
                out[i, j] = right(a, relevance, shown_at, k)
    return out


def best_threshold(asked: list[Asked], rights: np.ndarray) -> int:
    on = np.array([a.question.on_topic for a in asked])
    score = rights[on].mean(0) + rights[~on].mean(0)
    return int(np.flatnonzero(score >= score.max() - 1e-12)[-1])  # the highest among equals


def fit(asked: list[Asked], blind_weight: float = 1.0, kind: str = CHOSEN_MODEL) -> object:
    """The model (``kind``: MODELS) over the candidates of ``asked``; a blind set's candidates
    weigh ``blind_weight`` times the others'."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    asked = [a for a in asked if len(a.hits)]
    x = np.vstack([a.x for a in asked])
    y = np.concatenate([a.expected for a in asked])
    on = np.concatenate([np.full(len(a.hits), a.question.on_topic) for a in asked])
    of = np.concatenate([np.full(len(a.hits), blind_weight if a.question.split in BLIND else 1.0)
                         for a in asked])
    weight = np.where(on & ~y, 0.0, of)  # unjudged candidates of on-topic questions: out
    if kind == "trees":
        kept = weight > 0
        trees = HistGradientBoostingClassifier(**TREES)  # type: ignore[arg-type]
        trees.fit(x[kept], y[kept], sample_weight=weight[kept])
        return trees
    model = LogisticRegression(C=1.0, max_iter=5000)
    model.fit(x, y, sample_weight=weight)
    return model


def probabilities(model: object, asked: list[Asked]) -> list[np.ndarray]:
    return [model.predict_proba(a.x)[:, 1] if len(a.hits) else np.zeros(0)  # type: ignore
            for a in asked]


def counts(asked: list[Asked], rights: np.ndarray) -> np.ndarray:
    on = np.array([a.question.on_topic for a in asked])
    return np.array([rights[on].sum(), on.sum(), rights[~on].sum(), (~on).sum()])


def folds(asked: list[Asked], n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    threads = sorted({a.thread for a in asked if a.thread is not None})
    of_thread = dict(zip(threads, rng.permutation(len(threads)) % n, strict=True))
    return np.array([of_thread[a.thread] if a.thread is not None else int(rng.integers(n))
                     for a in asked])


def fitted_threshold(train: list[Asked], shown_at: float, k: int, blind_weight: float = 1.0,
                     kind: str = CHOSEN_MODEL) -> tuple[object, int]:
    """The model fitted on ``train`` and its operating point (an index of THRESHOLDS) chosen
    on ``train`` too."""
    model = fit(train, blind_weight, kind)
    return model, best_threshold(train, curve(train, probabilities(model, train), shown_at, k))


@dataclass
class LeftOut:
    """Each blind set's questions scored by the gate fitted, and its threshold chosen, on
    every other tuning question: how a gate fitted on all would fare on the next blind set."""

    at: np.ndarray  # the questions' places in ``asked``
    right: np.ndarray  # each right or not
    margin: list[np.ndarray]  # each candidate's log-odds less its threshold's

    def counts(self, asked: list[Asked], right: np.ndarray | None = None
               ) -> dict[str, np.ndarray]:
        """(on-topic right, on-topic, off-topic right, off-topic) by blind set."""
        right = self.right if right is None else right
        splits = np.array([asked[i].question.split for i in self.at])
        return {s: counts([asked[i] for i in self.at[splits == s]], right[splits == s, None])
                for s in BLIND if (splits == s).any()}


def left_out(asked: list[Asked], shown_at: float, k: int, blind_weight: float = 1.0,
             kind: str = CHOSEN_MODEL) -> LeftOut:
    at, right, margin = [], [], []
    for split in BLIND:
        test_at = [i for i, a in enumerate(asked) if a.question.split == split]
        if not test_at:
            continue
        model, t = fitted_threshold([a for a in asked if a.question.split != split],
                                    shown_at, k, blind_weight, kind)
        test = [asked[i] for i in test_at]
        p = probabilities(model, test)
        at += test_at
        right += curve(test, p, shown_at, k)[:, t].tolist()
        logit_t = np.log(THRESHOLDS[t] / (1 - THRESHOLDS[t]))
        margin += [np.log(np.clip(q, 1e-12, 1) / np.clip(1 - q, 1e-12, 1)) - logit_t for q in p]
    return LeftOut(np.array(at, dtype=int), np.array(right, dtype=bool), margin)


def leave_one_set_out(asked: list[Asked], shown_at: float, k: int, blind_weight: float = 1.0,
                      kind: str = CHOSEN_MODEL) -> dict[str, np.ndarray]:
    """Each blind set's counts (on-topic right, on-topic, off-topic right, off-topic), left
    out in turn (``LeftOut``)."""
    return left_out(asked, shown_at, k, blind_weight, kind).counts(asked)


def read_of(asked: Asked, every: bool) -> np.ndarray:
    """Which of the first candidates the full gate would read: every one when it weighs all
    their sentences (``Gate.reads_every_sentence``), else those with a sentence holding the
    rarest word (``sentence_found``)."""
    if not len(asked.hits):
        return np.zeros(0, bool)
    if every:
        return np.ones(min(SENTENCE_HEAD, len(asked.hits)), bool)
    return asked.x[:SENTENCE_HEAD, FEATURES.index("sentence_found")] > 0


def cascade(asked: list[Asked], cheap: LeftOut, full: LeftOut, band: tuple[float, float],
            every: bool = False) -> tuple[np.ndarray, float]:
    """Each left-out question right or not, and the share of them whose sentences are
    embedded, when the ``cheap`` gate decides unless a candidate whose sentences would be
    read (``read_of``) is within ``band`` of its threshold (``Gate.uncertain``); with no such
    candidate, nothing is read and the ``full`` gate, exact without, decides."""
    right, read = full.right.copy(), 0
    for j, i in enumerate(cheap.at):
        held = read_of(asked[i], every)
        if not held.any():
            continue
        z = cheap.margin[j][:SENTENCE_HEAD][held]
        if ((z >= -band[0]) & (z <= band[1])).any():
            read += 1
        else:
            right[j] = cheap.right[j]
    return right, read / len(cheap.at)


def right_as_served(asked: list[Asked], cheap: LeftOut, full: LeftOut,
                    band: tuple[float, float], shown_at: float, k: int, every: bool = False
                    ) -> np.ndarray:
    """Each left-out question right or not as the reader serves it: the gate the cascade
    picks (``cascade``) decides, with the candidates holding a short definition question's
    term lifted to pass (``Gate.__call__``)."""
    out = []
    for j, i in enumerate(full.at):
        a, z = asked[i], full.margin[j]
        if not len(a.hits):
            out.append(a.question.shown_right([]))
            continue
        held = read_of(a, every)
        zc = cheap.margin[j][:SENTENCE_HEAD][held]
        if held.any() and not ((zc >= -band[0]) & (zc <= band[1])).any():
            z = cheap.margin[j]
        if a.defined is not None and a.defined.any():
            z = z + a.defined * max(0.0, 1e-6 - float(z[a.defined].min()))
        relevance = 1 / (1 + np.exp(-(z + np.log(shown_at / (1 - shown_at)))))
        out.append(right(a, relevance, shown_at, k))
    return np.array(out, dtype=bool)


def cross_validate(asked: list[Asked], n: int, seeds: int, shown_at: float, k: int,
                   blind_weight: float = 1.0, kind: str = CHOSEN_MODEL
                   ) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """(the gate's counts, the calibration's counts, the gate's thresholds), summed over the
    test folds and averaged over seeds: on-topic right, on-topic, off-topic right, off-topic."""
    base = [np.array([h.relevance or 0.0 for h in a.hits]) for a in asked]
    # The calibration's relevance at each threshold directly (no placing).
    base_rights = np.array([[right(a, b, t, k) for t in THRESHOLDS]
                            for a, b in zip(asked, base, strict=True)])
    gate, calibration, chosen = np.zeros(4), np.zeros(4), []
    for seed in range(seeds):
        fold = folds(asked, n, seed)
        for f in range(n):
            train = [a for a, g in zip(asked, fold, strict=True) if g != f]
            test = [a for a, g in zip(asked, fold, strict=True) if g == f]
            model, t = fitted_threshold(train, shown_at, k, blind_weight, kind)
            chosen.append(float(THRESHOLDS[t]))
            gate += counts(test, curve(test, probabilities(model, test), shown_at, k)[:, [t]])
            tb = best_threshold(train, base_rights[fold != f])
            calibration += counts(test, base_rights[fold == f][:, [tb]])
    return gate / seeds, calibration / seeds, chosen


def only(asked: list[Asked], features: tuple[str, ...]) -> list[Asked]:
    """The questions with only these of ``FEATURES``, in this order."""
    at = [FEATURES.index(f) for f in features]
    return [dataclasses.replace(a, x=a.x[:, at]) for a in asked]


def share(c: np.ndarray) -> str:
    if not c[1]:
        return f"off-topic {c[2]:.1f}/{c[3]:.0f} = {c[2] / c[3]:.1%}"
    return (f"on-topic {c[0]:.1f}/{c[1]:.0f} = {c[0] / c[1]:.1%}, "
            f"off-topic {c[2]:.1f}/{c[3]:.0f} = {c[2] / c[3]:.1%}")


async def run(args: argparse.Namespace) -> None:
    config = load_config(args.config) if args.config else load_config()
    k, shown_at = config.answers.passages, AnswerSettings().min_relevance
    questions = [q for q in read_questions() if q.split in TUNING]
    corpus = mixed_corpus(args.cache)
    database = args.cache / "index.db"
    build_with(config.index, corpus=corpus, database=database)
    started = time.perf_counter()
    async with await IndexReader.open(database) as reader:
        if not await reader.semantic_ready():
            sys.exit("the index has no usable passage vectors: the gate is the hybrid path's")
        asked = await ask_all(reader, questions)
    print(f"{len(asked)} tuning questions ({', '.join(TUNING)}), {CANDIDATES} candidates each, "
          f"asked in {time.perf_counter() - started:.0f} s")
    base = [np.array([h.relevance or 0.0 for h in a.hits]) for a in asked]
    shipped = np.array([[right(a, b, shown_at, k)] for a, b in zip(asked, base, strict=True)])
    print(f"the calibration (MEANING) at min_relevance {shown_at}, as shipped before (chosen on "
          f"most of these questions): {share(counts(asked, shipped))}")
    shipped_gate = GATES.get(DEFAULT_MODEL)
    if shipped_gate is not None and set(shipped_gate.features) <= set(FEATURES):
        # The committed gate as it is (fitted on some of these questions: not a measure).
        as_is = only(asked, shipped_gate.features)
        relevances = [shipped_gate(dict(zip(shipped_gate.features, a.x.T, strict=True)))
                      if len(a.hits) else np.zeros(0) for a in as_is]
        rights = np.array([[right(a, r, shown_at, k)] for a, r in zip(asked, relevances,
                                                                      strict=True)])
        print(f"the committed gate ({len(shipped_gate.features)} features), as it is: "
              f"{share(counts(asked, rights))}")
        for split in TUNING:
            at = [i for i, a in enumerate(asked) if a.question.split == split]
            print(f"    {split}: {share(counts([asked[i] for i in at], rights[at]))}")
    features = FEATURE_SETS[args.features]
    print(f"cross-validated ({args.folds} folds by thread x {args.seeds} seeds, each fold's "
          f"threshold chosen on the others; the same folds for each), and each blind set left "
          f"out in turn (fitted on every other tuning question; blind sets weighing "
          f"{args.blind_weight}):")
    left: dict[str, LeftOut] = {}
    for name, names in FEATURE_SETS.items():
        if args.sets and name not in {*args.sets, "six", args.features}:
            continue  # the cascade's cheap gate and the gate written are always measured
        kind = "logistic" if name == "six" else args.model  # the cascade's cheap gate
        gate, calibration, chosen = cross_validate(only(asked, names), args.folds, args.seeds,
                                                   shown_at, k, args.blind_weight, kind)
        print(f"  {name} ({len(names)} features, {kind}): CV {share(gate)} "
              f"(thresholds {min(chosen)}-{max(chosen)})")
        left[name] = left_out(only(asked, names), shown_at, k, args.blind_weight, kind)
        by_set = left[name].counts(asked)
        print(f"    each blind set left out, pooled: {share(sum(by_set.values()))}")
        print("      " + "; ".join(f"{s} {c[0]:.0f}/{c[1]:.0f}, {c[2]:.0f}/{c[3]:.0f}"
                                   for s, c in by_set.items()))
        if name == args.features:
            kept = gate, calibration
    print(f"  the calibration, its threshold per fold: {share(calibration)}")
    gate, calibration = kept
    loso = {s: c.tolist() for s, c in left[args.features].counts(asked).items()}
    band, band_counts = choose_band(asked, left["six"], left[args.features], args) \
        if args.features != "six" else (None, None)
    full = only(asked, features)
    model = fit(full, args.blind_weight, args.model)
    rights = curve(full, probabilities(model, full), shown_at, k)
    t = best_threshold(full, rights)
    base_gate = shipped_gate or Gate(features, (0.0,) * len(features), 0.0, 0.5, shown_at,
                                     0.44, 0.65)
    fitted = gate_of(model, THRESHOLDS[t], shown_at, base_gate, features)
    print(f"fitted on all ({args.features}, {args.model}"
          f"{', not written' if args.cascade_only else ''}): threshold {fitted.threshold}, "
          + (f"{len(fitted.trees.roots)} trees, {len(fitted.trees.value)} nodes"
             if fitted.trees is not None else
             ", ".join(f"{n} {c:+.3f}" for n, c in zip(features, fitted.coefficients,
                                                       strict=True))
             + f", intercept {fitted.intercept:+.3f}"))
    print(f"  on the questions it was fitted on (not a measure): "
          f"{share(counts(full, rights[:, [t]]))}")
    for split in TUNING:
        at = [i for i, a in enumerate(full) if a.question.split == split]
        print(f"    {split}: {share(counts([full[i] for i in at], rights[at][:, [t]]))}")
    about: dict[str, object] = {
        "features": list(fitted.features),
        "coefficients": [round(c, 6) for c in fitted.coefficients],
        "intercept": round(fitted.intercept, 6), "threshold": fitted.threshold,
        "shown_at": fitted.shown_at, "title_floor": fitted.title_floor, "alone": fitted.alone}
    if fitted.trees is not None:
        about["trees"] = fitted.trees.to_json()
    if band is not None:
        cheap_asked = only(asked, SIX)
        cheap_model = fit(cheap_asked, args.blind_weight, "logistic")
        t_cheap = best_threshold(cheap_asked, curve(cheap_asked, probabilities(
            cheap_model, cheap_asked), shown_at, k))
        cheap = gate_of(cheap_model, THRESHOLDS[t_cheap], shown_at, base_gate, SIX)
        about["cheap"] = {"features": list(SIX),
                          "coefficients": [round(c, 6) for c in cheap.coefficients],
                          "intercept": round(cheap.intercept, 6), "threshold": cheap.threshold,
                          "band": list(band)}
        print(f"the cheap gate of the cascade (six, fitted on all): threshold {cheap.threshold},"
              f" band {band[0]} below to {band[1]} above it in log-odds")
        as_served = right_as_served(asked, left["six"], left[args.features], band, shown_at,
                                    k)
        print(f"  left out as served (the cascade, and short definition questions' terms "
              f"passing): {share(sum(left['six'].counts(asked, as_served).values()))}")
        if args.cascade_only and shipped_gate is not None:
            # The committed gate stays as it is; only its cascade is fitted and written.
            fitted = dataclasses.replace(shipped_gate, cheap=dataclasses.replace(
                cheap, band=band))
            data = json.loads(GATE_FILE.read_text(encoding="utf-8"))
            data["models"][DEFAULT_MODEL]["cheap"] = about["cheap"]
            data["cascade"] = {"fitted_on": list(TUNING), "blind_weight": args.blind_weight,
                               "leave_one_set_out": band_counts.tolist()}
        else:
            fitted = dataclasses.replace(fitted, cheap=dataclasses.replace(cheap, band=band))
        alone, served = ([[right(a, relevance(a, g), shown_at, k)] for a in asked]
                         for g in (dataclasses.replace(fitted, cheap=None), fitted))
        changed = sum(a != b for a, b in zip(alone, served, strict=True))
        print(f"  {'the committed gate' if args.cascade_only else 'the gate'} alone on the "
              f"tuning questions (in-sample): {share(counts(asked, np.array(alone)))}; with its "
              f"cascade: {share(counts(asked, np.array(served)))} ({changed} right or wrong "
              f"otherwise)")
    if args.write and args.cascade_only and band is not None:
        GATE_FILE.write_text(compact_json(data) + "\n", encoding="utf-8")
        print(f"written (the committed gate kept, its cascade added): {GATE_FILE}")
    elif args.write:
        data = {"about": "index.relevance.Gate, fitted by python -m bench.gate_fit",
                "fitted_on": list(TUNING),
                "cross_validated": {"gate": gate.tolist(), "calibration": calibration.tolist(),
                                    "folds": args.folds, "seeds": args.seeds},
                "leave_one_set_out": loso, "blind_weight": args.blind_weight,
                "model": args.model,
                "models": {DEFAULT_MODEL: about}}
        GATE_FILE.write_text(compact_json(data) + "\n", encoding="utf-8")
        print(f"written: {GATE_FILE}")


def relevance(asked: Asked, gate: Gate) -> np.ndarray:
    """The candidates' relevance as the reader serves it (``IndexReader._hybrid_evidence``):
    the cheap gate's where its cascade is sure, else the gate's."""
    if not len(asked.hits):
        return np.zeros(0)
    evidence = dict(zip(FEATURES, asked.x.T, strict=True))
    if gate.cheap is not None:
        read = np.zeros(len(asked.hits), dtype=bool)
        held = read_of(asked, gate.reads_every_sentence)
        read[:len(held)] = held
        if read.any() and not gate.cheap.uncertain(evidence, read):
            return gate.cheap(evidence)
    return gate(evidence)


def choose_band(asked: list[Asked], cheap: LeftOut, full: LeftOut, args: argparse.Namespace
                ) -> tuple[tuple[float, float] | None, np.ndarray | None]:
    """The cascade's band (``Gate.uncertain``): ``--band``, or the one that embeds sentences
    for the fewest left-out questions while answering at least as many right in each group
    as the gate that always reads them (None: no band does, no cascade); and its pooled
    counts there."""
    whole = sum(full.counts(asked).values())
    every = not READS_EVERY_SENTENCE.isdisjoint(FEATURE_SETS[args.features])
    print(f"the cascade, left out by blind set (the gate above always reading sentences: "
          f"{share(whole)}; sentences read for {np.mean(held_any(asked, full, every)):.1%}):")
    bands = [args.band] if args.band else BANDS
    fits = []
    for band in bands:
        right, read = cascade(asked, cheap, full, band, every)
        c = sum(cheap.counts(asked, right).values())
        print(f"  band -{band[0]}..+{band[1]}: {share(c)}, sentences read for {read:.1%}")
        if args.band or (c[0] >= whole[0] and c[2] >= whole[2]):
            fits.append((read, sum(band), band, c))
    if args.no_cascade or not fits:
        print("  no cascade")
        return None, None
    _, _, band, c = min(fits, key=lambda f: f[:2])
    print(f"  chosen: -{band[0]}..+{band[1]}")
    return band, c


def held_any(asked: list[Asked], left: LeftOut, every: bool = False) -> list[bool]:
    """Whether each left-out question has a candidate whose sentences would be read."""
    return [bool(read_of(asked[i], every).any()) for i in left.at]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, help="a config file (default: the bot's)")
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help=f"where the corpus copy and its index are kept (default: {CACHE})")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--features", choices=tuple(FEATURE_SETS), default=CHOSEN,
                        help=f"the gate fitted and written (default {CHOSEN}): " + "; ".join(
                            f"{k}: {', '.join(v)}" for k, v in FEATURE_SETS.items()))
    parser.add_argument("--model", choices=MODELS, default=CHOSEN_MODEL,
                        help=f"the model over the features (default {CHOSEN_MODEL}; the "
                             f"cascade's cheap gate is always logistic)")
    parser.add_argument("--sets", type=lambda v: v.split(","),
                        help="measure only these feature sets (comma-separated; the cheap "
                             "six and --features always); default: every one")
    parser.add_argument("--blind-weight", type=float, default=1.0,
                        help="how much a blind set's questions weigh in the fit (default 1)")
    parser.add_argument("--band", type=lambda v: tuple(float(x) for x in v.split(",")),
                        help="the cascade's band BELOW,ABOVE (log-odds around the cheap "
                             "gate's threshold; default: chosen on the left-out sets)")
    parser.add_argument("--cascade-only", action="store_true",
                        help="keep the committed gate; fit and write only its cascade")
    parser.add_argument("--no-cascade", action="store_true",
                        help="write a gate that always reads the sentences")
    parser.add_argument("--write", action="store_true",
                        help="fit on every tuning question and write the gate")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
