"""The bot's state database: questions, shown passages, feedback and counters survive a
restart (a new connection to the same file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.state import State


def test_feedback_and_counters_persist(tmp_path: Path, run) -> None:
    path = tmp_path / "state.db"

    async def first_session() -> int:
        async with await State.open(path) as state:
            qid = await state.record_question("why?", user_id=7, channel_id=9)
            await state.record_shown(qid, 0, "quote", ["t/a0/p1", "t/a1/p2"])
            assert await state.record_feedback(qid, 0, user_id=8, vote=1)
            assert await state.record_feedback(qid, 0, user_id=8, vote=-1)  # changes the vote
            assert not await state.record_feedback(qid, 3, user_id=8, vote=1)  # never shown
        with pytest.raises(ValueError, match="no active connection"):  # closed on leaving
            await state.answered()
        return qid

    qid = run(first_session())

    async def second_session() -> tuple:
        state = await State.open(path)
        try:
            asked = await state.question(qid)
            async with state._db.execute(
                    "SELECT question_id, offset, user_id, vote, passage_ids FROM feedback") as c:
                rows = await c.fetchall()
            return asked, rows, await state.answered(), await state.question(qid + 1)
        finally:
            await state.close()

    asked, rows, answered, missing = run(second_session())
    assert (asked.text, asked.user_id) == ("why?", 7)
    assert rows == [(qid, 0, 8, -1, '["t/a0/p1", "t/a1/p2"]')]
    assert answered == 1
    assert missing is None
