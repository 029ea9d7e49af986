"""Reading what a question asserts, and answering what it asks (issue: real questions).

Each pattern is tested in sentences written for this suite, asserting both what was read
(``facts`` / ``understood``) and the answer's primary recommendation.
"""

from __future__ import annotations

from typing import Any

import pytest

from guidepath import Conversation, ask
from guidepath.answers.models import Answer
from guidepath.engine.necessity import check_necessity
from guidepath.language.facts import read_question


def primary(answer: Answer) -> str | None:
    return next((r.action for r in answer.recommendations if r.role == "primary"), None)


def now(answer: Answer) -> set[str]:
    return {r.action for r in answer.recommendations if r.role != "next_if_fails"}


def facts(question: str) -> dict[str, Any]:
    return read_question(question).case


# 1. Lab names are not ICD-10 codes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("My lab report says HLA-B27 positive and my lower back aches", "positive"),
        ("HLA B27 was not detected, yet the pain wakes me at night", "negative"),
        ("Her human leukocyte antigen B27 came back negative", "negative"),
        ("He is an HLA-B27 carrier with buttock pain", "positive"),
    ],
)
def test_hla_b27_is_a_lab_not_a_diagnosis_code(question: str, status: str) -> None:
    read = read_question(question)
    assert read.case["labs"]["hla_b27"] == status
    assert "B27" not in read.case.get("diagnoses", [])
    assert f"HLA-B27 {status} (lab)" in read.understood


def test_a_code_standing_alone_is_still_a_code() -> None:
    assert facts("coded as M46.1 in the referral")["diagnoses"] == ["M46.1"]


# 2. Suspicion is not a diagnosis -----------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Could my back pain be ankylosing spondylitis? It has lasted five months.",
        "Rule out axial spondyloarthritis in a 27-year-old with morning stiffness",
        "My GP suspects sacroiliitis because my buttocks hurt every morning",
        "Does this mean I have ankylosing spondylitis?",
    ],
)
def test_suspected_disease_goes_to_suspected_not_diagnoses(question: str) -> None:
    read = read_question(question)
    assert read.case["suspected"] == ["axial_spondyloarthritis"]
    assert not read.case.get("diagnoses")
    assert "axial spondyloarthritis suspected, not confirmed" in read.understood


def test_suspected_axspa_gets_a_diagnostic_primary_not_therapy() -> None:
    answer = ask(
        "A 31-year-old man with suspected axial spondyloarthritis: 8 months of low back pain "
        "with morning stiffness. What should be done?"
    )
    assert answer.stage == "suspected_axspa_workup"
    assert primary(answer) == "refer_rheumatology"
    assert "xray_sij" in now(answer)
    assert not now(answer) & {"start_tnfi", "start_il17i", "sij_fusion_mis"}


def test_suspected_sij_pain_is_worked_up_with_a_diagnostic_block() -> None:
    answer = ask("Could the pain in my buttock be coming from the SI joint? How is that found?")
    assert answer.facts["suspected"] == ["sacroiliac_joint_pain"]
    assert primary(answer) == "diagnostic_sij_block"
    assert answer.assumptions  # the block's indications are stated, not assumed silently


# 3. Options and plans are not history ------------------------------------------------------------


def test_options_joined_by_or_are_choices_not_treatments_taken() -> None:
    read = read_question("For my ankylosing spondylitis, should I start Cimzia or Taltz?")
    assert not read.case.get("treatments")
    assert [m.value for m in read.options] == ["certolizumab", "ixekizumab"]
    assert "asked about (option): Cimzia" in read.understood


def test_a_planned_drug_is_not_a_drug_already_taken() -> None:
    read = read_question("My rheumatologist planned to start Humira next month for my AS")
    assert not read.case.get("treatments")
    assert [m.value for m in read.options] == ["adalimumab"]


