"""Do sentence-embedding features find more unmarked quotes? Cross-validation on the tuning half.

    python -m bench.quote_embed [--cache PATH] [--c 0.05] [--vec-scale 1 3] [--seeds 1 2 3]

The paragraph-style model (``index/quote_model.py``) reaches 90% precision at about a quarter
of the quoted paragraphs. This asks whether what a paragraph *means* adds to how it reads: each
paragraph of the **tuning half** (the same set ``bench.quote_train`` fits on; the held-out half
is never read) is embedded with the project's sentence model (all-MiniLM-L6-v2,
``index.embedding``), and logistic models are cross-validated (5 folds by answer, as
``bench.quote_train`` does) with:

- ``style``: the committed model's features alone (the baseline);
- ``+cos``: and the cosine of the paragraph to the one before, the one after, the answerer's
  last lead-in before it, the thread's question and the mean of the answer's other
  paragraphs (each as a value and in buckets);
- ``+vec xS``: and the paragraph's own 384-dimensional vector, times S (the regularisation
  weighs the columns by their scale);
- ``vec xS +cos alone``: the vector and the cosines without the style features.

For each it prints the recall at 90%, 80% and 70% cross-validated precision, counting the
paragraphs ``named_evidence`` and ``quotes_question`` quote anyway, as ``bench.quote_train``
picks its threshold, and the precision where recall first reaches 70% (the issue's target).
``--seeds`` repeats the baseline and the fullest model with answers dealt to folds at random,
to show how much the figures move with the split. Vectors are cached (``--cache``): only the
first run embeds (README, "How passages and outlets are found", gives the figures and cost).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from bench.attribution import DATA, DUMPS, dump_gold, held_out, skeptics_gold
from bench.quote_train import MIN_COUNT, _best_threshold
from index.attribution import classify
from index.lead_ins import is_lead_in
from index.loaders.plaintext import answer_paragraphs
from index.outlets import Gazetteer
from index.quote_model import VETO, features, named_evidence, quotes_question

BUCKETS = (0.2, 0.35, 0.5, 0.65, 0.8)


def tuning_rows(gazetteer: Gazetteer) -> dict:
    """Every paragraph of the tuning half with what the models need (as
    ``bench.quote_train.tuning_set``), and per answer its paragraphs, the index of each one's
    last lead-in before it, and the thread's question (for the cosines)."""
    golds = [g for f in DUMPS for g in dump_gold(f)] + skeptics_gold()
    rows: dict[str, list] = {k: [] for k in ("x", "y", "group", "kept", "asked", "answers")}
    for k, gold in enumerate(g for g in golds if not held_out(g.answer)):
        paragraphs = [p.text for p in answer_paragraphs(gold.flattened())]
        if len(paragraphs) != len(gold.paragraphs):
            continue  # the loader splits it otherwise: no label per paragraph
        ruled = classify(paragraphs, gazetteer)
        rows["x"] += features(paragraphs, gazetteer, ruled)
        rows["kept"] += named_evidence(paragraphs, ruled, gazetteer)
        rows["asked"] += quotes_question(paragraphs, gold.question)
        rows["y"] += [q is not None for _, q in gold.paragraphs]
        rows["group"] += [k] * len(paragraphs)
        rows["answers"].append((paragraphs, last_lead_ins(paragraphs, gazetteer),
                                gold.question or None))
    return rows


def last_lead_ins(paragraphs: list[str], gazetteer: Gazetteer) -> list[int | None]:
    """For each paragraph, the index of the last lead-in (``is_lead_in``) before it."""
    out: list[int | None] = []
    lead = None
    for i, text in enumerate(paragraphs):
        out.append(lead)
        if is_lead_in(text, gazetteer):
            lead = i
    return out


def _cosine(name: str, c: float) -> dict[str, float]:
    return {f"cos_{name}": c, f"cos_{name}_b{sum(c >= b for b in BUCKETS)}": 1.0}


def answer_cosines(vectors: np.ndarray, leads: list[int | None],
                   question: np.ndarray | None) -> list[dict[str, float]]:
    """Each paragraph's cosine (``vectors``: unit rows, one per paragraph of one answer) to
    the one before, the one after, its last lead-in (``leads``), the thread's question and
    the mean of the answer's other paragraphs, each as a value and in ``BUCKETS``; a missing
    one as ``cos_NAME_none``."""
    n = len(vectors)
    out = []
    for i in range(n):
        e = vectors[i]
        f: dict[str, float] = {}
        for name, j in (("prev", i - 1 if i else None), ("next", i + 1 if i + 1 < n else None),
                        ("lead", leads[i])):
            f.update(_cosine(name, float(e @ vectors[j])) if j is not None else
                     {f"cos_{name}_none": 1.0})
        f.update(_cosine("question", float(e @ question)) if question is not None else
                 {"cos_question_none": 1.0})
        if n > 1:
            rest = (vectors.sum(axis=0) - e) / (n - 1)
            f.update(_cosine("rest", float(e @ rest / (np.linalg.norm(rest) or 1.0))))
        else:
            f["cos_rest_none"] = 1.0
        out.append(f)
    return out


def embed_all(texts: set[str], cache: Path) -> dict[str, np.ndarray]:
    from index.embedding import load

    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with cache.open("rb") as f:
            known = pickle.load(f)
    todo = sorted(t for t in texts if t not in known)
    if todo:
        model = load()
        start = time.perf_counter()
        vectors = model.embed(todo)
        took = time.perf_counter() - start
        print(f"embedded {len(todo)} texts in {took:.1f} s ({1000 * took / len(todo):.1f} ms "
              f"a text; load average {os.getloadavg()[0]:.2f})", file=sys.stderr)
        known.update(zip(todo, vectors, strict=True))
        with cache.open("wb") as f:
            pickle.dump(known, f)
    return known


