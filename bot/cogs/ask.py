"""Asking: mention the bot, ``/ask``, "Find sources" on a message, or write in an auto-answer
channel."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..cooldowns import interaction_may_search, message_may_search
from ..questions import QUESTION_MAX, WORDLESS, asked_in_post, asks_something, searchable
from ..replies import reply_to
from ..views import ExpandButton, MoreButton, ReasonSelect, VoteButton, answer_and_record

if TYPE_CHECKING:
    from ..discord_app import SourcedBot


FIND_SOURCES = "Find sources"
USAGE = "Ask me a question after the mention, for example: why was Soleimani in Baghdad?"
NO_TEXT = "That message has no text to find sources for."


def question_from(content: str, bot_id: int, role_id: int | None = None) -> str:
    """The message without the bot's mention(s), its own role's too."""
    if role_id is not None:
        content = re.sub(rf"<@&{role_id}>", " ", content)
    return re.sub(rf"<@!?{bot_id}>", " ", content).strip()


def mentions_me(message: discord.Message, me: discord.abc.User) -> bool:
    """Whether the message's text mentions the bot, or the role Discord made for it (which
    "@Sourced" may complete to). Not ``me in message.mentions``: a reply to the bot with its
    ping on lists the bot there too, and "thanks!" under an answer is no question."""
    role = message.guild.self_role if message.guild else None
    return me.id in message.raw_mentions or (role is not None
                                             and role.id in message.raw_role_mentions)


def post_title(message: discord.Message) -> str | None:
    """The title of the forum post that ``message`` opens, else None. On Discord a post is a
    thread of a forum, and its first message has the thread's id."""
    channel = message.channel
    if (isinstance(channel, discord.Thread) and message.id == channel.id
            and isinstance(channel.parent, discord.ForumChannel)):
        return channel.name
    return None


def asked_in(message: discord.Message, bot_id: int, role_id: int | None) -> str:
    """What a message asks: its text without the bot's mentions, after its post's title when
    it opens a forum post (the same for auto-answer, a mention and Find sources)."""
    question = question_from(message.content, bot_id, role_id)
    title = post_title(message)
    return question if title is None else asked_in_post(title, question)


class Ask(commands.Cog):
    def __init__(self, bot: SourcedBot) -> None:
        self.bot = bot
        # Right-click a message -> Apps -> "Find sources". Context menus cannot be defined in a
        # cog's body, so it is added to the tree here and removed when the cog unloads.
        self.find_sources_menu = app_commands.ContextMenu(name=FIND_SOURCES,
                                                          callback=self.find_sources)
        bot.tree.add_command(self.find_sources_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(FIND_SOURCES, type=discord.AppCommandType.message)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.guild is None:
            return
        mentioned = mentions_me(message, me)
        channel = message.channel
        parent_id = getattr(channel, "parent_id", None)
        auto = {channel.id, parent_id} & set(self.bot.config.discord.auto_answer_channel_ids)
        if not (mentioned or auto):
            return
        role = message.guild.self_role
        question = searchable(asked_in(message, me.id, role.id if role else None))
        if question is None:  # empty, "?" or an emoji alone: nothing to search
            if mentioned:
                await reply_to(message, content=USAGE)
            return
        # Talk in an auto-answer channel ("thanks!") is no question; a new forum post is one
        # by nature, whatever its wording (review15 L1).
        if not (mentioned or post_title(message) is not None or asks_something(question)):
            return
        if not await message_may_search(self.bot.cooldowns, message):
            return
        async with channel.typing():
            _, kwargs = await answer_and_record(self.bot, question,
                                                user_id=message.author.id, channel_id=channel.id,
                                                guild_id=message.guild.id)
        await reply_to(message, **kwargs)

    @app_commands.command(name="ask")
    @app_commands.describe(question="What you want evidence about, in your own words")
    async def ask(self, interaction: discord.Interaction[SourcedBot],
                  question: app_commands.Range[str, 1, QUESTION_MAX]) -> None:
        """Ask a question; get quoted passages with the outlets they cite."""
        asked = searchable(question)
        if asked is None:  # "?" or an emoji alone: nothing to search, no cooldown spent
            await interaction.response.send_message(WORDLESS, ephemeral=True)
            return
        if not await interaction_may_search(self.bot.cooldowns, interaction):
            return
        await interaction.response.defer(thinking=True)
        _, kwargs = await answer_and_record(self.bot, asked, user_id=interaction.user.id,
                                            channel_id=interaction.channel_id,
                                            guild_id=interaction.guild_id)
        await interaction.followup.send(**kwargs)

    async def find_sources(self, interaction: discord.Interaction[SourcedBot],
                           message: discord.Message) -> None:
        """Answer with a message's text as the question (ephemeral unless configured)."""
        private = self.bot.config.answers.find_sources_ephemeral
        role = interaction.guild.self_role if interaction.guild else None
        question = searchable(asked_in(message, self.bot.user.id if self.bot.user else 0,
                                       role.id if role else None))
        # Before the cooldown: a refusal that searched nothing costs none.
        if question is None:
            await interaction.response.send_message(NO_TEXT, ephemeral=True)
            return
        if not await interaction_may_search(self.bot.cooldowns, interaction):
            return
        await interaction.response.defer(ephemeral=private, thinking=True)
        _, kwargs = await answer_and_record(self.bot, question, user_id=interaction.user.id,
                                            channel_id=interaction.channel_id,
                                            guild_id=interaction.guild_id)
        await interaction.followup.send(**kwargs, ephemeral=private)


ITEMS = (MoreButton, VoteButton, ReasonSelect, ExpandButton)


async def setup(bot: SourcedBot) -> None:
    bot.add_dynamic_items(*ITEMS)
    await bot.add_cog(Ask(bot))


async def teardown(bot: SourcedBot) -> None:
    bot.remove_dynamic_items(*ITEMS)
