"""Every button the bot sends: "More", 👍 and 👎 under an answer, and the pages of
``/sources``. Their state lives in the custom id and in SQLite, never in memory, so they keep
working after the bot restarts (discord.py's ``DynamicItem`` rebuilds them from the custom id on
every click). Each extension registers the items it sends in its own ``setup()``."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from .answering import Answer, answer
from .messages import send_kwargs
from .render import render_outlets

if TYPE_CHECKING:
    from .discord_app import SourcedBot

log = logging.getLogger(__name__)

SOURCES_PER_PAGE = 15
FILTER_MAX = 60  # what fits in a button's custom id beside the page number


class MoreButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                 # Buttons sent before answers mixed kinds end in ":quote" or ":answer".
                 template=r"sourced:more:(?P<qid>\d+):(?P<offset>\d+)(?::(?:quote|answer))?"):
    def __init__(self, qid: int, offset: int) -> None:
        super().__init__(discord.ui.Button(
            label="More", style=discord.ButtonStyle.secondary,
            custom_id=f"sourced:more:{qid}:{offset}"))
        self.qid, self.offset = qid, offset

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str], /) -> MoreButton:
        return cls(int(match["qid"]), int(match["offset"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: SourcedBot = interaction.client
        asked = await bot.state.question(self.qid)
        if asked is None:
            await interaction.response.send_message(
                "That question is no longer on record; ask it again.", ephemeral=True)
            return
        result, kwargs = await answer_and_record(bot, asked.text, qid=self.qid,
                                                 offset=self.offset)
        if not result.hits:
            await interaction.response.send_message("No more passages for that question.",
                                                    ephemeral=True)
            return
        await interaction.response.send_message(**kwargs, ephemeral=True)


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

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: SourcedBot = interaction.client
        recorded = await bot.state.record_feedback(
            self.qid, self.offset, interaction.user.id, 1 if self.vote == "up" else -1)
        text = ("Thanks, your feedback is recorded." if recorded
                else "That answer is no longer on record.")
        await interaction.response.send_message(text, ephemeral=True)


def answer_view(qid: int, offset: int, *, has_more: bool, k: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if has_more:
        view.add_item(MoreButton(qid, offset + k))
    view.add_item(VoteButton(qid, offset, "up"))
    view.add_item(VoteButton(qid, offset, "down"))
    return view


async def answer_and_record(bot: SourcedBot, question: str, *, qid: int | None = None,
                            user_id: int = 0, channel_id: int | None = None, offset: int = 0
                            ) -> tuple[Answer, dict[str, Any]]:
    """Answer a question (or a later page of it), record what is shown, and build the reply
    with its buttons: the one path for ``/ask``, mentions and **More**.

    A new question (``qid`` None) is recorded, as asked by ``user_id`` in ``channel_id``, only
    when something is shown. Returns the answer and the keyword arguments of the send call.
    """
    settings = bot.config.answers
    k = settings.passages
    result = await answer(bot.indexes.current, question, k=k, offset=offset,
                          min_relevance=settings.min_relevance, min_score=settings.min_score)
    if not result.hits:
        return result, send_kwargs(result.reply)
    if qid is None:
        qid = await bot.state.record_question(question, user_id, channel_id)
    await bot.state.record_shown(qid, offset, result.kind, [h.passage_id for h in result.hits])
    view = answer_view(qid, offset, has_more=result.has_more, k=k)
    return result, send_kwargs(result.reply, view=view)


class SourcesPage(discord.ui.DynamicItem[discord.ui.Button[Any]],
                  template=r"sourced:sources:(?P<page>\d+):(?P<filter>.{0,60})"):
    def __init__(self, page: int, filter_text: str, label: str) -> None:
        super().__init__(discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary,
            custom_id=f"sourced:sources:{page}:{filter_text}"))
        self.page, self.filter_text = page, filter_text

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str], /) -> SourcesPage:
        return cls(int(match["page"]), match["filter"], "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: SourcedBot = interaction.client
        kwargs = await outlets_page(bot, self.page, self.filter_text)
        await interaction.response.edit_message(**{k: v for k, v in kwargs.items()
                                                   if k in {"embeds", "view", "content"}})


def matching(outlets: list[tuple[str, int]], text: str | None) -> list[tuple[str, int]]:
    if not text:
        return outlets
    needle = text.casefold()
    return [(name, n) for name, n in outlets if needle in name.casefold()]


async def outlets_page(bot: SourcedBot, page: int, filter_text: str) -> dict[str, Any]:
    """One page of ``/sources``, with Previous / Next buttons."""
    outlets = matching(await bot.indexes.current.outlets(), filter_text)
    pages = max(1, -(-len(outlets) // SOURCES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    reply = render_outlets(outlets, page=page, per_page=SOURCES_PER_PAGE,
                           filter_text=filter_text or None)
    view = discord.ui.View(timeout=None)
    if page > 0:
        view.add_item(SourcesPage(page - 1, filter_text, "Previous"))
    if page < pages - 1:
        view.add_item(SourcesPage(page + 1, filter_text, "Next"))
    return send_kwargs(reply, view=view)
