"""What the FHIR reader gathers while it reads a record: the case being built, notes on what was
skipped and why, why the record is in guidepath's scope, and facts that need the whole record
(the newest observation of each kind, the earliest back-pain onset, one course per drug)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from guidepath.errors import BadInput, from_validation_error


@dataclass
class Collector:
    """The reading in progress."""

    strict: bool = False
    case: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    born: dt.date | None = None
    onsets: list[dt.date] = field(default_factory=list)
    newest: dict[str, tuple[dt.date | None, Callable[[], None]]] = field(default_factory=dict)
    courses: dict[str, dict[str, Any]] = field(default_factory=dict)
    unused: Counter[str] = field(default_factory=Counter)
    resolve: Callable[[Any], Mapping[str, Any] | None] = lambda reference: None

    def note(self, where: str, text: str) -> None:
        """Say what was skipped and why."""
        self.notes.append(f"{where}: {text}")

    def unused_kind(self, kind: str) -> None:
        """Count a resource with no SI joint, back pain or axSpA meaning (summarised once)."""
        self.unused[kind] += 1

    def valid(self, resource: Mapping[str, Any], where: str) -> bool:
        """Whether a resource about to be used is valid FHIR R4 (R4B models). Invalid ones are
        bad input when reading strictly, else skipped with a note naming the field."""
        from fhir.resources.R4B import get_fhir_model_class

        try:
            get_fhir_model_class(str(resource["resourceType"])).model_validate(resource)
        except ValidationError as error:
            if self.strict:
                raise from_validation_error(error, prefix=f"{where}.") from None
            first = error.errors()[0]
            place = ".".join(str(p) for p in first["loc"])
            self.note(
                where, f"invalid {resource['resourceType']} skipped ({place}: {first['msg']})"
            )
            return False
        except (KeyError, ValueError) as error:
            if self.strict:
                raise BadInput([(where, f"not a FHIR resource ({error})")]) from None
            self.note(where, "not a FHIR resource, skipped")
            return False
        return True

    def section(self, key: str) -> dict[str, Any]:
        """A nested object of the case (``pain``, ``labs``), created on first use."""
        value: dict[str, Any] = self.case.setdefault(key, {})
        return value

    def add(self, key: str, value: str) -> None:
        """Add a word to a list of the case once (diagnoses, conditions, red flags)."""
        values = self.case.setdefault(key, [])
        if value not in values:
            values.append(value)

    def keep_newest(self, kind: str, when: dt.date | None, apply: Callable[[], None]) -> None:
        """Remember a dated value; only the newest of each kind is applied (undated ones lose to
        dated ones)."""
        held = self.newest.get(kind)
        if held is None or _later(when, held[0]):
            self.newest[kind] = (when, apply)

    def finish(self) -> None:
        """Apply what needed the whole record."""
        for _, apply in self.newest.values():
            apply()
        if self.courses:
            self.case.setdefault("treatments", []).extend(self.courses.values())
        for kind, count in sorted(self.unused.items()):
            self.notes.append(f"{count} {kind} not used (nothing about SI joint pain or axSpA)")


def _later(when: dt.date | None, than: dt.date | None) -> bool:
    if when is None:
        return False
    return than is None or when >= than
