"""Discord's limits on what a bot sends, so a bot that would be refused by Discord is refused
here too (400, code 50035 "Invalid Form Body", errors keyed by field path), instead of
passing tests and failing in production.

Only the limits a text bot meets are checked: message length, embeds, buttons, select menus,
command definitions (slash commands and context menus) and autocomplete choices.
"""

from __future__ import annotations

import re
from typing import Any

Json = dict[str, Any]
Errors = dict[str, str]  # "embeds.0.fields.3.value" -> message

MAX_CONTENT = 2000
MAX_NONCE = 25
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
EMBED_FIELD_LIMITS = {"title": 256, "description": 4096}
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_AUTHOR_NAME = 256
MAX_ACTION_ROWS = 5
MAX_ROW_BUTTONS = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_CHOICES = 25
MAX_CHOICE_NAME = 100
MAX_CHOICE_STRING = 100
MAX_OPTIONS = 25
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")

BUTTON, ACTION_ROW, STRING_SELECT = 2, 1, 3
SELECTS = (3, 5, 6, 7, 8)  # string, user, role, mentionable, channel
MAX_SELECT_OPTIONS = 25
MAX_OPTION_TEXT = 100  # an option's label, value and description
MAX_PLACEHOLDER = 150


def invalid_form_body(errors: Errors) -> Json:
    """Discord's error body: nested by path, each leaf ``{"_errors": [{code, message}]}``."""
    nested: Json = {}
    for path, message in errors.items():
        node = nested
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "BASE_TYPE_INVALID", "message": message})
    return {"code": 50035, "message": "Invalid Form Body", "errors": nested}


def check_message(body: Json, *, has_files: bool = False, partial: bool = False) -> Errors:
    """Errors in a message create/edit body; ``partial`` for edits, which may omit content."""
    errors: Errors = {}
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        errors["content"] = "Must be a string."
    elif content and len(content) > MAX_CONTENT:
        errors["content"] = f"Must be {MAX_CONTENT} or fewer in length."
    nonce = body.get("nonce")
    if nonce is not None and len(str(nonce)) > MAX_NONCE:
        errors["nonce"] = f"Must be {MAX_NONCE} or fewer in length."
    embeds = body.get("embeds") or []
    if len(embeds) > MAX_EMBEDS:
        errors["embeds"] = f"Must be {MAX_EMBEDS} or fewer in length."
    total = 0
    for i, embed in enumerate(embeds):
        total += _check_embed(embed, f"embeds.{i}", errors)
    if total > MAX_EMBED_TOTAL:
        errors["embeds"] = f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"

    components = body.get("components") or []
    _check_action_rows(components, errors)

    if not partial and not (content or embeds or components or has_files
                            or body.get("sticker_ids") or body.get("poll")):
        errors["content"] = "Cannot send an empty message"  # Discord's code 50006
    return errors


def _check_embed(embed: Json, path: str, errors: Errors) -> int:
    """Check one embed; return the characters it counts towards the 6000 total."""
    size = 0
    for key, limit in EMBED_FIELD_LIMITS.items():
        text = embed.get(key) or ""
        size += len(text)
        if len(text) > limit:
            errors[f"{path}.{key}"] = f"Must be {limit} or fewer in length."
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    size += len(footer) + len(author)
    if len(footer) > MAX_FOOTER:
        errors[f"{path}.footer.text"] = f"Must be {MAX_FOOTER} or fewer in length."
    if len(author) > MAX_AUTHOR_NAME:
        errors[f"{path}.author.name"] = f"Must be {MAX_AUTHOR_NAME} or fewer in length."
    fields = embed.get("fields") or []
    if len(fields) > MAX_FIELDS:
        errors[f"{path}.fields"] = f"Must be {MAX_FIELDS} or fewer in length."
    for j, f in enumerate(fields):
        name, value = f.get("name") or "", f.get("value") or ""
        size += len(name) + len(value)
        if not name or len(name) > MAX_FIELD_NAME:
            errors[f"{path}.fields.{j}.name"] = f"Must be between 1 and {MAX_FIELD_NAME} in length."
        if not value or len(value) > MAX_FIELD_VALUE:
            errors[f"{path}.fields.{j}.value"] = (
                f"Must be between 1 and {MAX_FIELD_VALUE} in length.")
    return size


