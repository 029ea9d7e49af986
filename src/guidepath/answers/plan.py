"""What an answer leads with, for the kind of question asked.

The engine gives the pathway's view of a case; a question may ask something narrower. Each kind
is answered from the same engine, then the item that answers the question is put first:

- ``choose``: the stage that offers one of the options; the option it supports leads, and each
  option is said to be supported, advised against or not offered now;
- ``continue``: the stage that continues the current drug, when the case allows it;
- ``procedure_indicated``: the necessity determination; when a criterion is documented as failed,
  its remedy leads (other pain sources before confirming blocks), otherwise the procedure itself,
  with the criteria still to document;
- ``role`` / ``risks`` / ``expectation``: the first stage of the disease course that offers what
  is asked about (a drug, procedure, action, or a condition that changes the pathway);
- ``imaging`` / ``workup``: the diagnostic step (the imaging named, or the next study);
- otherwise the patient's stage, or the first stage left open only by details the question
  mentions without giving (stated as assumptions); a treatment question about a patient whose
  diagnosis is still open leads with the symptomatic therapy that goes with the work-up.

An answer never leads with something the same assessment advises against, and an urgent
evaluation for red flags is never displaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from guidepath.case import Case
from guidepath.engine.compiled import compiled_pack
from guidepath.engine.locate import locate, rules_reading
from guidepath.engine.models import Assessment, AvoidItem, RecommendationItem
from guidepath.engine.necessity import Determination, check_necessity, remedy_for
from guidepath.engine.pathway import evaluate, recommendation_item, with_role
from guidepath.language.intents import asks_for_treatment, procedures_asked
from guidepath.language.mentions import Mention
from guidepath.language.nlp import lexicon_file
from guidepath.language.reading import Reading
from guidepath.vocabulary import RECOMMEND_ACTIONS

ROLE_PREFERENCE = ("primary", "diagnostic", "adjunct", "monitoring", "alternative")


@dataclass(frozen=True)
class Verdict:
    """What the answer says of one option or subject the question names: ``status`` is
    "supported (<role>)", "advised against" or "not offered at this point of the pathway",
    with the statement behind it (both wordings) and its sources."""

    option: str
    status: str
    text: str = ""
    patient_text: str = ""
    citations: tuple[str, ...] = ()

    @property
    def against(self) -> bool:
        return self.status == "advised against"

    def line(self, audience: str = "clinician") -> str:
        """ "secukinumab: advised against - <why>", in the audience's words."""
        said = self.patient_text if audience == "patient" and self.patient_text else self.text
        return f"{self.option}: {self.status} - {said}" if said else f"{self.option}: {self.status}"


@dataclass
class Plan:
    """The assessment an answer is built on, and what it leads with."""

    assessment: Assessment
    determination: Determination | None = None
    assumptions: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    advised_against: list[Verdict] = field(default_factory=list)


def group(name: str) -> frozenset[str]:
    """A named set of actions from the lexicon (imaging, diagnosis, therapy, safety)."""
    return frozenset(lexicon_file().action_groups.get(name, ()))


def _mentioned(case: Case) -> set[str]:
    given = {name for name, value in case if value is not None}
    return given | set(lexicon_file().assumable_fields)


def _scenario(
    case: Case, actions: Iterable[str] | None, *, course: bool, primary_only: bool = False
) -> Plan | None:
    """The assessment at the stage that offers ``actions`` (see engine.locate)."""
    wanted = None if actions is None else [a for a in actions if a in RECOMMEND_ACTIONS]
    if wanted is not None and not wanted:
        return None
    found = locate(
        case, wanted, course=course, mentioned=_mentioned(case), primary_only=primary_only
    )
    if found is None:
        return None
    focus = frozenset(wanted or ())
    if found.holds and not course:  # the patient's own stage: the engine's full assessment
        return Plan(evaluate(case, focus=focus))
    assessment = evaluate(case, at_stage=found.stage, focus=focus)
    return Plan(assessment, assumptions=[] if found.holds else list(found.assumptions))


def _patient(case: Case) -> Plan:
    """This patient's stage, or the first stage open only for unstated details."""
    return _scenario(case, None, course=False) or Plan(evaluate(case))


