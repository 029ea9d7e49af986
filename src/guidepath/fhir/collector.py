"""What the FHIR reader gathers while it reads a record: the case being built, notes on what was
skipped and why, why the record is in guidepath's scope, and facts that need the whole record
(the newest observation of each kind, the earliest back-pain onset, one course per drug)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
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
        try:
            _check_r4b(resource)
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

    def usable(
        self, resource: Mapping[str, Any], where: str, label: str, statuses: list[str]
    ) -> bool:
        """Whether a resource about to be used has a usable status and is valid FHIR; if not,
        say why it was skipped."""
        status = resource.get("status")
        if status not in statuses:
            self.note(where, f"{resource.get('resourceType')} {label} is {status}, not used")
            return False
        return self.valid(resource, where)

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


_VALIDATED: dict[bytes, None] = {}
_VALIDATED_LIMIT = 8192


def _check_r4b(resource: Mapping[str, Any]) -> None:
    """Validate one resource against its R4B model. Valid resources are remembered by a digest of
    their canonical JSON (no patient data is kept): an EHR sends the same records with every hook
    call of a chart (a patient-view on opening it, an order-select on each order), and validating
    is most of the cost of a call. Any change is validated afresh; an invalid resource raises and
    is never remembered."""
    text = json.dumps(resource, sort_keys=True, default=str).encode()
    key = hashlib.blake2b(text, digest_size=16).digest()
    if key in _VALIDATED:
        return
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class(str(resource["resourceType"])).model_validate(resource)
    if len(_VALIDATED) >= _VALIDATED_LIMIT:
        _VALIDATED.clear()
    _VALIDATED[key] = None


def _later(when: dt.date | None, than: dt.date | None) -> bool:
    if when is None:
        return False
    return than is None or when >= than
