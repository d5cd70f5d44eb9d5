"""Every button the bot sends: "More", 👍 and 👎 under an answer, and the pages of
``/sources``. Their state lives in the custom id and in SQLite, never in memory, so they keep
working after the bot restarts (discord.py's ``DynamicItem`` rebuilds them from the custom id on
every click). Each extension registers the items it sends in its own ``setup()``."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from .answering import AnswerPage, answer
from .cooldowns import interaction_may_search
from .messages import send_kwargs
from .questions import clean_question, has_words
from .render import render_sources, render_whole, sources_matching
from .state import REASONS, StateWriteFailed

if TYPE_CHECKING:
    from .discord_app import SourcedBot

log = logging.getLogger(__name__)

SOURCES_PER_PAGE = 15
FILTER_MAX = 60  # what fits in a button's custom id beside the page number


# Buttons come back from Discord as sent, but a client can send any custom id: numbers past
# these would overflow SQLite's integers or size arrays by them.
QUESTION_ID_MAX = 2**63 - 1
OFFSET_MAX = 1000  # More pages through at most this many passages of one answer


async def answer_button_is_valid(interaction: discord.Interaction[Any], qid: int,
                                 offset: int) -> bool:
    """False, after telling the user (ephemerally), when a button's numbers are out of range."""
    if 0 < qid <= QUESTION_ID_MAX and 0 <= offset <= OFFSET_MAX:
        return True
    log.info("button with out-of-range numbers from %s: question %s, offset %s",
             interaction.user.id, qid, offset)
    await interaction.response.send_message("That button is not valid; ask the question again.",
                                            ephemeral=True)
    return False


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
        if not await answer_button_is_valid(interaction, self.qid, self.offset):
            return
        asked = await bot.state.question(self.qid)
        if asked is None:  # before the cooldown: a refusal that searched nothing costs none
            await interaction.response.send_message(
                "That question is no longer on record; ask it again.", ephemeral=True)
            return
        if not await interaction_may_search(bot.cooldowns, interaction):
            return
        # A search may take longer than the 3 s Discord allows before the first response.
        await interaction.response.defer(ephemeral=True, thinking=True)
        result, kwargs = await answer_and_record(bot, asked.text, qid=self.qid,
                                                 offset=self.offset)
        if not result.hits:
            await interaction.followup.send("No more passages for that question.",
                                            ephemeral=True)
            return
        await interaction.followup.send(**kwargs, ephemeral=True)


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
        if not await answer_button_is_valid(interaction, self.qid, self.offset):
            return
        try:
            recorded = await bot.state.record_feedback(
                self.qid, self.offset, interaction.user.id, 1 if self.vote == "up" else -1)
        except StateWriteFailed:
            await interaction.response.send_message(
                "Your feedback could not be recorded just now; please try again later.",
                ephemeral=True)
            return
        if not recorded:
            await interaction.response.send_message("That answer is no longer on record.",
                                                    ephemeral=True)
        elif self.vote == "down":
            # A short choice, so the down-vote says what to fix (see /gaps).
            view = discord.ui.View(timeout=None)
            view.add_item(ReasonSelect(self.qid, self.offset))
            await interaction.response.send_message(
                "Thanks, your 👎 is recorded. What was wrong with the answer?", view=view,
                ephemeral=True)
        else:
            await interaction.response.send_message("Thanks, your feedback is recorded.",
                                                    ephemeral=True)