def _now(assessment: Assessment) -> list[RecommendationItem]:
    return [r for r in assessment.recommendations if r.role != "next_if_fails"]


def _best(assessment: Assessment, actions: Iterable[str]) -> RecommendationItem | None:
    """Among recommendations for these actions, the one in the most immediate role."""
    wanted = list(actions)
    found = [r for r in _now(assessment) if r.action in wanted]
    found.sort(key=lambda r: (ROLE_PREFERENCE.index(r.role), wanted.index(r.action)))
    return found[0] if found else None


def lead_with(plan: Plan, item: RecommendationItem | None) -> Plan:
    """Put ``item`` first as the primary; the former primary stays, as diagnostic or adjunct.
    Refused when the item is advised against, or when the primary is a safety step."""
    assessment = plan.assessment
    recs = assessment.recommendations
    primary = next((r for r in recs if r.role == "primary"), None)
    if item is None or (primary is not None and primary.action == item.action):
        return plan
    if item.action in {a.action for a in assessment.avoid}:
        return plan
    if primary is not None and primary.action in group("safety"):
        return plan
    kept: list[RecommendationItem] = [with_role(item, "primary")]
    for rec in recs:
        if rec.action == item.action:
            continue
        if rec.role == "primary":
            rec = with_role(rec, "diagnostic" if rec.action in group("diagnosis") else "adjunct")
        kept.append(rec)
    plan.assessment = assessment.model_copy(update={"recommendations": kept})
    return plan


def _rule_item(rule_id: str, why: list[str]) -> RecommendationItem:
    return recommendation_item(compiled_pack().rules[rule_id], "primary", why)


def _choose(case: Case, reading: Reading) -> Plan:
    actions = [a for m in reading.options for a in m.actions] + reading.subject_actions()
    plan = (
        _scenario(case, actions, course=False)
        or _scenario(case, actions, course=True)
        or _patient(case)
    )
    return lead_with(plan, _best(plan.assessment, actions))


def _verdicts(assessment: Assessment, asked: list[Mention]) -> list[Verdict]:
    """One verdict per option: supported now, advised against, or not offered at this point."""
    now = {r.action: r for r in _now(assessment)}
    avoided = {a.action: a for a in assessment.avoid}
    verdicts = []
    for option in asked:
        hit = next((now[a] for a in option.actions if a in now), None)
        against = next((avoided[a] for a in option.actions if a in avoided), None)
        if against is not None:
            verdicts.append(_said(option.text, "advised against", against))
        elif hit is None and not set(option.actions) & RECOMMEND_ACTIONS:
            verdicts.append(
                Verdict(option.text, "advised against", "not recommended for this indication")
            )
        elif hit is not None:
            verdicts.append(_said(option.text, f"supported ({hit.role.replace('_', ' ')})", hit))
        else:
            verdicts.append(Verdict(option.text, "not offered at this point of the pathway"))
    return verdicts


def _said(option: str, status: str, item: RecommendationItem | AvoidItem) -> Verdict:
    return Verdict(option, status, item.text, item.patient_text, tuple(item.citations))


def _continue(case: Case) -> Plan | None:
    """The stage that continues the current drug; ``None`` when the case allows none."""
    actions = ["continue_current_therapy"]
    plan = _scenario(case, actions, course=False)
    return None if plan is None else lead_with(plan, _best(plan.assessment, actions))


def _necessity(case: Case, reading: Reading, general: bool) -> Plan:
    asked = procedures_asked(reading)
    located = None
    if general:
        located = _scenario(case, asked, course=True, primary_only=True) or _scenario(
            case, asked, course=True
        )
    plan = located or _patient(case)
    offered = [a for a in asked if any(r.action == a for r in plan.assessment.recommendations)]
    procedure = (offered or asked)[0]
    determination = check_necessity(procedure, case)
    plan.determination = determination
    remedy = remedy_for(determination)
    if remedy is not None:
        failed = [c.text for c in determination.criteria if c.status == "not_met"]
        return lead_with(plan, _rule_item(remedy, [f"not met: {t}" for t in failed]))
    if _best(plan.assessment, [procedure]) is None:
        if not general:  # this patient's pathway step leads; the criteria say what to document
            return plan
        focused = _scenario(case, [procedure], course=True)
        if focused is not None:
            focused.determination, plan = determination, focused
    return lead_with(plan, _best(plan.assessment, [procedure]))


