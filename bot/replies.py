"""Replying to a message that asked something, and what to do when it is gone."""

from __future__ import annotations

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

UNKNOWN_MESSAGE = 10008  # Discord's JSON error code
INVALID_FORM_BODY = 50035


def question_gone(exc: discord.HTTPException) -> bool:
    """Whether Discord refused a reply because the message it answers no longer exists: it
    says "Invalid Form Body" with the error under ``message_reference`` (or, for a message it
    no longer knows at all, "Unknown Message")."""
    return exc.code == UNKNOWN_MESSAGE or (exc.code == INVALID_FORM_BODY
                                           and "message_reference" in exc.text)


async def reply_to(message: discord.Message, **kwargs: Any) -> bool:
    """Reply without pinging; False, posting nothing, if the question was deleted meanwhile
    (review15 M2): its author took it back or a moderator removed it, and an answer would put
    it back under the bot's name. So the reply requires its reference (discord.py's default,
    ``fail_if_not_exists``) and Discord's refusal ends it. The question's id is the nonce (sent
    with enforce_nonce by discord.py): however often the reply is sent, Discord keeps one."""
    try:
        await message.channel.send(reference=message.to_reference(), mention_author=False,
                                   nonce=message.id, **kwargs)
    except discord.HTTPException as exc:
        if not question_gone(exc):
            raise
        log.info("message %s was deleted before its reply; nothing posted", message.id)
        return False
    return True
