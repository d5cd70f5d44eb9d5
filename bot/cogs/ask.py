"""Asking: mention the bot, ``/ask``, "Find sources" on a message, or write in an auto-answer
channel."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from ..cooldowns import interaction_may_search, message_may_search
from ..messages import NO_MENTIONS
from ..questions import QUESTION_MAX, asked_in_post, asks_something, has_words
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


async def reply_to(message: discord.Message, **kwargs: Any) -> None:
    """Reply without pinging; if the question was deleted meanwhile, post the answer in the
    channel all the same (Discord refuses a reply to a deleted message by default). The
    question's id is the nonce (sent with enforce_nonce by discord.py): however often the
    reply is sent for one question, Discord keeps one."""
    await message.channel.send(reference=message.to_reference(fail_if_not_exists=False),
                               mention_author=False, nonce=message.id, **kwargs)


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
        question = question_from(message.content, me.id, role.id if role else None)
        title = post_title(message)
        if title is not None:  # a forum post: its title is usually the question
            question = asked_in_post(title, question)
        if not has_words(question):  # empty, or "?" alone: nothing to search
            if mentioned:
                await reply_to(message, content=USAGE, allowed_mentions=NO_MENTIONS)
            return
        if not mentioned and not asks_something(question):
            return  # talk in an auto-answer channel ("thanks!"), not a question
        if not await message_may_search(self.bot.cooldowns, message):
            return
        async with channel.typing():
            _, kwargs = await answer_and_record(self.bot, question,
                                                user_id=message.author.id, channel_id=channel.id,
                                                guild_id=message.guild.id, or_else=title)
        await reply_to(message, **kwargs)

    @app_commands.command(name="ask")
    @app_commands.describe(question="What you want evidence about, in your own words")
    async def ask(self, interaction: discord.Interaction[SourcedBot],
                  question: app_commands.Range[str, 1, QUESTION_MAX]) -> None:
        """Ask a question; get quoted passages with the outlets they cite."""
        if not has_words(question):  # "?" alone: nothing to search, no cooldown spent
            await interaction.response.send_message(
                "Ask a question in words, for example: why was Soleimani in Baghdad?",
                ephemeral=True)
            return
        if not await interaction_may_search(self.bot.cooldowns, interaction):
            return
        await interaction.response.defer(thinking=True)
        _, kwargs = await answer_and_record(self.bot, question, user_id=interaction.user.id,
                                            channel_id=interaction.channel_id,
                                            guild_id=interaction.guild_id)
        await interaction.followup.send(**kwargs)


    async def find_sources(self, interaction: discord.Interaction[SourcedBot],
                           message: discord.Message) -> None:
        """Answer with a message's text as the question (ephemeral unless configured)."""
        private = self.bot.config.answers.find_sources_ephemeral
        role = interaction.guild.self_role if interaction.guild else None
        question = question_from(message.content, self.bot.user.id if self.bot.user else 0,
                                 role.id if role else None)
        # Before the cooldown: a refusal that searched nothing costs none.
        if not has_words(question):
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