def test_lettered_answer_options_are_options() -> None:
    question = (
        "A 29-year-old woman with ankylosing spondylitis took naproxen for 5 weeks and then "
        "diclofenac for 4 weeks without improvement; pain is 7/10. Best next drug? "
        "A. Sulfasalazine B. Golimumab C. Oral prednisone D. Methotrexate"
    )
    read = read_question(question)
    assert {t.get("agent") for t in read.case["treatments"]} == {"naproxen", "diclofenac"}
    assert {m.value for m in read.options} == {
        "sulfasalazine",
        "golimumab",
        "systemic_glucocorticoid",
        "methotrexate",
    }
    answer = ask(question)
    assert answer.intent == "choose"
    assert primary(answer) == "start_tnfi"
    options = next(s for s in answer.sections if s.heading == "The options asked about")
    verdicts = {item.text.split(":")[0]: item.text for item in options.items}
    assert "supported" in verdicts["Golimumab"]
    assert "advised against" in verdicts["Methotrexate"]
    assert "advised against" in verdicts["prednisone"]


def test_a_drug_the_question_asks_about_is_its_subject() -> None:
    read = read_question("What place do IL-17 inhibitors have in treating axial SpA?")
    assert not read.case.get("treatments")
    assert read.subject_actions()[:1] == ["start_il17i"]


# 4. Negation scope: "no better after" reports an outcome -----------------------------------------


def test_no_better_after_means_tried_without_benefit() -> None:
    question = (
        "Sacroiliac joint dysfunction, no better after 10 weeks of physical therapy and "
        "meloxicam, 3 positive provocation tests, pain 6/10 for 5 months"
    )
    read = read_question(question)
    kinds = {t["type"]: t for t in read.case["treatments"]}
    assert kinds["physical_therapy"]["outcome"] == "inadequate"
    assert kinds["physical_therapy"]["weeks"] == 10
    assert kinds["nsaid"]["agent"] == "meloxicam"
    assert primary(ask(question)) == "diagnostic_sij_block"


# 5. Numbers and outcomes attach to their own mention ---------------------------------------------


def test_relief_duration_is_not_pain_duration() -> None:
    read = read_question("The SI joint steroid injection gave relief for about four months")
    assert "duration_weeks" not in read.case.get("pain", {})
    injection = read.case["treatments"][0]
    assert injection["relief_weeks"] == pytest.approx(17.4, abs=0.1)


def test_a_short_drug_course_is_not_the_pain_duration() -> None:
    read = read_question("Back pain for 4 months; a five-day course of ketorolac did nothing")
    assert read.case["pain"]["duration_weeks"] == pytest.approx(17.4, abs=0.1)
    ketorolac = read.case["treatments"][0]
    assert ketorolac["agent"] == "ketorolac"
    assert ketorolac["weeks"] == pytest.approx(0.7, abs=0.05)


def test_a_skin_reaction_is_intolerance() -> None:
    read = read_question("She developed a rash from etanercept after three weeks")
    assert read.case["treatments"][0]["outcome"] == "intolerance"


def test_an_out_of_range_pain_score_is_reported_not_dropped_silently() -> None:
    read = read_question("My SI joint pain is 14/10 today")
    assert "nrs" not in read.case.get("pain", {})
    assert "pain score 14/10 is outside 0-10 and was not used" in read.understood


# 6. History that used to be dropped --------------------------------------------------------------


def test_history_items_are_read() -> None:
    read = read_question(
        "Axial SpA patient, QuantiFERON positive, previous lumbar fusion, CRP 2.4 mg/dL and "
        "ESR 38 mm/h; MRI showed bone marrow edema of both SI joints; stopped naproxen "
        "because of stomach pain"
    )
    case = read.case
    assert {"latent_tb", "prior_lumbar_fusion", "gi_bleed_risk"} <= set(case["conditions"])
    assert case["labs"]["crp_mg_l"] == 24.0
    assert case["labs"]["esr_mm_h"] == 38.0
    assert {"modality": "mri", "region": "sij", "findings": ["bone_marrow_edema"]} in [
        {k: v for k, v in s.items() if k != "laterality"} for s in case["imaging"]
    ]
    assert case["treatments"][0]["outcome"] == "intolerance"


def test_misspelt_sacroiliitis_is_read() -> None:
    assert facts("chronic sacroilitis not helped by rest")["diagnoses"] == ["M46.1"]


