"""Clinical calculators: BASDAI, ASDAS-CRP, ASDAS-ESR, BASFI, the Laslett provocation cluster and
the ASAS axSpA classification. Each takes a strict input model (0-10 scales unless said) and
returns a :class:`Score` with category, interpretation and citations.

Example: ``calculate("asdas_crp", {"back_pain": 6, "morning_stiffness": 5, "patient_global": 6,
"peripheral_pain": 2, "crp_mg_l": 12})`` gives a score of 3.31, ``high_disease_activity``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guidepath.case import AsdasItems, BasdaiItems, CrpMgL, EsrMmH, ProvocationTests
from guidepath.errors import BadInput, from_validation_error

Item = Annotated[float, Field(ge=0, le=10)]
SpaFeature = Literal[
    "inflammatory_back_pain",
    "arthritis",
    "enthesitis",
    "uveitis",
    "dactylitis",
    "psoriasis",
    "ibd",
    "nsaid_response",
    "family_history",
    "hla_b27",
    "elevated_crp",
]


class Inputs(BaseModel):
    """Base of calculator inputs: strict, so a misspelt item is an error, not a silent zero."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class BasdaiInputs(BasdaiItems):
    """BASDAI questions 1-6 (0-10). ``stiffness_duration``: 0 = none ... 10 = 2 hours or more."""


class AsdasCrpInputs(AsdasItems):
    """ASDAS-CRP: four patient-reported items (0-10) and CRP in mg/L."""

    crp_mg_l: CrpMgL


class AsdasEsrInputs(AsdasItems):
    """ASDAS-ESR: the same items with ESR in mm/h."""

    esr_mm_h: EsrMmH


class BasfiInputs(Inputs):
    """BASFI: the ten function questions, each 0-10."""

    items: Annotated[list[Item], Field(min_length=10, max_length=10)]


class LaslettInputs(ProvocationTests):
    """Provocation tests: ``True`` positive, ``False`` negative, absent/``None`` not done."""


class AsasInputs(Inputs):
    """ASAS axSpA classification: entry criteria, imaging, HLA-B27 and SpA features."""

    back_pain_months: Annotated[float, Field(ge=0, le=1200)]
    age_at_onset: Annotated[float, Field(ge=0, le=120)]
    sacroiliitis_on_imaging: bool
    hla_b27: bool | None = None  # None: not tested (unknown is not negative)
    features: list[SpaFeature] = Field(default_factory=list)


class Score(BaseModel):
    """Contract section 4."""

    model_config = ConfigDict(extra="forbid")

    name: str
    score: float
    category: str | None
    interpretation: str
    inputs: dict[str, Any]
    citations: list[str]


def _cutoff(name: str) -> float:
    """A disease-activity cut-off from the pack (``pathway.yaml`` thresholds, one home)."""
    from guidepath.knowledge.loader import load_pack

    return float(load_pack().pathway.thresholds[name])


def asdas_state(value: float) -> str:
    """ASDAS disease-activity state (Machado 2011): <1.3, 1.3-<2.1, 2.1-3.5, >3.5."""
    if value < _cutoff("asdas_inactive_below"):
        return "inactive_disease"
    if value < _cutoff("asdas_active"):
        return "low_disease_activity"
    if value <= _cutoff("asdas_very_high_above"):
        return "high_disease_activity"
    return "very_high_disease_activity"


def asdas_improvement(before: float, after: float) -> str:
    """ASDAS change (Machado 2011): ≥2.0 major, ≥1.1 clinically important, else none."""
    fall = round(before - after, 6)
    if fall >= _cutoff("asdas_major_improvement"):
        return "major_improvement"
    if fall >= _cutoff("asdas_important_improvement"):
        return "clinically_important_improvement"
    return "no_important_improvement"


def basdai_value(i: BasdaiInputs) -> float:
    """(Q1 + Q2 + Q3 + Q4 + (Q5 + Q6) / 2) / 5."""
    stiffness = (i.stiffness_severity + i.stiffness_duration) / 2
    return (i.fatigue + i.spinal_pain + i.peripheral_pain + i.enthesitis + stiffness) / 5


def asdas_crp_value(i: AsdasCrpInputs) -> float:
    """0.121 back pain + 0.058 stiffness + 0.110 global + 0.073 peripheral + 0.579 ln(CRP+1);
    CRP below 2 mg/L is taken as 2."""
    crp = max(i.crp_mg_l, 2.0)
    return (
        0.121 * i.back_pain
        + 0.058 * i.morning_stiffness
        + 0.110 * i.patient_global
        + 0.073 * i.peripheral_pain
        + 0.579 * math.log(crp + 1)
    )


def asdas_esr_value(i: AsdasEsrInputs) -> float:
    """0.079 back pain + 0.069 stiffness + 0.113 global + 0.086 peripheral + 0.293 √ESR."""
    return (
        0.079 * i.back_pain
        + 0.069 * i.morning_stiffness
        + 0.113 * i.patient_global
        + 0.086 * i.peripheral_pain
        + 0.293 * math.sqrt(i.esr_mm_h)
    )


