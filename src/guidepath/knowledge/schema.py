"""Strict pydantic models of the knowledge pack's YAML files.

A pack is clinical knowledge as data: sources, recommendations with condition trees, the pathway's
stages, imaging ratings, warnings, topics and FAQs. Each model forbids unknown fields and uses the
contract's ``Literal`` vocabularies, so a typo in a pack fails loudly when the pack loads.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from guidepath.vocabulary import (
    RECOMMEND_ACTIONS,
    Action,
    Condition,
    Finding,
    InjectionPurpose,
    Procedure,
    RedFlag,
    Role,
    SourceType,
    Strength,
    TreatmentType,
)

Operator = Literal[
    "eq", "ne", "lt", "le", "gt", "ge", "in", "contains", "intersects", "known", "not_documented_as"
]
Track = Literal["inflammatory", "mechanical", "undetermined", "any"]
SourceKind = Literal[
    "primary_guideline",
    "appropriateness_criteria",
    "coverage_policy",
    "guideline_summary",
    "patient_education",
    "trial",
    "cohort",
    "review",
    "measurement",
]


class PackModel(BaseModel):
    """Base of pack models: strict, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(PackModel):
    """A citable source. ``type`` is the contract's guideline/research; ``kind`` says more.

    ``source`` is the publisher or journal, e.g. ``Arthritis Rheumatol``.
    """

    id: str
    type: SourceType
    kind: SourceKind
    title: str
    source: str
    year: int | None
    authors: str | None = None
    citation: str | None = None
    doi: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    pmid: Annotated[str, Field(pattern=r"^\d{1,9}$")] | None = None
    url: str | None = None
    note: str | None = None


class Leaf(PackModel):
    """One test of one fact, e.g. ``{fact: nsaid.failed_weeks, op: ge, value: 4}``.

    ``op`` is a closed set: comparisons, ``in`` (fact in a list of values), ``contains`` (a list
    fact holds the value), ``intersects`` (a list fact shares a value), ``known`` (whether the
    fact is documented at all) and ``not_documented_as`` (true unless the fact is documented as
    ``value``: an unrecorded contraindication does not block advice, though the rule may still ask
    for it).
    The last two are never unknown themselves. ``label`` is how the test reads in an explanation.
    """

    fact: str
    op: Operator
    value: Any = None
    label: str | None = None


class All(PackModel):
    """True when every part holds; false as soon as one fails; otherwise unknown."""

    all: list[ConditionNode]
    label: str | None = None


class AnyOf(PackModel):
    """True as soon as one part holds; false when every part fails; otherwise unknown."""

    any: list[ConditionNode]
    label: str | None = None


class Not(PackModel):
    """Negation; unknown stays unknown."""

    not_: ConditionNode = Field(alias="not")
    label: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Ref(PackModel):
    """A named condition defined once in ``pathway.yaml`` under ``definitions``."""

    ref: str
    label: str | None = None


ConditionNode = Annotated[Leaf | All | AnyOf | Not | Ref, Field(union_mode="left_to_right")]


class Evidence(PackModel):
    """A figure or finding that supports a recommendation, with its own citations."""

    text: str
    patient_text: str | None = None
    citations: list[str] = Field(min_length=1)


class Ask(PackModel):
    """A fact whose absence limits this advice: reported in ``missing`` with ``why``.

    ``field`` overrides the case field reported (by default derived from the fact name); ``when``
    (pathway-level asks only) limits the question to the patients it matters for.
    """

    fact: str
    why: str
    field: str | None = None
    when: ConditionNode | None = None


class Recommendation(PackModel):
    """One guideline statement as a computable rule.

    ``direction`` ``for`` puts the action among recommendations, ``against`` in ``avoid``.
    ``when`` is the condition tree for this patient (absent: always, within ``track``); ``role`` is
    the default role when the rule fires on its own (stages assign roles to the rules they name).
    ``blocks`` lists recommendation actions this avoidance rules out for the patient (e.g. avoiding
    ``tnfi`` blocks ``start_tnfi``). ``global`` rules fire by themselves; the others only when a
    stage names them.
    """

    id: str
    action: Action
    direction: Literal["for", "against"] = "for"
    strength: Strength
    role: Role = "adjunct"
    track: Track = "any"
    scope: Literal["global", "stage"] = "global"
    when: ConditionNode | None = None
    text: str
    patient_text: str
    citations: list[str] = Field(min_length=1)
    evidence: list[Evidence] = Field(default_factory=list)
    blocks: list[Action] = Field(default_factory=list)
    asks: list[Ask] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    report_missing: bool = True


