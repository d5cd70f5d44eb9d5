"""Hardening, end to end: the real bot process against the fake Discord, fed what an attacker
or an unlucky moment feeds it (issue 15)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

from .conftest import PYTHON, ROOT, copy_seed, python_env
from .discord_harness import posts_before_a_reply, running_bot, write_config
from .fake_discord import FakeDiscord, RecordedCall
from .filesystems import fill, mounted_tmpfs

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


async def followup_for(fake: FakeDiscord, interaction: dict[str, str]) -> RecordedCall:
    return await fake.wait_for_call("POST", rf"/webhooks/\d+/{interaction['token']}")


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
            body = (await followup_for(fake, source)).json
            assert "lighthouse was repainted" in embed_text(body)

            # A 5,000-character outlet: chosen, asked about, or matching nothing: all within
            # Discord's limits (the harness fails the test on any refused call).
            auto = await fake.send_autocomplete("source", "outlet", "huge huge")
            value = (await callback_for(fake, auto)).json["data"]["choices"][0]["value"]
            refused = 0
            for options in ({"outlet": value}, {"outlet": value, "question": "crane"},
                            {"outlet": HUGE_OUTLET.strip(), "question": "lighthouse"}):
                source = await fake.send_command("source", options)
                body = (await followup_for(fake, source)).json
                assert body.get("embeds") or "No passage citing Huge Huge" in body["content"]
                refused += not body.get("embeds")
                if not body.get("embeds"):
                    # Deferred in public, refused in private: the "thinking" message goes
                    # first, else the refusal would replace it, public (review15 L3: the fake
                    # does as Discord does), and go with it.
                    shown = {m["id"]: m["flags"] & EPHEMERAL for m in fake.messages.values()
                             if m["content"] == body["content"]}
                    assert list(shown.values()) == [EPHEMERAL]  # one message, private
                    assert f"original:{source['token']}" not in fake.messages
            assert refused == 1  # the lighthouse is not the huge outlet's
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


def stored_questions(tmp_path: Path) -> list[str]:
    con = sqlite3.connect(tmp_path / "state.db")
    try:
        return [row[0] for row in con.execute("SELECT text FROM questions ORDER BY id")]
    finally:
        con.close()


def custom_ids(body: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in body.get("components") or [] for c in row["components"]]


def field_names(body: dict[str, Any]) -> list[str]:
    return [f["name"] for e in body.get("embeds") or [] for f in e.get("fields", [])]


def test_unpaired_surrogates_and_control_characters(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(tmp_path) as bot:
            fake = bot.fake
            n = len(fake.calls)
            await fake.send_message("\ud800why was Soleimani\x00 in Baghdad?\udfff")
            reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
            assert field_names(reply)
    asyncio.run(scenario())
    assert stored_questions(tmp_path) == ["\ufffdwhy was Soleimani in Baghdad?\ufffd"]


def test_every_page_searches_the_one_stored_question(tmp_path: Path) -> None:
    # 1,000 characters about the drone strike, then words about other things: a page that
    # searched the whole text would rank other passages and repeat the first page's.
    head = ("Soleimani Baghdad airport missiles vehicles killed " * 40)[:990]
    question = head + " Kataib Hezbollah protest embassy" * 30

    async def scenario() -> None:
        # Every passage that matches a word is shown, so that there are pages to compare.
        answers = "min_relevance = 0.0"
        async with running_bot(tmp_path, extra_answers=answers) as bot:
            fake = bot.fake
            n = len(fake.calls)
            await fake.send_message(question)
            await fake.wait_for_call("POST", POST_MESSAGE, after=n)
            message = fake.created[-1]
            more = next(i for i in custom_ids(message) if i.startswith("sourced:more:"))
            click = await fake.click(message, more)
            page2 = (await followup_for(fake, click)).json
            first = {f["value"] for f in message["embeds"][0]["fields"]}
            second = {f["value"] for f in page2["embeds"][0]["fields"]}
            assert first and second and not first & second
    asyncio.run(scenario())
    stored = stored_questions(tmp_path)
    assert len(stored) == 1 and len(stored[0]) <= 1000 and question.startswith(stored[0])


def test_one_cooldown_for_every_search_told_once_and_privately(tmp_path: Path) -> None:
    async def scenario() -> None:
        answers = "cooldown_seconds = 60\nmin_relevance = 0.0"
        async with running_bot(tmp_path, extra_answers=answers) as bot:
            fake = bot.fake
            n = len(fake.calls)
            await fake.send_message("why was Soleimani in Baghdad?")
            await fake.wait_for_call("POST", POST_MESSAGE, after=n)
            answer = fake.created[-1]
            more = next(i for i in custom_ids(answer) if i.startswith("sourced:more:"))

            # Within the cooldown, every way of searching is refused...
            n = len(fake.calls)
            asked = [await fake.send_message(f"Soleimani question {i}") for i in range(5)]
            refused = [await fake.send_command("source", {"outlet": "BBC"}),
                       await fake.click(answer, more),
                       await fake.send_command("ask", {"question": "Soleimani"})]
            for interaction in refused:
                body = (await callback_for(fake, interaction)).json
                assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
                assert body["data"]["content"].startswith("Please wait")
            # ...the mentions with one reaction on the first, and not one public message;
            # someone else is not held up (their answer is the barrier).
            await fake.wait_until(lambda: fake.calls_to("PUT", r"/channels/.*/reactions/.*"))
            assert not await posts_before_a_reply(fake, n)
            reactions = [c.path for c in fake.calls[n:] if "/reactions/" in c.path]
            assert len(reactions) == 1 and f"/messages/{asked[0]}/reactions/" in reactions[0]
    asyncio.run(scenario())


def test_a_refusal_that_searched_nothing_costs_no_cooldown(tmp_path: Path) -> None:
    """review14 L2 and L10: "Find sources" on a message without text, /source with an outlet
    the corpus does not cite, and a mention followed by "?" alone search nothing: they cost
    no cooldown, and "?" gets the usage hint, not "No good match" and a place in /gaps.
    review15 M1: the same for a question of a custom emoji alone, however it is asked; N4:
    and for More on a question no longer on record."""
    async def scenario() -> None:
        async with running_bot(tmp_path, extra_answers="cooldown_seconds = 60") as bot:
            fake = bot.fake
            empty = await fake.send_message("", mention_bot=False)
            find = await fake.send_message_command("Find sources", empty)
            body = (await callback_for(fake, find)).json["data"]
            assert body["content"] == "That message has no text to find sources for."
            source = await fake.send_command("source", {"outlet": "Nope"})
            body = (await callback_for(fake, source)).json["data"]
            assert body["content"].startswith("No outlet by that name")
            n = len(fake.calls)
            await fake.send_message("   ?  ")
            reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
            assert reply["content"].startswith("Ask me a question after the mention")
            # review15 M1: judged as searched, after cleaning: a custom emoji alone, or "_",
            # is no question either (it was answered "No good match" in public, and cost
            # the cooldown).
            emoji = "<:pepe:123456789012345678>"
            for text in (emoji, "___"):
                n = len(fake.calls)
                await fake.send_message(text)
                reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
                assert reply["content"].startswith("Ask me a question after the mention")
            body = (await callback_for(fake, await fake.send_command(
                "ask", {"question": f" {emoji} "}))).json
            assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
            assert body["data"]["content"].startswith("Ask a question in words")
            find = await fake.send_message_command(
                "Find sources", await fake.send_message(emoji, mention_bot=False))
            body = (await callback_for(fake, find)).json["data"]
            assert body["content"] == "That message has no text to find sources for."
            # review15 N4: More on a question not on record (state.db lost, say) searches
            # nothing either.
            button = {"type": 2, "style": 2, "label": "More", "custom_id": "sourced:more:999:3"}
            usage = {**fake.created[-1], "components": [{"type": 1, "components": [button]}]}
            body = (await callback_for(fake, await fake.click(usage, button["custom_id"]))
                    ).json["data"]
            assert body["content"] == "That question is no longer on record; ask it again."
            ask = await fake.send_command("ask", {"question": "why was Soleimani in Baghdad?"})
            assert (await callback_for(fake, ask)).json["type"] == 5  # searched, not refused
            assert field_names((await followup_for(fake, ask)).json)
    asyncio.run(scenario())
    con = sqlite3.connect(tmp_path / "state.db")
    try:
        assert con.execute("SELECT text FROM unmatched").fetchall() == []
    finally:
        con.close()


def test_a_question_deleted_while_it_is_searched_gets_no_answer(tmp_path: Path) -> None:
    """review15 M2 (review14 L8 reversed): a question deleted while the bot searched, by its
    author or a moderator, stays deleted. The reply requires its reference
    (``fail_if_not_exists``); Discord refuses it, the bot logs that and posts nothing (it
    used to post the answer without the reference, the question in its title)."""
    async def scenario() -> None:
        async with running_bot(tmp_path) as bot:
            fake = bot.fake
            n = len(fake.calls)
            created = len(fake.created)
            question = await fake.send_message("why was Soleimani in Baghdad?")
            await fake.delete_message(question)  # before the bot can have answered

            def replies() -> list[RecordedCall]:
                return [c for c in fake.calls[n:] if c.method == "POST"
                        and re.fullmatch(POST_MESSAGE, c.path)]
            [call] = await fake.wait_until(replies, timeout=30)
            assert call.status == 400 and field_names(call.json)
            assert call.json["message_reference"]["fail_if_not_exists"] is True
            assert not await posts_before_a_reply(fake, fake.calls.index(call) + 1)
            for _ in range(50):  # the log line follows the refusal; the fake cannot see it
                if "was deleted before its reply; nothing posted" in bot.log_text():
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the refusal was not logged")
            assert len(fake.created) == created + 1  # the barrier's reply alone
            # The one refusal expected here; the harness fails a test on any other.
            fake.calls.remove(call)
    asyncio.run(scenario())


def test_buttons_with_out_of_range_numbers_are_answered(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(tmp_path) as bot:
            fake = bot.fake
            n = len(fake.calls)
            await fake.send_message("why was Soleimani in Baghdad?")
            await fake.wait_for_call("POST", POST_MESSAGE, after=n)
            answer = fake.created[-1]
            qid = next(i for i in custom_ids(answer) if i.endswith(":up")).split(":")[2]
            forged = [f"sourced:more:{qid}:{10**12}", f"sourced:more:{2**63}:3",
                      f"sourced:vote:{2**64 + 5}:0:up", f"sourced:vote:{qid}:{10**30}:down",
                      f"sourced:more:{'9' * 80}:3", f"sourced:sources:{10**40}:"]
            for custom_id in forged:
                # discord.py only dispatches a click on a button the message has.
                button = {"type": 2, "style": 2, "label": "x", "custom_id": custom_id}
                message = {**answer, "components": [{"type": 1, "components": [button]}]}
                click = await fake.click(message, custom_id)
                body = (await callback_for(fake, click)).json
                if custom_id.startswith("sourced:sources:"):
                    assert body["type"] == 7  # the last page of /sources, shown in place
                else:
                    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
                    assert "not valid" in body["data"]["content"]
            assert "Traceback" not in bot.log_text()
    asyncio.run(scenario())


def test_a_full_disk_still_answers_without_the_buttons(tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "small", size_kb=1024) as disk:
        async def scenario() -> str:
            answers = "min_relevance = 0.0"
            async with running_bot(tmp_path, state=disk / "state.db",
                                   extra_answers=answers) as bot:
                fake = bot.fake
                n = len(fake.calls)
                await fake.send_message("why was Soleimani in Baghdad?")
                await fake.wait_for_call("POST", POST_MESSAGE, after=n)
                answer = fake.created[-1]
                assert custom_ids(answer)  # recorded: More and the votes
                fill(disk)

                for i in range(3):  # a mention each time: answered, without buttons
                    n = len(fake.calls)
                    await fake.send_message(f"Soleimani Baghdad airport {i}")
                    reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
                    assert field_names(reply) and not custom_ids(reply)
                ask = await fake.send_command("ask", {"question": "Soleimani meeting"})
                followup = (await fake.wait_for_call(
                    "POST", rf"/webhooks/\d+/{ask['token']}")).json
                assert field_names(followup) and not custom_ids(followup)
                vote = await fake.click(answer, next(i for i in custom_ids(answer)
                                                     if i.endswith(":up")))
                body = (await callback_for(fake, vote)).json["data"]
                assert body["flags"] & EPHEMERAL and "could not be recorded" in body["content"]
                return bot.log_text()

        log = asyncio.run(scenario())
    assert log.count("cannot write the state database") == 1
    assert "Traceback" not in log


def test_sigterm_during_the_reconnect_back_off_stops_at_once(tmp_path: Path) -> None:
    async def scenario() -> tuple[float, float, int | None]:
        async with running_bot(tmp_path) as bot:
            fake = bot.fake
            fake.refuse_gateway = True
            await fake.close_gateway()
            # Wait until discord.py announces a back-off of 3 s or more, then stop it.
            announced = re.compile(r"Attempting a reconnect in (\d+\.\d+)s")
            while not [d for d in announced.findall(bot.log_text()) if float(d) >= 3.0]:
                await asyncio.sleep(0.02)
            back_off = float(announced.findall(bot.log_text())[-1])
            started = time.monotonic()
            bot.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.process.wait(), 30)
            return back_off, time.monotonic() - started, bot.process.returncode

    back_off, took, returncode = asyncio.run(scenario())
    assert returncode == 0
    assert took < 2.0, f"stopping took {took:.1f} s of a {back_off:.1f} s back-off"


def slow_file(path: Path, answers: int) -> None:
    """A plain-text thread of ``answers`` quoted answers: about 0.5 s to build per 1,000."""
    body = "\n\n".join(f"1\n\nAccording to Reuters:\n\nReport {i} on harbour traffic "
                       + "ships " * 60 for i in range(answers))
    path.write_text(f"1\n\nShips?\n\n{answers} Answers {answers}\n\n{body}\n", encoding="utf-8")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited


def test_a_reload_longer_than_its_timeout_is_stopped_and_reported(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)

    async def scenario() -> None:
        async with running_bot(tmp_path, corpus=corpus,
                               extra="reload_timeout_seconds = 1\n") as bot:
            fake = bot.fake
            slow_file(corpus / "ships.txt", 8000)   # several seconds to build
            started = time.monotonic()
            done = await fake.send_command("reload", user=fake.admin)
            report = (await fake.wait_for_call(
                "POST", rf"/webhooks/\d+/{done['token']}", timeout=60)).json
            took = time.monotonic() - started
            assert "took longer than 1 s" in report["content"], report
            assert "old index keeps serving" in report["content"]
            assert took < 5, took
            assert not [c for c in children(bot.process.pid) if running(c)]
            n = len(fake.calls)
            await fake.send_message("why was Soleimani in Baghdad?")
            assert field_names((await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json)
    asyncio.run(scenario())


def test_a_reload_build_does_not_outlive_the_bot(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)

    async def scenario() -> tuple[int, float]:
        async with running_bot(tmp_path, corpus=corpus) as bot:
            fake = bot.fake
            slow_file(corpus / "ships.txt", 12000)   # several seconds to build
            await fake.send_command("reload", user=fake.admin)
            deadline = time.monotonic() + 30
            while not (builds := children(bot.process.pid)) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            assert builds, "the reload started no build"
            await asyncio.sleep(0.5)  # the build is under way
            bot.process.kill()
            await bot.process.wait()
            killed = time.monotonic()
            while running(builds[0]) and time.monotonic() - killed < 30:
                await asyncio.sleep(0.05)
            return builds[0], time.monotonic() - killed

    build, after = asyncio.run(scenario())
    assert not running(build)
    assert after < 2.0, f"the build ran on {after:.1f} s after the bot was killed"


def test_a_server_that_refuses_the_commands_does_not_stop_the_bot(tmp_path: Path) -> None:
    """A server in guild_ids the bot left, or joined without the applications.commands scope,
    answers 403 to the commands' registration (review8: the bot stopped, blaming api_base)."""
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            fake.fail_next("PUT", r"/applications/\d+/guilds/\d+/commands", status=403)
            async with running_bot(tmp_path, fake=fake, commands=False) as bot:
                n = len(fake.calls)
                await fake.send_message("why was Soleimani in Baghdad?")
                reply = (await fake.wait_for_call("POST", POST_MESSAGE, after=n)).json
                assert reply["embeds"]
                assert f"cannot register the commands in guild {fake.guild_id} (403" \
                    in bot.log_text()

    asyncio.run(scenario())


