"""The knowledge pack: loads, validates, and every reference and fact name resolves."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from guidepath.engine.compiled import compile_pack, compiled_pack
from guidepath.engine.conditions import leaf_facts
from guidepath.engine.facts import derive_facts
from guidepath.knowledge.loader import build_pack, load_pack, read_yaml
from guidepath.knowledge.schema import Pack, RecommendationsFile, SourcesFile
from guidepath.vocabulary import ACTIONS, CONDITIONS, RED_FLAGS

FULL_CASES: list[dict[str, Any]] = [
    {
        "patient": {"age": 40, "sex": "female"},
        "diagnoses": ["M46.1"],
        "pain": {
            "nrs": 6,
            "duration_weeks": 20,
            "sites": ["buttock"],
            "inflammatory_back_pain": True,
            "radicular": False,
        },
        "exam": {"provocation_tests": {"distraction": True, "thigh_thrust": True}},
        "imaging": [{"modality": "mri", "region": "sij", "findings": ["bone_marrow_edema"]}],
        "labs": {"crp_mg_l": 12, "esr_mm_h": 20, "hla_b27": "positive"},
        "suspected": ["axial_spondyloarthritis", "sacroiliac_joint_pain"],
        "scores": {"basdai": 5, "asdas_crp": 2.5, "asdas_esr": 2.4, "basfi": 4},
        "treatments": [
            {"type": "nsaid", "agent": "naproxen", "weeks": 6, "outcome": "inadequate"},
            {
                "type": "tnfi",
                "agent": "adalimumab",
                "weeks": 16,
                "outcome": "secondary_nonresponse",
            },
            {"type": "sij_injection", "purpose": "diagnostic", "relief_pct": 80, "months_ago": 3},
            {
                "type": "sij_injection",
                "purpose": "therapeutic",
                "relief_pct": 60,
                "relief_weeks": 10,
                "months_ago": 2,
            },
            {"type": "rfa", "relief_pct": 60, "relief_weeks": 30, "months_ago": 1},
        ],
        "conditions": [],
        "red_flags": [],
    },
]


def test_the_whole_pack_loads_and_compiles() -> None:
    pack = load_pack()
    compiled = compile_pack(pack)
    assert len(pack.sources) >= 20
    assert len(compiled.stages) == len(pack.pathway.stages)


def test_every_action_word_is_in_the_contract() -> None:
    pack = load_pack()
    used = {r.action for r in pack.recommendations.values()}
    used |= {a for r in pack.recommendations.values() for a in r.blocks}
    used |= {a for s in pack.pathway.stages for a in s.suppress}
    assert used <= ACTIONS


def test_every_recommendation_and_warning_cites_a_known_source() -> None:
    pack = load_pack()
    for rec in pack.recommendations.values():
        assert rec.citations and set(rec.citations) <= set(pack.sources), rec.id
    for warning in pack.pathway.warnings:
        assert set(warning.citations) <= set(pack.sources), warning.code


def _derivable_facts() -> set[str]:
    thresholds = compiled_pack().thresholds
    names: set[str] = set()
    from guidepath.case import Case

    for data in FULL_CASES:
        names |= set(derive_facts(Case.model_validate(data), thresholds))
    names |= {f"condition.{c}" for c in CONDITIONS}
    names |= {f"red_flag.{r}" for r in RED_FLAGS} | {"red_flags.any"}
    return names


def test_every_fact_a_condition_reads_is_derived_by_the_engine() -> None:
    compiled = compiled_pack()
    pack, known = compiled.pack, _derivable_facts()
    trees = [r.when for r in pack.recommendations.values() if r.when]
    trees += [s.when for s in pack.pathway.stages] + [w.when for w in pack.pathway.warnings]
    trees += [g.when for g in pack.pathway.gates]
    trees += list(pack.pathway.definitions.values())
    used = {fact for tree in trees for fact in leaf_facts(tree, compiled.compiler)}
    asked = {a.fact for s in pack.pathway.stages for a in s.asks} | {
        a.fact for a in pack.pathway.asks
    }
    assert (used | asked) - known == set()


def test_stage_rules_are_only_named_by_stages() -> None:
    pack = load_pack()
    named = {
        rid
        for s in pack.pathway.stages
        for rid in s.primary + s.alternatives + s.adjuncts + s.next_if_fails + s.avoid
    }
    named |= {g.primary for g in pack.pathway.gates} | {pack.pathway.fallback_primary or ""}
    stage_only = {r.id for r in pack.recommendations.values() if r.scope == "stage"}
    assert stage_only <= named, stage_only - named


def test_the_last_stage_of_each_track_always_applies() -> None:
    pack = load_pack()
    for track in ("inflammatory", "undetermined", "mechanical"):
        last = [s for s in pack.pathway.stages if s.track == track][-1]
        assert getattr(last.when, "fact", None) == "phenotype", track


def _with_change(name: str, change: Any) -> dict[str, Any]:
    data: dict[str, Any] = read_yaml("sacroiliac", name)
    change(data)
    return data


def test_an_unknown_field_is_refused() -> None:
    def add_field(data: dict[str, Any]) -> None:
        data["recommendations"][0]["colour"] = "red"

    with pytest.raises(ValidationError, match="colour"):
        RecommendationsFile.model_validate(_with_change("recommendations.yaml", add_field))


def test_an_action_outside_the_contract_is_refused() -> None:
    def bad_action(data: dict[str, Any]) -> None:
        data["recommendations"][0]["action"] = "acupuncture"

    with pytest.raises(ValidationError, match="action"):
        RecommendationsFile.model_validate(_with_change("recommendations.yaml", bad_action))


def test_a_recommendation_without_citation_is_refused() -> None:
    def no_citation(data: dict[str, Any]) -> None:
        data["recommendations"][0]["citations"] = []

    with pytest.raises(ValidationError, match="citations"):
        RecommendationsFile.model_validate(_with_change("recommendations.yaml", no_citation))


def test_a_dangling_citation_is_refused() -> None:
    pack = build_pack()
    data = pack.model_dump(by_alias=True)
    first = next(iter(data["recommendations"]))
    data["recommendations"][first]["citations"] = ["no-such-source"]
    with pytest.raises(ValidationError, match="unknown source 'no-such-source'"):
        Pack.model_validate(data)


def test_sources_have_types_from_the_contract() -> None:
    sources = SourcesFile.model_validate(read_yaml("sacroiliac", "sources.yaml"))
    assert {s.type for s in sources.sources} == {"guideline", "research"}


SEED_FIGURES = [
    "54.5%",
    "90.9%",
    "5.85",
    "13.56",
    "8.26",
    "64%",
    "27%",
    "94%",
    "78%",
    "81.4%",
    "26.1%",
    "17.6%",
    "79%",
    "6-18 months",
    "15-30%",
    "24 hours",
]


@pytest.mark.parametrize("figure", SEED_FIGURES)
def test_seed_figures_are_reachable_in_the_pack(figure: str) -> None:
    text = "\n".join(
        yaml.safe_dump(read_yaml("sacroiliac", f"{name}.yaml"), allow_unicode=True)
        for name in ("recommendations", "topics", "pathway", "imaging")
    )
    assert re.search(re.escape(figure), text)


def test_all_ten_seed_faqs_are_in_the_pack(shared: Any) -> None:
    seed = (shared / "seeds" / "003_fb847c870c6cb0ab.txt").read_text()
    questions = re.findall(r"^\s+\d+\.\s+(.+\?)\s*$", seed, flags=re.MULTILINE)
    assert len(questions) == 10
    faq = {f.question.replace("’", "'") for f in load_pack().faq}
    for question in questions:
        assert question.strip().replace("’", "'") in faq


def test_the_fact_catalogue_lists_only_facts_the_engine_derives() -> None:
    from guidepath.knowledge.catalogue import FactsFile
    from guidepath.knowledge.loader import read_yaml

    catalogue = FactsFile.model_validate(read_yaml("sacroiliac", "facts.yaml")).names()
    assert catalogue <= _derivable_facts() | {"suspected.axspa", "suspected.sij_pain"}


def test_a_pack_typo_fails_at_load_naming_the_file_and_key() -> None:
    """A misspelt fact, definition or threshold is refused with where it stands."""
    from guidepath.knowledge.catalogue import FactsFile, check_names
    from guidepath.knowledge.loader import REQUIRED_THRESHOLDS, read_yaml
    from guidepath.knowledge.schema import Leaf, Ref

    pack = load_pack()
    known = FactsFile.model_validate(read_yaml("sacroiliac", "facts.yaml")).names()
    assert check_names(pack, known, set(REQUIRED_THRESHOLDS)) == []
    rule = pack.recommendations["cox2_gi_risk"]
    typo = rule.model_copy(
        update={"when": Leaf(fact="condition.gi_bleed_rsk", op="eq", value=True)}
    )
    criterion = pack.criteria["pain_three_months"].model_copy(
        update={"when": Ref(ref="chronic_pian")}
    )
    thresholds = {k: v for k, v in pack.pathway.thresholds.items() if k != "block_positive_pct"}
    broken = pack.model_copy(
        update={
            "recommendations": {**pack.recommendations, "cox2_gi_risk": typo},
            "criteria": {**pack.criteria, "pain_three_months": criterion},
            "pathway": pack.pathway.model_copy(update={"thresholds": thresholds}),
        }
    )
    problems = check_names(broken, known, set(REQUIRED_THRESHOLDS))
    assert (
        "recommendations.yaml: cox2_gi_risk.when: unknown fact 'condition.gi_bleed_rsk'" in problems
    )
    assert (
        "criteria.yaml: criteria.pain_three_months.when: unknown definition 'chronic_pian'"
        in problems
    )
    assert "pathway.yaml: thresholds: missing 'block_positive_pct'" in problems


def test_a_procedure_code_outside_the_value_sets_fails_at_load() -> None:
    """Billing codes of a procedure must mean, in valuesets.yaml, what its orders match."""
    from guidepath.knowledge.loader import _check_codes

    pack = load_pack()
    assert _check_codes(pack, "sacroiliac") == []
    fusion = pack.procedures["sij_fusion_mis"].model_copy(update={"cpt": ["27279", "27096"]})
    broken = pack.model_copy(update={"procedures": {**pack.procedures, "sij_fusion_mis": fusion}})
    assert _check_codes(broken, "sacroiliac") == [
        "criteria.yaml: procedures.sij_fusion_mis.cpt: '27096' is not a valuesets.yaml cpt code "
        "of type sij_fusion"
    ]


def test_value_set_icd10_entries_are_real_codes_or_blocks() -> None:
    """Every ICD-10-CM entry of valuesets.yaml is a code simple-icd-10-cm knows (or a block of
    two such categories), so a typo cannot silently match nothing."""
    from guidepath.codes.icd10 import canonical
    from guidepath.knowledge.loader import value_sets

    icd = value_sets().icd10cm
    entries = [*icd.inflammatory, *icd.mechanical, *icd.implies_radicular, *icd.in_scope]
    entries += [
        e
        for table in (icd.implies_condition, icd.implies_red_flag)
        for v in table.values()
        for e in v
    ]
    for entry in entries:
        for part in entry.split("-"):
            assert canonical(part) == part, entry


def test_rxnorm_codes_name_drugs_of_the_lexicon() -> None:
    """The RxNorm value set maps to drugs the lexicon types, and SNOMED diagnoses to ICD codes of
    a track, so the FHIR reader and the question reader agree on what a drug or diagnosis is."""
    from guidepath.codes.icd10 import canonical
    from guidepath.knowledge.loader import value_sets
    from guidepath.language.nlp import lexicon

    drugs = {e.value for e in lexicon() if e.label == "DRUG" and e.type}
    sets = value_sets()
    assert set(sets.rxnorm.values()) <= drugs
    for code in sets.snomed.diagnoses.values():
        assert canonical(code) == code
        assert code.startswith(tuple(sets.icd10cm.inflammatory + sets.icd10cm.mechanical))
