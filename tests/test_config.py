"""The config file: every key documented in config.example.toml, wrong ones refused clearly."""

from __future__ import annotations

import re
import subprocess
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from index.config import AnswerSettings, BotSettings, DiscordSettings, load_config
from index.outlets import DEFAULT_GAZETTEER
from index.settings import ConfigError, IndexSettings, SemanticSettings

from .conftest import PYTHON, ROOT, python_env

EXAMPLE = ROOT / "config.example.toml"


def test_example_config_loads_with_defaults() -> None:
    config = load_config(EXAMPLE)
    assert config.index.corpus == ROOT / "corpus"
    assert config.index.database == ROOT / "data" / "sourced.db"
    assert config.answers.passages == 3
    assert config.discord.api_base == "https://discord.com/api/v10"


def example_keys() -> dict[str, set[str]]:
    """Each table's keys in the example, set or shown commented out (``# key = value``)."""
    keys: dict[str, set[str]] = {}
    table = ""
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"\[(\w+)\]", line):
            table = match[1]
        elif match := re.match(r"(?:# )?(\w+) = ", line):
            keys.setdefault(table, set()).add(match[1])
    return keys


def test_every_key_is_in_the_example() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    documented = example_keys()
    for table, cls in {"index": IndexSettings, "semantic": SemanticSettings,
                       "discord": DiscordSettings, "answers": AnswerSettings,
                       "bot": BotSettings}.items():
        # IndexSettings.semantic is the [semantic] table, not a key of [index].
        assert documented[table] == {f.name for f in fields(cls) if f.name != "semantic"}, table
        assert set(data[table]) <= documented[table], table


def test_a_copied_example_keeps_the_shipped_gazetteer(tmp_path: Path) -> None:
    # The example leaves outlets unset, so a copy elsewhere does not look for index/ beside it.
    copy = tmp_path / "elsewhere" / "config.toml"
    copy.parent.mkdir()
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_config(copy).index.outlets == DEFAULT_GAZETTEER


@pytest.mark.parametrize(("text", "message"), [
    ("[answers]\npasages = 3\n", "unknown key [answers] 'pasages'"),
    ("[answers]\npassages = 0\n", "[answers] passages must be from 1 to 10"),
    ("[answers]\npassages = true\n", "[answers] passages must be a whole number"),
    ("[discord]\nguild_ids = [\"abc\"]\n", "[discord] guild_ids must be a list of ids"),
    ("[discord]\ntoken_env = \"MTIz.abc.def\"\n", "token_env must name an environment variable"),
    ("[discord]\napi_base = \"ftp://x\"\n", "api_base must be an http(s) URL"),
    ("[index]\nb = 2\n", "b=2.0 (0..1)"),
    ("[index]\ncorpus = 5\n", "[index] corpus must be a path"),
    ("[indx]\n", "unknown table [indx]"),
    ("[index\n", "Expected ']'"),
])
def test_wrong_values_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_relative_paths_follow_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[index]\ndatabase = "db/x.db"\n', encoding="utf-8")
    config = load_config(path)
    assert config.index.database == tmp_path / "db" / "x.db"
    assert config.bot.state_database == tmp_path / "data" / "state.db"


def test_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(EXAMPLE)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert config.token is None
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    assert config.token is None
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    assert config.token == "abc"


@pytest.mark.parametrize("text", [
    "[answers]\nmin_score = nan\n",
    "[answers]\ncooldown_seconds = inf\n",
    "[answers]\ncooldown_seconds = -inf\n",
    "[index]\nk1 = nan\n",
    "[index]\nepsilon = inf\n",
])
def test_non_finite_numbers_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    key = text.split("\n")[1].split(" =")[0]
    with pytest.raises(ConfigError, match=rf"\] {key} must be a finite number"):
        load_config(path)


def test_state_database_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    path = tmp_path / "config.toml"
    path.write_text('[bot]\nstate_database = "state"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"state_database .* is a folder"):
        load_config(path)


def test_a_missing_gazetteer_is_refused_with_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[index]\noutlets = "outlets/mine.toml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[index\] outlets: .*mine\.toml is not a file"):
        load_config(path)


def test_ids_beyond_64_bits_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[discord]\nguild_ids = [{2**64}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="guild_ids must be a list of ids"):
        load_config(path)


@pytest.mark.parametrize("text", ["[answers]\npasages = 3\n", "[indx]\n",
                                  "[discord]\napi_base = \"ftp://x\"\n", "[index]\nb = 2\n",
                                  "[index]\noutlets = \"missing.toml\"\n"])
def test_every_entry_point_refuses_a_wrong_config_with_the_same_line(tmp_path: Path,
                                                                      text: str) -> None:
    """``python -m index`` checks the whole file, the bot's tables too, as ``python -m bot``
    does: the same one line on standard error, exit status 2."""
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    expected = None
    for args in (["bot"], ["index", "build"], ["index", "search", "x"]):
        result = subprocess.run([PYTHON, "-m", *args[:1], "--config", str(config), *args[1:]],
                                capture_output=True, text=True, cwd=ROOT, env=python_env(),
                                stdin=subprocess.DEVNULL, timeout=120)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {config}: "), (args, lines)
        expected = expected or lines
        assert lines == expected, args
    assert not (tmp_path / "data").exists()  # nothing was built or opened


def test_search_k_below_one_names_no_database(tmp_path: Path) -> None:
    db = tmp_path / "sourced.db"
    result = subprocess.run([PYTHON, "-m", "index", "search", "--db", str(db), "-k", "0", "x"],
                            capture_output=True, text=True, cwd=ROOT, env=python_env(),
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "python -m index search: error: -k must be at least 1, not 0")
    assert str(db) not in result.stderr