def _basdai(i: BasdaiInputs) -> tuple[float, str | None, str]:
    value = basdai_value(i)
    active = value >= _cutoff("basdai_active")
    category = "active_disease" if active else "below_activity_threshold"
    return (
        value,
        category,
        (
            f"BASDAI {value:.2f}; 4 or more is the usual threshold for active disease "
            "(ASAS-EULAR now prefers ASDAS)."
        ),
    )


def _asdas(value: float, marker: str) -> tuple[float, str | None, str]:
    state = asdas_state(value)
    return value, state, f"ASDAS-{marker} {value:.2f}: {state.replace('_', ' ')}."


def _basfi(i: BasfiInputs) -> tuple[float, str | None, str]:
    value = sum(i.items) / 10
    return value, None, f"BASFI {value:.2f} of 10 (higher means more functional limitation)."


LASLETT_TESTS = ("distraction", "thigh_thrust", "compression", "sacral_thrust", "gaenslen")


def _laslett(i: LaslettInputs) -> tuple[float, str | None, str]:
    results = [getattr(i, name) for name in LASLETT_TESTS]
    positive = sum(1 for r in results if r is True)
    not_done = sum(1 for r in results if r is None)
    if positive >= 3:
        category = "positive"
    elif positive + not_done >= 3:
        category = "indeterminate"
    else:
        category = "negative"
    return (
        float(positive),
        category,
        (
            f"{positive} of 5 Laslett tests positive ({not_done} not done); "
            "3 or more positive gives 94% sensitivity and 78% specificity "
            "for SI joint pain confirmed by blocks."
        ),
    )


def asas_arms(sacroiliitis: bool, hla_b27: bool, other_features: int) -> list[str]:
    """The ASAS axSpA arms fulfilled (rudwaleit-2009), the one encoding used by the calculator
    and by the phenotype: imaging (sacroiliitis plus at least one SpA feature, HLA-B27 counting
    as one) and clinical (HLA-B27 plus at least two other SpA features)."""
    imaging_arm = sacroiliitis and (other_features >= 1 or hla_b27)
    clinical_arm = hla_b27 and other_features >= 2
    return [name for name, met in (("imaging", imaging_arm), ("clinical", clinical_arm)) if met]


def _asas(i: AsasInputs) -> tuple[float, str | None, str]:
    if i.back_pain_months < 3 or i.age_at_onset >= 45:
        return (
            0.0,
            "entry_criteria_not_met",
            ("ASAS criteria apply only to back pain of 3 months or more that began before age 45."),
        )
    others = len(set(i.features) - {"hla_b27"})
    hla_b27 = True if "hla_b27" in i.features else i.hla_b27
    arms = asas_arms(i.sacroiliitis_on_imaging, bool(hla_b27), others)
    if not arms and hla_b27 is None:
        possible = asas_arms(i.sacroiliitis_on_imaging, True, others)
        if possible:
            return (
                0.0,
                "hla_b27_needed",
                f"Not classified on what is known; a positive HLA-B27 would fulfil the "
                f"{' and '.join(possible)} arm, so HLA-B27 testing decides.",
            )
    if not arms:
        return 0.0, "not_classified", "Neither the imaging nor the clinical arm is fulfilled."
    category = "both_arms" if len(arms) == 2 else f"{arms[0]}_arm"
    return 1.0, category, f"Classified as axial spondyloarthritis ({' and '.join(arms)} arm)."


Calculator = tuple[type[BaseModel], Callable[[Any], tuple[float, str | None, str]], list[str]]

CALCULATORS: Mapping[str, Calculator] = {
    "basdai": (BasdaiInputs, _basdai, ["garrett-1994", "asas-eular-2022"]),
    "asdas_crp": (
        AsdasCrpInputs,
        lambda i: _asdas(asdas_crp_value(i), "CRP"),
        ["lukas-2009", "machado-2011"],
    ),
    "asdas_esr": (
        AsdasEsrInputs,
        lambda i: _asdas(asdas_esr_value(i), "ESR"),
        ["lukas-2009", "machado-2011"],
    ),
    "basfi": (BasfiInputs, _basfi, ["calin-1994"]),
    "laslett_cluster": (LaslettInputs, _laslett, ["laslett-2005"]),
    "asas_axspa": (AsasInputs, _asas, ["rudwaleit-2009"]),
}


class UnknownCalculator(LookupError):
    """The calculator name is not one of :data:`CALCULATORS`."""


def calculate(name: str, inputs: Mapping[str, Any]) -> Score:
    """Run one calculator; bad inputs raise :class:`BadInput` naming the field."""
    if name not in CALCULATORS:
        raise UnknownCalculator(f"unknown calculator {name!r}; one of {', '.join(CALCULATORS)}")
    model, compute, citations = CALCULATORS[name]
    if not isinstance(inputs, Mapping):
        raise BadInput([("inputs", "must be a JSON object")])
    try:
        parsed = model.model_validate(inputs)
    except ValidationError as error:
        raise from_validation_error(error) from None
    value, category, interpretation = compute(parsed)
    return Score(
        name=name,
        score=round(value, 2),
        category=category,
        interpretation=interpretation,
        inputs=parsed.model_dump(),
        citations=list(citations),
    )
