"""The first answers of a fresh clone: no index yet, no numba cache. Clones this repository's
committed HEAD into a temporary folder, starts the bot from the clone against the fake
Discord, and asks a burst of questions the moment the bot is ready.

    python -m bench.first_answer [--questions 10] [--repo .]

Prints the seconds from the process start to ready, and each question's time from event to
reply (median and slowest). Not part of the test suite (a fresh clone compiles the ranking
kernels, a few seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.discord_harness import write_config  # noqa: E402
from tests.fake_discord import FakeDiscord  # noqa: E402

QUESTIONS = ["why was Soleimani in Baghdad?", "who killed Soleimani?",
             "what did the Iraqi prime minister say?", "Kataib Hezbollah",
             "Soleimani meeting Abdul Mahdi", "drone strike at Baghdad airport",
             "was the killing legal?", "what did Reuters report?", "Asia Times Soleimani",
             "why was he in Iraq?"]


async def measure(clone: Path, tmp: Path, questions: int) -> None:
    async with FakeDiscord() as fake:
        config = write_config(tmp, fake, corpus=clone / "corpus")
        env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
        env.update(PYTHONPATH=str(clone), DISCORD_TOKEN="fake-token")
        log = (tmp / "bot.log").open("wb")
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), cwd=clone, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            await fake.wait_ready(timeout=300)
            ready = time.monotonic() - started
            n = len(fake.calls)
            sent = {}
            for i in range(questions):
                sent[await fake.send_message(QUESTIONS[i % len(QUESTIONS)])] = time.monotonic()

            def answered() -> dict[str, float]:
                return {str(c.json["message_reference"]["message_id"]): c.at
                        for c in fake.calls[n:] if c.method == "POST" and c.status == 200
                        and (c.json or {}).get("message_reference")}
            await fake.wait_until(lambda: len(answered()) >= questions, timeout=300)
            latencies = sorted(answered()[m] - t for m, t in sent.items())
        finally:
            proc.terminate()
            await proc.wait()
            log.close()
    print(f"ready {ready:.2f} s after the process started; {questions} questions sent at "
          f"once on ready: median {statistics.median(latencies) * 1000:.0f} ms, slowest "
          f"{latencies[-1] * 1000:.0f} ms, first answered after {latencies[0] * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--repo", type=Path, default=ROOT, help="the repository to clone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sourced-fresh-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(args.repo), str(clone)], check=True)
        head = subprocess.run(["git", "-C", str(clone), "log", "-1", "--format=%h %s"],
                              capture_output=True, text=True, check=True).stdout.strip()
        print(f"fresh clone of {head[:70]}")
        asyncio.run(measure(clone, Path(tmp), args.questions))


if __name__ == "__main__":
    main()
