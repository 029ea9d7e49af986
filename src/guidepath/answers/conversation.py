"""Follow-up questions refine the same case: facts from each turn are merged into the last.

Lists of codes and words are united; treatments of the same type and agent are updated, new ones
added; scalars from the newer question win. A conversation is saved as JSON (atomically), so a
CLI ``--session FILE`` survives between calls and nothing is lost on error.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from guidepath.errors import BadInput, from_validation_error, parse_json

UNION_LISTS = {"diagnoses", "conditions", "red_flags", "sites", "imaging"}


def _merge_treatments(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = [dict(t) for t in old]
    for item in new:
        same = next(
            (
                t
                for t in merged
                if t["type"] == item["type"] and t.get("agent") == item.get("agent")
            ),
            None,
        )
        if same is None:
            merged.append(dict(item))
        else:
            same.update(item)
    return merged


def merge_case(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``base`` refined by ``new`` (neither is modified)."""
    merged = dict(base)
    for key, value in new.items():
        old = merged.get(key)
        if key == "treatments" and isinstance(old, list):
            merged[key] = _merge_treatments(old, value)
        elif key in UNION_LISTS and isinstance(old, list):
            merged[key] = old + [v for v in value if v not in old]
        elif isinstance(old, dict) and isinstance(value, dict):
            merged[key] = merge_case(old, value)
        else:
            merged[key] = value
    return merged


class Conversation(BaseModel):
    """The case built up over a conversation, and the questions asked so far."""

    case: dict[str, Any] = Field(default_factory=dict)
    history: list[str] = Field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Conversation:
        """A saved conversation, or a new one when the file does not exist yet."""
        if not path.exists():
            return cls()
        try:
            data = parse_json(path.read_bytes(), "session")
            return cls.model_validate(data)
        except OSError as error:
            raise BadInput([("session", f"cannot read {str(path)!r}: {error.strerror}")]) from None
        except ValidationError as error:
            raise from_validation_error(error, "session.") from None

    def save(self, path: Path) -> None:
        """Write atomically: a crash mid-write never leaves a half-written session."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8"
        ) as handle:
            handle.write(self.model_dump_json(indent=2))
        os.replace(handle.name, path)