class ReasonSelect(discord.ui.DynamicItem[discord.ui.Select[Any]],
                   template=r"sourced:reason:(?P<qid>\d+):(?P<offset>\d+)"):
    """Why a 👎: stored with the vote, listed by ``/gaps``."""

    def __init__(self, qid: int, offset: int) -> None:
        super().__init__(discord.ui.Select(
            custom_id=f"sourced:reason:{qid}:{offset}", placeholder="Choose a reason",
            options=[discord.SelectOption(label=label, value=value)
                     for value, label in REASONS.items()]))
        self.qid, self.offset = qid, offset

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str], /
                             ) -> ReasonSelect:
        return cls(int(match["qid"]), int(match["offset"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: SourcedBot = interaction.client
        if not await answer_button_is_valid(interaction, self.qid, self.offset):
            return
        reason = next(iter(self.item.values), None)
        if reason not in REASONS:
            await interaction.response.send_message("Choose one of the reasons listed.",
                                                    ephemeral=True)
            return
        try:
            recorded = await bot.state.record_reason(
                self.qid, self.offset, interaction.user.id, reason)
        except StateWriteFailed:
            text = "Your reason could not be recorded just now; please try again later."
        else:
            text = (f"Thanks: noted as “{REASONS[reason].lower()}”." if recorded
                    else "That 👎 is no longer on record.")
        await interaction.response.edit_message(content=text, view=None)


class ExpandButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=r"sourced:expand:(?P<qid>\d+):(?P<offset>\d+)(?::(?P<start>\d+))?"):
    """The passages of an answer page in full, shown only to whoever asks; from the page's
    passage ``start`` on, for those one message had no room for ("Next passages")."""

    def __init__(self, qid: int, offset: int, start: int = 0) -> None:
        super().__init__(discord.ui.Button(
            label="Next passages" if start else "Expand", style=discord.ButtonStyle.secondary,
            custom_id=f"sourced:expand:{qid}:{offset}" + (f":{start}" if start else "")))
        self.qid, self.offset, self.start = qid, offset, start

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str], /
                             ) -> ExpandButton:
        return cls(int(match["qid"]), int(match["offset"]), int(match["start"] or 0))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: SourcedBot = interaction.client
        if not await answer_button_is_valid(interaction, self.qid, self.offset):
            return
        ids = await bot.state.shown_ids(self.qid, self.offset)
        if ids is None:
            await interaction.response.send_message(
                "That answer is no longer on record; ask again.", ephemeral=True)
            return
        async with bot.indexes.reader() as reader:
            hits = await reader.whole(ids)
        reply = render_whole(hits[self.start:])
        shown = self.start + len(reply.embeds)
        view = discord.ui.View(timeout=None)
        if reply.embeds and shown < len(hits):  # review14 M2: the rest on a page of its own
            view.add_item(ExpandButton(self.qid, self.offset, shown))
        kwargs = send_kwargs(reply, view=view)
        if self.start:
            # "Next passages" is on the Expand message itself: its next page replaces it, as
            # /sources pages (review15 N2); the answer's Expand starts over.
            await interaction.response.edit_message(**kwargs)
            return
        await interaction.response.send_message(**kwargs, ephemeral=True)


def answer_view(qid: int, offset: int, *, has_more: bool, k: int, trimmed: bool = False
                ) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if has_more:
        view.add_item(MoreButton(qid, offset + k))
    if trimmed:
        view.add_item(ExpandButton(qid, offset))
    view.add_item(VoteButton(qid, offset, "up"))
    view.add_item(VoteButton(qid, offset, "down"))
    return view


async def answer_and_record(bot: SourcedBot, question: str, *, qid: int | None = None,
                            user_id: int = 0, channel_id: int | None = None,
                            guild_id: int | None = None, offset: int = 0
                            ) -> tuple[AnswerPage, dict[str, Any]]:
    """Answer a question (or a later page of it), record what is shown, and build the reply
    with its buttons: the one path for ``/ask``, mentions and **More**.

    A new question (``qid`` None) is cleaned (``clean_question``) and recorded, as asked by
    ``user_id`` in ``channel_id`` of server ``guild_id``, only when something is shown, else
    recorded as a gap (``/gaps``); a later page passes the recorded text. Returns the answer
    and the keyword arguments of the send call.
    """
    if qid is None:
        question = clean_question(question)
    settings = bot.config.answers
    k = settings.passages
    async with bot.indexes.reader() as reader:
        result = await answer(reader, question, k=k, offset=offset,
                              min_relevance=settings.min_relevance, min_score=settings.min_score)
    if not result.hits:
        if qid is None and has_words(question):  # "?" alone is no gap in the corpus
            # Only for /gaps: a failed write must not cost the reply.
            with contextlib.suppress(StateWriteFailed):
                await bot.state.record_unmatched(question, user_id, channel_id, guild_id)
        return result, send_kwargs(result.reply)
    try:
        if qid is None:
            qid = await bot.state.record_question(question, user_id, channel_id, guild_id)
        await bot.state.record_shown(qid, offset, result.kind,
                                     [h.passage_id for h in result.hits])
    except StateWriteFailed:
        # Answered anyway; the buttons need what could not be recorded (logged in State).
        return result, send_kwargs(result.reply)
    view = answer_view(qid, offset, has_more=result.has_more, k=k, trimmed=result.reply.trimmed)
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
    """One page of ``/sources``, grouped by kind, with Previous / Next buttons."""
    async with bot.indexes.reader() as reader:
        sources = await reader.sources()
    sources = sources_matching(sources, filter_text)
    named = sum(1 for s in sources if s.name)
    pages = max(1, -(-named // SOURCES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    reply = render_sources(sources, page=page, per_page=SOURCES_PER_PAGE,
                           filter_text=filter_text or None)
    view = discord.ui.View(timeout=None)
    if page > 0:
        view.add_item(SourcesPage(page - 1, filter_text, "Previous"))
    if page < pages - 1:
        view.add_item(SourcesPage(page + 1, filter_text, "Next"))
    return send_kwargs(reply, view=view)
