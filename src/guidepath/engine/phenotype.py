"""Which track a patient belongs on: inflammatory (axSpA), mechanical (SI joint dysfunction) or
undetermined. The rules are the pack's (``phenotype`` in ``pathway.yaml``, first that holds wins);
this module derives the facts they read:

- ``diagnosis.inflammatory_code`` / ``diagnosis.mechanical_code``: a diagnosis code in the pack's
  ICD-10-CM track sets (``valuesets.yaml``);
- ``spa.feature_count``: documented SpA features of the ASAS list other than HLA-B27 and imaging
  (inflammatory back pain, raised CRP, IBD, psoriasis, recurrent uveitis);
- ``asas.classified``: the ASAS classification as the calculators encode it (one encoding);
- ``workup.mechanical``: an interventional SI joint work-up (a positive provocation test, a block
  or a therapeutic injection).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from guidepath.codes.icd10 import icd10_key, icd10_matches
from guidepath.engine.calculators import asas_arms
from guidepath.engine.compiled import compiled_pack
from guidepath.engine.conditions import TRUE, Range
from guidepath.knowledge.loader import value_sets

SPA_FEATURE_FACTS = (
    "pain.inflammatory_back_pain",
    "labs.crp_elevated",
    "condition.ibd",
    "condition.psoriasis",
    "condition.recurrent_uveitis",
)


def spa_feature_count(facts: Mapping[str, Any]) -> int:
    """Documented SpA features (ASAS list) other than HLA-B27 and imaging."""
    return sum(1 for name in SPA_FEATURE_FACTS if facts.get(name) is True)


def _mechanical_workup(facts: Mapping[str, Any]) -> bool:
    positive = facts.get("provocation.positive")
    low = positive.low if isinstance(positive, Range) else positive or 0
    return low >= 1 or bool(facts.get("blocks.count")) or bool(facts.get("therapeutic.count"))


@lru_cache(maxsize=8192)
def code_track(code: str) -> str | None:
    """The track an ICD-10-CM diagnosis code puts a case on (``valuesets.yaml``), if any."""
    icd = value_sets().icd10cm
    if icd10_matches(code, icd.inflammatory):
        return "inflammatory"
    if icd10_matches(code, icd.mechanical):
        return "mechanical"
    return None


@lru_cache(maxsize=8192)
def code_conditions(code: str) -> tuple[str, ...]:
    """The conditions an ICD-10-CM code documents (K50 → ``ibd``; ``implies_condition``)."""
    return tuple(icd10_key(code, value_sets().icd10cm.implies_condition))


@lru_cache(maxsize=8192)
def code_red_flags(code: str) -> tuple[str, ...]:
    """The red flags an ICD-10-CM code documents (C00-C96 → history of cancer)."""
    return tuple(icd10_key(code, value_sets().icd10cm.implies_red_flag))


def phenotype_facts(diagnoses: list[str] | None, facts: dict[str, Any]) -> None:
    """Add the facts the pack's phenotype rules read."""
    tracks = {code_track(code) for code in diagnoses or []}
    features = spa_feature_count(facts)
    hla_b27 = facts.get("labs.hla_b27") == "positive"
    facts["diagnosis.inflammatory_code"] = "inflammatory" in tracks
    facts["diagnosis.mechanical_code"] = "mechanical" in tracks
    facts["spa.feature_count"] = features
    arms = asas_arms(bool(facts.get("imaging.sij_definite")), hla_b27, features)
    facts["asas.classified"] = bool(arms)
    facts["workup.mechanical"] = _mechanical_workup(facts)


def classify_phenotype(diagnoses: list[str] | None, facts: dict[str, Any]) -> str:
    """The track: the first of the pack's phenotype rules that holds, else undetermined."""
    phenotype_facts(diagnoses, facts)
    for track, holds in compiled_pack().phenotype:
        if holds(facts) == TRUE:
            return track
    return "undetermined"
