"""Start the real bot, as its own process, against the fake Discord server."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from .conftest import PYTHON, ROOT, copy_seed, python_env
from .fake_discord import FakeDiscord, RecordedCall


@dataclass
class RunningBot:
    fake: FakeDiscord
    process: asyncio.subprocess.Process
    log: Path
    config: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def write_config(tmp_path: Path, fake: FakeDiscord, *, corpus: Path,
                 extra: str = "", extra_discord: str = "", extra_answers: str = "",
                 state: Path | None = None) -> Path:
    # extra_answers adds keys to [answers]; cooldown_seconds is 0 unless it sets one.
    if "cooldown_seconds" not in extra_answers:
        extra_answers = "cooldown_seconds = 0\n" + extra_answers
    config = tmp_path / "config.toml"
    config.write_text(
        f'[index]\ncorpus = "{corpus}"\ndatabase = "{tmp_path / "sourced.db"}"\n'
        # The model takes seconds to load in every bot process: tests/test_semantic.py has it.
        f'[semantic]\nenabled = false\n'
        f'[discord]\nguild_ids = [{fake.guild_id}]\napi_base = "{fake.api_base}"\n'
        f'gateway_url = "{fake.gateway_url}"\n{extra_discord}'
        f'[answers]\n{extra_answers}\n'
        f'[bot]\nstate_database = "{state or tmp_path / "state.db"}"\nlog_level = "DEBUG"\n'
        f'{extra}',
        encoding="utf-8")
    return config


@contextlib.asynccontextmanager
async def running_bot(tmp_path: Path, *, corpus: Path | None = None, extra: str = "",
                      extra_discord: str = "", extra_answers: str = "",
                      state: Path | None = None, fake: FakeDiscord | None = None,
                      commands: bool = True, env: dict[str, str] | None = None
                      ) -> AsyncIterator[RunningBot]:
    """The fake server and the bot connected to it (with ``commands``, its commands
    registered too); both stopped (SIGTERM) afterwards."""
    async with contextlib.AsyncExitStack() as stack:
        if fake is None:
            fake = await stack.enter_async_context(FakeDiscord())
        identified_before = fake.identifies
        if corpus is None:
            corpus = copy_seed(tmp_path / "corpus")
        config = write_config(tmp_path, fake, corpus=corpus, extra=extra,
                              extra_discord=extra_discord, extra_answers=extra_answers,
                              state=state)
        log = tmp_path / "bot.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                PYTHON, "-m", "bot", "--config", str(config), cwd=ROOT,
                env=python_env(DISCORD_TOKEN="fake-token", **(env or {})),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=out)
        bot = RunningBot(fake, process, log, config)
        try:
            try:
                await fake.wait_ready(identifies=identified_before + 1, timeout=60,
                                      commands=commands)
            except TimeoutError as exc:
                raise AssertionError(f"the bot never got ready:\n{bot.log_text()}") from exc
            try:
                yield bot
                refused = [c for c in fake.calls if c.status == 400]
                assert not refused, f"Discord would refuse these calls: {refused}"
                loose = may_ping(fake.calls)
                assert not loose, f"text sent that may ping someone: {loose}"
            except BaseException:
                # pytest shows this with the failure: what the bot itself said.
                print(f"--- bot log (last 6000 characters) ---\n{bot.log_text()[-6000:]}")
                raise
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 15)
                except TimeoutError:
                    process.kill()
                    await process.wait()


# Every way the bot sends text: a message, an interaction's response, a followup, an edit.
_SENDS = re.compile(r"/channels/\d+/messages(?:/\d+)?|/interactions/\d+/[^/]+/callback"
                    r"|/webhooks/\d+/[^/]+(?:/messages/(?:@original|\d+))?")


def may_ping(calls: list[RecordedCall]) -> list[RecordedCall]:
    """The calls that sent text without allowed mentions set to none: nothing a user or a
    corpus file writes may ping anyone, so every text the bot sends, in every test through
    this harness, must say so (discord.py adds the client's default to each call)."""
    loose = []
    for call in calls:
        if call.method not in {"POST", "PATCH"} or not _SENDS.fullmatch(call.path):
            continue
        body = call.json or {}
        if call.path.endswith("/callback"):
            body = body.get("data") or {}
        if body.get("content") and (body.get("allowed_mentions") or {}).get("parse") != []:
            loose.append(call)
    return loose


async def posts_before_a_reply(fake: FakeDiscord, after: int) -> list[RecordedCall]:
    """What the bot posted since call ``after`` (messages, and "typing" indicators), up to a
    question asked now, whose reply and "typing" are left out. A barrier, not a pause: the
    bot takes messages in the order the gateway sends them, and shows "typing" before it
    searches, so a message it took up before the question shows here even when its own
    reply would come after the question's."""
    n = len(fake.calls)
    await fake.send_message("why was Soleimani in Baghdad?", author=fake.admin)
    reply = await fake.wait_for_call("POST", r"/channels/\d+/messages", after=n)
    posts = [c for c in fake.calls[after:] if c is not reply and c.method == "POST"
             and re.fullmatch(r"/channels/\d+/(?:messages|typing)", c.path)]
    posts.remove(next(c for c in reversed(posts) if c.path.endswith("/typing")))
    return posts
