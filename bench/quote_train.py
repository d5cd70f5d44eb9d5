"""Learn ``index/quote_model.json``: which unmarked paragraphs are quoted.

    python -m bench.quote_train [--c 0.05] [--precision 0.90] [--check] [--timing]

Trains on the **tuning half only** of ``make attribution``'s ground truth (the answers whose
sha256 of the id is odd, ``bench.attribution.held_out`` false): the answers of the shared
Stack Exchange dumps and of Skeptics, flattened to plain text, each paragraph labelled quoted or
not by the data's own structure (``<blockquote>``, indentation). A logistic regression
(scikit-learn, the ``attribution`` extra) over ``index.quote_model.features``; the threshold is
the lowest score at which the model's precision, estimated by 5-fold cross-validation over
answers of the tuning half, is still at least ``--precision`` (precision first), counting the quotes
``index.quote_model.named_evidence`` keeps (those the model scores at least ``VETO``) and the
paragraphs that repeat the thread's question (``quotes_question``). The held-out
half is never read here: ``make attribution`` reports on it.

``--check`` trains and compares with the committed file instead of writing it; ``--timing``
measures what the model adds to the plain-text path's time on the shared data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from bench.attribution import DATA, DUMPS, dump_gold, held_out, skeptics_gold
from index.attribution import classify
from index.loaders.plaintext import answer_paragraphs
from index.outlets import Gazetteer
from index.quote_model import (
    MODEL,
    VETO,
    Model,
    features,
    named_evidence,
    quotes_question,
    unmarked_passages,
)

# Features seen in fewer paragraphs than this are dropped: rare words overfit, and the file
# stays small.
MIN_COUNT = 10


@dataclass
class TuningSet:
    """Every paragraph of the tuning half: its features, whether it is quoted, its answer's
    number, and whether ``named_evidence`` or ``quotes_question`` quotes it anyway."""

    xs: list[dict[str, float]] = field(default_factory=list)
    ys: list[bool] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    kept: list[bool] = field(default_factory=list)
    asked: list[bool] = field(default_factory=list)


def tuning_set(gazetteer: Gazetteer) -> TuningSet:
    golds = [g for f in DUMPS for g in dump_gold(f)] + skeptics_gold()
    out = TuningSet()
    for k, gold in enumerate(g for g in golds if not held_out(g.answer)):
        paragraphs = [p.text for p in answer_paragraphs(gold.flattened())]
        if len(paragraphs) != len(gold.paragraphs):
            continue  # the loader splits it otherwise: no label per paragraph
        ruled = classify(paragraphs, gazetteer)
        out.xs += features(paragraphs, gazetteer, ruled)
        out.kept += named_evidence(paragraphs, ruled, gazetteer)
        out.asked += quotes_question(paragraphs, gold.question)
        out.ys += [q is not None for _, q in gold.paragraphs]
        out.groups += [k] * len(paragraphs)
    return out


def train(c: float, precision: float) -> dict:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    data = tuning_set(Gazetteer.load())
    xs, labels, groups = data.xs, data.ys, data.groups
    counts: dict[str, int] = {}
    for f in xs:
        for k in f:
            counts[k] = counts.get(k, 0) + 1
    xs = [{k: v for k, v in f.items() if counts[k] >= MIN_COUNT} for f in xs]
    y = np.array(labels)

    def fit(rows: list[dict[str, float]], yy: np.ndarray) -> tuple:
        vec = DictVectorizer()
        model = LogisticRegression(C=c, max_iter=5000)
        model.fit(vec.fit_transform(rows), yy)
        return vec, model

    scores = np.zeros(len(xs))
    for train_rows, test_rows in GroupKFold(5).split(xs, y, groups):
        vec, model = fit([xs[i] for i in train_rows], y[train_rows])
        scores[test_rows] = model.predict_proba(vec.transform([xs[i] for i in test_rows]))[:, 1]
    kept_ = (np.array(data.kept) & (scores >= VETO)) | np.array(data.asked)
    print(f"named evidence and quotes of the question keep {kept_.sum()} paragraphs, "
          f"{(y & kept_).sum()} of them quoted", file=sys.stderr)
    best = _best_threshold(scores, y, kept_, precision)
    if best is None:
        raise SystemExit(f"no threshold reaches precision {precision} on the tuning half")
    threshold, recall, reached = best

    vec, model = fit(xs, y)
    weights = {name: round(float(w), 3)
               for name, w in zip(vec.get_feature_names_out(), model.coef_[0], strict=True)
               if abs(w) >= 0.01}
    weights["bias"] = round(weights.get("bias", 0.0) + float(model.intercept_[0]), 4)
    return {
        "about": "index/quote_model.py's weights, made by `python -m bench.quote_train` from "
                 "the tuning half of make attribution's ground truth (genai, history-meta and "
                 "skeptics answers flattened to plain text); the held-out half is never read",
        "C": c,
        "threshold": round(threshold, 4),
        "cross_validated": {"target_precision": precision, "precision": round(reached, 4),
                            "recall": round(recall, 4)},
        "paragraphs": len(y),
        "quoted": int(y.sum()),
        "weights": dict(sorted(weights.items())),
    }


def fold_models(c: float = 0.05, folds: int = 5) -> dict[str, Model]:
    """For error analysis on the tuning half as the held-out half meets the model: for each
    tuning answer, the model fitted (as ``train`` fits it) on the other folds of the tuning
    half, with the committed threshold. The committed model has seen every tuning answer, so
    its detection there is better than on answers it never saw, and errors that only unseen
    answers make (a run carried on too far) would not show on the tuning half at all."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    gazetteer = Gazetteer.load()
    golds = [g for f in DUMPS for g in dump_gold(f)] + skeptics_gold()
    tuning = [g for g in golds if not held_out(g.answer)]
    data = tuning_set(gazetteer)
    xs, groups, y = data.xs, data.groups, np.array(data.ys)
    threshold = Model.load().threshold
    models: dict[str, Model] = {}
    for train_rows, test_rows in GroupKFold(folds).split(xs, y, groups):
        counts: dict[str, int] = {}
        for i in train_rows:
            for k in xs[i]:
                counts[k] = counts.get(k, 0) + 1
        rows = [{k: v for k, v in xs[i].items() if counts[k] >= MIN_COUNT} for i in train_rows]
        vec = DictVectorizer()
        model = LogisticRegression(C=c, max_iter=5000)
        model.fit(vec.fit_transform(rows), y[train_rows])
        weights = dict(zip(vec.get_feature_names_out(), map(float, model.coef_[0]),
                           strict=True))
        weights["bias"] = weights.get("bias", 0.0) + float(model.intercept_[0])
        fitted = Model(weights, threshold)
        for k in {groups[i] for i in test_rows}:
            models[tuning[k].answer] = fitted
    return models


