"""The Discord client: resources handed in by ``bot.__main__``, cogs loaded in ``setup_hook``.

As in discord.py's ``examples/advanced_startup.py``: ``bot.__main__`` opens the index and the
state database and passes them to the bot; slash commands sync to the configured guilds on
start, and globally only through ``python -m bot sync``. This module imports no cog and no
view: each extension registers its own commands and buttons in its ``setup()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from index.config import Config
from index.settings import ConfigError

from .access import NotAdmin
from .cooldowns import Cooldowns
from .indexes import Indexes
from .messages import NO_MENTIONS
from .signals import came, cancel_on
from .state import State, StateWriteFailed

log = logging.getLogger(__name__)

COGS = ("bot.cogs.ask", "bot.cogs.sources", "bot.cogs.admin")


class SourcedTree(app_commands.CommandTree["SourcedBot"]):
    async def on_error(self, interaction: discord.Interaction[SourcedBot],
                       error: app_commands.AppCommandError, /) -> None:
        """Any slash command's failure: logged with its traceback; the user gets one short,
        private line."""
        if isinstance(error, NotAdmin):
            text = str(error)
        elif isinstance(error, app_commands.CheckFailure):
            text = "You can't use this command here."
        else:
            command = interaction.command.name if interaction.command else "?"
            log.error("command /%s failed", command, exc_info=error)
            text = "Something went wrong answering that; it has been logged."
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)


class SourcedBot(commands.Bot):
    def __init__(self, *, config: Config, indexes: Indexes, state: State) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True  # mentions carry their content without the privileged intent
        # Auto-answer channels read every message: that needs the Message Content intent.
        intents.message_content = bool(config.discord.auto_answer_channel_ids)
        super().__init__(command_prefix=commands.when_mentioned, intents=intents,
                         allowed_mentions=NO_MENTIONS, help_command=None,
                         tree_cls=SourcedTree)
        self.config = config
        self.indexes = indexes
        self.state = state
        self.cooldowns = Cooldowns(config.answers.cooldown_seconds)

    async def setup_hook(self) -> None:
        for name in COGS:
            await self.load_extension(name)
        for guild_id in self.config.discord.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except (discord.Forbidden, discord.NotFound) as exc:
                # One server the bot left, or joined without the applications.commands scope,
                # must not stop it serving the others.
                log.error("cannot register the commands in guild %s (%s %s): is the bot in "
                          "that server, invited with the applications.commands scope? Check "
                          "[discord] guild_ids", guild_id, exc.status, exc.text)
                continue
            log.info("synced %d commands to guild %s", len(synced), guild_id)

    async def on_message(self, message: discord.Message, /) -> None:
        pass  # no prefix commands: the Ask cog listens for mentions

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d guild(s)", self.user,
                 self.user.id if self.user else "?", len(self.guilds))
        # Questions a state database kept from before their server was stored get it now,
        # by their channel, so /gaps can list them in their own server.
        with contextlib.suppress(StateWriteFailed):
            await self.state.place_questions({channel.id: guild.id for guild in self.guilds
                                              for channel in [*guild.channels, *guild.threads]})


def use_endpoints(api_base: str, gateway_url: str) -> None:
    """Point discord.py at the configured REST API and gateway (a proxy, or a local fake).
    discord.py reads both from class attributes; there is no per-client setting."""
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


async def run_discord(config: Config, token: str, indexes: Indexes, state: State, *,
                      sync_globally: bool = False) -> int:
    """Connect and serve until closed (or, with ``sync_globally``, register the slash commands
    for every server and return)."""
    use_endpoints(config.discord.api_base, config.discord.gateway_url)
    async with SourcedBot(config=config, indexes=indexes, state=state) as bot:
        if sync_globally:
            await _login(bot, token, config)  # runs setup_hook: loads the commands
            synced = await bot.tree.sync()
            print(f"Synced {len(synced)} commands globally: "
                  + ", ".join(f"/{c.name}" if c.type == discord.AppCommandType.chat_input
                              else f"“{c.name}” (message menu)" for c in synced))
            return 0
        stopping = cancel_on(signal.SIGTERM, signal.SIGINT)
        # What is loaded by now (numba, discord.py, the index) lives as long as the process;
        # a full collection walking it all stalled answers by 50-80 ms (`make load`). Frozen
        # objects are left out of every later collection.
        gc.freeze()
        try:
            await _login(bot, token, config)
            await bot.connect()
        except discord.PrivilegedIntentsRequired as exc:
            raise ConfigError(
                f"{config.path}: [discord] auto_answer_channel_ids needs the Message Content "
                "intent, which Discord refused: enable it in the developer portal, under Bot > "
                "Privileged Gateway Intents") from exc
        except asyncio.CancelledError:
            if not came(stopping):
                raise
            # Stopped by SIGTERM or Ctrl-C: leaving the block closes the bot, then main()
            # closes the index and the state database.
            log.info("stopping")
    return 0


async def _login(bot: SourcedBot, token: str, config: Config) -> None:
    """Log in, or stop with one line: a wrong token or an API that cannot be reached will not
    mend by retrying (the gateway, once logged in, is retried with back-off)."""
    api = config.discord.api_base
    try:
        await bot.login(token)
    except discord.LoginFailure as exc:
        raise ConfigError(f"Discord refused the token in ${config.discord.token_env} "
                          f"({exc})") from exc
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise ConfigError(f"{config.path}: [discord] api_base {api} cannot be reached "
                          f"({exc})") from exc
    except discord.HTTPException as exc:
        raise ConfigError(f"{config.path}: [discord] api_base {api} answered "
                          f"{exc.status} at login") from exc