def _subject_actions(case: Case, reading: Reading, kind: str) -> list[str]:
    """What a role question asks about: named actions, what its conditions change, or (for
    results and risks) the treatment it reports as given."""
    actions = [a for a in reading.subject_actions() if a in RECOMMEND_ACTIONS]
    if actions:
        return actions
    conditions = [f"condition.{c}" for c in case.conditions or ()]
    if conditions:
        return rules_reading(compiled_pack(), conditions)
    if kind == "role":
        return []
    return [a for a in reading.given_actions() if a in RECOMMEND_ACTIONS]


def _role(case: Case, reading: Reading, kind: str) -> Plan:
    actions = _subject_actions(case, reading, kind)
    named = [a for a in reading.named_actions() if a in RECOMMEND_ACTIONS]
    preferred = (_scenario(case, [action], course=True) for action in actions)
    plan = (
        _scenario(case, named, course=True)
        or next((p for p in preferred if p is not None), None)
        or _patient(case)
    )
    actions = named + [a for a in actions if a not in named]
    if kind == "risks":
        safety = _best(plan.assessment, group("safety"))
        if safety is not None:
            return lead_with(plan, safety)
    item = _best(plan.assessment, actions)
    if item is not None and item.role in ("alternative", "next_if_fails"):
        return plan  # the stage's own first choice stays first; the subject is an option
    return lead_with(plan, item)


def _diagnostic(case: Case, reading: Reading, kind: str) -> Plan:
    suspected = case.suspected or []
    if "sacroiliac_joint_pain" in suspected and "axial_spondyloarthritis" not in suspected:
        plan = _scenario(case, ["diagnostic_sij_block"], course=True) or _patient(case)
    else:
        plan = _patient(case)
    named = [a for a in reading.subject_actions() if a in group("imaging")]
    if kind == "imaging":
        item = _best(plan.assessment, named)
        if item is None and named:
            focused = _scenario(case, named, course=True)
            if focused is not None:
                plan, item = focused, _best(focused.assessment, named)
        return lead_with(plan, item or _best(plan.assessment, _ordered("imaging")))
    primary = next((r for r in plan.assessment.recommendations if r.role == "primary"), None)
    if primary is not None and primary.action in group("diagnosis"):
        return plan
    return lead_with(plan, _best(plan.assessment, _ordered("diagnosis")))


def _ordered(name: str) -> list[str]:
    return list(lexicon_file().action_groups.get(name, ()))


def _established(case: Case) -> bool:
    """A diagnosis on the case (not only suspected)."""
    return bool(case.diagnoses)


def plan_answer(intent: str, question: str, case: Case, reading: Reading, general: bool) -> Plan:
    """The assessment and lead for one question (see the module docstring), with a verdict
    on each option or subject the question names."""
    plan = _plan(intent, question, case, reading, general)
    asked = [m for m in reading.options + reading.subjects if m.label != "ACTION" and m.actions]
    if asked:
        plan.verdicts = _verdicts(plan.assessment, asked)
        against = [verdict for verdict in plan.verdicts if verdict.against]
        if len(against) == len(asked) and intent != "procedure_indicated":
            plan.advised_against = against
    return plan


def _plan(intent: str, question: str, case: Case, reading: Reading, general: bool) -> Plan:
    if intent == "choose":
        return _choose(case, reading)
    if intent == "continue":
        continued = _continue(case)
        if continued is not None:
            return continued
    if intent == "procedure_indicated":
        return _necessity(case, reading, general)
    if intent in ("role", "risks", "expectation"):
        return _role(case, reading, intent)
    if intent == "imaging" or (intent == "workup" and not _established(case)):
        return _diagnostic(case, reading, intent)
    if asks_for_treatment(question) and case.conditions and general:
        return _role(case, reading, "role")
    plan = _patient(case)
    if asks_for_treatment(question) and plan.assessment.phenotype == "undetermined":
        primary = next((r for r in plan.assessment.recommendations if r.role == "primary"), None)
        if primary is None or primary.action not in group("therapy"):
            return lead_with(plan, _best(plan.assessment, _ordered("therapy")))
    return plan
