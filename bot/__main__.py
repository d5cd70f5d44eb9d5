"""``python -m bot``: run the bot; in the terminal when no Discord token is configured.

``python -m bot sync`` registers the slash commands globally (an explicit step: Discord limits
how many commands an application may create a day).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from index import logs
from index.config import Config, load_config
from index.errors import CorpusError, IndexNotFound
from index.settings import ConfigError

from .indexes import Indexes, open_index
from .signals import came, cancel_on
from .state import State, StateUnusable
from .terminal import run_terminal

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, help="config file (default: config.toml if "
                        "present, else config.example.toml)")
    parser.add_argument("command", nargs="?", choices=["run", "sync"], default="run",
                        help="run the bot (default), or sync slash commands globally")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logs.configure(config.bot.log_level.upper())
    try:
        return asyncio.run(_run(config, args.command))
    except KeyboardInterrupt:
        return 130
    except (ConfigError, CorpusError, IndexNotFound, StateUnusable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


async def _run(config: Config, command: str) -> int:
    # SIGTERM cancels the start-up wherever it waits (the first index build); the bot sets
    # its own handlers once connected (discord_app).
    stopping = cancel_on(signal.SIGTERM)
    try:
        return await _start(config, command)
    except asyncio.CancelledError:
        if not came(stopping):
            raise
        # SIGTERM while starting (the first index build, most likely: the build's process
        # group is stopped by now) or while the terminal mode answers: a clean stop.
        log.info("stopped (SIGTERM)")
        return 0


async def _start(config: Config, command: str) -> int:
    token = config.token
    # Read once, then out of the environment: the builds this process starts parse files
    # an admin supplied, and need no token.
    os.environ.pop(config.discord.token_env, None)
    if token is None:
        if command == "sync":
            raise ConfigError(f"{config.path}: `sync` needs a Discord token in the "
                              f"{config.discord.token_env} environment variable")
        print(f"No Discord token in ${config.discord.token_env}: answering questions from the "
              "terminal, one per line.", file=sys.stderr, flush=True)
        reader = await open_index(config.index, config.path)
        try:
            await run_terminal(config, reader)
        finally:
            await reader.close()
        return 0
    from .discord_app import run_discord  # imported only when Discord is used

    # As discord.py's examples/advanced_startup.py: main opens the resources, the bot borrows
    # them, and they close (in reverse order) however the bot ends.
    async with (await State.open(config.bot.state_database) as state,
                await Indexes.open(config.index, config.path,
                                   build_timeout=config.bot.reload_timeout_seconds) as indexes):
        return await run_discord(config, token, indexes, state,
                                 sync_globally=command == "sync")


if __name__ == "__main__":
    sys.exit(main())
