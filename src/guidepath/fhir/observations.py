"""Observation → pain, labs, scores, examination findings and red-flag screens.

- Only final, amended and corrected results are used; the newest of each kind wins.
- CRP in mg/L; mg/dL (UCUM code or unit text) is converted; other units are not guessed.
  A bound ("<10 mg/L") is used only when it decides the question the pathway asks (below or
  above the pack's upper limit of normal); otherwise it is skipped with a note.
- HLA-B27 from the coded or written result, negation first ("Not detected" is negative).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from guidepath.fhir import dates
from guidepath.fhir.collector import Collector
from guidepath.fhir.concepts import LOINC, codes, lexicon_match, name, texts
from guidepath.knowledge.loader import load_pack, value_sets

MG_DL = {"mg/dl"}
MG_L = {"mg/l"}
NEGATIVE = re.compile(r"\b(negative|not detected|absent|not present|no)\b|\bneg\b", re.I)
POSITIVE = re.compile(r"\b(positive|detected|present|yes)\b|\bpos\b", re.I)
INTERPRETATION = {"POS": True, "NEG": False, "ND": False, "DET": True}


def _when(resource: Mapping[str, Any]) -> Any:
    period = resource.get("effectivePeriod") or {}
    return dates.parse(
        resource.get("effectiveDateTime")
        or period.get("end")
        or period.get("start")
        or resource.get("issued")
    )


def _quantity(resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
    quantity = resource.get("valueQuantity")
    return quantity if isinstance(quantity, Mapping) and quantity.get("value") is not None else None


def _crp_mg_l(quantity: Mapping[str, Any]) -> float | None:
    unit = str(quantity.get("code") or quantity.get("unit") or "").strip().lower()
    value = float(quantity["value"])
    if unit in MG_DL:
        return value * 10.0
    if unit in MG_L or not unit:
        return value
    return None


def _yes_no(resource: Mapping[str, Any]) -> bool | None:
    if isinstance(resource.get("valueBoolean"), bool):
        return bool(resource["valueBoolean"])
    for concept in resource.get("interpretation") or []:
        for code in codes(
            concept,
            frozenset({"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"}),
        ):
            if code in INTERPRETATION:
                return INTERPRETATION[code]
    written = " ".join(texts(resource.get("valueCodeableConcept")))
    written += " " + str(resource.get("valueString") or "")
    if NEGATIVE.search(written):
        return False
    if POSITIVE.search(written):
        return True
    return None


def _set(c: Collector, section: str, key: str, value: Any) -> Callable[[], None]:
    return lambda: c.section(section).__setitem__(key, value)


def _lab(resource: Mapping[str, Any], c: Collector, where: str, kind: str) -> bool:
    quantity = _quantity(resource)
    if quantity is None:
        c.note(where, f"{kind.upper()} has no numeric value, not used")
        return True
    when = _when(resource)
    if kind == "esr":
        c.keep_newest("esr", when, _set(c, "labs", "esr_mm_h", float(quantity["value"])))
        return True
    value = _crp_mg_l(quantity)
    if value is None:
        c.note(
            where, f"CRP in {quantity.get('unit') or quantity.get('code')} not converted, not used"
        )
        return True
    comparator = quantity.get("comparator")
    limit = float(load_pack().pathway.thresholds["crp_elevated_mg_l"])
    if (comparator in ("<", "<=") and value > limit) or (
        comparator in (">", ">=") and value < limit
    ):
        c.note(where, f"CRP {comparator}{value:g} mg/L does not say whether it is above {limit:g}")
        return True
    c.keep_newest("crp", when, _set(c, "labs", "crp_mg_l", value))
    return True


def _by_name(resource: Mapping[str, Any], c: Collector, label: str) -> bool:
    lowered = label.lower()
    when = _when(resource)
    quantity = _quantity(resource)
    if _is_hla_b27(label):
        result = _yes_no(resource)
        if result is None:
            return False
        value = "positive" if result else "negative"
        c.keep_newest("hla_b27", when, _set(c, "labs", "hla_b27", value))
        return True
    key = _score_key(lowered)
    if key and quantity is not None:
        c.keep_newest(key, when, _set(c, "scores", key, float(quantity["value"])))
        return True
    return _finding(resource, c, label)


def _finding(resource: Mapping[str, Any], c: Collector, label: str) -> bool:
    """Provocation tests, symptoms (radicular, inflammatory back pain) and red-flag screens
    ("Red flags: negative" documents that there are none) recorded by name."""
    matches = lexicon_match(label, {"TEST", "SYMPTOM", "RED_FLAG"})
    value = _yes_no(resource)
    if value is None or not matches:
        return False
    kind, what, _ = matches[0]
    if kind == "TEST" and what != "provocation":
        c.section("exam").setdefault("provocation_tests", {})[what] = value
        return True
    if kind == "SYMPTOM" and what in ("radicular", "inflammatory_back_pain"):
        c.section("pain")[what] = value
        return True
    if kind == "RED_FLAG":  # a screen documents the red flags, even when it found none
        flags = c.case.setdefault("red_flags", [])
        if value and what != "any" and what not in flags:
            flags.append(what)
        return True
    return False


def read_observation(resource: Mapping[str, Any], c: Collector, where: str) -> None:
    """Read one Observation into the collector."""
    loinc = set(codes(resource.get("code"), LOINC))
    label = " ".join(texts(resource.get("code")))
    sets = value_sets().loinc
    kind = (
        "pain"
        if loinc & set(sets.pain_nrs)
        else "crp"
        if loinc & set(sets.crp)
        else "esr"
        if loinc & set(sets.esr)
        else None
    )
    if kind is None and not _named_kind(label):
        c.unused_kind("Observation")
        return
    usable = value_sets().fhir.observation_usable
    if not c.usable(resource, where, name(resource.get("code")), usable):
        return
    if kind == "pain":
        quantity = _quantity(resource)
        if quantity is not None:
            c.keep_newest("pain", _when(resource), _set(c, "pain", "nrs", float(quantity["value"])))
        return
    if kind in ("crp", "esr"):
        _lab(resource, c, where, kind)
        return
    if not _by_name(resource, c, label):
        c.note(where, f"Observation {name(resource.get('code'))} had no usable value")


def _is_hla_b27(label: str) -> bool:
    """Whether an observation is an HLA-B27 result (named as the lexicon names the lab)."""
    return any(value == "hla_b27" for _, value, _ in lexicon_match(label, {"LAB"}))


def _score_key(lowered: str) -> str | None:
    """The case score a recorded BASDAI or ASDAS (CRP or ESR) goes to."""
    if "basdai" in lowered:
        return "basdai"
    if "asdas" in lowered:
        return "asdas_esr" if "esr" in lowered else "asdas_crp"
    return None


def _named_kind(label: str) -> bool:
    if _is_hla_b27(label) or _score_key(label.lower()):
        return True
    return bool(lexicon_match(label, {"TEST", "SYMPTOM", "RED_FLAG"}))
