"""The ``[index]`` table of the config file: where the corpus and the database are.

The config file is shared with the bot (``bot.config`` reads the rest). Relative paths are
taken from the config file's folder, so the commands work from any working directory.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .bm25 import BM25Params
from .loaders.context import DEFAULT_PASSAGE_CHARS
from .outlets import DEFAULT_GAZETTEER

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_BM25 = BM25Params()


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


def default_config_path(root: Path = PROJECT_ROOT) -> Path:
    """``config.toml`` if present, else the documented ``config.example.toml``."""
    own = root / "config.toml"
    return own if own.exists() else root / "config.example.toml"


def read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such config file") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class IndexSettings:
    corpus: Path = PROJECT_ROOT / "corpus"
    database: Path = PROJECT_ROOT / "data" / "sourced.db"
    outlets: Path = DEFAULT_GAZETTEER
    passage_chars: int = DEFAULT_PASSAGE_CHARS
    k1: float = _BM25.k1
    b: float = _BM25.b
    epsilon: float = _BM25.epsilon

    @property
    def bm25(self) -> BM25Params:
        return BM25Params(self.k1, self.b, self.epsilon)

    @classmethod
    def from_table(cls, table: dict[str, Any], *, base: Path, source: Path) -> IndexSettings:
        """Check the ``[index]`` table key by key.

        Raises:
            ConfigError: an unknown key, or a value of the wrong type or range.
        """
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in known:
                raise ConfigError(f"{source}: unknown key [index] {key!r}; "
                                  f"known keys: {', '.join(sorted(known))}")
            default = known[key].default
            if isinstance(default, Path):
                if not isinstance(value, str) or not value:
                    raise ConfigError(f"{source}: [index] {key} must be a path (a string)")
                values[key] = (base / value).resolve()
            elif key == "passage_chars":
                if not isinstance(value, int) or isinstance(value, bool) or value < 100:
                    raise ConfigError(f"{source}: [index] {key} must be a whole number >= 100")
                values[key] = value
            else:
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise ConfigError(f"{source}: [index] {key} must be a number")
                values[key] = float(value)
        settings = cls(**values)
        try:
            settings.bm25  # noqa: B018 - validates the ranges
        except ValueError as exc:
            raise ConfigError(f"{source}: [index] {exc}") from exc
        return settings

    @classmethod
    def load(cls, path: Path | None = None) -> IndexSettings:
        path = path or default_config_path()
        data = read_config(path)
        table = data.get("index", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [index] must be a table")
        return cls.from_table(table, base=path.resolve().parent, source=path)
