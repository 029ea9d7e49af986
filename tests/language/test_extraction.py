"""Fact extraction: phrasings → Case facts (negation, ranges, treatments, tests, imaging)."""

from __future__ import annotations

from typing import Any

import pytest

from guidepath.language.facts import read_question


def facts(question: str) -> dict[str, Any]:
    return read_question(question).case


def treatment(question: str, kind: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        t for t in facts(question).get("treatments", []) if t["type"] == kind
    ]
    assert found, f"no {kind} in {facts(question)}"
    return found[0]


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("sacroiliitis (M46.1) not responding", "M46.1"),
        ("coded m45.9", "M45.9"),
        ("known ankylosing spondylitis", "M45.9"),
        ("non-radiographic axial spondyloarthritis", "M45.A0"),
        ("sacroiliitis of the left SI joint", "M46.1"),
        ("SI joint dysfunction for a year", "M53.3"),
        ("spondyloarthropathy", "M46.90"),
    ],
)
def test_diagnoses(question: str, code: str) -> None:
    assert code in facts(question)["diagnoses"]


def test_invalid_code_shapes_are_ignored() -> None:
    assert "diagnoses" not in facts("pain score Q99.99 and back pain")


@pytest.mark.parametrize(
    ("question", "nrs"),
    [
        ("intensity above 4/10", 5),
        ("pain 7/10", 7),
        ("pain at least 6/10", 6),
        ("pain below 3/10", 2),
        ("rated 8 out of 10", 8),
        ("pain greater than 7/10", 8),
    ],
)
def test_pain_scores_satisfy_the_comparison(question: str, nrs: float) -> None:
    assert facts(question)["pain"]["nrs"] == nrs


@pytest.mark.parametrize(
    ("question", "weeks"),
    [
        ("pain lasting over 1 month", 4.3),
        ("back pain for 3 months", 13.0),
        ("buttock pain for 6 weeks", 6.0),
        ("pain for two years", 104.4),
        ("chronic low back pain", 13),
    ],
)
def test_pain_duration(question: str, weeks: float) -> None:
    assert facts(question)["pain"]["duration_weeks"] == pytest.approx(weeks, abs=0.1)


def test_age_is_not_a_duration() -> None:
    found = facts("a 45-year-old man failed naproxen for 6 weeks")
    assert found["patient"] == {"age": 45, "sex": "male"}
    assert treatment("a 45-year-old man failed naproxen for 6 weeks", "nsaid")["weeks"] == 6


@pytest.mark.parametrize(
    ("question", "kind", "expected"),
    [
        (
            "failed naproxen for 6 weeks",
            "nsaid",
            {"agent": "naproxen", "weeks": 6.0, "outcome": "inadequate"},
        ),
        (
            "never responded to adalimumab",
            "tnfi",
            {"agent": "adalimumab", "outcome": "primary_nonresponse"},
        ),
        (
            "lost response to etanercept",
            "tnfi",
            {"agent": "etanercept", "outcome": "secondary_nonresponse"},
        ),
        ("could not tolerate infliximab", "tnfi", {"outcome": "intolerance"}),
        ("celecoxib gave partial relief", "cox2_inhibitor", {"outcome": "partial"}),
        ("responding well to secukinumab", "il17i", {"agent": "secukinumab", "outcome": "good"}),
        ("upadacitinib did not work", "jaki", {"outcome": "inadequate"}),
        (
            "physical therapy for 12 weeks without improvement",
            "physical_therapy",
            {"weeks": 12.0, "outcome": "inadequate"},
        ),
    ],
)
def test_treatments_and_outcomes(question: str, kind: str, expected: dict[str, Any]) -> None:
    found = treatment(question, kind)
    for key, value in expected.items():
        assert found[key] == value, found


def test_injection_relief_duration_and_percentage() -> None:
    shot = treatment("the injection gave 2 weeks of relief", "sij_injection")
    assert shot["relief_weeks"] == 2 and shot["purpose"] == "therapeutic"
    block = treatment("a diagnostic block gave 80% relief", "sij_injection")
    assert block == {"type": "sij_injection", "purpose": "diagnostic", "relief_pct": 80.0}