def _best_threshold(scores: np.ndarray, y: np.ndarray, kept: np.ndarray,
                    precision: float) -> tuple[float, float, float] | None:
    """With the paragraphs ``kept`` quoted anyway, the lowest threshold for the others at
    which precision stays at least ``precision``: (threshold, recall, precision)."""
    base_hits, base_shown = int((y & kept).sum()), int(kept.sum())
    rest = np.nonzero(~kept)[0]
    order = rest[np.argsort(-scores[rest])]
    hits = base_hits + np.cumsum(y[order])
    shown = base_shown + np.arange(1, len(order) + 1)
    ok = np.nonzero(hits / shown >= precision)[0]
    if not len(ok):
        return None
    at = int(ok.max())
    return float(scores[order][at]), float(hits[at] / y.sum()), float(hits[at] / shown[at])


def timing() -> None:
    """What the model adds to a build: every answer of the shared dumps and Skeptics, flattened,
    through the lead-in rules alone and through ``unmarked_passages`` with the thread's
    question (labels unused)."""
    gazetteer = Gazetteer.load()
    golds = [g for f in DUMPS for g in dump_gold(f)] + skeptics_gold()
    answers = [[p.text for p in answer_paragraphs(g.flattened())] for g in golds]
    asked = [g.question for g in golds]
    n = sum(map(len, answers))
    model = Model.load()
    unmarked_passages(answers[0], gazetteer, model)  # weights read before the clock starts
    for name, run in (
            ("rules alone", lambda a, q: classify(a, gazetteer)),
            ("rules and model", lambda a, q: unmarked_passages(a, gazetteer, model, question=q))):
        start = time.perf_counter()
        for paragraphs, question in zip(answers, asked, strict=True):
            run(paragraphs, question)
        took = time.perf_counter() - start
        print(f"{name:<16} {len(answers)} answers, {n} paragraphs: {took:.2f} s "
              f"({1e6 * took / n:.0f} µs a paragraph)")
    print(f"load average {os.getloadavg()[0]:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--c", type=float, default=0.05, help="inverse regularisation strength")
    parser.add_argument("--precision", type=float, default=0.90,
                        help="cross-validated precision the threshold keeps on the tuning half")
    parser.add_argument("--timing", action="store_true",
                        help="time the plain-text path on every flattened answer, rules alone "
                        "and with the model, instead of training")
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed model instead of writing it")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no shared data at {DATA}", file=sys.stderr)
        return 1
    if args.timing:
        timing()
        return 0
    data = train(args.c, args.precision)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    cv = data["cross_validated"]
    print(f"tuning half: {data['paragraphs']} paragraphs, {data['quoted']} quoted; "
          f"{len(data['weights'])} weights; threshold {data['threshold']}: cross-validated "
          f"precision {cv['precision']:.1%}, recall {cv['recall']:.1%}")
    if args.check:
        same = MODEL.read_text(encoding="utf-8") == text
        print("the committed model is", "up to date" if same else "NOT what this script makes")
        return 0 if same else 1
    MODEL.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