def _check_action_rows(rows: list[Json], errors: Errors) -> None:
    if len(rows) > MAX_ACTION_ROWS:
        errors["components"] = f"Must be {MAX_ACTION_ROWS} or fewer in length."
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row.get("type") != ACTION_ROW:
            errors[f"components.{i}.type"] = "Top-level components must be action rows."
            continue
        children = row.get("components") or []
        if not children or len(children) > MAX_ROW_BUTTONS:
            errors[f"components.{i}.components"] = (
                f"Must be between 1 and {MAX_ROW_BUTTONS} in length.")
        elif len(children) > 1 and any(c.get("type") in SELECTS for c in children):
            errors[f"components.{i}.components"] = (
                "The specified component exceeds the maximum width")  # a select fills its row
        for j, child in enumerate(children):
            path = f"components.{i}.components.{j}"
            if child.get("type") in SELECTS:
                _check_select(child, path, errors)
            custom_id = child.get("custom_id")
            if child.get("type") == BUTTON and child.get("style") == 5:
                if not child.get("url"):
                    errors[f"{path}.url"] = "Link buttons need a url."
            elif child.get("type") == BUTTON and child.get("style") == 6:
                pass  # premium buttons carry a sku_id instead
            elif not custom_id or len(custom_id) > MAX_CUSTOM_ID:
                errors[f"{path}.custom_id"] = f"Must be between 1 and {MAX_CUSTOM_ID} in length."
            elif custom_id in seen:
                errors[f"{path}.custom_id"] = "Component custom id cannot be duplicated"
            if custom_id:
                seen.add(custom_id)
            label = child.get("label") or ""
            if child.get("type") == BUTTON and len(label) > MAX_BUTTON_LABEL:
                errors[f"{path}.label"] = f"Must be {MAX_BUTTON_LABEL} or fewer in length."


def _check_select(select: Json, path: str, errors: Errors) -> None:
    if len(select.get("placeholder") or "") > MAX_PLACEHOLDER:
        errors[f"{path}.placeholder"] = f"Must be {MAX_PLACEHOLDER} or fewer in length."
    options = select.get("options") or []
    if select.get("type") == STRING_SELECT and not 1 <= len(options) <= MAX_SELECT_OPTIONS:
        errors[f"{path}.options"] = f"Must be between 1 and {MAX_SELECT_OPTIONS} in length."
    values = set()
    for k, option in enumerate(options):
        for key in ("label", "value"):
            if not 1 <= len(option.get(key) or "") <= MAX_OPTION_TEXT:
                errors[f"{path}.options.{k}.{key}"] = (
                    f"Must be between 1 and {MAX_OPTION_TEXT} in length.")
        if len(option.get("description") or "") > MAX_OPTION_TEXT:
            errors[f"{path}.options.{k}.description"] = (
                f"Must be {MAX_OPTION_TEXT} or fewer in length.")
        if option.get("value") in values:
            errors[f"{path}.options.{k}.value"] = "Select option values must be unique"
        values.add(option.get("value"))
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not 0 <= low <= MAX_SELECT_OPTIONS or not 1 <= high <= MAX_SELECT_OPTIONS or low > high:
        errors[f"{path}.min_values"] = "Invalid min_values / max_values"
    elif select.get("type") == STRING_SELECT and high > len(options):
        errors[f"{path}.max_values"] = (
            f"Must be less than or equal to {len(options)}.")  # more than there are options


