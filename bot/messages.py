"""``Reply`` (plain data from ``render``) -> keyword arguments for discord.py's send calls."""

from __future__ import annotations

from typing import Any

import discord

# Nothing a question or the corpus contains may ping anyone.
NO_MENTIONS = discord.AllowedMentions.none()


def send_kwargs(reply: Any, *, view: discord.ui.View | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "content": reply.content or None,
        "embeds": [discord.Embed.from_dict(e) for e in reply.embeds],
        "allowed_mentions": NO_MENTIONS,
    }
    if not reply.embeds:
        kwargs["suppress_embeds"] = True  # no link previews under a text-only reply
    if view is not None:
        kwargs["view"] = view
    return kwargs