def test_graded_sacroiliitis_on_a_radiograph_is_an_imaging_finding() -> None:
    case = facts("Pelvic radiograph shows bilateral grade 2 sacroiliitis")
    assert case["imaging"] == [
        {
            "modality": "xray",
            "region": "sij",
            "findings": ["sacroiliitis"],
            "laterality": "bilateral",
        }
    ]


# 7. Each kind of question is answered as asked ---------------------------------------------------


def test_choosing_between_options_for_a_patient() -> None:
    answer = ask(
        "A 26-year-old man, 7 months of inflammatory back pain, pelvic X-ray with bilateral "
        "sclerosis, no medicines yet. First drug: celecoxib, adalimumab or prednisone?"
    )
    assert answer.intent == "choose"
    assert primary(answer) in {"nsaid_trial", "cox2_inhibitor"}
    assert "start_tnfi" not in now(answer)


def test_is_it_indicated_gives_the_determination_and_its_remedy() -> None:
    question = (
        "Is minimally invasive SI joint fusion medically necessary for a 58-year-old with "
        "lumbar stenosis and facet arthropathy on MRI after one injection that helped briefly?"
    )
    answer = ask(question)
    assert answer.intent == "procedure_indicated"
    assert primary(answer) == "evaluate_alternative_source"
    assert "sij_fusion_mis" not in now(answer)
    assert answer.title.startswith("Minimally invasive SI joint fusion: criteria not met")


def test_general_indication_question_states_the_criteria_as_conditions() -> None:
    answer = ask("When is radiofrequency ablation of the SI joint appropriate?")
    assert primary(answer) == "rfa_lateral_branch"
    assert any("diagnostic block" in a for a in answer.assumptions)


def test_imaging_question_leads_with_the_study() -> None:
    answer = ask(
        "Which imaging should come next for a 22-year-old with 5 months of inflammatory back "
        "pain whose SI joint radiographs were normal?"
    )
    assert answer.intent == "imaging"
    assert primary(answer) == "mri_sij"


def test_role_of_a_drug_is_placed_on_the_pathway() -> None:
    answer = ask("Where do JAK inhibitors fit in ankylosing spondylitis? What is their role?")
    assert answer.intent == "role"
    assert primary(answer) == "start_tnfi"
    assert "start_jaki" in {r.action for r in answer.recommendations}
    assert answer.assumptions  # the scenario (NSAIDs failed, disease active) is said


def test_role_of_an_adjunct_leads_with_it() -> None:
    answer = ask("What is the role of exercise in axial spondyloarthritis?")
    assert primary(answer) == "physical_therapy"


def test_risk_question_leads_with_safety_screening() -> None:
    answer = ask("What are the risks of starting secukinumab for ankylosing spondylitis?")
    assert primary(answer) == "pre_biologic_screening"


def test_continuing_a_drug_that_works() -> None:
    answer = ask("My ankylosing spondylitis is in remission on Enbrel. Should I keep taking it?")
    assert primary(answer) == "continue_current_therapy"
    assert "stop_biologic" in {a.action for a in answer.avoid}


def test_coverage_question_gives_coverage_notes_not_advice() -> None:
    answer = ask("Does Medicare pay for radiofrequency ablation of the sacroiliac joint?")
    assert answer.intent == "coverage"
    assert answer.recommendations == []
    assert "do not cover" in answer.bottom_line


def test_what_a_treatment_for_a_condition_is() -> None:
    answer = ask("How is recurrent iritis handled in axial spondyloarthritis?")
    assert primary(answer) == "start_tnfi"
    assert "etanercept" in {a.action for a in answer.avoid}
    assert "start_il17i" not in now(answer)


def test_headline_answers_the_question_not_a_stage_name() -> None:
    answer = ask("What should patients with active AS who failed NSAIDs receive?")
    assert answer.title.startswith("Start a TNF inhibitor")
    assert answer.title != answer.stage


def test_red_flags_are_never_displaced_by_a_scenario() -> None:
    answer = ask("What is the role of a TNF inhibitor for my ankylosing spondylitis? I have fever.")
    assert primary(answer) == "urgent_evaluation"
    assert "start_tnfi" not in now(answer)


# 8. Follow-ups change only what they state -------------------------------------------------------