def test_the_builds_the_bot_starts_never_see_its_token(tmp_path: Path) -> None:
    """A build parses files an admin supplied: the token stays with the bot (review8). Every
    Python process started here notes its parent and whether it sees the token."""
    hook = tmp_path / "hook"
    hook.mkdir()
    seen = tmp_path / "seen.tsv"
    (hook / "sitecustomize.py").write_text(
        "import os\n"
        f"with open({str(seen)!r}, 'a', encoding='utf-8') as f:\n"
        "    f.write(f\"{os.getpid()}\\t{os.getppid()}\\t{os.environ.get('DISCORD_TOKEN')}\\n\")\n",
        encoding="utf-8")

    async def scenario() -> int:
        env = {"PYTHONPATH": f"{hook}{os.pathsep}{ROOT}"}
        async with running_bot(tmp_path, env=env) as bot:  # no index yet: the first build
            return bot.process.pid

    pid = asyncio.run(scenario())
    rows = [line.split("\t") for line in seen.read_text(encoding="utf-8").splitlines()]
    assert [token for own, _, token in rows if own == str(pid)] == ["fake-token"]
    children = [token for _, parent, token in rows if parent == str(pid)]
    assert children and set(children) == {"None"}


def test_auto_answer_without_the_message_content_intent_stops_with_one_line(
        tmp_path: Path) -> None:
    """The portal's toggle off: Discord refuses the IDENTIFY that asks for the intent (close
    4014); review8 saw a traceback and exit 1."""
    async def scenario() -> tuple[int, str]:
        async with FakeDiscord() as fake:
            fake.portal_message_content = False
            config = write_config(
                tmp_path, fake, corpus=copy_seed(tmp_path / "corpus"),
                extra_discord=f"auto_answer_channel_ids = [{fake.channel_id}]\n")
            proc = await asyncio.create_subprocess_exec(
                PYTHON, "-m", "bot", "--config", str(config), cwd=ROOT,
                env=python_env(DISCORD_TOKEN="fake-token"), stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT)
            out, _ = await asyncio.wait_for(proc.communicate(), 90)
            assert proc.returncode is not None
            return proc.returncode, out.decode()

    code, log = asyncio.run(scenario())
    assert code == 2, log
    assert "auto_answer_channel_ids needs the Message Content intent" in log
    assert "Traceback" not in log
