"""Who is an admin: Manage Server, or listed in the config by user or role id."""

from __future__ import annotations

import discord
from discord import app_commands

from index.config import DiscordSettings


def is_admin(user: discord.abc.User, settings: DiscordSettings) -> bool:
    if user.id in settings.admin_user_ids:
        return True
    if isinstance(user, discord.Member):
        if user.guild_permissions.manage_guild:
            return True
        return any(role.id in settings.admin_role_ids for role in user.roles)
    return False


def may_reload(user: discord.abc.Snowflake, guild_id: int | None,
               settings: DiscordSettings) -> bool:
    """The corpus is the operator's, shared by every server the bot is in: from a server
    outside ``guild_ids`` (when it lists any: a bot synced globally and invited elsewhere),
    only the users the config lists may rebuild it."""
    return (user.id in settings.admin_user_ids or not settings.guild_ids
            or guild_id in settings.guild_ids)


class NotAdmin(app_commands.CheckFailure):
    """An admin command refused; its text is the reply the user sees."""
