"""Browsing: ``/sources``, ``/source``, ``/stats``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..cooldowns import interaction_may_search
from ..messages import send_kwargs
from ..outlet_choices import outlet_choice, resolve_outlet
from ..questions import clean_question
from ..render import OUTLET_SHOWN, escaped_within, render_answer, render_stats
from ..views import FILTER_MAX, SourcesPage, matching, outlets_page

if TYPE_CHECKING:
    from ..discord_app import SourcedBot

class Sources(commands.Cog):
    def __init__(self, bot: SourcedBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources")
    @app_commands.describe(filter="Only outlets whose name contains this")
    async def sources(self, interaction: discord.Interaction[SourcedBot],
                      filter: app_commands.Range[str, 0, FILTER_MAX] | None = None) -> None:
        """List the outlets the corpus cites, most cited first."""
        kwargs = await outlets_page(self.bot, 0, (filter or "").strip())
        await interaction.response.send_message(**kwargs, ephemeral=True)

    @app_commands.command(name="source")
    @app_commands.describe(outlet="The outlet (start typing to pick one)",
                           question="Optional: show its passages that best match this")
    async def source(self, interaction: discord.Interaction[SourcedBot], outlet: str,
                     question: app_commands.Range[str, 0, 1000] | None = None) -> None:
        """Show passages citing one outlet, best match first when you give a question."""
        async with self.bot.indexes.reader() as reader:
            name = resolve_outlet(outlet, [name for name, _ in await reader.outlets()])
        if name is None:  # refused before the cooldown: nothing was searched
            await interaction.response.send_message(
                "No outlet by that name is cited in the corpus; see `/sources`.", ephemeral=True)
            return
        if not await interaction_may_search(self.bot.cooldowns, interaction):
            return
        # A search may take longer than the 3 s Discord allows before the first response.
        await interaction.response.defer(thinking=True)
        k = self.bot.config.answers.passages
        question = clean_question(question or "")
        async with self.bot.indexes.reader() as reader:
            if question:
                hits, title = await reader.search(question, k, outlet=name), question
            else:
                hits, title = (await reader.passages_for_outlet(name, k),
                               f"passages citing {name}")
        if not hits:
            # Only the asker needs this: the public "thinking" goes, the refusal is theirs.
            await interaction.delete_original_response()
            await interaction.followup.send(
                f"No passage citing {escaped_within(name, OUTLET_SHOWN)} matches that question.",
                ephemeral=True)
            return
        await interaction.followup.send(**send_kwargs(render_answer(title, hits)))

    @source.autocomplete("outlet")
    async def outlet_autocomplete(self, interaction: discord.Interaction[SourcedBot],
                                  current: str) -> list[app_commands.Choice[str]]:
        async with self.bot.indexes.reader() as reader:
            outlets = matching(await reader.outlets(), current.strip())
        return [app_commands.Choice(name=label, value=value)
                for label, value in (outlet_choice(name, n) for name, n in outlets[:25])]

    @app_commands.command(name="stats")
    async def stats(self, interaction: discord.Interaction[SourcedBot]) -> None:
        """Corpus size, when it was last reloaded, and questions answered."""
        async with self.bot.indexes.reader() as reader:
            stats = await reader.stats()
        loaded = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.bot.indexes.loaded_at))
        reply = render_stats(stats, reloaded_at=loaded, answered=await self.bot.state.answered())
        await interaction.response.send_message(**send_kwargs(reply), ephemeral=True)


async def setup(bot: SourcedBot) -> None:
    bot.add_dynamic_items(SourcesPage)
    await bot.add_cog(Sources(bot))


async def teardown(bot: SourcedBot) -> None:
    bot.remove_dynamic_items(SourcesPage)