def check_command(body: Json, path: str = "") -> Errors:
    """Errors in an application command definition (chat input, user or message)."""
    errors: Errors = {}
    prefix = f"{path}." if path else ""
    name = body.get("name") or ""
    kind = body.get("type", 1)
    if kind == 1 and (not COMMAND_NAME.match(name) or name != name.lower()):
        errors[f"{prefix}name"] = "Command name is invalid"
    elif kind != 1 and not 1 <= len(name) <= 32:
        errors[f"{prefix}name"] = "Must be between 1 and 32 in length."
    description = body.get("description") or ""
    if kind == 1 and not 1 <= len(description) <= 100:
        errors[f"{prefix}description"] = "Must be between 1 and 100 in length."
    if kind != 1:  # user and message commands (context menus)
        if description:
            errors[f"{prefix}description"] = "Context menu commands cannot have description"
        if body.get("options"):
            errors[f"{prefix}options"] = "Context menu commands cannot have options"
        return errors
    _check_options(body.get("options") or [], f"{prefix}options", errors)
    return errors


def _check_options(options: list[Json], path: str, errors: Errors) -> None:
    if len(options) > MAX_OPTIONS:
        errors[path] = f"Must be {MAX_OPTIONS} or fewer in length."
    seen_optional = False
    for i, option in enumerate(options):
        here = f"{path}.{i}"
        name = option.get("name") or ""
        if not COMMAND_NAME.match(name) or name != name.lower():
            errors[f"{here}.name"] = "Command name is invalid"
        if not 1 <= len(option.get("description") or "") <= 100:
            errors[f"{here}.description"] = "Must be between 1 and 100 in length."
        if option.get("type") in (1, 2):
            _check_options(option.get("options") or [], f"{here}.options", errors)
            continue
        if option.get("required"):
            if seen_optional:
                errors[f"{here}.required"] = ("Required options must be placed before "
                                              "non-required options")
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if choices and option.get("autocomplete"):
            errors[f"{here}.autocomplete"] = "Autocomplete cannot be set with choices"
        if len(choices) > MAX_CHOICES:
            errors[f"{here}.choices"] = f"Must be {MAX_CHOICES} or fewer in length."


def check_choices(data: Json | None) -> Errors:
    """Errors in an autocomplete result (callback type 8)."""
    errors: Errors = {}
    choices = (data or {}).get("choices")
    if not isinstance(choices, list):
        return {"data.choices": "This field is required"}
    if len(choices) > MAX_CHOICES:
        errors["data.choices"] = f"Must be {MAX_CHOICES} or fewer in length."
    for i, choice in enumerate(choices):
        name = choice.get("name") or ""
        if not 1 <= len(name) <= MAX_CHOICE_NAME:
            errors[f"data.choices.{i}.name"] = f"Must be between 1 and {MAX_CHOICE_NAME} in length."
        value = choice.get("value")
        if isinstance(value, str) and len(value) > MAX_CHOICE_STRING:
            errors[f"data.choices.{i}.value"] = f"Must be {MAX_CHOICE_STRING} or fewer in length."
    return errors



def check_request(method: str, path: str, body: Any) -> Errors:
    """Errors in a REST call the bot makes, for the routes that carry messages or commands."""
    body = body if isinstance(body, dict | list) else {}
    if re.fullmatch(r"/channels/\d+/messages|/webhooks/\d+/[^/]+", path) and method == "POST":
        return check_message(body)
    if re.fullmatch(r"/(channels|webhooks)/\d+/[^/]+/messages/[^/]+|/channels/\d+/messages/\d+",
                    path) and method == "PATCH":
        return check_message(body, partial=True)
    if re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path) and method == "PUT":
        errors: Errors = {}
        for i, command in enumerate(body if isinstance(body, list) else []):
            errors.update(check_command(command, str(i)))
        return errors
    if re.fullmatch(r"/interactions/\d+/[^/]+/callback", path) and method == "POST":
        kind, data = body.get("type"), body.get("data")
        if kind == 4:
            return {f"data.{k}": v for k, v in check_message(data or {}).items()}
        if kind == 7:
            return {f"data.{k}": v for k, v in check_message(data or {}, partial=True).items()}
        if kind == 8:
            return check_choices(data)
    return {}
