"""Fit the hybrid path's accept/refuse decision (``index.relevance.Gate``) on the questions of
``make answers``, cross-validated, and write ``index/relevance_gate.json``.

    python -m bench.gate_fit [--folds 5] [--seeds 3] [--write]

Every candidate the bot weighs for a tuning question (``bot.answering.CANDIDATES``, from
``IndexReader.evidence``) is a row: positive when it is a passage the question expects,
negative when the question is off-topic; the other candidates of an on-topic question are
left out (they may answer it too: nobody judged them). A logistic regression (scikit-learn)
over the gate's features gives each a probability; the operating point is the threshold on it
that answers the most questions right, on-topic share plus off-topic share, the higher
threshold among equals (precision first). Each question is scored through
``bot.answering.choose`` with the gate's relevance, exactly as the bot chooses.

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

from bench.answers import CACHE, Question, mixed_corpus, read_questions  # noqa: E402
from bot.answering import CANDIDATES, choose  # noqa: E402
from index.build import build_with  # noqa: E402
from index.config import AnswerSettings, load_config  # noqa: E402
from index.embedding import DEFAULT_MODEL  # noqa: E402
from index.reader import Hit, IndexReader  # noqa: E402
from index.relevance import GATE_FILE, GATES, Gate  # noqa: E402

# The splits fitted on: every set written before the gate, and the two held-out sets run on
# it since (reported, so now seen). Later ones are held out.
TUNING = ("tune", "tune2", "heldout", "fresh", "unseen", "unseen2", "unseen3", "unseen4",
          "unseen5", "unseen6", "unseen7")
# ``--features six``: the gate's before the sentences (h14gate's), for comparison.
SIX = ("cosine", "title", "words", "thread_or_close", "rare", "rare_in_title")
FEATURES = (*SIX, "sentence", "sentence_found")
THRESHOLDS = np.round(np.arange(0.3, 0.901, 0.025), 3)


@dataclass
class Asked:
    question: Question
    hits: list[Hit]
    x: np.ndarray  # candidates x FEATURES
    expected: np.ndarray  # whether each candidate is a passage the question expects

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
        out.append(Asked(q, hits, x, expected))
    return out


def gate_of(model: object, threshold: float, shown_at: float, base: Gate,
            features: tuple[str, ...] = FEATURES) -> Gate:
    return dataclasses.replace(
        base, features=features, threshold=float(threshold), shown_at=shown_at,
        coefficients=tuple(float(c) for c in model.coef_[0]),  # type: ignore[attr-defined]
        intercept=float(model.intercept_[0]))  # type: ignore[attr-defined]


def right(asked: Asked, relevance: np.ndarray, min_relevance: float, k: int) -> bool:
    """Whether the bot's first page is right for the question with these relevances."""
    if not len(relevance) or relevance.max() < min_relevance:
        return asked.question.shown_right([])
    hits = [dataclasses.replace(h, relevance=float(r))
            for h, r in zip(asked.hits, relevance, strict=True)]
    return asked.question.shown_right(
        [h.passage_id for h in choose(hits, k=k, min_relevance=min_relevance)[:k]])


def curve(asked: list[Asked], probability: list[np.ndarray], shown_at: float, k: int
          ) -> np.ndarray:
    """Each question right or not (rows) at each threshold of THRESHOLDS (columns), the
    probabilities placed on the relevance scale as ``Gate.__call__`` places them."""
    out = np.zeros((len(asked), len(THRESHOLDS)), bool)
    for i, (a, p) in enumerate(zip(asked, probability, strict=True)):
        z = np.log(np.clip(p, 1e-12, 1 - 1e-12) / np.clip(1 - p, 1e-12, 1))
        for j, t in enumerate(THRESHOLDS):
            shift = np.log(shown_at / (1 - shown_at)) - np.log(t / (1 - t))
            out[i, j] = right(a, 1 / (1 + np.exp(-(z + shift))), shown_at, k)
    return out


