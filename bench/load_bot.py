"""Load test: the real bot process, through the fake Discord server, answering a burst of
questions (mentions and /ask mixed), quiet and then while /reload rebuilds the corpus.

    python -m bench.load_bot [--passages 100000] [--questions 500] [--seconds 10]

Prints median and p99 time from event to reply, for each phase, and checks that every
question got exactly one answer. Not part of the test suite (it takes a minute or two).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic_corpus import TOPICS, write_corpus  # noqa: E402
from index.build import build  # noqa: E402
from tests.discord_harness import running_bot  # noqa: E402
from tests.fake_discord import FakeDiscord  # noqa: E402


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def burst(fake: FakeDiscord, questions: int, seconds: float, rng: random.Random
                ) -> tuple[list[tuple[float, float]], int, int]:
    """Send ``questions`` within ``seconds``; wait for the answers. Returns (time sent,
    latency in ms) of each answered question, the number of questions not answered, and the
    number answered more than once."""
    sent: dict[str, float] = {}      # message id or interaction token -> time sent
    start_calls = len(fake.calls)
    interval = seconds / questions
    t0 = time.monotonic()
    for i in range(questions):
        words = " ".join(rng.sample(TOPICS, 2))
        if i % 2:
            mid = await fake.send_message(f"what about the {words}?")
            sent[f"m:{mid}"] = time.monotonic()
        else:
            ids = await fake.send_command("ask", {"question": f"what about the {words}?"})
            sent[f"t:{ids['token']}"] = time.monotonic()
        await asyncio.sleep(max(0.0, t0 + (i + 1) * interval - time.monotonic()))

    def replies() -> dict[str, list[float]]:
        seen: dict[str, list[float]] = {}
        for call in fake.calls[start_calls:]:
            if call.method != "POST" or call.status != 200:
                continue
            if call.path.endswith("/messages") and call.json.get("message_reference"):
                key = f"m:{call.json['message_reference']['message_id']}"
            elif call.path.startswith("/webhooks/"):
                key = f"t:{call.path.rsplit('/', 1)[-1]}"
            else:
                continue
            seen.setdefault(key, []).append(call.at)
        return seen

    with contextlib.suppress(TimeoutError):  # what is missing then is counted as lost
        await fake.wait_until(lambda: len(replies()) >= len(sent), timeout=60)
    await asyncio.sleep(0.5)  # let any duplicate show itself
    got = replies()
    latencies = [(t, (min(got[k]) - t) * 1000) for k, t in sent.items() if k in got]
    lost = sum(1 for k in sent if k not in got)
    duplicated = sum(1 for k in sent if len(got.get(k, [])) > 1)
    return latencies, lost, duplicated


async def main(passages: int, questions: int, seconds: float) -> int:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        corpus = tmp_path / "corpus"
        t = time.perf_counter()
        files = write_corpus(corpus, passages)
        print(f"corpus: {files} files, ~{passages:,} passages, written in "
              f"{time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        report = await asyncio.to_thread(build, corpus, tmp_path / "sourced.db")
        print(f"index: {report.totals.passages:,} passages built in "
              f"{time.perf_counter() - t:.1f} s")
        async with running_bot(tmp_path, corpus=corpus) as bot:
            fake = bot.fake
            await burst(fake, 20, 1, rng)  # warm-up
            quiet_sent, lost_q, dup_q = await burst(fake, questions, seconds, rng)
            for path in corpus.iterdir():  # every file changed: the reload rebuilds it all
                path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            reload = await fake.send_command("reload", user=fake.admin)
            reload_started = time.monotonic()
            await asyncio.sleep(0.2)
            during_sent, lost_r, dup_r = await burst(fake, questions, seconds, rng)
            questions_done = time.monotonic()
            reply = await fake.wait_for_call("POST", rf"/webhooks/\d+/{reload['token']}",
                                             timeout=600)
        # Only questions asked before the reload replied count as asked during it.
        quiet = [lat for _, lat in quiet_sent]
        during = [lat for sent, lat in during_sent if sent < reply.at]
        print(f"reload: {reply.at - reload_started:.1f} s (every file changed); questions ran "
              f"from 0.2 s to {questions_done - reload_started:.1f} s, {len(during)} of them "
              "before the reload replied")
        ok = bool(during)
        for name, lat, lost, dup in (("quiet", quiet, lost_q, dup_q),
                                     ("during reload", during, lost_r, dup_r)):
            print(f"{name:>14}: {len(lat)} answered, {lost} lost, {dup} duplicated; "
                  f"median {statistics.median(lat):.1f} ms, p99 {p99(lat):.1f} ms")
            ok &= lost == 0 and dup == 0
        bound = max(5 * p99(quiet), 50.0)
        within = p99(during) <= bound
        print(f"p99 during reload {p99(during):.1f} ms vs bound max(5 x quiet p99, 50 ms) = "
              f"{bound:.1f} ms: {'met' if within else 'NOT met'}")
        return 0 if ok and within else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.passages, args.questions, args.seconds)))
