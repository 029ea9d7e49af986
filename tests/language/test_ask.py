"""ask(): the seed questions, the FAQ, follow-ups, audiences and output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guidepath import Conversation, ask
from guidepath.answers.models import Answer
from guidepath.answers.render import to_html, to_markdown
from guidepath.knowledge.loader import load_pack
from guidepath.language.retrieval import similar

SEEDS = {
    "000": (
        "What is the recommended treatment for a patient with sacroiliitis (M46.1) who has not "
        "responded to conservative treatment, with pain lasting over 1 month and intensity "
        "above 4/10?",
        {"start_tnfi"},
    ),
    "001": (
        "What is the appropriate management for a patient with bilateral sacroiliac joint "
        "sclerosis presenting with chronic low-back or buttock pain?",
        {"xray_sij", "physical_therapy", "nsaid_trial"},
    ),
    "002": (
        "What Happens If SI Joint Injections Don't Work?",
        {"diagnostic_sij_block", "evaluate_alternative_source"},
    ),
    "003": ("Sacroiliac Joint Interventional Pain Management", {"physical_therapy"}),
    "004": (
        "What is the treatment approach for patients with difficult to treat Spondyloarthropathy?",
        {"switch_to_il17i"},
    ),
}


def cited_numbers(answer: Answer) -> set[int]:
    return {n for section in answer.sections for item in section.items for n in item.citations}


@pytest.mark.parametrize("seed", sorted(SEEDS))
@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_seed_questions_agree_with_the_seed_bottom_line(seed: str, audience: str) -> None:
    question, expected = SEEDS[seed]
    answer = ask(question, audience=audience)  # type: ignore[arg-type]
    primary = next(r.action for r in answer.recommendations if r.role == "primary")
    assert primary in expected
    assert answer.references and cited_numbers(answer) <= {r.n for r in answer.references}
    assert all(r.citations for r in answer.recommendations)
    assert answer.bottom_line and answer.disclaimer and answer.related_questions
    assert f"# {answer.title}" in to_markdown(answer)
    assert "<h1>" in to_html(answer)
    assert json.loads(answer.model_dump_json())["audience"] == audience


def test_patient_wording_differs_but_advice_is_the_same() -> None:
    question = SEEDS["000"][0]
    clinician, patient = ask(question), ask(question, audience="patient")
    assert [r.action for r in clinician.recommendations] == [
        r.action for r in patient.recommendations
    ]
    assert clinician.bottom_line != patient.bottom_line
    assert "TNF-blocker" in patient.bottom_line


@pytest.mark.parametrize("faq", load_pack().faq, ids=lambda f: f.id)
@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_every_faq_is_answered(faq: object, audience: str) -> None:
    question = faq.question  # type: ignore[attr-defined]
    answer = ask(question, audience=audience)  # type: ignore[arg-type]
    assert answer.intent == "faq"
    assert similar(answer.title, question) == 1.0
    assert answer.references and answer.bottom_line


def test_out_of_scope_is_honest() -> None:
    answer = ask("What is the best treatment for migraine?")
    assert answer.intent == "out_of_scope"
    assert answer.recommendations == [] and answer.references == []
    assert "outside" in answer.bottom_line


def test_follow_ups_refine_the_same_case() -> None:
    conversation = Conversation()
    first = ask(
        "38-year-old woman with ankylosing spondylitis, failed naproxen and celecoxib "
        "for 8 weeks, pain 7/10",
        conversation=conversation,
    )
    assert first.recommendations[0].action == "start_tnfi"
    second = ask("what if she also has Crohn's disease?", conversation=conversation)
    assert "etanercept" in {a.action for a in second.avoid}
    assert second.facts["diagnoses"] == ["M45.9"]
    third = ask("and if the TNF inhibitor never works?", conversation=conversation)
    assert third.recommendations[0].action == "switch_tnfi"  # IBD: a TNF antibody, not IL-17i
    assert len(conversation.history) == 3


def test_conversation_survives_a_save_and_load(tmp_path: Path) -> None:
    path = tmp_path / "session.json"
    conversation = Conversation()
    ask("ankylosing spondylitis, failed naproxen for 6 weeks, pain 6/10", conversation=conversation)
    conversation.save(path)
    restored = Conversation.load(path)
    assert restored == conversation


def test_necessity_question_lists_the_criteria() -> None:
    answer = ask(
        "Is SI joint fusion medically necessary after two diagnostic blocks with 80% relief?"
    )
    assert answer.intent == "procedure_indicated"
    assert answer.bottom_line.startswith("Minimally invasive SI joint fusion: criteria")
    headings = [s.heading for s in answer.sections]
    assert "Documentation needed" in headings


def test_empty_question_is_bad_input() -> None:
    from guidepath.errors import BadInput

    with pytest.raises(BadInput):
        ask("  ")
