"""The fake Discord refuses what Discord would (400, code 50035), so the end-to-end tests,
which fail on any refused call, cannot pass on a message Discord would reject."""

from __future__ import annotations

from bot.render import render_answer
from index.reader import Hit

from .fake_discord.limits import check_request, invalid_form_body

POST = ("POST", "/channels/1/messages")


def test_oversized_messages_are_refused() -> None:
    assert check_request(*POST, {"content": "x" * 2001}) == {
        "content": "Must be 2000 or fewer in length."}
    field = {"name": "1", "value": "v" * 1025}
    assert "embeds.0.fields.0.value" in check_request(*POST, {"embeds": [{"fields": [field]}]})
    big = [{"description": "d" * 4000}, {"description": "d" * 2001}]
    assert check_request(*POST, {"embeds": big})["embeds"].startswith("Embed size exceeds")
    assert check_request(*POST, {"content": ""}) == {"content": "Cannot send an empty message"}
    assert check_request(*POST, {"content": "x", "nonce": "1" * 26}) == {
        "nonce": "Must be 25 or fewer in length."}
    choices = {"type": 8, "data": {"choices": [{"name": str(i), "value": "v"}
                                                for i in range(26)]}}
    assert "data.choices" in check_request("POST", "/interactions/1/tok/callback", choices)


def test_errors_nest_by_path_as_discord_does() -> None:
    body = invalid_form_body({"embeds.0.title": "Must be 256 or fewer in length."})
    assert body["code"] == 50035
    assert body["errors"]["embeds"]["0"]["title"]["_errors"][0]["message"].startswith("Must")


def test_the_longest_answer_we_render_is_accepted() -> None:
    long = ("word " * 3000).strip()
    hits = [Hit(rank=i, score=1.0, passage_id=f"t/a0/p{i}", kind="quote", text=long,
                outlet="B" * 300, url="https://example.com/" + "a" * 500, thread_title="T" * 400,
                thread_url="https://example.com/q/1", answer_score=5) for i in range(1, 41)]
    reply = render_answer("why? " * 500, hits)
    assert check_request(*POST, {"content": reply.content, "embeds": reply.embeds}) == {}
