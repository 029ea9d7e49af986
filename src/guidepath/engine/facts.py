"""Derive the flat fact map the condition trees read from a Case.

Fact names are dotted (``nsaid.failed_weeks``). ``None`` means unknown: a whole group is unknown
when its case field is absent (no ``treatments`` → every treatment fact is ``None``), while an
empty list is a documented "none". Counts that are only partly documented are :class:`Range` values.
Thresholds (what counts as a positive block, a lasting relief...) come from the pack, not the code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any, NamedTuple

from guidepath.case import Case, Imaging, Treatment
from guidepath.engine.activity import summarize_activity
from guidepath.engine.conditions import Range
from guidepath.engine.phenotype import classify_phenotype, code_conditions, code_red_flags
from guidepath.knowledge.loader import value_sets
from guidepath.vocabulary import CONDITIONS, RED_FLAGS

FAILED = frozenset(
    {"partial", "inadequate", "primary_nonresponse", "secondary_nonresponse", "intolerance"}
)


def _in(group: str) -> Callable[[Treatment], bool]:
    """A test: is a treatment of this class of ``valuesets.yaml``?"""
    return lambda t: t.type in getattr(_kinds(), group)


Thresholds = Mapping[str, float]


def derive_facts(case: Case, thresholds: Thresholds) -> dict[str, Any]:
    """All facts for one case (see the module docstring for the conventions)."""
    facts: dict[str, Any] = {}
    _direct(case, facts)
    _condition_facts(case, facts)
    _red_flag_facts(case, facts)
    _suspicion_facts(case, facts)
    facts["pain.onset_age"] = _onset_age(case)
    _imaging_facts(case.imaging, facts)
    _provocation_facts(case, facts)
    _activity_facts(case, facts)
    if case.treatments is not None:
        _treatment_facts(case.treatments, thresholds, facts)
        if "treatments" in (case.partial_lists or ()):
            _unknown_where_unlisted(case.treatments, facts)
    facts["labs.crp_elevated"] = _above(facts.get("labs.crp_mg_l"), thresholds["crp_elevated_mg_l"])
    facts["phenotype"] = classify_phenotype(case.diagnoses, facts)
    facts["track.inflammatory"] = {"inflammatory": True, "mechanical": False}.get(
        facts["phenotype"]
    )
    return facts


# Treatment fact groups and the treatment types they are derived from.
TREATMENT_GROUPS: dict[str, Callable[[Treatment], bool]] = {
    "nsaid.": _in("nsaids"),
    "conservative.": _in("conservative"),
    "nonoperative.": lambda t: _in("conservative")(t) or _in("interventional")(t),
    "tnfi.": _in("advanced"),
    "il17i.": _in("advanced"),
    "jaki.": _in("advanced"),
    "biologic.": _in("advanced"),
    "blocks.": lambda t: t.type == "sij_injection" and t.purpose == "diagnostic",
    "therapeutic.": lambda t: t.type == "sij_injection" and t.purpose != "diagnostic",
    "injections.": lambda t: t.type == "sij_injection" and t.purpose != "diagnostic",
    "rfa.": lambda t: t.type == "rfa",
}


def _unknown_where_unlisted(treatments: list[Treatment], facts: dict[str, Any]) -> None:
    """A partial list says nothing about kinds of treatment it does not mention: their facts
    (none tried, 0 weeks) become unknown instead of documented absences."""
    for prefix, listed in TREATMENT_GROUPS.items():
        if not any(listed(t) for t in treatments):
            for name in [n for n in facts if n.startswith(prefix)]:
                facts[name] = None


def _above(value: float | None, limit: float) -> bool | None:
    return None if value is None else value > limit


def _direct(case: Case, facts: dict[str, Any]) -> None:
    for group in ("patient", "pain", "labs", "scores"):
        model = getattr(case, group)
        if model is not None:
            for name, value in model.__dict__.items():
                facts[f"{group}.{name}"] = value
    facts["diagnoses"] = case.diagnoses
    facts["conditions"] = case.conditions
    facts["red_flags"] = case.red_flags


CONDITION_FACTS = {name: f"condition.{name}" for name in CONDITIONS}
RED_FLAG_FACTS = {name: f"red_flag.{name}" for name in RED_FLAGS}
SUSPICION_FACTS = {
    "axial_spondyloarthritis": "suspected.axspa",
    "sacroiliac_joint_pain": "suspected.sij_pain",
}


def _listed_facts(
    names: dict[str, str],
    present: set[str],
    complete: bool,
    absent: set[str],
    facts: dict[str, Any],
) -> None:
    """One fact per word of a list: listed → True; a complete list makes the others False, a
    partial list (``partial_lists``) leaves them unknown unless ``absent`` denies them."""
    for name, fact in names.items():
        if name in present:
            facts[fact] = True
        elif complete or name in absent:
            facts[fact] = False


def _is_complete(case: Case, key: str) -> bool:
    return getattr(case, key) is not None and key not in (case.partial_lists or ())


def _condition_facts(case: Case, facts: dict[str, Any]) -> None:
    """``condition.<name>``: listed, or implied by a diagnosis code (K50 → ibd)."""
    present: set[str] = set(case.conditions or ())
    for code in case.diagnoses or ():
        present.update(code_conditions(code))
    complete = _is_complete(case, "conditions")
    _listed_facts(CONDITION_FACTS, present, complete, set(case.absent or ()), facts)


def _red_flag_facts(case: Case, facts: dict[str, Any]) -> None:
    """``red_flag.<name>`` and ``red_flags.any``, with the same complete/partial rule; a diagnosis
    code may document a red flag (a malignant neoplasm: history of cancer)."""
    implied = {flag for code in case.diagnoses or () for flag in code_red_flags(code)}
    if case.red_flags is None and not case.absent and not implied:
        return
    flags: set[str] = set(case.red_flags or ()) | implied
    complete = _is_complete(case, "red_flags")
    _listed_facts(RED_FLAG_FACTS, flags, complete, set(case.absent or ()), facts)
    facts["red_flags.any"] = True if flags else (False if complete else None)


def _onset_age(case: Case) -> float | Range | None:
    """Age when the pain began: age minus its duration; with no duration, somewhere up to now."""
    age = case.patient.age if case.patient else None
    if age is None:
        return None
    weeks = case.pain.duration_weeks if case.pain else None
    if weeks is None:
        return Range(0, age)
    return max(0.0, age - weeks / 52.18)


def _suspicion_facts(case: Case, facts: dict[str, Any]) -> None:
    """``suspected.<name>``: True when the case says it is suspected; unknown otherwise."""
    for name in case.suspected or ():
        facts[SUSPICION_FACTS[name]] = True


def _provocation_facts(case: Case, facts: dict[str, Any]) -> None:
    """Positive provocation tests as a Range: tests not done could still be positive."""
    tests = case.exam.provocation_tests if case.exam else None
    if tests is None:
        return
    results = list(tests.__dict__.values())  # each test: True, False or None (not done)
    positive, not_done = results.count(True), results.count(None)
    if positive + results.count(False) == 0:
        return
    facts["provocation.positive"] = (
        positive if not_done == 0 else Range(positive, positive + not_done)
    )


def _activity_facts(case: Case, facts: dict[str, Any]) -> None:
    """Disease activity from recorded scores, or computed from their items (see activity.py)."""
    summary = summarize_activity(case)
    if summary is None:
        return
    facts["activity.asdas"] = summary.asdas
    facts["activity.basdai"] = summary.basdai
    facts["activity.improvement"] = summary.improvement
    facts["activity.summary"] = summary


def _imaging_facts(studies: list[Imaging] | None, facts: dict[str, Any]) -> None:
    if studies is None:
        return
    sij = [s for s in studies if s.region in ("sij", "pelvis")]
    sij_findings = {f for s in sij for f in s.findings}
    facts["imaging.sij_done"] = bool(sij)
    facts["imaging.sij_xray"] = any(s.modality == "xray" for s in sij)
    facts["imaging.sij_mri"] = any(s.modality == "mri" and s.region == "sij" for s in sij)
    facts["imaging.sij_ct"] = any(s.modality == "ct" for s in sij)
    facts["imaging.sij_inflammation"] = any(
        s.modality == "mri" and "bone_marrow_edema" in s.findings for s in sij
    )
    facts["imaging.sij_definite"] = bool(
        sij_findings & {"erosions", "ankylosis", "sacroiliitis"}
        or facts["imaging.sij_inflammation"]
    )
    facts["imaging.sij_possible"] = bool(
        sij_findings & {"sclerosis", "joint_space_narrowing", "equivocal"}
    )
    facts["imaging.fracture"] = any("fracture" in s.findings for s in studies)
    sets = value_sets().imaging
    facts["imaging.spine_clear"] = _region_clear(studies, "spine", sets.spine_sources)
    facts["imaging.hip_clear"] = _region_clear(studies, "hip", sets.hip_sources)


def _region_clear(studies: Iterable[Imaging], region: str, sources: Iterable[str]) -> bool | None:
    """True when the region was imaged without a competing pain source; None when not imaged."""
    found = [s for s in studies if s.region == region]
    if not found:
        return None
    return not any(set(s.findings) & set(sources) for s in found)


class _Kinds(NamedTuple):
    """The treatment classes of ``valuesets.yaml`` as sets, to sort a treatment list in one pass;
    ``advanced`` keeps the pack's order and the names of each kind's count facts."""

    nsaids: frozenset[str]
    conservative: frozenset[str]
    advanced: frozenset[str]
    interventional: frozenset[str]
    advanced_counts: tuple[tuple[str, str, str], ...]


@cache
def _kinds() -> _Kinds:
    classes = value_sets().treatment_classes
    return _Kinds(
        frozenset(classes.nsaids),
        frozenset(classes.conservative),
        frozenset(classes.advanced),
        frozenset(classes.interventional),
        tuple((kind, f"{kind}.count", f"{kind}.failed_count") for kind in classes.advanced),
    )


def _treatment_facts(
    treatments: list[Treatment], limits: Thresholds, facts: dict[str, Any]
) -> None:
    kinds = _kinds()
    nsaids: list[Treatment] = []
    conservative: list[Treatment] = []
    advanced: list[Treatment] = []
    interventional: list[Treatment] = []
    injections: list[Treatment] = []
    ablations: list[Treatment] = []
    for item in treatments:  # each treatment into every group its type belongs to
        kind = item.type
        if kind in kinds.conservative:
            conservative.append(item)
            if kind in kinds.nsaids:
                nsaids.append(item)
        if kind in kinds.advanced:
            advanced.append(item)
        if kind in kinds.interventional:
            interventional.append(item)
        if kind == "sij_injection":
            injections.append(item)
        elif kind == "rfa":
            ablations.append(item)
    _nsaid_facts(nsaids, facts)
    facts["conservative.failed_weeks"] = _weeks_max(
        [t for t in conservative if t.outcome in FAILED]
    )
    _advanced_therapy_facts(advanced, kinds, facts)
    _response_from_asdas(facts, limits)
    _block_facts(injections, limits, facts)
    _therapeutic_injection_facts(injections, limits, facts)
    _rfa_facts(ablations, limits, facts)
    facts["nonoperative.months"] = _nonoperative_months(
        conservative, interventional, limits["weeks_per_month"]
    )


def _weeks_total(items: list[Treatment]) -> float | Range:
    known = sum(t.weeks for t in items if t.weeks is not None)
    return known if all(t.weeks is not None for t in items) else Range(known, math.inf)


def _weeks_max(items: list[Treatment]) -> float | Range:
    known = max((t.weeks for t in items if t.weeks is not None), default=0.0)
    return known if all(t.weeks is not None for t in items) else Range(known, math.inf)


def _nsaid_facts(nsaids: list[Treatment], facts: dict[str, Any]) -> None:
    failed = [t for t in nsaids if t.outcome in FAILED]
    named = len({t.agent for t in failed if t.agent})
    unnamed = sum(1 for t in failed if not t.agent)
    # An unnamed record ("NSAIDs failed") stands for at least one NSAID, maybe more.
    facts["nsaid.count_failed"] = named if not unnamed else Range(named + unnamed, math.inf)
    facts["nsaid.failed_weeks"] = _weeks_total(failed)
    outcomes = {t.outcome for t in nsaids}
    facts["nsaid.intolerance"] = "intolerance" in outcomes
    facts["nsaid.good"] = "good" in outcomes


def _advanced_therapy_facts(
    advanced: list[Treatment], kinds: _Kinds, facts: dict[str, Any]
) -> None:
    """TNFi / IL-17i / JAKi history: first TNFi response, failed mechanisms, current therapy."""
    counts = dict.fromkeys(kinds.advanced, 0)
    failed_counts = dict.fromkeys(kinds.advanced, 0)
    failed_kinds: set[str] = set()
    tnfis: list[Treatment] = []
    for item in advanced:
        counts[item.type] += 1
        if item.outcome in FAILED:
            failed_counts[item.type] += 1
            if item.outcome != "intolerance":
                failed_kinds.add(item.type)
        if item.type == "tnfi":
            tnfis.append(item)
    for kind, count_fact, failed_fact in kinds.advanced_counts:
        facts[count_fact] = counts[kind]
        facts[failed_fact] = failed_counts[kind]
    facts["tnfi.first_outcome"] = tnfis[0].outcome if tnfis else "none"
    facts["tnfi.latest_outcome"] = tnfis[-1].outcome if tnfis else "none"
    facts["tnfi.latest_weeks"] = tnfis[-1].weeks if tnfis else None
    facts["tnfi.nonresponse_type"] = (
        tnfis[-1].outcome
        if tnfis and tnfis[-1].outcome in ("primary_nonresponse", "secondary_nonresponse")
        else None
    )
    facts["biologic.failed_kinds"] = failed_kinds
    facts["biologic.failed_classes"] = len(failed_kinds)
    latest = advanced[-1] if advanced else None
    current = next((t for t in reversed(advanced) if t.current), latest)
    facts["biologic.tried"] = bool(advanced)
    facts["biologic.latest_class"] = latest.type if latest else "none"
    facts["biologic.current_outcome"] = (current.outcome or None) if current else "none"
    facts["biologic.current_weeks"] = current.weeks if current else None


def _response_from_asdas(facts: dict[str, Any], limits: Thresholds) -> None:
    """A b/tsDMARD on for ≥12 weeks with no recorded outcome is judged: by the ASDAS change
    when there is one (a clinically important improvement, ≥1.1, is a good response), otherwise
    high activity still present (ASDAS ≥2.1 or BASDAI ≥4) is an inadequate response."""
    weeks = facts.get("biologic.current_weeks")
    if facts.get("biologic.current_outcome") is not None or weeks is None:
        return
    if weeks < limits["biologic_response_weeks"]:
        return
    improvement = facts.get("activity.improvement")
    if improvement is not None:
        outcome = "inadequate" if improvement == "no_important_improvement" else "good"
    elif _still_active(facts, limits):
        outcome = "inadequate"
    else:
        return
    facts["biologic.current_outcome"] = outcome
    kind = facts.get("biologic.latest_class")
    if kind == "tnfi":
        facts["tnfi.latest_outcome"] = outcome
    if outcome == "inadequate" and kind in _kinds().advanced:
        facts[f"{kind}.failed_count"] += 1  # judged failed now, like a recorded failure
        facts["biologic.failed_classes"] = len(facts["biologic.failed_kinds"] | {kind})


def _still_active(facts: dict[str, Any], limits: Thresholds) -> bool:
    asdas, basdai = facts.get("activity.asdas"), facts.get("activity.basdai")
    return (asdas is not None and asdas >= limits["asdas_active"]) or (
        basdai is not None and basdai >= limits["basdai_active"]
    )


def _counted(sure: int, undocumented: int) -> int | Range:
    """A count known exactly, or a range when some items could not be judged."""
    return sure if undocumented == 0 else Range(sure, sure + undocumented)


def _block_facts(injections: list[Treatment], limits: Thresholds, facts: dict[str, Any]) -> None:
    """Diagnostic blocks: positive at ≥75% relief of the index pain, negative below 50%. Only an
    image-guided block is diagnostic: one documented as unguided is not counted, and one whose
    guidance is not recorded may or may not count (a range)."""
    positive, negative = limits["block_positive_pct"], limits["block_negative_pct"]
    count = unguided = sure_positive = could_be_positive = below = between = undocumented = 0
    for t in injections:
        if t.purpose != "diagnostic":
            continue
        if t.image_guided is False:
            unguided += 1
            continue
        count += 1
        relief = t.relief_pct
        if relief is None:
            undocumented += 1
        elif relief >= positive:
            could_be_positive += 1
            sure_positive += 1 if t.image_guided else 0
        elif relief < negative:
            below += 1
        else:
            between += 1
    facts["blocks.count"] = count
    facts["blocks.unguided"] = unguided
    # Positive: known image-guided with enough relief, up to those that could be.
    could_be_positive += undocumented
    facts["blocks.positive"] = (
        sure_positive
        if sure_positive == could_be_positive
        else Range(sure_positive, could_be_positive)
    )
    facts["blocks.negative"] = _counted(below, undocumented)
    facts["blocks.indeterminate"] = _counted(between, undocumented)


def _chronological(items: list[Treatment]) -> list[Treatment]:
    """Oldest first: by ``months_ago`` when every item has it, else in the order given."""
    if all(t.months_ago is not None for t in items):
        return sorted(items, key=lambda t: -(t.months_ago or 0.0))
    return items


def _lasting_relief(item: Treatment, pct: float, weeks: float) -> bool | None:
    """≥pct relief lasting ≥weeks: True / False, or None when the relief is undocumented.
    A procedure recorded as failed (e.g. "the injection did not work") did not give it."""
    if item.outcome in FAILED:
        return False
    if item.relief_pct is not None and item.relief_pct < pct:
        return False
    if item.relief_weeks is not None and item.relief_weeks < weeks:
        return False
    if item.relief_pct is None or item.relief_weeks is None:
        return None
    return True


def _last_relief_facts(
    prefix: str, items: list[Treatment], pct: float, weeks: float, facts: dict[str, Any]
) -> Treatment | None:
    """``<prefix>.count``, ``.last_success`` and ``.failed`` for the latest of a kind of procedure.
    With none done, nothing succeeded or failed (False, not unknown)."""
    facts[f"{prefix}.count"] = len(items)
    last = items[-1] if items else None
    success = _lasting_relief(last, pct, weeks) if last else False
    facts[f"{prefix}.last_success"] = success
    facts[f"{prefix}.failed"] = None if success is None else bool(last) and not success
    return last


def _therapeutic_injection_facts(
    injections: list[Treatment], limits: Thresholds, facts: dict[str, Any]
) -> None:
    shots = _chronological([t for t in injections if t.purpose == "therapeutic"])
    last = _last_relief_facts(
        "therapeutic", shots, limits["repeat_relief_pct"], limits["repeat_relief_weeks"], facts
    )
    facts["therapeutic.last_relief_pct"] = last.relief_pct if last else None
    facts["therapeutic.last_relief_weeks"] = last.relief_weeks if last else None
    recent = sum(1 for t in shots if t.months_ago is not None and t.months_ago <= 12)
    undated = sum(1 for t in shots if t.months_ago is None)
    facts["injections.last_12m"] = _counted(recent, undated)


def _rfa_facts(ablations: list[Treatment], limits: Thresholds, facts: dict[str, Any]) -> None:
    _last_relief_facts(
        "rfa",
        _chronological(ablations),
        limits["rfa_relief_pct"],
        limits["rfa_relief_weeks"],
        facts,
    )


def _nonoperative_months(
    conservative: list[Treatment], interventional: list[Treatment], weeks_per_month: float
) -> float | Range:
    """How long non-operative care has gone on: the longest conservative course or the oldest
    injection/ablation, whichever reaches further back."""
    longest = _weeks_max(conservative)
    low = longest.low if isinstance(longest, Range) else longest
    months = max([low / weeks_per_month] + [t.months_ago for t in interventional if t.months_ago])
    return Range(months, math.inf) if isinstance(longest, Range) else months
