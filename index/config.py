"""The config file, checked whole and key by key, for every entry point (``python -m index``
and ``python -m bot``): a wrong table, key or value stops either with the same one line.

The ``[index]`` table is ``index.settings``'; this module adds the bot's ``[discord]``,
``[answers]`` and ``[bot]`` (plain data: ``index`` still never imports ``discord``). The token
is never in the file: ``token_env`` names the environment variable that holds it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .settings import (
    ConfigError,
    IndexSettings,
    check_table,
    default_config_path,
    read_config,
)

DISCORD_API = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    token_env: str = "DISCORD_TOKEN"
    guild_ids: tuple[int, ...] = ()
    admin_user_ids: tuple[int, ...] = ()
    admin_role_ids: tuple[int, ...] = ()
    auto_answer_channel_ids: tuple[int, ...] = ()
    api_base: str = DISCORD_API
    gateway_url: str = DISCORD_GATEWAY


@dataclass(frozen=True, slots=True)
class AnswerSettings:
    passages: int = 3
    cooldown_seconds: float = 10.0
    min_score: float = 0.0
    min_relevance: float = 0.35
    find_sources_ephemeral: bool = True


@dataclass(frozen=True, slots=True)
class BotSettings:
    state_database: Path = Path("data/state.db")
    log_level: str = "INFO"
    reload_timeout_seconds: float = 600.0


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    index: IndexSettings = field(default_factory=IndexSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    answers: AnswerSettings = field(default_factory=AnswerSettings)
    bot: BotSettings = field(default_factory=BotSettings)

    @property
    def token(self) -> str | None:
        """The token from the environment; None when unset or blank (terminal mode)."""
        return os.environ.get(self.discord.token_env, "").strip() or None


_TABLES = {"discord": DiscordSettings, "answers": AnswerSettings, "bot": BotSettings}


def load_config(path: Path | None = None) -> Config:
    """Read and check a config file (default: config.toml, else config.example.toml).

    Raises:
        ConfigError: one line naming the file, the key and what is wrong.
    """
    path = path or default_config_path()
    data = read_config(path)
    base = path.resolve().parent
    unknown = set(data) - {"index", "semantic", *_TABLES}
    if unknown:
        raise ConfigError(f"{path}: unknown table [{sorted(unknown)[0]}]; known tables: "
                          f"[index], [semantic], {', '.join(f'[{t}]' for t in _TABLES)}")
    parts: dict[str, Any] = {}
    for name, cls in _TABLES.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
        parts[name] = check_table(cls, name, table, base=base, source=path)
    index = IndexSettings.from_config(data, source=path)
    config = Config(path=path, index=index, **parts)
    _check_values(config)
    return config


def _check_values(config: Config) -> None:
    src = config.path
    d, a = config.discord, config.answers
    if not d.token_env.isidentifier():
        raise ConfigError(f"{src}: [discord] token_env must name an environment variable, "
                          f"got {d.token_env!r} (the token itself never goes in the file)")
    if not d.api_base.startswith(("http://", "https://")):
        raise ConfigError(f"{src}: [discord] api_base must be an http(s) URL, got {d.api_base!r}")
    if not d.gateway_url.startswith(("ws://", "wss://")):
        raise ConfigError(f"{src}: [discord] gateway_url must be a ws(s) URL, "
                          f"got {d.gateway_url!r}")
    if not 1 <= a.passages <= 10:
        raise ConfigError(f"{src}: [answers] passages must be from 1 to 10, got {a.passages}")
    if a.cooldown_seconds < 0:
        raise ConfigError(f"{src}: [answers] cooldown_seconds must be >= 0")
    if not 0 <= a.min_relevance <= 1:
        raise ConfigError(f"{src}: [answers] min_relevance must be from 0 to 1, "
                          f"got {a.min_relevance}")
    if config.bot.state_database.is_dir():
        raise ConfigError(f"{src}: [bot] state_database {config.bot.state_database} is a "
                          "folder; name a file (it is created if missing)")
    if config.bot.reload_timeout_seconds <= 0:
        raise ConfigError(f"{src}: [bot] reload_timeout_seconds must be more than 0")
    if config.bot.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"{src}: [bot] log_level must be DEBUG, INFO, WARNING or ERROR")