class Stage(PackModel):
    """A step of the care pathway. The first stage whose ``when`` holds is the patient's stage.

    ``primary`` lists candidate rules in preference order: the first that holds is the primary
    recommendation, later ones that hold become alternatives. ``suppress`` names actions that must
    not be recommended at this stage (e.g. procedures while red flags are unexplained).
    """

    id: str
    track: Track
    title: str
    summary: str
    patient_summary: str
    when: ConditionNode
    primary: list[str] = Field(min_length=1)
    alternatives: list[str] = Field(default_factory=list)
    adjuncts: list[str] = Field(default_factory=list)
    next_if_fails: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    suppress: list[Action] = Field(default_factory=list)
    asks: list[Ask] = Field(default_factory=list)


class Warning(PackModel):
    """A safety message shown when ``when`` holds (red flags, contraindications)."""

    code: str
    when: ConditionNode
    text: str
    patient_text: str
    citations: list[str] = Field(min_length=1)


class Gate(PackModel):
    """A safety gate: while ``when`` holds, the ``blocks`` actions are not recommended now and,
    if one of them would have led, the ``primary`` recommendation leads instead ("treat the
    infection before any biologic", "find the other pain source before any SI joint block").
    Later steps (next-if-fails) stay, as what follows once the gate is cleared. With
    ``always_leads`` the primary leads whenever the gate holds (a fracture on imaging)."""

    id: str
    when: ConditionNode
    blocks: list[Action] = Field(min_length=1)
    primary: str
    always_leads: bool = False


class Side(PackModel):
    """One source's position in a disagreement."""

    position: str
    citations: list[str] = Field(min_length=1)


class Disagreement(PackModel):
    """Where sources differ: shown when one of ``actions`` is recommended or advised against for
    the patient, or when ``when`` holds. ``note`` says which side guidepath follows and why."""

    id: str
    topic: str
    actions: list[Action] = Field(default_factory=list)
    when: ConditionNode | None = None
    sides: list[Side] = Field(min_length=2)
    note: str | None = None


class DisagreementsFile(PackModel):
    """``disagreements.yaml``."""

    disagreements: list[Disagreement]


class PhenotypeRule(PackModel):
    """A track a case is put on when ``when`` holds; the first rule that holds wins, and a case no
    rule places is undetermined."""

    track: Literal["inflammatory", "mechanical"]
    label: str
    when: ConditionNode


class Pathway(PackModel):
    """Thresholds, named conditions, ordered stages, gates, warnings and global asks.

    ``thresholds`` holds the numbers derived facts use (e.g. ``block_positive_pct: 75``), each
    documented with its source in the YAML. ``fallback_primary`` leads when every primary of a
    stage is blocked (by an avoidance or a gate).
    """

    thresholds: dict[str, float]
    definitions: dict[str, ConditionNode] = Field(default_factory=dict)
    phenotype: list[PhenotypeRule] = Field(min_length=1)
    asks: list[Ask] = Field(default_factory=list)
    stages: list[Stage]
    gates: list[Gate] = Field(default_factory=list)
    fallback_primary: str | None = None
    warnings: list[Warning] = Field(default_factory=list)


class ImagingRating(PackModel):
    """An appropriateness rating (1-9) of an imaging study in a clinical scenario."""

    scenario: str
    study: str
    action: Action | None = None
    rating: int = Field(ge=1, le=9)
    text: str
    citations: list[str] = Field(min_length=1)


class Topic(PackModel):
    """A general explanation (what the SI joint is, causes, risks, recovery) with citations."""

    id: str
    title: str
    questions: list[str] = Field(min_length=1)
    clinician: list[Evidence]
    patient: list[Evidence]


class Faq(PackModel):
    """A patient question with its plain answer and a clinician answer."""

    id: str
    question: str
    patient_answer: str
    clinician_answer: str
    citations: list[str] = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)


class Criterion(PackModel):
    """One medical-necessity criterion: met when ``when`` holds, not met when it fails, unknown
    when undocumented. ``documentation`` says what in the record satisfies it; ``applies_when``
    limits it (e.g. repeat-injection criteria only once an injection has been given).

    ``kind``: a ``clinical`` criterion is the guideline's own (the pathway is gated by it, so
    ``evaluate`` never recommends now what it rules out); a ``coverage`` criterion is one payer
    ``policy``'s rule (a source id), reported per policy beside the clinical determination."""

    id: str
    text: str
    documentation: str
    when: ConditionNode
    applies_when: ConditionNode | None = None
    citations: list[str] = Field(min_length=1)
    remedy: str | None = None
    kind: Literal["clinical", "coverage"] = "clinical"
    policy: str | None = None