def best_threshold(asked: list[Asked], rights: np.ndarray) -> int:
    on = np.array([a.question.on_topic for a in asked])
    score = rights[on].mean(0) + rights[~on].mean(0)
    return int(np.flatnonzero(score >= score.max() - 1e-12)[-1])  # the highest among equals


def fit(asked: list[Asked]) -> object:
    from sklearn.linear_model import LogisticRegression

    rows = [(a.x, a.expected) for a in asked if len(a.hits)]
    x = np.vstack([r[0] for r in rows])
    y = np.concatenate([r[1] for r in rows])
    on = np.concatenate([np.full(len(r[1]), a.question.on_topic)
                         for r, a in zip(rows, [a for a in asked if len(a.hits)], strict=True)])
    weight = np.where(on & ~y, 0.0, 1.0)  # unjudged candidates of on-topic questions: out
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


def cross_validate(asked: list[Asked], n: int, seeds: int, shown_at: float, k: int
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
            model = fit(train)
            t = best_threshold(train, curve(train, probabilities(model, train), shown_at, k))
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
    features = SIX if args.features == "six" else FEATURES
    print(f"cross-validated ({args.folds} folds by thread x {args.seeds} seeds, each fold's "
          f"threshold chosen on the others; the same folds for each):")
    for name, names in (("the six features (before the sentences)", SIX),
                        ("with the sentences", FEATURES)):
        gate, calibration, chosen = cross_validate(only(asked, names), args.folds, args.seeds,
                                                   shown_at, k)
        print(f"  the gate, {name}: {share(gate)} (thresholds {min(chosen)}-{max(chosen)})")
        if names == features:
            kept = gate, calibration
    print(f"  the calibration, its threshold per fold: {share(calibration)}")
    gate, calibration = kept
    asked = only(asked, features)
    model = fit(asked)
    rights = curve(asked, probabilities(model, asked), shown_at, k)
    t = best_threshold(asked, rights)
    base_gate = shipped_gate or Gate(features, (0.0,) * len(features), 0.0, 0.5, shown_at,
                                     0.44, 0.65)
    fitted = gate_of(model, THRESHOLDS[t], shown_at, base_gate, features)
    print(f"fitted on all ({args.features}): threshold {fitted.threshold}, "
          + ", ".join(f"{n} {c:+.3f}" for n, c in zip(features, fitted.coefficients,
                                                      strict=True))
          + f", intercept {fitted.intercept:+.3f}")
    print(f"  on the questions it was fitted on (not a measure): "
          f"{share(counts(asked, rights[:, [t]]))}")
    for split in TUNING:
        at = [i for i, a in enumerate(asked) if a.question.split == split]
        print(f"    {split}: {share(counts([asked[i] for i in at], rights[at][:, [t]]))}")
    if args.write:
        data = {"about": "index.relevance.Gate, fitted by python -m bench.gate_fit",
                "fitted_on": list(TUNING),
                "cross_validated": {"gate": gate.tolist(), "calibration": calibration.tolist(),
                                    "folds": args.folds, "seeds": args.seeds},
                "models": {DEFAULT_MODEL: {
                    "features": list(fitted.features),
                    "coefficients": [round(c, 6) for c in fitted.coefficients],
                    "intercept": round(fitted.intercept, 6), "threshold": fitted.threshold,
                    "shown_at": fitted.shown_at, "title_floor": fitted.title_floor,
                    "alone": fitted.alone}}}
        GATE_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"written: {GATE_FILE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, help="a config file (default: the bot's)")
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help=f"where the corpus copy and its index are kept (default: {CACHE})")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--features", choices=("sentences", "six"), default="sentences",
                        help="the gate fitted and written: with the sentences' evidence "
                             "(default) or the six features before it")
    parser.add_argument("--write", action="store_true",
                        help="fit on every tuning question and write the gate")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
