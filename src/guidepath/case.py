"""The Case: one patient's facts, exactly section 1 of the public contract.

Every field is optional and absent means *unknown*, never *no*: ``conditions: []`` says the patient
has none of the listed conditions, while a case without ``conditions`` says nothing about them.
Three additions serve text and records that describe a patient only in part: ``suspected`` holds
what is suspected but not confirmed (``["axial_spondyloarthritis"]``: work it up, do not treat it
as a diagnosis); ``partial_lists`` names lists that hold only what the source mentioned
(``["conditions"]``: a condition not listed is unknown, not absent; ``["treatments"]``: a kind of
treatment not listed, e.g. physical therapy, is unknown, not "never tried"); ``absent`` names
conditions or
red flags the source explicitly denied ("no fever").
Unknown words are rejected (``extra="forbid"`` and ``Literal`` vocabularies), so a typo can never be
read as a silent "no".

Example::

    Case.model_validate({"diagnoses": ["M46.1"], "pain": {"nrs": 6, "duration_weeks": 10}})
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from guidepath.vocabulary import (
    Condition,
    Finding,
    HlaB27,
    InjectionPurpose,
    Laterality,
    Modality,
    Outcome,
    PainSite,
    PartialList,
    RedFlag,
    Region,
    Sex,
    Suspicion,
    TreatmentType,
)


def _icd10cm(code: str) -> str:
    """A diagnosis must be a real ICD-10-CM code; it is kept in dotted upper-case form."""
    from guidepath.codes.icd10 import canonical

    found = canonical(code)
    if found is None:
        raise ValueError(f"{code!r} is not a valid ICD-10-CM code")
    return found


IcdCode = Annotated[str, AfterValidator(_icd10cm)]
NonNegative = Annotated[float, Field(ge=0)]
CrpMgL = Annotated[float, Field(ge=0, le=500)]
EsrMmH = Annotated[float, Field(ge=0, le=200)]
Nrs = Annotated[float, Field(ge=0, le=10)]


class Strict(BaseModel):
    """Base of every contract model: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Patient(Strict):
    """Demographics. ``age`` in years (0-120)."""

    age: Annotated[int, Field(ge=0, le=120)] | None = None
    sex: Sex | None = None


class Pain(Strict):
    """The index pain.

    ``nrs`` is the 0-10 numeric rating scale; ``duration_weeks`` how long the pain has lasted
    (3 months is about 13 weeks); ``inflammatory_back_pain`` the clinician's judgement that the
    back pain has inflammatory features (insidious onset before 45, morning stiffness, better with
    exercise); ``radicular`` whether pain radiates in a nerve-root pattern.
    """

    nrs: Nrs | None = None
    duration_weeks: NonNegative | None = None
    sites: list[PainSite] | None = None
    inflammatory_back_pain: bool | None = None
    radicular: bool | None = None


class ProvocationTests(Strict):
    """SI joint provocation tests: ``True`` positive, ``False`` negative, ``None`` not done."""

    distraction: bool | None = None
    thigh_thrust: bool | None = None
    compression: bool | None = None
    sacral_thrust: bool | None = None
    gaenslen: bool | None = None
    faber: bool | None = None


class Exam(Strict):
    """Physical examination findings."""

    provocation_tests: ProvocationTests | None = None


class Imaging(Strict):
    """One imaging study: what was imaged, with what, and what it showed."""

    modality: Modality
    region: Region
    findings: list[Finding] = Field(default_factory=list)
    laterality: Laterality | None = None


class Labs(Strict):
    """Laboratory results: CRP in mg/L (normal is usually below 5), ESR in mm/h, HLA-B27."""

    crp_mg_l: CrpMgL | None = None
    esr_mm_h: EsrMmH | None = None
    hla_b27: HlaB27 | None = None


class BasdaiItems(Strict):
    """The six BASDAI questions (0-10), when the score itself was not computed."""

    fatigue: Nrs
    spinal_pain: Nrs
    peripheral_pain: Nrs
    enthesitis: Nrs
    stiffness_severity: Nrs
    stiffness_duration: Nrs


class AsdasItems(Strict):
    """The four ASDAS questions (0-10); CRP or ESR comes from ``labs``."""

    back_pain: Nrs
    morning_stiffness: Nrs
    patient_global: Nrs
    peripheral_pain: Nrs


class Scores(Strict):
    """Disease-activity and function scores (BASDAI and BASFI are 0-10).

    Computed scores come first; ``basdai_items`` / ``asdas_items`` let guidepath compute them.
    ``asdas_baseline`` is the ASDAS before the current treatment: with a current ASDAS it gives the
    improvement (≥1.1 clinically important, ≥2.0 major).
    """

    basdai: Nrs | None = None
    asdas_crp: Annotated[float, Field(ge=0, le=20)] | None = None
    asdas_esr: Annotated[float, Field(ge=0, le=20)] | None = None
    basfi: Nrs | None = None
    basdai_items: BasdaiItems | None = None
    asdas_items: AsdasItems | None = None
    asdas_baseline: Annotated[float, Field(ge=0, le=20)] | None = None


class Treatment(Strict):
    """One treatment the patient has had or is having.

    ``weeks`` is the length of the trial; ``outcome`` how it went (``primary_nonresponse``: never
    responded, ``secondary_nonresponse``: responded then lost it, ``ongoing``: too early to judge).
    SI joint injections add ``purpose``, ``image_guided``, ``relief_pct`` (0-100, of the index
    pain), ``relief_weeks`` (how long the relief lasted) and ``months_ago``; RFA adds relief too.
    Example: ``{"type": "nsaid", "agent": "naproxen", "weeks": 6, "outcome": "inadequate"}``.
    """

    type: TreatmentType
    agent: str | None = None
    biosimilar_of: str | None = None
    weeks: NonNegative | None = None
    outcome: Outcome | None = None
    purpose: InjectionPurpose | None = None
    image_guided: bool | None = None
    relief_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    relief_weeks: NonNegative | None = None
    months_ago: NonNegative | None = None
    current: bool | None = None

    @field_validator("agent", "biosimilar_of")
    @classmethod
    def _lower_agent(cls, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = value.strip().lower()
        if not cleaned:
            raise ValueError("must not be empty")
        return cleaned


class Case(Strict):
    """One patient, as the engine sees them. See the module docstring."""

    patient: Patient | None = None
    diagnoses: list[IcdCode] | None = None
    pain: Pain | None = None
    exam: Exam | None = None
    imaging: list[Imaging] | None = None
    labs: Labs | None = None
    scores: Scores | None = None
    treatments: list[Treatment] | None = None
    conditions: list[Condition] | None = None
    red_flags: list[RedFlag] | None = None
    suspected: list[Suspicion] | None = None
    partial_lists: list[PartialList] | None = None
    absent: list[Condition | RedFlag] | None = None