class Coverage(PackModel):
    """What a payer policy says of a procedure as a whole: ``covered`` true, false (the policy
    does not cover it at all) or null (covered when its coverage criteria are met)."""

    policy: str
    covered: bool | None = None
    text: str


class OrderMatch(PackModel):
    """A drafted order a procedure's criteria apply to: its treatment type, for an injection its
    purpose, and a treatment type that must already have been tried."""

    type: TreatmentType
    purpose: InjectionPurpose | None = None
    after: TreatmentType | None = None

    @property
    def specificity(self) -> int:
        """More conditions make a more specific match."""
        return (self.purpose is not None) + (self.after is not None)


class ProcedureCriteria(PackModel):
    """A procedure or drug start whose necessity can be checked, with its codes and criteria.
    ``actions`` are the pathway actions the criteria gate (a repeat injection is an injection)."""

    id: Procedure
    title: str
    cpt: list[str]
    criteria: list[str] = Field(min_length=1)
    actions: list[Action] = Field(default_factory=list)
    orders: list[OrderMatch] = Field(default_factory=list)
    coverage: list[Coverage] = Field(default_factory=list)
    notes: list[Evidence] = Field(default_factory=list)


class CriteriaFile(PackModel):
    """``criteria.yaml``."""

    criteria: list[Criterion]
    procedures: list[ProcedureCriteria]
    remedy_order: list[Action] = Field(default_factory=list)


LexiconLabel = Literal[
    "DIAGNOSIS",
    "CONDITION",
    "RED_FLAG",
    "DRUG",
    "TREATMENT",
    "TEST",
    "FINDING",
    "SYMPTOM",
    "SITE",
    "LAB",
    "ACTION",
]
QuestionKind = Literal[
    "choose",
    "continue",
    "coverage",
    "procedure_indicated",
    "what_if_fails",
    "imaging",
    "workup",
    "expectation",
    "risks",
    "role",
    "treat",
]
ContextCategory = Literal[
    "NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HYPOTHETICAL", "HISTORICAL", "FAMILY"
]


class LexiconEntry(PackModel):
    """Words users write for one contract value, e.g. ``iritis`` → condition ``recurrent_uveitis``.

    ``value`` is an ICD-10-CM code (DIAGNOSIS), a contract word, or an action word (ACTION);
    ``type`` is the treatment type of a DRUG. ``actions`` are the pathway actions a question means
    when it asks *about* this thing rather than reporting it (``secukinumab`` → ``start_il17i``,
    ``switch_to_il17i``). Each phrase becomes a medspacy target rule of category ``label``,
    matched case-insensitively; ``exact_phrases`` match only as written ("AS", not "as").
    """

    label: LexiconLabel
    value: str
    type: str | None = None
    phrases: list[str] = Field(min_length=1)
    exact_phrases: list[str] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)


class AssertionCue(PackModel):
    """Words that change what a mention asserts, as ConText rules.

    ``category`` is ConText's (negated, possible, hypothetical, historical, family); ``direction``
    says which mentions the cue reaches: FORWARD (after it: "no fever"), BACKWARD (before it:
    "fever ruled out"), BIDIRECTIONAL, PSEUDO (looks like a cue but is not: "no better after"
    reports an outcome, not an absence) or TERMINATE (ends every cue's scope: "history of").
    """

    category: ContextCategory | Literal["PSEUDO", "TERMINATE"]
    direction: Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "PSEUDO", "TERMINATE"]
    phrases: list[str] = Field(min_length=1)


class IntentCue(PackModel):
    """A kind of question and the regular expressions (case-insensitive) that signal it."""

    kind: QuestionKind
    patterns: list[str] = Field(min_length=1)


