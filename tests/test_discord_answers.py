"""The answer people see, end to end through the fake Discord: "Find sources" on a message,
dated passages, "no good match", Expand, the reasons of a 👎 and ``/gaps`` (kept across a
restart)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from .conftest import copy_seed
from .discord_harness import posts_before_a_reply, running_bot
from .fake_discord import FakeDiscord
from .test_discord_e2e import (
    EPHEMERAL,
    POST_MESSAGE,
    all_text,
    callback_for,
    custom_ids,
    field_names,
    followup_for,
)

LONG = " ".join(f"The harbour master said the ferry number {i} left late." for i in range(60))
NOTE = f"""---
title: What happened to the Oslo ferry?
date: 2020-01-06
---
According to [the BBC](https://www.bbc.co.uk/news/ferry-1):

> {LONG}
"""
OFF_TOPIC = "what's the best way to learn the guitar?"


def corpus_in(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    (corpus / "ferry.md").write_text(NOTE, encoding="utf-8")
    return corpus


def sent(fake: FakeDiscord, body: dict[str, Any]) -> dict[str, Any]:
    """The message the fake stored for a call's body (with its components)."""
    return next(m for m in reversed(fake.messages.values())
                if m.get("embeds") == (body.get("embeds") or [])
                and m.get("components") == (body.get("components") or []))


def test_find_sources_dates_expand_reasons_and_gaps(tmp_path: Path) -> None:
    corpus = corpus_in(tmp_path)

    async def first_run(fake: FakeDiscord) -> None:
        async with running_bot(tmp_path, corpus=corpus, fake=fake):
            menu = next(c for c in fake.commands[fake.guild_id] if c["name"] == "Find sources")
            assert menu["type"] == 3  # a message command: right-click -> Apps

            # "Find sources" on someone's message (no mention): answered privately, from
            # that message's text, with the answer's date.
            target = await fake.send_message("why did the Oslo ferry leave late?",
                                             mention_bot=False)
            find = await fake.send_message_command("Find sources", target)
            deferred = (await callback_for(fake, find)).json
            assert deferred["type"] == 5 and deferred["data"]["flags"] & EPHEMERAL
            answer = (await followup_for(fake, find)).json
            assert answer["flags"] & EPHEMERAL
            assert answer["allowed_mentions"] == {"parse": []}
            assert field_names(answer)[0] == "1 · BBC"
            value = answer["embeds"][0]["fields"][0]["value"]
            assert "answered 6 Jan 2020" in value
            assert "[…]" in value  # the long quote is cut after a sentence, visibly
            # Expand shows it whole.
            message = sent(fake, answer)
            expand = next(i for i in custom_ids(answer) if i.startswith("sourced:expand:"))
            body = (await callback_for(fake, await fake.click(message, expand))).json["data"]
            assert body["flags"] & EPHEMERAL
            assert "ferry number 59 left late." in all_text(body)

            # Off topic: said plainly, with where to browse; twice, so it leads /gaps.
            for _ in range(2):
                n = len(fake.calls)
                await fake.send_message(OFF_TOPIC)
                reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
                assert reply["content"].startswith("No good match")
                assert "`/sources`" in reply["content"] and not reply.get("embeds")

            # 👎 asks why; the reason is stored with the vote.
            n = len(fake.calls)
            await fake.send_message("why was Soleimani in Baghdad on the day he was killed?")
            reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
            down = next(i for i in custom_ids(reply) if i.endswith(":down"))
            vote = await callback_for(fake, await fake.click(sent(fake, reply), down))
            choice = vote.json["data"]
            assert choice["flags"] & EPHEMERAL and "What was wrong" in choice["content"]
            [menu_id] = custom_ids(choice)
            [select] = choice["components"][0]["components"]
            assert [o["label"] for o in select["options"]] == [
                "Wrong source", "Off topic", "Outdated", "Other"]
            chosen = await fake.select(sent(fake, choice), menu_id, ["outdated"])
            edited = (await callback_for(fake, chosen)).json
            assert edited["type"] == 7  # the same private message, updated
            assert edited["data"]["content"] == "Thanks: noted as “outdated”."
            assert edited["data"]["components"] == []

            # /gaps is for admins.
            refused = (await callback_for(fake, await fake.send_command("gaps"))).json
            assert "Only admins" in refused["data"]["content"]
            assert "/gaps" in refused["data"]["content"]

    async def gaps_after_restart(fake: FakeDiscord) -> str:
        async with running_bot(tmp_path, corpus=corpus, fake=fake):
            gaps = await fake.send_command("gaps", user=fake.admin)
            body = (await callback_for(fake, gaps)).json["data"]
            assert body["flags"] & EPHEMERAL
            return body["embeds"][0]["description"]

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            await first_run(fake)
            # A new process: the gaps come from the state database.
            lines = (await gaps_after_restart(fake)).splitlines()
        assert lines == [
            "1. what's the best way to learn the guitar? — 2× no good match",
            "2. why was Soleimani in Baghdad on the day he was killed? — 1× 👎 (outdated 1)",
        ]

    asyncio.run(scenario())


def test_find_sources_can_answer_in_public(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(tmp_path,
                               extra_answers="find_sources_ephemeral = false\n") as bot:
            fake = bot.fake
            target = await fake.send_message("why was Soleimani in Baghdad?", mention_bot=False)
            find = await fake.send_message_command("Find sources", target)
            deferred = (await callback_for(fake, find)).json
            flags = (deferred.get("data") or {}).get("flags", 0)
            assert deferred["type"] == 5 and not flags & EPHEMERAL
            answer = (await followup_for(fake, find)).json
            assert not answer.get("flags", 0) & EPHEMERAL and field_names(answer)

    asyncio.run(scenario())


def test_auto_answer_forums_answer_in_their_posts(tmp_path: Path) -> None:
    """A forum listed in auto_answer_channel_ids: a message in one of its posts (a thread) is
    answered there, without a mention."""
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            extra = f"auto_answer_channel_ids = [{fake.forum_id}]\n"
            async with running_bot(tmp_path, extra_discord=extra, fake=fake):
                n = len(fake.calls)
                await fake.send_message("why was Soleimani in Baghdad on the day he was killed?",
                                        mention_bot=False, channel_id=fake.forum_post_id)
                call = await fake.wait_for_call("POST", rf"/channels/{fake.forum_post_id}/messages",
                                                after=n)
                assert field_names(call.json)
                # The general channel is not listed: nothing there without a mention.
                n = len(fake.calls)
                await fake.send_message("Soleimani Baghdad", mention_bot=False)
                assert not await posts_before_a_reply(fake, n)

    asyncio.run(scenario())


def test_a_forum_post_is_asked_with_its_title(tmp_path: Path) -> None:
    """review14 M1: a post in an auto-answer forum whose question is its title, its message
    the detail, got no answer (the message alone asks nothing). Its first message is asked
    with the title; the title is shown defused, pinging no one."""
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            extra = f"auto_answer_channel_ids = [{fake.forum_id}]\n"
            async with running_bot(tmp_path, extra_discord=extra, fake=fake):
                n = len(fake.calls)
                post = await fake.create_forum_post(
                    "@everyone why was Soleimani in Baghdad on the day he was killed?",
                    "He was killed near the airport.")
                call = await fake.wait_for_call("POST", rf"/channels/{post}/messages", after=n)
                assert field_names(call.json)
                assert call.json["allowed_mentions"]["parse"] == []
                title = call.json["embeds"][0]["title"]
                assert title == ("Sources for: @\u200beveryone why was Soleimani in Baghdad on "
                                 "the day he was killed? He was killed near the airport.")
                # review15 H1: a post whose title is a topic and whose message asks what the
                # corpus does not hold. Asked once, title and message together: "No good
                # match", and the whole question is a gap (the title alone, asked after,
                # found passages about the topic that did not answer it).
                n = len(fake.calls)
                post = await fake.create_forum_post(
                    "Qasem Soleimani", "Which football club did he support as a child?")
                call = await fake.wait_for_call("POST", rf"/channels/{post}/messages", after=n)
                assert call.json["content"].startswith("No good match")
                assert not call.json.get("embeds")
                # review15 N1: "Find sources" on the post's first message asks the same.
                find = await fake.send_message_command("Find sources", post)
                assert (await followup_for(fake, find)).json["content"].startswith(
                    "No good match")
                gaps = await fake.send_command("gaps", user=fake.admin)
                description = (await callback_for(fake, gaps)).json["data"]["embeds"][0][
                    "description"]
                assert description.splitlines()[0] == (
                    "1. Qasem Soleimani. Which football club did he support as a child? — 2× "
                    "no good match")
                # review15 L1: a new post asks something by nature, with no "?" or opener.
                n = len(fake.calls)
                post = await fake.create_forum_post(
                    "Soleimani in Baghdad on the day he was killed", "Sources please.")
                call = await fake.wait_for_call("POST", rf"/channels/{post}/messages", after=n)
                assert call.json["embeds"][0]["title"] == (
                    "Sources for: Soleimani in Baghdad on the day he was killed. Sources please.")
                # Later messages in the post are judged alone, as in any auto-answer channel.
                n = len(fake.calls)
                await fake.send_message("He was killed near the airport.", mention_bot=False,
                                        channel_id=post)
                assert not await posts_before_a_reply(fake, n)

    asyncio.run(scenario())


def test_expand_pages_what_one_message_has_no_room_for(tmp_path: Path) -> None:
    """review14 M2: three long quotes (~3,300 characters each) on one page: Expand showed the
    first whole, the second cut, and dropped the third unsaid. It names the one left out, and
    "Next passages" shows it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for port in ("Oslo", "Bergen", "Tromso"):
        text = " ".join(f"The harbour master of {port} said the ferry number {i} left late."
                        for i in range(60))
        (corpus / f"{port.lower()}.md").write_text(
            f"---\ntitle: Why did the {port} ferry leave late?\nurl: https://example.org/{port}\n"
            f"---\nAccording to [the BBC](https://www.bbc.co.uk/news/{port}):\n\n> {text}\n",
            encoding="utf-8")
    for k in range(8):  # words in fewer than half the notes weigh something in BM25
        (corpus / f"orchard{k}.md").write_text(
            f"---\ntitle: Orchard {k}\n---\nThe orchard number {k} grew apples and pears.\n",
            encoding="utf-8")

    async def scenario() -> None:
        async with running_bot(tmp_path, corpus=corpus,
                               extra_answers="min_relevance = 0.0") as bot:
            fake = bot.fake
            n = len(fake.calls)
            await fake.send_message("why did the ferry leave late, said the harbour master?")
            reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
            assert len(field_names(reply)) == 3
            expand = next(i for i in custom_ids(reply) if i.startswith("sourced:expand:"))
            body = (await callback_for(fake, await fake.click(sent(fake, reply), expand))
                    ).json["data"]
            assert [e["title"] for e in body["embeds"]] == ["1 · BBC", "2 · BBC"]
            assert re.fullmatch(r"1 more passage did not fit in this message: 3 · BBC "
                                r"\(\[note\]\(<https://example\.org/\w+>\)\)\.", body["content"])
            [more] = custom_ids(body)
            assert [c["label"] for c in body["components"][0]["components"]] == [
                "Next passages"]
            rest = await callback_for(fake, await fake.click(sent(fake, body), more))
            # review15 N2: in place (type 7), as /sources pages, not one more message.
            assert rest.json["type"] == 7
            rest = rest.json["data"]
            assert not custom_ids(rest)
            assert [e["title"] for e in rest["embeds"]] == ["3 · BBC"]
            assert "ferry number 59 left late." in rest["embeds"][0]["description"]
            assert not rest.get("content")

    asyncio.run(scenario())
