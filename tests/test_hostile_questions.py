"""Questions a hostile or careless user sends: each gets a sensible answer or a short
explanation, within Discord's limits, and pings nobody."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering import answer
from bot.render import CONTENT_MAX, EMBED_TOTAL_MAX, as_text, embed_length
from bot.state import State
from index.reader import IndexReader

QUESTIONS = {
    "empty": "",
    "spaces": "   \t ",
    "stopwords only": "why was he in the",
    "very long": "Soleimani Baghdad " * 600,   # about 10,000 characters
    "emoji": "🙂🔥🇮🇶",
    "zero-width and RTL": "\u200bSoleimani\u200d \u202eBaghdad\u202c",
    "markdown injection": "**Soleimani** ```py\nimport os``` # Header\n> quote [x](https://evil)",
    "mentions": "@everyone @here <@&123456789012345678> <@987654321098765432> Soleimani",
    "SQL-looking": "Soleimani'; DROP TABLE passages; -- \" OR 1=1",
    "control characters": "Soleimani\x00\x07\x1b[31m Baghdad",
}


@pytest.mark.parametrize("name", QUESTIONS)
def test_hostile_question(name: str, seed_db: Path, tmp_path: Path, run) -> None:
    question = QUESTIONS[name]

    async def go() -> tuple:
        async with await IndexReader.open(seed_db) as reader:
            result = await answer(reader, question, k=3)
        # The bot records every question in its own, writable database: the text is only ever
        # a bound parameter, so it comes back as it went in, and the tables are still there.
        async with await State.open(tmp_path / "state.db") as state:
            qid = await state.record_question(question, user_id=1, channel_id=2)
            asked = await state.question(qid)
            answered = await state.answered()
        return result, asked, answered

    result, asked, answered = run(go())
    assert asked is not None and asked.text == question and answered == 1
    reply = result.reply
    assert len(reply.content) <= CONTENT_MAX
    assert all(embed_length(e) <= EMBED_TOTAL_MAX for e in reply.embeds)
    text = as_text(reply)
    for ping in ("@everyone", "@here", "<@&123456789012345678>", "<@987654321098765432>"):
        assert ping not in text
    if any(w in question for w in ("Soleimani", "Baghdad")):
        assert result.hits, "a question with real words gets passages"
    else:
        assert not result.hits and "/sources" in reply.content
