"""Where on the care pathway a question's subject comes up, for questions about a scenario.

``evaluate`` finds *this patient's* stage: the first whose conditions hold. A question often asks
about something else: "what is the role of JAK inhibitors?", "etanercept or methotrexate?", "what
should patients resistant to NSAIDs receive?". :func:`locate` answers "at which stage does the
pathway offer this?" in one of two directions:

- ``course`` (general questions): from the start of the disease course, the first stage not ruled
  out by the facts that offers one of the actions as a primary, alternative or adjunct step (never
  only as a later next-if-fails step);
- ``patient`` (questions about a described patient): from the most advanced stage down, as the
  engine does, the first stage that holds or is *open*, that is undecided only for details the
  question mentions without giving (how long NSAIDs were taken) or that may be assumed (disease
  activity); the patient's own stage stops the search.

The stage's undecided conditions are returned as the assumptions the answer must state. When a
stage open to every track holds (red flags), no scenario is offered: the patient's own stage leads.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from guidepath.case import Case
from guidepath.engine.compiled import CompiledPack, CompiledStage, compiled_pack, field_of
from guidepath.engine.conditions import FALSE, TRUE, UNKNOWN, Facts, leaf_facts
from guidepath.engine.facts import TREATMENT_GROUPS, derive_facts
from guidepath.engine.pathway import as_case


@dataclass(frozen=True)
class Located:
    """A stage that answers the question, and what it assumes that the question did not say."""

    stage: str
    assumptions: tuple[str, ...]
    holds: bool


def offered(
    cp: CompiledPack, stage: CompiledStage, facts: Facts, primary_only: bool = False
) -> list[str]:
    """Actions a stage offers now (primary, alternative, adjunct, and its track's global rules;
    only its primaries with ``primary_only``) whose own conditions are not ruled out."""
    names = list(stage.stage.primary)
    if not primary_only:
        names += [*stage.stage.alternatives, *stage.stage.adjuncts]
    rules = [cp.rules[rid] for rid in names]
    track = stage.stage.track
    if track != "any" and not primary_only:
        rules += cp.global_rules[track]  # the track's global rules apply at every stage of it
    return [
        r.rule.action
        for r in rules
        if r.rule.direction == "for" and r.rule.role != "next_if_fails" and r.state(facts) != FALSE
    ]


def rules_reading(cp: CompiledPack, fact_names: Collection[str]) -> list[str]:
    """Actions of stage rules whose conditions read one of these facts (``condition.ibd``):
    what a condition changes on the pathway ("treatment of uveitis in AS")."""
    found: list[str] = []
    for compiled in cp.rules.values():
        rule = compiled.rule
        if rule.direction != "for" or rule.scope != "stage" or rule.when is None:
            continue
        if set(leaf_facts(rule.when, cp.compiler)) & set(fact_names):
            found.append(rule.action)
    return list(dict.fromkeys(found))


def _open(
    cp: CompiledPack,
    stage: CompiledStage,
    facts: Facts,
    mentioned: Collection[str],
    listed: Collection[str],
) -> bool:
    """Undecided only for details of what the question mentions, or for assumable fields; for
    treatments, only details of the kinds it lists (how long the NSAIDs it names were taken,
    never whether an unmentioned biologic works)."""
    for fact in cp.compiler.unknown_facts(stage.stage.when, facts):
        field = field_of(fact)
        if fact in mentioned:
            continue  # an assumable fact ("no diagnostic block yet")
        if field == "treatments":
            if not any(fact.startswith(prefix) for prefix in listed):
                return False
        elif not (field in mentioned or field.split(".", 1)[0] in mentioned):
            return False
    return True


def _listed_groups(case: Case) -> list[str]:
    """The treatment fact groups the case's treatments speak to (``nsaid.``, ``blocks.``)."""
    treatments = case.treatments or []
    return [p for p, listed in TREATMENT_GROUPS.items() if any(listed(t) for t in treatments)]


def _in_course_order(cp: CompiledPack, phenotype: str) -> Iterable[CompiledStage]:
    tracks = ("any", phenotype) if phenotype != "undetermined" else None
    for stage in reversed(cp.stages):
        if tracks is None or stage.stage.track in tracks:
            yield stage


def locate(
    case: Case | Mapping[str, Any],
    actions: Collection[str] | None,
    *,
    course: bool,
    mentioned: Collection[str] = (),
    pack: str | None = None,
    primary_only: bool = False,
) -> Located | None:
    """The stage that offers one of ``actions`` (any action when ``None``); see the module
    docstring for the two directions. ``mentioned``: case fields the question speaks of, plus
    the fields that may be assumed. ``primary_only``: the stage must offer it as its first
    choice ("when is ablation indicated?" is answered where ablation is the next step)."""
    cp = compiled_pack(pack) if pack else compiled_pack()
    parsed = as_case(case)
    facts = derive_facts(parsed, cp.thresholds)
    listed = _listed_groups(parsed)
    if any(s.stage.track == "any" and s.holds(facts) == TRUE for s in cp.stages):
        return None  # a safety gate (red flags) holds: no scenario may bypass it
    stages = _in_course_order(cp, facts["phenotype"]) if course else cp.stages
    for stage in stages:
        if not course and stage.stage.track not in ("any", facts["phenotype"]):
            continue
        state = stage.holds(facts)
        if state == FALSE or (
            state == UNKNOWN and not course and not _open(cp, stage, facts, mentioned, listed)
        ):
            continue
        if actions is None or set(actions) & set(offered(cp, stage, facts, primary_only)):
            assumed = cp.compiler.undecided(stage.stage.when, facts)
            return Located(stage.stage.id, tuple(assumed), state == TRUE)
        if state == TRUE and not course:
            return None
    return None
