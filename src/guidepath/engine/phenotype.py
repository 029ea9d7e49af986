"""Which track a patient belongs on: inflammatory (axSpA), mechanical (SI joint dysfunction) or
undetermined.

- **inflammatory**: an inflammatory spondylopathy code (ankylosing spondylitis M45, including
  non-radiographic axSpA M45.A; juvenile AS M08.1; sacroiliitis M46.1; other inflammatory
  spondylopathies M46.8/M46.9), or the shape of the ASAS classification: definite sacroiliitis on
  imaging (MRI bone-marrow oedema, erosions, ankylosis) with at least one SpA feature, or HLA-B27
  with at least two other SpA features.
- **mechanical**: an SI-joint dysfunction code (M53.3, M53.2X8, S33.6, M99.04) or an interventional
  SI-joint work-up, with no inflammatory sign documented (no SpA feature, no imaging sign of
  sacroiliitis; a possible one such as sclerosis counts unless the context is degenerative:
  onset at 45 or later, no inflammatory back pain, or a block-confirmed SI joint).
- a b/tsDMARD (TNF, IL-17 or JAK inhibitor) already given, with no SI-joint dysfunction code,
  puts the case on the inflammatory track: these drugs are given for inflammatory disease.
- **undetermined**: everything else; the engine then asks for the facts that would decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guidepath.engine.calculators import asas_arms
from guidepath.engine.conditions import Range
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


def _low(value: Any) -> float:
    return float(value.low if isinstance(value, Range) else value or 0)


def _degenerative_context(facts: Mapping[str, Any]) -> bool:
    """Sclerosis or narrowing alone reads as degenerative, not possible axSpA, when the pain began
    at 45 or later, inflammatory back pain is documented absent, or an image-guided block has
    confirmed the SI joint as a mechanical pain source."""
    onset = facts.get("pain.onset_age")
    late_onset = onset is not None and _low(onset) >= 45
    no_ibp = facts.get("pain.inflammatory_back_pain") is False
    confirmed = _low(facts.get("blocks.positive")) >= 1
    return late_onset or no_ibp or confirmed


def classify_phenotype(diagnoses: list[str] | None, facts: Mapping[str, Any]) -> str:
    """The track, by the rules in the module docstring."""
    codes = diagnoses or []
    icd = value_sets().icd10cm
    if any(code.startswith(tuple(icd.inflammatory)) for code in codes):
        return "inflammatory"
    features = spa_feature_count(facts)
    hla_b27 = facts.get("labs.hla_b27") == "positive"
    if asas_arms(bool(facts.get("imaging.sij_definite")), hla_b27, features):
        return "inflammatory"
    mechanical_sign = any(code.startswith(tuple(icd.mechanical)) for code in codes)
    if facts.get("biologic.tried") and not mechanical_sign:
        return "inflammatory"  # a b/tsDMARD is given only for inflammatory disease
    inflammatory_sign = (
        features > 0
        or facts.get("labs.hla_b27") == "positive"
        or facts.get("imaging.sij_definite")
        or (facts.get("imaging.sij_possible") and not _degenerative_context(facts))
    )
    if (mechanical_sign or _mechanical_workup(facts)) and not inflammatory_sign:
        return "mechanical"
    return "undetermined"
