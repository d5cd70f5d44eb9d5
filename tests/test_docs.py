"""The README tells the truth about the interfaces, as sqlite-utils' tests/test_docs.py keeps
its documentation: every slash command and context-menu command documents itself and is in the
README, and every key of config.example.toml is in the README's table of keys."""

from __future__ import annotations

import asyncio
import re
import tomllib
from pathlib import Path
from typing import Any, cast

import pytest
from discord import app_commands

from bot.discord_app import COGS, SourcedBot
from bot.indexes import Indexes
from bot.state import State
from index.config import load_config

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "config.example.toml"


def bot_commands(tmp_path: Path) -> list[Any]:
    """The application commands the bot registers: its cogs loaded as at start, no Discord."""
    async def load() -> list[Any]:
        async with await State.open(tmp_path / "state.db") as state:
            # No cog touches the index while loading; none is opened.
            bot = SourcedBot(config=load_config(EXAMPLE), indexes=cast(Indexes, None),
                             state=state)
            for name in COGS:
                await bot.load_extension(name)
            return list(bot.tree.walk_commands()) + [
                c for c in bot.tree.get_commands() if isinstance(c, app_commands.ContextMenu)]

    return asyncio.run(load())


@pytest.fixture(scope="module")
def commands(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    found = bot_commands(tmp_path_factory.mktemp("docs"))
    assert {c.name for c in found} >= {"ask", "sources", "source", "stats", "reload"}
    return found


def test_every_slash_command_is_described_and_in_the_readme(commands: list[Any]) -> None:
    slash = [c for c in commands if isinstance(c, app_commands.Command)]
    for command in slash:
        assert command.description and command.description != "…", command.name
        for param in command.parameters:
            assert param.description and param.description != "…", (command.name, param.name)
        assert re.search(rf"`/{re.escape(command.qualified_name)}\b", README), (
            f"/{command.qualified_name} is not in README.md")


def test_every_context_menu_is_explained_and_in_the_readme(commands: list[Any]) -> None:
    # Discord gives a context menu no description: its callback's docstring is what explains
    # it to a reader of the code, and the README to a user.
    for menu in (c for c in commands if isinstance(c, app_commands.ContextMenu)):
        assert (menu.callback.__doc__ or "").strip(), menu.name
        assert menu.name in README, f"the {menu.name!r} menu is not in README.md"


def readme_config_keys() -> set[tuple[str, str]]:
    """(table, key) of every row of the README's table of config keys."""
    keys: set[tuple[str, str]] = set()
    table = None
    for line in README.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") \
            else []
        if len(cells) < 2:
            table = None
            continue
        if m := re.fullmatch(r"`\[(\w+)\]`", cells[0]):
            table = m[1]
        if table is not None:
            keys.update((table, key) for key in re.findall(r"`(\w+)`", cells[1]))
    return keys


def test_every_config_key_is_in_the_readme_table() -> None:
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    documented = readme_config_keys()
    missing = [f"[{table}] {key}" for table, values in example.items() for key in values
               if (table, key) not in documented]
    assert not missing, f"not in README.md's table of config keys: {', '.join(missing)}"


def test_the_readme_table_parser_reads_rows_under_their_table() -> None:
    rows = readme_config_keys()
    assert ("index", "k1") in rows and ("index", "epsilon") in rows  # `k1`, `b`, `epsilon`
    assert ("bot", "log_level") in rows and ("index", "log_level") not in rows


def test_the_invite_permissions_integer_is_the_permissions_named() -> None:
    """The README's invite link grants what it lists, and the list covers the ⏳ reaction
    a message gets during its author's cooldown (bot/cooldowns.py)."""
    import discord

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    match = re.search(r"these permissions: (.+?) \(the .+?\) \(permissions integer `(\d+)`\)",
                      readme)
    assert match, "the invite paragraph's shape changed"
    names = [n.strip().lower().replace(" ", "_") for n in match[1].split(",")]
    flags = {("view_channel" if n == "view_channels" else n): True for n in names}
    assert discord.Permissions(**flags).value == int(match[2])
    assert f"permissions={match[2]}" in readme
    assert flags.get("add_reactions")
