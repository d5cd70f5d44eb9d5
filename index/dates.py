"""When an answer was written, as the sources say it, turned into ISO 8601."""

from __future__ import annotations

import datetime as dt

_FORMATS = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M")


def iso_date(value: object) -> str | None:
    """``value`` (a dump's ``CreationDate``, a page's ``2013-09-26 21:55:00Z``, a front matter
    date) as ISO 8601: ``2020-01-06`` for a day, ``2020-01-06T02:50:00Z`` for a moment (UTC,
    as Stack Exchange gives them); None when it is no date."""
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo else value
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str) or not (text := value.strip()):
        return None
    text = text.removesuffix("Z").removesuffix("z")
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            continue
    try:
        return iso_date(dt.datetime.fromisoformat(text))
    except ValueError:
        return None