def test_failed_injection_without_figures() -> None:
    assert treatment("SI joint injections don't work", "sij_injection")["outcome"] == "inadequate"


def test_failed_conservative_treatment_uses_the_pain_duration() -> None:
    found = facts("has not responded to conservative treatment, pain lasting over 1 month")
    kinds = {t["type"]: t for t in found["treatments"]}
    assert kinds["nsaid"]["outcome"] == kinds["physical_therapy"]["outcome"] == "inadequate"
    assert kinds["nsaid"]["weeks"] == 4.3


@pytest.mark.parametrize(
    ("question", "radicular"),
    [("no radicular symptoms", False), ("has sciatica", True), ("denies radiculopathy", False)],
)
def test_radicular_and_its_negation(question: str, radicular: bool) -> None:
    assert facts(question)["pain"]["radicular"] is radicular


def test_negated_red_flag_is_not_recorded_as_present() -> None:
    found = facts("no fever and no weight loss")
    assert "red_flags" not in found
    assert "no fever" in read_question("no fever and no weight loss").understood


def test_no_red_flags_means_an_empty_list() -> None:
    assert facts("no red flags, buttock pain")["red_flags"] == []


def test_present_red_flag() -> None:
    assert facts("back pain with fever")["red_flags"] == ["fever"]


@pytest.mark.parametrize(
    ("question", "condition"),
    [
        ("history of Crohn's disease", "ibd"),
        ("also has iritis", "recurrent_uveitis"),
        ("psoriasis on the elbows", "psoriasis"),
        ("she is pregnant", "pregnancy"),
        ("on warfarin", "anticoagulation"),
        ("has multiple sclerosis", "demyelinating_disease"),
    ],
)
def test_conditions(question: str, condition: str) -> None:
    assert condition in facts(question)["conditions"]


def test_negation_stops_at_a_new_assertion() -> None:
    found = facts("no fever, history of Crohn's disease")
    assert found["conditions"] == ["ibd"]


def test_counted_provocation_tests() -> None:
    tests = facts("three positive provocation tests")["exam"]["provocation_tests"]
    assert sum(tests.values()) == 3


def test_named_provocation_tests() -> None:
    tests = facts("positive thigh thrust and FABER")["exam"]["provocation_tests"]
    assert tests == {"thigh_thrust": True, "faber": True}


@pytest.mark.parametrize(
    ("question", "study"),
    [
        (
            "bilateral sclerosis on X-ray",
            {
                "modality": "xray",
                "region": "sij",
                "findings": ["sclerosis"],
                "laterality": "bilateral",
            },
        ),
        (
            "MRI shows bone marrow edema",
            {"modality": "mri", "region": "sij", "findings": ["bone_marrow_edema"]},
        ),
        (
            "lumbar MRI showed a disc herniation",
            {"modality": "mri", "region": "spine", "findings": ["disc_herniation"]},
        ),
    ],
)
def test_imaging_findings(question: str, study: dict[str, Any]) -> None:
    assert facts(question)["imaging"] == [study]


@pytest.mark.parametrize(
    ("question", "site"),
    [("low-back pain", "low_back"), ("pain in the buttock", "buttock"), ("groin pain", "groin")],
)
def test_pain_sites(question: str, site: str) -> None:
    assert site in facts(question)["pain"]["sites"]


def test_inflammatory_back_pain() -> None:
    assert facts("inflammatory back pain since age 25")["pain"]["inflammatory_back_pain"] is True


def test_difficult_to_treat_means_nsaid_and_tnfi_failure() -> None:
    kinds = {t["type"] for t in facts("difficult to treat spondyloarthropathy")["treatments"]}
    assert kinds == {"nsaid", "tnfi"}


def test_hypothetical_questions_are_marked() -> None:
    assert read_question("what if she also has Crohn's disease?").hypothetical
    assert not read_question("she has Crohn's disease").hypothetical


def test_every_extraction_is_a_valid_case() -> None:
    from guidepath.case import Case

    question = (
        "A 52-year-old woman with sacroiliitis (M46.1), pain 7/10 for 6 months, failed "
        "naproxen for 8 weeks, three positive provocation tests, no radicular symptoms, "
        "bilateral sclerosis on X-ray, history of psoriasis"
    )
    Case.model_validate(facts(question))
