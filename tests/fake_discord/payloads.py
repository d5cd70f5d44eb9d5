"""Discord API objects as the JSON discord.py parses (only the fields it needs)."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

# Snowflakes: increasing, like Discord's, so discord.py's ordering holds.
_counter = itertools.count(1)


def snowflake() -> str:
    return str(((int(time.time() * 1000) - 1420070400000) << 22) + next(_counter))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": user_id, "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "bot": bot, "public_flags": 0}


def member(u: dict[str, Any], roles: list[str]) -> dict[str, Any]:
    return {"user": u, "roles": roles, "joined_at": now_iso(), "deaf": False, "mute": False,
            "flags": 0, "nick": None, "avatar": None, "pending": False}


def role(role_id: str, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {"id": role_id, "name": name, "permissions": str(permissions), "position": position,
            "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0,
            "icon": None, "unicode_emoji": None}


def text_channel(channel_id: str, guild_id: str, name: str) -> dict[str, Any]:
    return {"id": channel_id, "type": 0, "guild_id": guild_id, "name": name, "position": 0,
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
            "last_message_id": None, "rate_limit_per_user": 0}


def forum_channel(channel_id: str, guild_id: str, name: str) -> dict[str, Any]:
    return {**text_channel(channel_id, guild_id, name), "type": 15, "available_tags": [],
            "default_reaction_emoji": None, "default_sort_order": None,
            "default_forum_layout": 0, "default_thread_rate_limit_per_user": 0}


def thread(thread_id: str, guild_id: str, parent_id: str, name: str, owner_id: str
           ) -> dict[str, Any]:
    """A public thread (type 11), as a forum post is."""
    return {"id": thread_id, "type": 11, "guild_id": guild_id, "parent_id": parent_id,
            "name": name, "owner_id": owner_id, "last_message_id": None,
            "rate_limit_per_user": 0, "message_count": 1, "member_count": 1,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                "archive_timestamp": now_iso(), "locked": False},
            "flags": 0, "applied_tags": []}


def message(*, message_id: str, channel_id: str, guild_id: str | None, author: dict[str, Any],
            content: str = "", embeds: list[dict[str, Any]] | None = None,
            components: list[dict[str, Any]] | None = None,
            mentions: list[dict[str, Any]] | None = None,
            mention_roles: list[str] | None = None, flags: int = 0,
            author_member: dict[str, Any] | None = None,
            reference: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message_id, "channel_id": channel_id, "author": author, "content": content,
        "timestamp": now_iso(), "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": mentions or [],
        "mention_roles": mention_roles or [],
        "attachments": [], "embeds": embeds or [], "components": components or [],
        "pinned": False, "type": 19 if reference else 0, "flags": flags,
    }
    if guild_id:
        data["guild_id"] = guild_id
    if author_member:
        data["member"] = author_member
    if reference:
        data["message_reference"] = reference
    return data
