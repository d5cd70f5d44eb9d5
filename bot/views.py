"""Buttons under an answer: "More", 👍 and 👎. Their state lives in the custom id and in
SQLite, never in memory, so they keep working after the bot restarts (discord.py's
``DynamicItem`` rebuilds them from the custom id on every click)."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from .answering import answer
from .messages import send_kwargs

if TYPE_CHECKING:
    from .discord_app import SourcedBot

log = logging.getLogger(__name__)


class MoreButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                 template=r"sourced:more:(?P<qid>\d+):(?P<offset>\d+):(?P<kind>quote|answer)"):
    def __init__(self, qid: int, offset: int, kind: str) -> None:
        super().__init__(discord.ui.Button(
            label="More", style=discord.ButtonStyle.secondary,
            custom_id=f"sourced:more:{qid}:{offset}:{kind}"))
        self.qid, self.offset, self.kind = qid, offset, kind

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str], /) -> MoreButton:
        return cls(int(match["qid"]), int(match["offset"]), match["kind"])

    async def callback(self, interaction: discord.Interaction[SourcedBot]) -> None:
        bot = interaction.client
        asked = await bot.state.question(self.qid)
        if asked is None:
            await interaction.response.send_message(
                "That question is no longer on record; ask it again.", ephemeral=True)
            return
        k = bot.config.answers.passages
        result = await answer(bot.indexes.current, asked.text, k=k, offset=self.offset,
                              kind=self.kind, min_score=bot.config.answers.min_score)  # type: ignore[arg-type]
        if not result.hits:
            await interaction.response.send_message("No more passages for that question.",
                                                    ephemeral=True)
            return
        await bot.state.record_shown(self.qid, self.offset, result.kind,
                                     [h.passage_id for h in result.hits])
        view = answer_view(self.qid, self.offset, result.kind, has_more=result.has_more, k=k)
        await interaction.response.send_message(**send_kwargs(result.reply, view=view),
                                                ephemeral=True)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                 template=r"sourced:vote:(?P<qid>\d+):(?P<offset>\d+):(?P<vote>up|down)"):
    def __init__(self, qid: int, offset: int, vote: str) -> None:
        super().__init__(discord.ui.Button(
            emoji="👍" if vote == "up" else "👎", style=discord.ButtonStyle.secondary,
            custom_id=f"sourced:vote:{qid}:{offset}:{vote}"))
        self.qid, self.offset, self.vote = qid, offset, vote

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str], /) -> VoteButton:
        return cls(int(match["qid"]), int(match["offset"]), match["vote"])

    async def callback(self, interaction: discord.Interaction[SourcedBot]) -> None:
        recorded = await interaction.client.state.record_feedback(
            self.qid, self.offset, interaction.user.id, 1 if self.vote == "up" else -1)
        text = ("Thanks, your feedback is recorded." if recorded
                else "That answer is no longer on record.")
        await interaction.response.send_message(text, ephemeral=True)


def answer_view(qid: int, offset: int, kind: str, *, has_more: bool, k: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if has_more:
        view.add_item(MoreButton(qid, offset + k, kind))
    view.add_item(VoteButton(qid, offset, "up"))
    view.add_item(VoteButton(qid, offset, "down"))
    return view


DYNAMIC_ITEMS = (MoreButton, VoteButton)
