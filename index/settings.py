"""The ``[index]`` table of the config file: where the corpus and the database are.

The config file is shared with the bot: ``index.config`` checks the whole file, this table and
the bot's, for every entry point. Relative paths are taken from the config file's folder, so
the commands work from any working directory.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

from .bm25 import BM25Params
from .embedding import DEFAULT_MODEL
from .loaders.context import DEFAULT_PASSAGE_CHARS
from .outlets import DEFAULT_GAZETTEER

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_BM25 = BM25Params()
T = TypeVar("T")


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
    except IsADirectoryError as exc:
        raise ConfigError(f"{path}: is a folder, not a config file") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                          f"offset {exc.start}); save it as UTF-8") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class SemanticSettings:
    """The ``[semantic]`` table: sentence embeddings beside BM25 (hybrid retrieval)."""

    enabled: bool = True
    # A local folder, or a Hugging Face model id (downloaded on first use).
    model: str = DEFAULT_MODEL

    @classmethod
    def from_table(cls, table: dict[str, Any], *, base: Path, source: Path) -> SemanticSettings:
        settings = check_table(cls, "semantic", table, base=base, source=source)
        if not settings.model.strip():
            raise ConfigError(f"{source}: [semantic] model must name a folder or a model id")
        # A relative folder is taken from the config file's folder, like every path.
        folder = base / settings.model
        if not Path(settings.model).is_absolute() and folder.is_dir():
            return cls(settings.enabled, str(folder.resolve()))
        return settings


@dataclass(frozen=True, slots=True)
class IndexSettings:
    corpus: Path = PROJECT_ROOT / "corpus"
    database: Path = PROJECT_ROOT / "data" / "sourced.db"
    outlets: Path = DEFAULT_GAZETTEER
    passage_chars: int = DEFAULT_PASSAGE_CHARS
    k1: float = _BM25.k1
    b: float = _BM25.b
    epsilon: float = _BM25.epsilon
    # From the config's [semantic] table, not [index]'s.
    semantic: SemanticSettings = field(default_factory=SemanticSettings)

    @property
    def bm25(self) -> BM25Params:
        return BM25Params(self.k1, self.b, self.epsilon)

    @classmethod
    def from_table(cls, table: dict[str, Any], *, base: Path, source: Path) -> IndexSettings:
        """Check the ``[index]`` table key by key.

        Raises:
            ConfigError: an unknown key, or a value of the wrong type or range.
        """
        settings = check_table(cls, "index", table, base=base, source=source)
        if settings.passage_chars < 100:
            raise ConfigError(f"{source}: [index] passage_chars must be at least 100")
        # Checked here, not when a build first reads it: the bot would announce a build first.
        if not settings.outlets.is_file():
            raise ConfigError(f"{source}: [index] outlets: {settings.outlets} is not a file")
        try:
            settings.bm25  # noqa: B018 - checks the ranges
        except ValueError as exc:
            raise ConfigError(f"{source}: [index] {exc}") from exc
        return settings

    @classmethod
    def from_config(cls, data: dict[str, Any], *, source: Path) -> IndexSettings:
        """The ``[index]`` and ``[semantic]`` tables of a parsed config file, checked."""
        tables = {}
        for name in ("index", "semantic"):
            tables[name] = data.get(name, {})
            if not isinstance(tables[name], dict):
                raise ConfigError(f"{source}: [{name}] must be a table")
        base = source.resolve().parent
        settings = cls.from_table(tables["index"], base=base, source=source)
        return dataclasses.replace(settings, semantic=SemanticSettings.from_table(
            tables["semantic"], base=base, source=source))


def check_table(cls: type[T], name: str, table: dict[str, Any], *, base: Path, source: Path) -> T:
    """Build the dataclass ``cls`` from a config table, each value checked against the type of
    its default; relative paths are resolved from ``base``.

    Raises:
        ConfigError: one line naming the file, the key and what is wrong.
    """
    defaults = cls()
    # A field holding a table of its own (IndexSettings.semantic) is no key of this one.
    known = {f.name for f in fields(cls)  # type: ignore[arg-type]
             if not is_dataclass(getattr(defaults, f.name))}
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{source}: [{name}] {key}"
        if key not in known:
            raise ConfigError(f"{source}: unknown key [{name}] {key!r}; known keys: "
                              f"{', '.join(sorted(known))}")
        default = getattr(defaults, key)
        if isinstance(default, tuple):  # lists of Discord ids
            if not isinstance(value, list) or not all(_is_id(v) for v in value):
                raise ConfigError(f"{where} must be a list of ids (numbers), got {value!r}")
            values[key] = tuple(int(v) for v in value)
        elif isinstance(default, Path):
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where} must be a path (a string)")
            values[key] = (base / value).resolve()
        elif isinstance(default, bool):  # before int: a bool is an int to isinstance
            if not isinstance(value, bool):
                raise ConfigError(f"{where} must be true or false, got {value!r}")
            values[key] = value
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{where} must be a number, got {value!r}")
            if not math.isfinite(value):  # TOML has nan and inf; no setting means either
                raise ConfigError(f"{where} must be a finite number, got {value!r}")
            values[key] = float(value)
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{where} must be a whole number, got {value!r}")
            values[key] = value
        elif not isinstance(value, type(default)):
            raise ConfigError(f"{where} must be a {type(default).__name__}, got {value!r}")
        else:
            values[key] = value
    # Relative default paths are relative to the config file too.
    for f in fields(cls):  # type: ignore[arg-type]
        default = getattr(defaults, f.name)
        if f.name not in values and isinstance(default, Path) and not default.is_absolute():
            values[f.name] = (base / default).resolve()
    return cls(**values)


def _is_id(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return isinstance(value, int) and 0 < value < 2**64  # a Discord id (snowflake)
