"""Reasons of a 👎 and the questions the corpus answers badly, in the state database; and the
fake Discord refusing select menus and context menus that Discord would refuse."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.render import render_gaps
from bot.state import State

from .fake_discord.limits import check_request


def test_reasons_and_gaps_persist(tmp_path: Path, run) -> None:
    path = tmp_path / "state.db"

    async def first_session() -> None:
        async with await State.open(path) as state:
            qid = await state.record_question("Why did the ferry sink?", 7, 9, guild_id=5)
            await state.record_shown(qid, 0, "quote", ["t/a0/p1"])
            assert not await state.record_reason(qid, 0, 8, "outdated")  # no 👎 to attach to
            assert await state.record_feedback(qid, 0, 8, -1)
            assert await state.record_reason(qid, 0, 8, "wrong_source")
            assert await state.record_reason(qid, 0, 8, "outdated")  # replaces the first
            assert await state.record_feedback(qid, 0, 9, -1)  # a 👎 without a reason
            assert await state.record_feedback(qid, 0, 10, 1)  # a 👍 is no gap
            with pytest.raises(ValueError, match="unknown reason"):
                await state.record_reason(qid, 0, 8, "boring")
            for text in ("how to learn guitar", "How to  learn GUITAR ", "how to learn guitar"):
                await state.record_unmatched(text, 7, 9, guild_id=5)
            await state.record_unmatched("weather tomorrow", 7, 9, guild_id=5)
            # Another server's questions are its own (review8: /gaps showed them to all).
            await state.record_unmatched("how to learn guitar", 8, 11, guild_id=6)
            other = await state.record_question("Why did the ferry sink?", 8, 11, guild_id=6)
            await state.record_shown(other, 0, "quote", ["t/a0/p1"])
            assert await state.record_feedback(other, 0, 8, -1)

    async def second_session() -> list:
        async with await State.open(path) as state:
            assert sorted((g.unmatched, g.down_votes) for g in await state.gaps(6)) == [
                (0, 1), (1, 0)]
            assert await state.gaps(None) == []
            return await state.gaps(5)

    run(first_session())
    gaps = run(second_session())
    assert [(g.unmatched, g.down_votes, g.reasons) for g in gaps] == [
        (3, 0, {}), (0, 2, {"outdated": 1}), (1, 0, {})]
    assert gaps[0].question.casefold().split() == ["how", "to", "learn", "guitar"]
    [embed] = render_gaps(gaps).embeds
    assert embed["description"].splitlines()[1] == (
        "2. Why did the ferry sink? — 2× 👎 (outdated 1)")


def test_gaps_render_escapes_and_fits() -> None:
    from bot.state import Gap

    many = [Gap("@everyone " + "why? " * 100, 1, 0, {}) for _ in range(100)]
    [embed] = render_gaps(many).embeds
    assert len(embed["description"]) <= 4096 and "@everyone" not in embed["description"]
    assert render_gaps([]).content.startswith("No gaps on record")


def test_gaps_say_how_many_they_leave_out() -> None:
    """review14 L3: 40 long questions on record, 18 listed, and no word of the other 22."""
    from bot.state import Gap

    long = [Gap(f"question {i} " + "why did it flood? " * 100, 1, 0, {}) for i in range(20)]
    [embed] = render_gaps(long, 40).embeds
    shown = len(embed["description"].splitlines()) - 1
    assert 0 < shown < 20
    assert embed["description"].endswith(f"… and {40 - shown} more not shown.")
    assert len(embed["description"]) <= 4096
    short = [Gap(f"question {i}", 1, 0, {}) for i in range(3)]
    assert "more" not in render_gaps(short, 3).embeds[0]["description"]
    # review15 L4: no claim that those left out were asked less often (gaps tie on count).
    assert render_gaps(short, 25).embeds[0]["description"].endswith("… and 22 more not shown.")


def test_state_counts_every_gap_beyond_the_limit(tmp_path: Path, run) -> None:
    async def go() -> tuple[list, int]:
        async with await State.open(tmp_path / "state.db") as state:
            for i in range(25):
                await state.record_unmatched(f"question {i}?", 1, 2, 7)
            await state.record_unmatched("Question 3?", 1, 2, 7)  # the same question
            return await state.gaps_and_total(7)

    gaps, total = run(go())
    assert (len(gaps), total) == (20, 25) and gaps[0].unmatched == 2


SELECT = {"type": 3, "custom_id": "s", "options": [{"label": "A", "value": "a"}]}


@pytest.mark.parametrize(("row", "field"), [
    ([SELECT, {"type": 2, "style": 2, "custom_id": "b", "label": "B"}], "components.0.components"),
    ([{**SELECT, "options": []}], "components.0.components.0.options"),
    ([{**SELECT, "options": [{"label": "A" * 101, "value": "a"}]}],
     "components.0.components.0.options.0.label"),
    ([{**SELECT, "max_values": 2}], "components.0.components.0.max_values"),
    ([{**SELECT, "placeholder": "p" * 151}], "components.0.components.0.placeholder"),
])
def test_select_menus_discord_would_refuse(row: list, field: str) -> None:
    body = {"content": "x", "components": [{"type": 1, "components": row}]}
    assert field in check_request("POST", "/channels/1/messages", body)
    assert check_request("POST", "/channels/1/messages",
                         {"content": "x", "components": [{"type": 1, "components": [SELECT]}]}
                         ) == {}


def test_context_menus_discord_would_refuse() -> None:
    put = ("PUT", "/applications/1/guilds/2/commands")
    assert check_request(*put, [{"name": "Find sources", "type": 3}]) == {}
    assert check_request(*put, [{"name": "Find sources", "type": 3, "description": "x"}]) == {
        "0.description": "Context menu commands cannot have description"}
    assert "0.name" in check_request(*put, [{"name": "x" * 33, "type": 3}])


def test_a_state_database_from_before_servers_were_recorded(tmp_path: Path, run) -> None:
    """Its questions stay, as asked in no server on record; new ones get their server."""
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE unmatched (id INTEGER PRIMARY KEY, text TEXT NOT NULL, "
            "user_id INTEGER NOT NULL, channel_id INTEGER, asked_at REAL NOT NULL);"
            "INSERT INTO unmatched (text, user_id, channel_id, asked_at) "
            "VALUES ('old question', 1, 2, 0);")
    db.close()

    async def go() -> tuple[list, list, list]:
        async with await State.open(path) as state:
            await state.record_unmatched("new question", 1, 2, guild_id=5)
            before = await state.gaps(None), await state.gaps(5)
            # At connection, the bot places them by the channels of its servers.
            await state.place_questions({2: 5, 3: 6})
            return *before, await state.gaps(5)

    unplaced, placed, after = run(go())
    assert [g.question for g in unplaced] == ["old question"]
    assert [g.question for g in placed] == ["new question"]
    assert sorted(g.question for g in after) == ["new question", "old question"]
