"""Bad input: one clear line per problem, each naming the offending field.

Every adapter (CLI exit code 2, HTTP 422) reports input problems through :class:`BadInput`, so the
wording is the same everywhere, e.g. ``treatments.1.outcome: 'failed' is not one of good, partial``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError


class BadInput(ValueError):
    """Input that does not fit the contract. ``problems`` holds ``(field, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))

    def lines(self) -> list[str]:
        """One ``field: message`` line per problem."""
        return [f"{field}: {message}" if field else message for field, message in self.problems]

    def by_field(self) -> dict[str, list[str]]:
        """The messages of each field (a form shows them beside the field)."""
        found: dict[str, list[str]] = {}
        for field, message in self.problems:
            found.setdefault(field, []).append(message)
        return found


def _expected_words(expected: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


def _message(error: Any) -> str:
    kind = error["type"]
    given = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "literal_error":
        return f"{given!r} is not one of {_expected_words(str(ctx.get('expected', '')))}"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "is required"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg'][0].lower()}{error['msg'][1:]} (got {given!r})"


def field_path(location: tuple[Any, ...]) -> str:
    """Dotted path of a pydantic error location, without union/function tags."""
    tags = ("function-", "literal[")
    parts = [str(part) for part in location if not str(part).startswith(tags)]
    return ".".join(parts)


def from_validation_error(error: ValidationError, prefix: str = "") -> BadInput:
    """Translate pydantic's errors into named-field problems; the branches of a union of word
    lists (``absent``: a condition or a red flag) become one line with every allowed word."""
    problems: dict[str, str] = {}
    for item in error.errors():
        path = field_path(tuple(item["loc"]))
        field = f"{prefix}{path}" if path else prefix.rstrip(".")
        message = _message(item)
        earlier = problems.get(field)
        if earlier and item["type"] == "literal_error" and " is not one of " in earlier:
            message = f"{earlier}, {message.split(' is not one of ', 1)[1]}"
        problems[field] = message
    return BadInput(list(problems.items()))


def parse_json(data: str | bytes, name: str) -> Any:
    """A JSON document from text or bytes; anything that is not usable JSON is :class:`BadInput`
    naming ``name``: bytes that are not UTF-8, broken syntax (with line and column), nesting too
    deep to read, numbers too long to convert, and ``NaN``/``Infinity`` (not JSON)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadInput([(name, f"not UTF-8 text (byte {error.start})")]) from None
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise BadInput([(name, f"not valid JSON ({error.msg} at {where})")]) from None
    except RecursionError:
        raise BadInput([(name, "JSON nested too deeply")]) from None
    except ValueError as error:  # an integer beyond Python's digit limit, or NaN/Infinity
        raise BadInput([(name, f"not usable JSON ({error})")]) from None


def _refuse_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON number")


def check_text(text: str, name: str) -> str:
    """Text that can be written out as UTF-8 (a command-line argument with undecodable bytes
    arrives with lone surrogates, which would fail later, far from the cause)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise BadInput([(name, f"not valid UTF-8 text (character {error.start})")]) from None
    return text