class LexiconFile(PackModel):
    """``lexicon.yaml``: entries, assertion cues, mention cues and question kinds.

    ``option_cues`` mark a treatment as something the asker is choosing or asking about ("should I
    start", "or"); ``history_cues`` mark it as given ("failed", "on", "for 6 weeks"); a mention
    with neither is the question's subject. ``intents`` are tried in order, the first that
    matches wins. ``assumable_fields`` are details a general answer may state as assumptions
    (disease activity) when the question mentions the history they qualify. ``action_groups``
    name sets of actions the answer composer looks for (imaging, diagnosis, therapy, safety).
    ``in_scope``: words that put a question within the pack's scope; ``definition``: the shape of
    a "what is ..." question.
    """

    entries: list[LexiconEntry]
    assertions: list[AssertionCue] = Field(default_factory=list)
    option_cues: list[str] = Field(default_factory=list)
    report_cues: list[str] = Field(default_factory=list)
    imaging_finding_cues: list[str] = Field(default_factory=list)
    history_lead_cues: list[str] = Field(default_factory=list)
    history_cues: list[str] = Field(default_factory=list)
    intents: list[IntentCue] = Field(default_factory=list)
    in_scope: list[str] = Field(default_factory=list)
    definition: list[str] = Field(default_factory=list)
    assumable_fields: list[str] = Field(default_factory=list)
    action_groups: dict[str, list[Action]] = Field(default_factory=dict)


class Icd10Sets(PackModel):
    """ICD-10-CM prefixes (or blocks "C00-C96"): the tracks they put a case on, the conditions,
    red flags and symptoms they document, and back-pain codes that only put a record in scope."""

    inflammatory: list[str]
    mechanical: list[str]
    implies_condition: dict[Condition, list[str]]
    implies_red_flag: dict[RedFlag, list[str]] = Field(default_factory=dict)
    implies_radicular: list[str] = Field(default_factory=list)
    in_scope: list[str] = Field(default_factory=list)


class SnomedSets(PackModel):
    """SNOMED CT concepts the FHIR reader maps (verified codes only)."""

    diagnoses: dict[str, str] = Field(default_factory=dict)
    in_scope: list[str] = Field(default_factory=list)
    radicular: list[str] = Field(default_factory=list)
    conditions: dict[Condition, list[str]] = Field(default_factory=dict)
    red_flags: dict[RedFlag, list[str]] = Field(default_factory=dict)


class FhirStatusRules(PackModel):
    """Which FHIR statuses make a resource unusable (skipped with a note) or suspected."""

    condition_clinical_skip: list[str]
    condition_verification_skip: list[str]
    condition_verification_suspected: list[str]
    medication_statement_skip: list[str]
    medication_request_skip: list[str]
    medication_request_intent_skip: list[str]
    procedure_usable: list[str]
    observation_usable: list[str]
    report_usable: list[str]


class ScopeRules(PackModel):
    """When a record is in scope for advice (the CDS Hooks relevance gate)."""

    min_age: int = Field(ge=0)
    procedures: list[TreatmentType]


class RecordText(PackModel):
    """Words a free-text procedure must (site_words) or must not (other_sites) contain."""

    site_words: list[str]
    other_sites: list[str]


class TreatmentClasses(PackModel):
    """Treatment types grouped as the engine reads them."""

    nsaids: list[TreatmentType]
    conservative: list[TreatmentType]
    advanced: list[TreatmentType]
    interventional: list[TreatmentType]


class ImagingSets(PackModel):
    """Findings that make a region a competing pain source."""

    spine_sources: list[Finding]
    hip_sources: list[Finding]


class LoincSets(PackModel):
    """LOINC codes of the observations the FHIR reader maps."""

    pain_nrs: list[str]
    crp: list[str]
    esr: list[str]
    sij_imaging: list[str] = Field(default_factory=list)
    sij_injection_guidance: list[str] = Field(default_factory=list)


class ValueSets(PackModel):
    """``valuesets.yaml``: the code and word sets shared by the engine and the FHIR reader."""

    icd10cm: Icd10Sets
    treatment_classes: TreatmentClasses
    imaging: ImagingSets
    cpt: dict[str, TreatmentType]
    cpt_image_guided: list[str] = Field(default_factory=list)
    loinc: LoincSets
    snomed: SnomedSets
    rxnorm: dict[str, str]
    fhir: FhirStatusRules
    scope: ScopeRules
    record_text: RecordText


class HookService(PackModel):
    """A CDS Hooks service: its hook and what it gives (an assessment or necessity criteria)."""

    id: str
    hook: Literal["patient-view", "order-select", "order-sign"]
    title: str
    description: str
    gives: Literal["assessment", "necessity"]


class HooksFile(PackModel):
    """``hooks.yaml``: the CDS Hooks services and their prefetch templates."""

    services: list[HookService] = Field(min_length=1)
    prefetch: dict[str, str]


