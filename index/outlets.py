"""The outlet gazetteer: which news outlet a name in a lead-in or a cited link stands for.

Loaded from a TOML file (``index/outlets.toml`` ships with the project; admins edit it or point
the ``[index] outlets`` config key at their own). Names are matched as whole words, with their
case as written, because many outlets are named by ordinary words ("Time", "The Sun", "Nature").
A leading "the" may be either case. Domains are matched on their registrable part with the
Public Suffix List bundled in tldextract, so no network is needed.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import tldextract

from .errors import CorpusError

DEFAULT_GAZETTEER = Path(__file__).with_name("outlets.toml")
_WORD = re.compile(r"\w+")

# Offline: the suffix list snapshot bundled with tldextract, never a download.
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@dataclass(frozen=True, slots=True)
class Mention:
    """An outlet named in text, at ``start:end``."""

    outlet: str
    start: int
    end: int


class Gazetteer:
    """Outlet names, aliases and domains, and the lookups over them."""

    def __init__(self, outlets: dict[str, tuple[list[str], list[str]]]) -> None:
        # name -> (aliases, domains)
        self._outlets = outlets
        self._by_alias: dict[str, str] = {}
        self._by_domain: dict[str, str] = {}
        for name, (aliases, domains) in outlets.items():
            for alias in (name, *aliases):
                self._by_alias[_alias_key(alias)] = name
            for domain in domains:
                self._by_domain[domain.lower().removeprefix("www.")] = name

    @classmethod
    def load(cls, path: Path = DEFAULT_GAZETTEER) -> Gazetteer:
        """Read a gazetteer file.

        Raises:
            CorpusError: the file is missing, not TOML, or an entry lacks a name.
        """
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CorpusError(path, f"cannot read the outlet gazetteer: {exc}") from exc
        outlets: dict[str, tuple[list[str], list[str]]] = {}
        for i, entry in enumerate(data.get("outlet", []), start=1):
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                raise CorpusError(path, "an outlet needs a non-empty name", record=f"outlet {i}")
            aliases = [a for a in entry.get("aliases", []) if isinstance(a, str) and a.strip()]
            domains = [d for d in entry.get("domains", []) if isinstance(d, str) and d.strip()]
            outlets[name.strip()] = (aliases, domains)
        return cls(outlets)

    @cached_property
    def fingerprint(self) -> str:
        return hashlib.sha256(repr(sorted(self._outlets.items())).encode()).hexdigest()

    @property
    def names(self) -> list[str]:
        return list(self._outlets)

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        aliases = sorted({a for n, (al, _) in self._outlets.items() for a in (n, *al)},
                         key=len, reverse=True)
        alternatives = "|".join(_alias_regex(a) for a in aliases)
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    @cached_property
    def _first_words(self) -> frozenset[str]:
        # A mention holds its alias's first word (after "the") as written, as a whole word:
        # text holding none of them, as most paragraphs, is passed without running the pattern.
        return frozenset(words[0] for alias in self._by_alias if (words := _WORD.findall(alias)))

    def mentions(self, text: str) -> list[Mention]:
        """Every outlet named in ``text``, longest name first at each place, in order."""
        if not self._outlets or self._first_words.isdisjoint(_WORD.findall(text)):
            return []
        return [
            Mention(self._by_alias[_alias_key(m.group())], m.start(), m.end())
            for m in self._pattern.finditer(text)
        ]

    def by_name(self, text: str) -> str | None:
        """The outlet whose name or alias is exactly ``text``."""
        return self._by_alias.get(_alias_key(text))

    def by_url(self, url: str) -> str | None:
        """The outlet whose site ``url`` is on: its host or a parent up to the registrable
        domain (``news.bbc.co.uk`` -> ``bbc.co.uk``, never ``co.uk``)."""
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        floor = registrable_domain(url)
        if not floor:
            return None
        while host.endswith(floor):
            if host in self._by_domain:
                return self._by_domain[host]
            _, _, host = host.partition(".")
        return None


def registrable_domain(url: str) -> str | None:
    """``https://news.bbc.co.uk/x`` -> ``bbc.co.uk``; None for an address with no such domain."""
    return _extract(url).top_domain_under_public_suffix.lower() or None


def _alias_key(alias: str) -> str:
    words = alias.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    return " ".join(words)


def _alias_regex(alias: str) -> str:
    words = alias.split()
    body = r"\s+".join(re.escape(w) for w in words)
    if words[0].lower() == "the" and len(words) > 1:
        rest = r"\s+".join(re.escape(w) for w in words[1:])
        return rf"[Tt]he\s+{rest}"
    return body
