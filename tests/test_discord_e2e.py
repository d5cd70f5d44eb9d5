"""The real bot process, end to end, through a local fake of Discord's HTTP API and gateway."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

from .conftest import PYTHON, ROOT, copy_seed, python_env
from .discord_harness import posts_before_a_reply, running_bot, write_config
from .fake_discord import FakeDiscord, RecordedCall

POST_MESSAGE = r"/channels/\d+/messages"
OFF_TOPIC = "what's the best way to learn the guitar?"
CALLBACK = r"/interactions/\d+/[^/]+/callback"
FOLLOWUP = r"/webhooks/\d+/[^/]+"
EPHEMERAL = 64


def field_names(body: dict[str, Any]) -> list[str]:
    return [f["name"] for e in body.get("embeds") or [] for f in e.get("fields", [])]


def all_text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


def custom_ids(body: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in body.get("components") or [] for c in row["components"]]


async def callback_for(fake: FakeDiscord, interaction: dict[str, str]) -> RecordedCall:
    return await fake.wait_for_call("POST", rf"/interactions/{interaction['id']}/[^/]+/callback")


async def followup_for(fake: FakeDiscord, interaction: dict[str, str]) -> RecordedCall:
    return await fake.wait_for_call("POST", rf"/webhooks/\d+/{interaction['token']}")


def test_asking_and_browsing(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(tmp_path) as bot:
            fake = bot.fake
            registered = {c["name"] for c in fake.commands[fake.guild_id]}
            assert registered == {"ask", "sources", "source", "stats", "reload", "gaps",
                                  "Find sources"}

            # A mention gets a reply to that message, with the passages and their outlets.
            n = len(fake.calls)
            message_id = await fake.send_message(
                "why was Soleimani in Baghdad on the day he was killed?")
            reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
            assert reply["message_reference"]["message_id"] == int(message_id)
            assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}
            names = field_names(reply)
            assert "BBC" in " ".join(names[:3])
            assert "I was scheduled to meet martyr Soleimani at 08:30" in all_text(reply)
            assert any(i.startswith("sourced:more:") for i in custom_ids(reply))

            # /ask is deferred at once, then answered in a follow-up.
            ask = await fake.send_command("ask", {"question": "Soleimani meeting Abdul Mahdi"})
            assert (await callback_for(fake, ask)).json["type"] == 5
            followup = (await followup_for(fake, ask)).json
            assert field_names(followup) and followup["allowed_mentions"]["parse"] == []

            # /sources lists outlets, most cited first.
            sources = await fake.send_command("sources")
            body = (await callback_for(fake, sources)).json
            assert body["type"] == 4
            description = body["data"]["embeds"][0]["description"]
            assert description.splitlines()[:2] == ["__News outlets__", "**Reuters**: 4 passages"]
            assert "**BBC**: 1 passage" in description
            filtered = await fake.send_command("sources", {"filter": "times"})
            body = (await callback_for(fake, filtered)).json
            assert body["data"]["embeds"][0]["description"] == \
                "__News outlets__\n**Asia Times**: 2 passages"

            # /source autocompletes outlets, then shows that outlet's passages.
            auto = await fake.send_autocomplete("source", "outlet", "re")
            body = (await callback_for(fake, auto)).json
            assert body["type"] == 8
            assert [c["value"] for c in body["data"]["choices"]] == ["Reuters"]
            # It defers before searching (review14 L7: a slow search must not outlast the 3 s
            # Discord allows before the first response), and answers in public.
            source = await fake.send_command("source", {"outlet": "BBC",
                                                        "question": "scheduled meeting"})
            body = (await callback_for(fake, source)).json
            assert body["type"] == 5 and not (body.get("data") or {}).get("flags", 0) & EPHEMERAL
            assert field_names((await followup_for(fake, source)).json) == ["1 · BBC"]

            # /stats
            stats = await fake.send_command("stats")
            body = (await callback_for(fake, stats)).json
            values = {f["name"]: f["value"] for f in body["data"]["embeds"][0]["fields"]}
            assert values["Passages"] == "23" and values["Outlets"] == "4"
            assert values["Questions answered"] == "2"

            # A command that fails reaches the tree's error handler: logged with its cause,
            # and the user gets one short private line (here a required option is missing,
            # which Discord itself would never send).
            broken = await fake.send_command("source")
            body = (await callback_for(fake, broken)).json
            assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
            assert body["data"]["content"] == ("Something went wrong answering that; it has "
                                               "been logged.")
            assert "command /source failed" in bot.log_text()

    asyncio.run(scenario())


def test_buttons_survive_a_restart(tmp_path: Path) -> None:
    async def first_run(fake: FakeDiscord) -> dict[str, Any]:
        async with running_bot(tmp_path, fake=fake) as bot:
            n = len(fake.calls)
            await bot.fake.send_message("Soleimani Baghdad")
            call = await fake.wait_for_call("POST", POST_MESSAGE, after=n)
            return fake.messages[next(k for k, m in fake.messages.items()
                                      if m.get("embeds") == call.json["embeds"])]

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            message = await first_run(fake)
            ids = custom_ids(message)
            more = next(i for i in ids if i.startswith("sourced:more:"))
            up = next(i for i in ids if i.endswith(":up"))
            # A new bot process: nothing in memory, the buttons still work.
            async with running_bot(tmp_path, fake=fake):
                click = await fake.click(message, more)
                body = (await callback_for(fake, click)).json
                # Deferred before searching (review14 L7), privately; then the next page.
                assert body["type"] == 5 and body["data"]["flags"] & EPHEMERAL
                page = (await followup_for(fake, click)).json
                assert [n.split(" · ")[0] for n in field_names(page)] == ["4", "5", "6"]
                vote = await fake.click(message, up, user=fake.admin)
                body = (await callback_for(fake, vote)).json
                assert "feedback is recorded" in body["data"]["content"]
        con = sqlite3.connect(tmp_path / "state.db")
        try:
            rows = con.execute("SELECT user_id, vote, passage_ids FROM feedback").fetchall()
        finally:
            con.close()
        assert len(rows) == 1
        assert rows[0][:2] == (int(fake.admin["id"]), 1) and len(json.loads(rows[0][2])) == 3

    asyncio.run(scenario())


def test_reload_is_for_admins(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)

    async def scenario() -> None:
        async with running_bot(tmp_path, corpus=corpus) as bot:
            fake = bot.fake
            reload_command = next(c for c in fake.commands[fake.guild_id]
                                  if c["name"] == "reload")
            assert int(reload_command["default_member_permissions"]) == 1 << 5  # Manage Server

            refused = await fake.send_command("reload", user=fake.member)
            body = (await callback_for(fake, refused)).json
            assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
            assert "Only admins" in body["data"]["content"]
            assert "/reload" in body["data"]["content"]

            (corpus / "ferry.txt").write_text(
                "3\n\nWhat sank the ferry?\n\n1 Answer 1\n\n7\n\nAccording to the AP:\n\n"
                "The ferry sank in a storm off the coast.\n", encoding="utf-8")
            (corpus / "broken.txt").write_bytes(b"\x00")
            done = await fake.send_command("reload", user=fake.admin)
            assert (await callback_for(fake, done)).json["type"] == 5
            report = (await followup_for(fake, done)).json
            text = all_text(report)
            assert "Corpus reloaded" in text and "ferry.txt" in text
            assert "Associated Press" in text and "broken.txt" in text

            n = len(fake.calls)
            await fake.send_message("ferry storm")
            reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
            assert field_names(reply)[0] == "1 · Associated Press"

    asyncio.run(scenario())


def test_nothing_pings_anyone(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    (corpus / "pings.txt").write_text(
        "1\n\nWho pinged the moderators?\n\n1 Answer 1\n\n4\n\nThe Guardian reports:\n\n"
        "Someone wrote <@&111222333444555666> and @everyone and <@999888777666555444> in the "
        "moderators channel.\n", encoding="utf-8")

    async def scenario() -> None:
        async with running_bot(tmp_path, corpus=corpus) as bot:
            fake = bot.fake
            n = len(fake.calls)
            await fake.send_message("@everyone @here who pinged the moderators channel?")
            reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
            assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}
            text = all_text(reply)
            assert "The Guardian" in text
            for ping in ("@everyone", "@here", "<@&111222333444555666>",
                         "<@999888777666555444>"):
                assert ping not in text
            ask = await fake.send_command("ask", {"question": "@everyone moderators channel"})
            followup = (await followup_for(fake, ask)).json
            assert followup["allowed_mentions"]["parse"] == []
            assert "@everyone" not in all_text(followup)

    asyncio.run(scenario())


def test_only_a_mention_written_in_the_message_asks(tmp_path: Path) -> None:
    """A reply to an answer with its ping on lists the bot in ``mentions`` (review8: "thanks!"
    got a public "No good match", a gap on record and a cooldown); a mention of the role
    Discord made for the bot, which "@Sourced" may complete to, asks as the bot's does where
    the bot reads the message's text (the Message Content intent, which an auto-answer
    channel elsewhere asks for)."""
    async def scenario() -> None:
        async with FakeDiscord() as fake, running_bot(
                tmp_path, fake=fake,
                extra_discord=f"auto_answer_channel_ids = [{fake.forum_id}]\n"):
            n = len(fake.calls)
            await fake.send_message("why was Soleimani in Baghdad?", mention_role=True)
            answer = await fake.wait_for_call("POST", POST_MESSAGE, after=n)
            assert field_names(answer.json)
            n = len(fake.calls)
            await fake.send_message("thanks, that helps!", reply_to=fake.created[-1]["id"])
            assert not await posts_before_a_reply(fake, n)

    asyncio.run(scenario())


def test_resume_and_rate_limits(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(tmp_path) as bot:
            fake = bot.fake
            await fake.close_gateway()
            await fake.wait_until(lambda: fake.resumes >= 1, timeout=30)
            assert fake.identifies == 1  # resumed, not a new session

            # Discord answers 429 then 500: the bot waits, retries, and answers once.
            fake.fail_next("POST", POST_MESSAGE, status=429, retry_after=0.5)
            fake.fail_next("POST", POST_MESSAGE, status=500)
            n = len(fake.calls)
            await fake.send_message("why was Soleimani in Baghdad?")
            await fake.wait_until(lambda: [c for c in fake.calls[n:] if c.status == 200
                                           and c.path.endswith("/messages")], timeout=30)
            posts = [c.status for c in await posts_before_a_reply(fake, n)
                     if c.path.endswith("/messages")]
            assert posts == [429, 500, 200]

    asyncio.run(scenario())


def test_auto_answer_channel_and_clean_shutdown(tmp_path: Path) -> None:
    async def scenario() -> tuple[int | None, str]:
        async with FakeDiscord() as fake:
            async with running_bot(tmp_path, fake=fake):
                n = len(fake.calls)
                await fake.send_message("Soleimani Baghdad", mention_bot=False)
                assert not await posts_before_a_reply(fake, n)
            extra = f"auto_answer_channel_ids = [{fake.channel_id}]\n"
            async with running_bot(tmp_path, fake=fake, extra_discord=extra) as bot:
                # Talk there is not a question: no answer, no "No good match", no cooldown.
                n = len(fake.calls)
                await fake.send_message("Soleimani Baghdad, thanks all", mention_bot=False)
                assert not await posts_before_a_reply(fake, n)
                n = len(fake.calls)
                await fake.send_message("why was Soleimani in Baghdad", mention_bot=False)
                reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
                assert field_names(reply)
            return bot.process.returncode, bot.log_text()

    returncode, log = asyncio.run(scenario())
    assert returncode == 0  # SIGTERM: a clean shutdown
    assert "fake-token" not in log  # the token is never logged
    assert not (tmp_path / "state.db-wal").exists()  # the state database was closed


async def sync(config: Path) -> str:
    """``python -m bot sync`` against the fake Discord: what it printed (it must exit 0)."""
    proc = await asyncio.create_subprocess_exec(
        PYTHON, "-m", "bot", "--config", str(config), "sync", cwd=ROOT,
        env=python_env(DISCORD_TOKEN="fake-token"), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    return out.decode()


def test_sync_registers_commands_globally(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            config = write_config(tmp_path, fake, corpus=copy_seed(tmp_path / "corpus"))
            out = await sync(config)
            assert {c["name"] for c in fake.commands[None]} == {
                "ask", "sources", "source", "stats", "reload", "gaps", "Find sources"}
            assert out.startswith("Synced 7 commands globally: /ask, ")
            assert "“Find sources” (message menu)" in out
            assert fake.identifies == 0  # it never connected to the gateway

    asyncio.run(scenario())


def test_direct_messages(tmp_path: Path) -> None:
    """README "In direct messages": after a global sync, the commands that search are offered
    in a DM with the bot and answer there; /reload and /gaps are a server's, not offered; a
    question asked in a DM is recorded with no server, so no server's /gaps lists it."""
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            config = write_config(tmp_path, fake, corpus=copy_seed(tmp_path / "corpus"))
            await sync(config)
            in_dms = {c["name"] for c in fake.commands[None] if 1 in (c.get("contexts")
                                                                     or [0, 1])}
            assert in_dms == {"ask", "sources", "source", "stats", "Find sources"}
            async with running_bot(tmp_path, fake=fake, corpus=tmp_path / "corpus"):
                ask = await fake.send_command(
                    "ask", {"question": "why was Soleimani in Baghdad?"}, dm=True)
                assert (await callback_for(fake, ask)).json["type"] == 5
                assert field_names((await followup_for(fake, ask)).json)
                ask = await fake.send_command("ask", {"question": OFF_TOPIC}, dm=True)
                assert (await followup_for(fake, ask)).json["content"].startswith(
                    "No good match")
                gaps = await fake.send_command("gaps", user=fake.admin)
                body = (await callback_for(fake, gaps)).json["data"]
                assert body["content"].startswith("No gaps on record")
    asyncio.run(scenario())
    con = sqlite3.connect(tmp_path / "state.db")
    try:
        assert con.execute("SELECT text, guild_id FROM unmatched").fetchall() == [
            (OFF_TOPIC, None)]
    finally:
        con.close()


def test_sigkill_loses_no_feedback(tmp_path: Path) -> None:
    """Killed without warning right after recording feedback: the state database is intact,
    the feedback is there, and the restarted bot answers from the last complete index."""
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            async with running_bot(tmp_path, fake=fake) as bot:
                n = len(fake.calls)
                await fake.send_message("Soleimani Baghdad")
                call = await fake.wait_for_call("POST", POST_MESSAGE, after=n)
                message = next(m for m in fake.messages.values()
                               if m.get("embeds") == call.json["embeds"])
                up = next(i for i in custom_ids(message) if i.endswith(":up"))
                vote = await fake.click(message, up)
                await callback_for(fake, vote)
                bot.process.kill()  # SIGKILL: no shutdown, no cleanup
                await bot.process.wait()
            con = sqlite3.connect(tmp_path / "state.db")
            try:
                assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert con.execute("SELECT count(*) FROM feedback").fetchone() == (1,)
            finally:
                con.close()
            async with running_bot(tmp_path, fake=fake):
                n = len(fake.calls)
                await fake.send_message("Soleimani Baghdad")
                reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
                assert field_names(reply)

    asyncio.run(scenario())