class SourcesFile(PackModel):
    """``sources.yaml``."""

    pack: str
    version: str
    title: str
    kinds: dict[SourceKind, str]
    sources: list[Source]

    @model_validator(mode="after")
    def _every_kind_labelled(self) -> SourcesFile:
        missing = set(get_args(SourceKind)) - set(self.kinds)
        if missing:
            raise ValueError(f"kinds: no label for {', '.join(sorted(missing))}")
        return self


class RecommendationsFile(PackModel):
    """``recommendations.yaml``."""

    recommendations: list[Recommendation]


class ImagingFile(PackModel):
    """``imaging.yaml``."""

    ratings: list[ImagingRating]


class TopicsFile(PackModel):
    """``topics.yaml``."""

    topics: list[Topic]
    faq: list[Faq]


class Pack(PackModel):
    """The whole validated pack, with cross-reference checks."""

    pack: str
    version: str
    title: str
    sources: dict[str, Source]
    source_kinds: dict[str, str] = Field(default_factory=dict)
    recommendations: dict[str, Recommendation]
    pathway: Pathway
    imaging: list[ImagingRating]
    topics: list[Topic]
    faq: list[Faq]
    criteria: dict[str, Criterion] = Field(default_factory=dict)
    procedures: dict[str, ProcedureCriteria] = Field(default_factory=dict)
    remedy_order: list[Action] = Field(default_factory=list)
    disagreements: list[Disagreement] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> Pack:
        problems = list(_dangling_references(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _citations(pack: Pack) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for rec in pack.recommendations.values():
        found.append((f"recommendation {rec.id}", rec.citations))
        found += [(f"recommendation {rec.id} evidence", ev.citations) for ev in rec.evidence]
    found += [(f"warning {w.code}", w.citations) for w in pack.pathway.warnings]
    found += [(f"imaging {r.study}", r.citations) for r in pack.imaging]
    for topic in pack.topics:
        found += [(f"topic {topic.id}", ev.citations) for ev in topic.clinician + topic.patient]
    found += [(f"faq {f.id}", f.citations) for f in pack.faq]
    found += [(f"criterion {c.id}", c.citations) for c in pack.criteria.values()]
    for procedure in pack.procedures.values():
        found += [(f"procedure {procedure.id} note", n.citations) for n in procedure.notes]
    for disagreement in pack.disagreements:
        found += [(f"disagreement {disagreement.id}", s.citations) for s in disagreement.sides]
    return found


def _dangling_references(pack: Pack) -> list[str]:
    problems = [
        f"{where} cites unknown source {cid!r}"
        for where, ids in _citations(pack)
        for cid in ids
        if cid not in pack.sources
    ]
    gate_rules = [g.primary for g in pack.pathway.gates] + [pack.pathway.fallback_primary or ""]
    problems += [
        f"pathway gate or fallback names unknown recommendation {rid!r}"
        for rid in gate_rules
        if rid and rid not in pack.recommendations
    ]
    for stage in pack.pathway.stages:
        named = stage.primary + stage.alternatives + stage.adjuncts
        named += stage.next_if_fails + stage.avoid
        problems += [
            f"stage {stage.id} names unknown recommendation {rid!r}"
            for rid in named
            if rid not in pack.recommendations
        ]
    problems += [
        f"procedure {p.id} names unknown criterion {cid!r}"
        for p in pack.procedures.values()
        for cid in p.criteria
        if cid not in pack.criteria
    ]
    problems += [
        f"criterion {c.id}: a coverage criterion names its policy (a source id)"
        for c in pack.criteria.values()
        if c.kind == "coverage" and c.policy not in pack.sources
    ]
    problems += [
        f"procedure {p.id}: coverage policy {c.policy!r} is not a source"
        for p in pack.procedures.values()
        for c in p.coverage
        if c.policy not in pack.sources
    ]
    for c in pack.criteria.values():
        if c.remedy is None:
            continue
        rule = pack.recommendations.get(c.remedy)
        if rule is None:
            problems.append(f"criterion {c.id}: remedy names unknown recommendation {c.remedy!r}")
        elif rule.action not in pack.remedy_order:
            problems.append(f"criterion {c.id}: action {rule.action!r} is not in remedy_order")
    for rec in pack.recommendations.values():
        if rec.direction == "for" and rec.action not in RECOMMEND_ACTIONS:
            problems.append(f"recommendation {rec.id}: {rec.action!r} is an avoid-only action")
    return problems


for _model in (
    All,
    AnyOf,
    Not,
    Ask,
    Criterion,
    Disagreement,
    Gate,
    Pathway,
    Recommendation,
    Stage,
    Warning,
):
    _model.model_rebuild()
