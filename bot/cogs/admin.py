"""Admins only: ``/reload`` rebuilds the index from the corpus without downtime; ``/gaps``
lists the questions the corpus answers badly."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from ..access import NotAdmin, is_admin, may_reload
from ..indexes import ReloadError
from ..messages import send_kwargs
from ..render import render_gaps, render_reload

if TYPE_CHECKING:
    from ..discord_app import SourcedBot

log = logging.getLogger(__name__)


class Admin(commands.Cog):
    def __init__(self, bot: SourcedBot) -> None:
        self.bot = bot

    # Typed as the base class declares it (generic in the client), so mypy accepts the override.
    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Every command here: default permissions are only a default (server admins can
        change them), so check again; the tree's error handler sends the refusal."""
        if is_admin(interaction.user, self.bot.config.discord):
            return True
        command = interaction.command.name if interaction.command else "this"
        raise NotAdmin(
            f"Only admins (Manage Server, or listed in the bot's config) can use /{command}.")

    @app_commands.command(name="reload")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def reload(self, interaction: discord.Interaction[SourcedBot]) -> None:
        """Re-read the corpus and swap in the new index (admins only)."""
        if not may_reload(interaction.user, interaction.guild_id, self.bot.config.discord):
            await interaction.response.send_message(
                "The corpus is shared with the bot's other servers: from this one, only the "
                "users listed in the bot's config (`admin_user_ids`) can /reload it.",
                ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        log.info("reload requested by %s (%s)", interaction.user, interaction.user.id)
        try:
            report = await self.bot.indexes.reload()
        except ReloadError as exc:
            log.warning("reload failed: %s", exc)
            await interaction.followup.send(f"Reload failed: {exc}", ephemeral=True)
            return
        await interaction.followup.send(**send_kwargs(render_reload(report)), ephemeral=True)

    @app_commands.command(name="gaps")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def gaps(self, interaction: discord.Interaction[SourcedBot]) -> None:
        """Questions that got no good match or a 👎, most frequent first (admins only)."""
        # This server's questions only: the state database serves every server the bot is in.
        reply = render_gaps(*await self.bot.state.gaps_and_total(interaction.guild_id))
        await interaction.response.send_message(**send_kwargs(reply), ephemeral=True)


async def setup(bot: SourcedBot) -> None:
    await bot.add_cog(Admin(bot))
