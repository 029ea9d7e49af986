"""Intent routing: what each question asks decides how it is answered."""

from __future__ import annotations

import pytest

from guidepath.language.facts import read_question
from guidepath.language.intents import classify, procedure_named


def intent(question: str) -> str:
    return classify(question, read_question(question).case)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "What is the recommended treatment for a patient with sacroiliitis (M46.1) who has not "
            "responded to conservative treatment?",
            "next_step",
        ),
        ("45-year-old with ankylosing spondylitis who failed two NSAIDs, what next?", "next_step"),
        ("Buttock pain for 4 months with three positive provocation tests", "next_step"),
        ("How many injections can I receive in a year?", "faq"),
        ("Are SI joint procedures safe?", "faq"),
        ("What is radiofrequency ablation, and is it permanent?", "faq"),
        ("Is SI joint fusion medically necessary for this patient?", "procedure_indicated"),
        ("Does she qualify for radiofrequency ablation?", "procedure_indicated"),
        (
            "Is a TNF inhibitor indicated for axial spondyloarthritis with ASDAS 2.6?",
            "procedure_indicated",
        ),
        ("What Happens If SI Joint Injections Don't Work?", "what_if_fails"),
        ("What if the TNF inhibitor fails in ankylosing spondylitis?", "what_if_fails"),
        ("What is the sacroiliac joint?", "definition"),
        ("What are the symptoms of SI joint pain?", "definition"),
        ("Sacroiliac Joint Interventional Pain Management", "overview"),
        ("How is axial spondyloarthritis managed?", "overview"),
        ("What is the best treatment for migraine?", "out_of_scope"),
        ("Can ashwagandha trigger genital herpes reactivation?", "out_of_scope"),
        ("What is the ondansetron dose for a child?", "out_of_scope"),
    ],
)
def test_routing(question: str, expected: str) -> None:
    assert intent(question) == expected


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("Is SI joint fusion covered?", "sij_fusion_mis"),
        ("criteria for radiofrequency ablation", "rfa_lateral_branch"),
        ("is a diagnostic block indicated", "diagnostic_sij_block"),
        ("does she qualify for a steroid injection", "therapeutic_sij_injection"),
        ("switch to secukinumab criteria", "switch_to_il17i"),
        ("is adalimumab covered", "start_tnfi"),
    ],
)
def test_procedure_named(question: str, procedure: str) -> None:
    assert procedure_named(question) == procedure