def test_a_follow_up_does_not_invent_safety_facts() -> None:
    conversation = Conversation()
    ask(
        "41-year-old man with ankylosing spondylitis, naproxen then celecoxib for 4 weeks each "
        "without benefit, pain 8/10",
        conversation=conversation,
    )
    before = check_necessity("start_tnfi", conversation.case)
    ask("and what if he also has ulcerative colitis?", conversation=conversation)
    after = check_necessity("start_tnfi", conversation.case)
    status = {c.id: c.status for c in after.criteria}
    assert status["infection_screened"] == "unknown"
    assert status["no_tnfi_contraindication"] == "unknown"
    assert {c.id: c.status for c in before.criteria}["infection_screened"] == "unknown"
    assert "ibd" in conversation.case["conditions"]


def test_bimekizumab_and_scores_are_read_from_pack_data() -> None:
    read = read_question("Bimzelx stopped working after a year; BASDAI of 6.5 and ASDAS 3.4 now")
    assert read.case["treatments"][0]["type"] == "il17i"
    assert read.case["treatments"][0]["agent"] == "bimekizumab"
    assert read.case["treatments"][0]["outcome"] == "secondary_nonresponse"
    assert read.case["scores"] == {"basdai": 6.5, "asdas_crp": 3.4}


def test_a_drug_switched_to_stands_for_the_switch() -> None:
    answer = ask("When should axial SpA be switched from adalimumab to secukinumab?")
    assert answer.facts["treatments"][0]["agent"] == "adalimumab"
    assert primary(answer) == "switch_to_il17i"
    assert any("TNF inhibitor" in a for a in answer.assumptions)


def test_stopping_a_drug_that_works_is_a_continue_question() -> None:
    answer = ask("Should I stop my Cosentyx now that I feel better?", audience="patient")
    assert answer.intent == "continue"
    assert answer.facts["treatments"][0]["outcome"] == "good"
    assert primary(answer) == "continue_current_therapy"
    assert "stop_biologic" in {a.action for a in answer.avoid}


# A drug in a modal question ("can X be used / started") is asked about, not reported as given.


@pytest.mark.parametrize(
    "question",
    [
        "Can a TNF inhibitor be started in someone with axial SpA whose QuantiFERON is positive?",
        "Could adalimumab be given to an AS patient with latent tuberculosis?",
    ],
)
def test_a_drug_that_could_be_started_is_not_history(question: str) -> None:
    read = read_question(question)
    assert not read.case.get("treatments")
    assert "latent_tb" in read.case["conditions"]
    answer = ask(question)
    assert primary(answer) == "pre_biologic_screening"
    assert not now(answer) & {"start_tnfi", "switch_tnfi"}


def test_a_drug_advised_against_for_this_patient_says_why_with_sources() -> None:
    answer = ask("May ixekizumab be used in ankylosing spondylitis with ulcerative colitis?")
    assert "start_il17i" in {a.action for a in answer.avoid}
    options = next(s for s in answer.sections if s.heading == "The options asked about")
    (item,) = options.items
    assert "advised against" in item.text and item.citations
    assert answer.bottom_line.lower().startswith("ixekizumab: advised against")
    cited = {r.n for r in answer.references}
    assert set(item.citations) <= cited


def test_a_fall_is_recent_trauma() -> None:
    question = "She fell on the ice two days ago and her SI joint hurts badly. X-ray or MRI?"
    assert "recent_trauma" in facts(question).get("red_flags", [])
    assert primary(ask(question)) == "urgent_evaluation"


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("When should nerve ablation be considered for SI joint pain?", "rfa_lateral_branch"),
        ("When is a TNF blocker indicated in axial spondyloarthritis?", "start_tnfi"),
    ],
)
def test_when_is_a_procedure_considered_gives_its_criteria(question: str, procedure: str) -> None:
    """ "When is X considered?" asks for the conditions of X: the stage where X is the step,
    with its necessity criteria (not an earlier stage where X is only what comes next)."""
    answer = ask(question)
    assert answer.intent == "procedure_indicated"
    assert primary(answer) == procedure
    assert any(s.heading == "Documentation needed" for s in answer.sections)
