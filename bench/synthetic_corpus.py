"""Write a synthetic corpus of plain-text threads: answers that quote outlets, in bulk."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from pathlib import Path

OUTLETS = ["Reuters", "the BBC", "The New York Times", "Al Jazeera", "the AP", "The Guardian",
           "Bloomberg", "Le Monde", "Der Spiegel", "NPR"]
TOPICS = ["ferry", "harbour", "election", "ceasefire", "pipeline", "drought", "vaccine",
          "tariff", "embassy", "summit", "strike", "budget", "flood", "satellite", "treaty"]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    syllables = ["ka", "lo", "mi", "ra", "te", "su", "no", "ve", "da", "pi", "zo", "re"]
    return ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size)]


def threads(passages: int, *, answers_per_thread: int = 50, seed: int = 7
            ) -> Iterator[tuple[int, str, list[tuple[int, str, str]]]]:
    """The threads of about ``passages`` passages: (votes, title, answers), each answer
    (votes, the answerer's lead-in, the quote)."""
    rng = random.Random(seed)
    words = _vocabulary(rng, 20_000) + TOPICS * 50
    # Zipf-like; cumulative weights computed once (choices() would redo it on every call).
    weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(words))))
    answers_needed = passages // 2
    while answers_needed > 0:
        n = min(answers_per_thread, answers_needed)
        topic = rng.choice(TOPICS)
        about = " ".join(rng.choices(words, cum_weights=weights, k=6))
        votes = rng.randint(0, 50)
        answers = []
        for _ in range(n):
            quote = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(20, 80)))
            answer_votes = rng.randint(0, 30)
            answers.append((answer_votes, f"According to {rng.choice(OUTLETS)}:",
                            f"The {topic} {quote}."))
        yield votes, f"What happened with the {topic} {about}?", answers
        answers_needed -= n


def write_corpus(folder: Path, passages: int, *, answers_per_thread: int = 50,
                 seed: int = 7) -> int:
    """About ``passages`` passages (each answer: a lead-in and a quote); returns file count."""
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for votes, title, answers in threads(passages, answers_per_thread=answers_per_thread,
                                         seed=seed):
        lines = [str(votes), "", title, "", f"{len(answers)} Answers {len(answers)}", ""]
        for answer_votes, lead_in, quote in answers:
            lines += [str(answer_votes), "", lead_in, "", quote, ""]
        (folder / f"thread-{files:05d}.txt").write_text("\n".join(lines), encoding="utf-8")
        files += 1
    return files
