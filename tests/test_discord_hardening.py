"""Hardening, end to end: the real bot process against the fake Discord, fed what an attacker
or an unlucky moment feeds it (issue 15)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from .discord_harness import running_bot
from .fake_discord import FakeDiscord, RecordedCall

POST_MESSAGE = r"/channels/\d+/messages"
EPHEMERAL = 64

EVIL_OUTLET = "BBC](https://evil.example) ("
LONG_OUTLET = "The Long Outlet " + "of Many Words " * 10   # 156 characters
HUGE_OUTLET = "Huge " * 1000                              # 5,000 characters


def outlets_corpus(folder: Path) -> Path:
    folder.mkdir()
    records = [
        {"_id": "evil", "title": "Evil outlet", "text": "The harbour ferry sank in a storm.",
         "url": "https://news.example.com/ferry", "outlet": EVIL_OUTLET},
        {"_id": "long", "title": "Long outlet", "text": "The harbour lighthouse was repainted.",
         "url": "https://example.org/lighthouse", "outlet": LONG_OUTLET},
        {"_id": "huge", "title": "Huge outlet", "text": "The harbour crane collapsed overnight.",
         "url": "https://example.net/crane", "outlet": HUGE_OUTLET},
    ]
    (folder / "outlets.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n",
                                          encoding="utf-8")
    return folder


def markdown_links(text: str) -> list[str]:
    """The addresses of the links Discord would render in ``text``: ``[label](url)`` whose
    brackets are not escaped (a bracket after an odd run of backslashes is)."""
    unescaped = r"(?<!\\)(?:\\\\)*"
    return re.findall(unescaped + r"\[(?:[^\]]|(?<=\\)\])*?" + unescaped + r"\]\(([^)\s]+)\)",
                      text)


async def callback_for(fake: FakeDiscord, interaction: dict[str, str]) -> RecordedCall:
    return await fake.wait_for_call("POST", rf"/interactions/{interaction['id']}/[^/]+/callback")


def embed_text(body: dict[str, Any]) -> str:
    return "\n".join(f["value"] for e in body.get("embeds") or [] for f in e.get("fields", []))


def test_outlet_names_cannot_break_links_or_limits(tmp_path: Path) -> None:
    corpus = outlets_corpus(tmp_path / "corpus")

    async def scenario() -> None:
        async with running_bot(tmp_path, corpus=corpus) as bot:
            fake = bot.fake
            n = len(fake.calls)
            await fake.send_message("harbour ferry storm")
            reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
            links = markdown_links(embed_text(reply))
            assert "https://news.example.com/ferry" in links
            assert not [u for u in links if "evil.example" in u], links

            # A 156-character outlet is offered, and the offered choice can be chosen.
            auto = await fake.send_autocomplete("source", "outlet", "long outlet")
            choices = (await callback_for(fake, auto)).json["data"]["choices"]
            assert len(choices) == 1
            source = await fake.send_command("source", {"outlet": choices[0]["value"]})
            body = (await callback_for(fake, source)).json["data"]
            assert "lighthouse was repainted" in embed_text(body)

            # A 5,000-character outlet: chosen, asked about, or matching nothing: all within
            # Discord's limits (the harness fails the test on any refused call).
            auto = await fake.send_autocomplete("source", "outlet", "huge huge")
            value = (await callback_for(fake, auto)).json["data"]["choices"][0]["value"]
            for options in ({"outlet": value}, {"outlet": value, "question": "crane"},
                            {"outlet": HUGE_OUTLET.strip(), "question": "lighthouse"}):
                source = await fake.send_command("source", options)
                body = (await callback_for(fake, source)).json["data"]
                assert body.get("embeds") or "No passage citing Huge Huge" in body["content"]
            assert not [c for c in fake.calls if c.status == 400]

    asyncio.run(scenario())


def test_a_reply_is_posted_once_when_discord_fails_after_creating_it(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(tmp_path) as bot:
            fake = bot.fake
            # Discord creates the message, then answers 500; discord.py sends it again.
            fake.fail_next("POST", POST_MESSAGE, status=500, after_handling=True)
            n, created = len(fake.calls), len(fake.created)
            question = await fake.send_message("why was Soleimani in Baghdad?")
            await fake.wait_until(lambda: [c for c in fake.calls[n:] if c.status == 200
                                           and c.method == "POST"
                                           and re.fullmatch(POST_MESSAGE, c.path)], timeout=30)
            await asyncio.sleep(0.5)
            posts = [c for c in fake.calls[n:] if c.method == "POST"
                     and re.fullmatch(POST_MESSAGE, c.path)]
            assert [c.status for c in posts] == [500, 200]
            assert len({c.json["nonce"] for c in posts}) == 1
            assert all(c.json["enforce_nonce"] is True for c in posts)
            replies = [m for m in fake.created[created:]
                       if str((m.get("message_reference") or {}).get("message_id")) == question]
            assert len(replies) == 1

    asyncio.run(scenario())