def folds(rows: dict, seed: int | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """5 folds by answer: ``bench.quote_train``'s (GroupKFold) with no seed, else answers
    dealt to folds at random (how much the figures move with the split)."""
    from sklearn.model_selection import GroupKFold

    groups = np.array(rows["group"])
    if seed is None:
        return list(GroupKFold(5).split(groups, groups, groups))
    order = np.random.default_rng(seed).permutation(groups.max() + 1)
    fold = order[groups] % 5
    return [(np.nonzero(fold != k)[0], np.nonzero(fold == k)[0]) for k in range(5)]


def cross_validate(xs: list[dict[str, float]], dense: np.ndarray | None, rows: dict,
                   c: float, seed: int | None = None) -> np.ndarray:
    """Out-of-fold scores of a logistic model over sparse features ``xs`` and, if given, the
    ``dense`` columns beside them."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    y = np.array(rows["y"])
    scores = np.zeros(len(xs))
    for train, test in folds(rows, seed):
        counts: dict[str, int] = {}
        for i in train:
            for k in xs[i]:
                counts[k] = counts.get(k, 0) + 1
        vec = DictVectorizer()
        a = vec.fit_transform([{k: v for k, v in xs[i].items() if counts[k] >= MIN_COUNT}
                               for i in train])
        b = vec.transform([xs[i] for i in test])
        if dense is not None:
            a = hstack([a, csr_matrix(dense[train])]).tocsr()
            b = hstack([b, csr_matrix(dense[test])]).tocsr()
        model = LogisticRegression(C=c, max_iter=5000)
        model.fit(a, y[train])
        scores[test] = model.predict_proba(b)[:, 1]
    return scores


def recalls(scores: np.ndarray, rows: dict) -> list[str]:
    y = np.array(rows["y"])
    kept = (np.array(rows["kept"]) & (scores >= VETO)) | np.array(rows["asked"])
    out = []
    for p in (0.9, 0.8, 0.7):
        best = _best_threshold(scores, y, kept, p)
        out.append(f"{best[1]:6.1%} (t {best[0]:.2f})" if best else "     - ")
    out.append(f"{precision_at_recall(scores, y, kept, 0.7):6.1%}")
    return out


def precision_at_recall(scores: np.ndarray, y: np.ndarray, kept: np.ndarray,
                        recall: float) -> float:
    """With the paragraphs ``kept`` quoted anyway, the precision at the highest threshold for
    the others at which at least ``recall`` of the quoted paragraphs are found (0: never)."""
    rest = np.nonzero(~kept)[0]
    order = rest[np.argsort(-scores[rest], kind="stable")]
    hits = int((y & kept).sum()) + np.cumsum(y[order])
    shown = int(kept.sum()) + np.arange(1, len(order) + 1)
    enough = np.nonzero(hits >= recall * y.sum())[0]
    return float(hits[enough[0]] / shown[enough[0]]) if len(enough) else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/sourced-quote-embed.pkl"),
                        help="where the paragraphs' vectors are kept between runs")
    parser.add_argument("--c", type=float, default=0.05, help="inverse regularisation strength")
    parser.add_argument("--vec-scale", type=float, nargs="*", default=[1.0],
                        help="factors the vector columns are multiplied by (L2 weighs them)")
    parser.add_argument("--seeds", type=int, nargs="*", default=[],
                        help="also deal answers to folds at random with these seeds (style "
                        "and style +cos +vec only)")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: no shared data at {DATA}")
        return 0
    rows = tuning_rows(Gazetteer.load())
    texts = {t for paragraphs, _, q in rows["answers"] for t in (*paragraphs, q) if t}
    vec = embed_all(texts, args.cache)
    cos = []
    for paragraphs, leads, question in rows["answers"]:
        cos += answer_cosines(np.stack([vec[t] for t in paragraphs]), leads,
                              vec[question] if question else None)
    dense = np.stack([vec[t] for paragraphs, _, _ in rows["answers"] for t in paragraphs])
    y = np.array(rows["y"])
    print(f"tuning half: {len(y)} paragraphs, {int(y.sum())} quoted; C {args.c}; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'features':<22} {'recall @90% prec':>18} {'@80%':>15} {'@70%':>15} "
          f"{'prec @70% recall':>17}")
    variants: list[tuple[str, list[dict[str, float]], np.ndarray | None]] = [
        ("style", rows["x"], None),
        ("style +cos", [{**a, **b} for a, b in zip(rows["x"], cos, strict=True)], None)]
    for s in args.vec_scale:
        variants += [
            (f"style +vec x{s:g}", rows["x"], dense * s),
            (f"style +cos +vec x{s:g}", [{**a, **b} for a, b in zip(rows["x"], cos,
                                                                   strict=True)], dense * s),
            (f"vec x{s:g} +cos alone", [{**b, "bias": 1.0} for b in cos], dense * s)]
    for name, xs, d in variants:
        scores = cross_validate(xs, d, rows, args.c)
        print(f"{name:<22} " + " ".join(f"{r:>15}" for r in recalls(scores, rows)), flush=True)
    both = [{**a, **b} for a, b in zip(rows["x"], cos, strict=True)]
    for seed in args.seeds:
        for name, xs, d in (("style", rows["x"], None),
                            (f"style +cos +vec x{args.vec_scale[-1]:g}", both,
                             dense * args.vec_scale[-1])):
            scores = cross_validate(xs, d, rows, args.c, seed)
            print(f"{f'seed {seed} {name}':<28} " + " ".join(f"{r:>15}" for r in
                                                       recalls(scores, rows)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
