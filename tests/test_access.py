"""Who may rebuild the corpus that every server the bot is in shares (review8: any server's
manager could start rebuilds of the operator's corpus)."""

from __future__ import annotations

import discord

from bot.access import may_reload
from index.config import DiscordSettings

MANAGER, OPERATOR = discord.Object(id=11), discord.Object(id=22)


def test_reload_from_the_operators_servers_or_by_the_operators() -> None:
    settings = DiscordSettings(guild_ids=(1, 2), admin_user_ids=(22,))
    assert may_reload(MANAGER, 1, settings)          # a server the config lists
    assert not may_reload(MANAGER, 3, settings)      # a server it does not
    assert may_reload(OPERATOR, 3, settings)         # the config's own admin, anywhere
    # No servers listed (synced globally, on purpose): every server's admins, as before.
    assert may_reload(MANAGER, 3, DiscordSettings())
