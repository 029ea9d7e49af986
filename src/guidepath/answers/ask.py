"""``ask(question) -> Answer``: read the question, decide what it asks, answer from the pack.

Case questions go through the engine (and, for a procedure, the necessity criteria); general and
FAQ questions are answered from the pack's topics and FAQ; anything outside the pack's scope gets
an honest "outside what guidepath covers" answer rather than an invented one.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from guidepath.answers.compose import DISCLAIMER, Citer, compose, primary_procedure
from guidepath.answers.conversation import Conversation, merge_case
from guidepath.answers.models import Answer, Audience, Section, SectionItem
from guidepath.answers.plan import plan_answer
from guidepath.case import Case
from guidepath.engine.compiled import compiled_pack
from guidepath.engine.necessity import check_necessity
from guidepath.engine.pathway import as_case
from guidepath.errors import BadInput, check_text, from_validation_error
from guidepath.knowledge.schema import Faq, Topic
from guidepath.language.facts import read_question
from guidepath.language.intents import classify, has_patient_facts, procedures_asked
from guidepath.language.reading import Reading
from guidepath.language.retrieval import best_faq, related_questions, search

OUT_OF_SCOPE = (
    "guidepath covers sacroiliac joint pain, sacroiliitis and axial spondyloarthritis. This "
    "question is outside what its guideline pack encodes, so it gives no answer rather than an "
    "invented one."
)


def _empty_answer(
    question: str, audience: Audience, facts: dict[str, Any], **fields: Any
) -> Answer:
    base: dict[str, Any] = {
        "question": question,
        "audience": audience,
        "facts": facts,
        "sections": [],
        "recommendations": [],
        "avoid": [],
        "references": [],
        "related_questions": [],
        "disclaimer": DISCLAIMER[audience],
    }
    return Answer(**{**base, **fields})


def _faq_answer(
    question: str, faq: Faq, audience: Audience, facts: dict[str, Any], understood: list[str]
) -> Answer:
    cite = Citer()
    numbers = cite(faq.citations)
    text = faq.patient_answer if audience == "patient" else faq.clinician_answer
    other = faq.clinician_answer if audience == "patient" else faq.patient_answer
    heading = "In more detail" if audience == "patient" else "Explained for patients"
    return _empty_answer(
        question,
        audience,
        facts,
        title=faq.question,
        bottom_line=f"{text} {numbers}",
        sections=[Section(heading=heading, items=[SectionItem(text=other, citations=numbers)])],
        references=cite.references(),
        intent="faq",
        understood=understood,
        related_questions=related_questions(question, exclude=question),
    )


def _topic_answer(
    question: str, topic: Topic, audience: Audience, facts: dict[str, Any], understood: list[str]
) -> Answer:
    cite = Citer()
    items = [
        SectionItem(text=e.text, citations=cite(e.citations))
        for e in (topic.patient if audience == "patient" else topic.clinician)
    ]
    line = items[0].text + f" {items[0].citations}"
    return _empty_answer(
        question,
        audience,
        facts,
        title=topic.title,
        bottom_line=line,
        sections=[Section(heading=topic.title, items=items)],
        references=cite.references(),
        intent="definition",
        understood=understood,
        related_questions=related_questions(question, exclude=question),
    )


def _case_answer(
    question: str,
    intent: str,
    audience: Audience,
    facts: dict[str, Any],
    understood: list[str],
    reading: Reading,
    case: Case,
) -> Answer:
    general = not has_patient_facts(facts)
    plan = plan_answer(intent, question, case, reading, general)
    assessment = plan.assessment
    determination = plan.determination
    if determination is None:
        procedure = primary_procedure(assessment)
        determination = check_necessity(procedure, case) if procedure else None
    related = related_questions(f"{question} {assessment.stage_title}", exclude=question)
    answer = compose(
        assessment,
        question=question,
        audience=audience,
        facts=facts,
        related=related,
        determination=determination,
        intent=intent,
        understood=understood,
        assumptions=plan.assumptions,
        verdicts=plan.verdicts,
        advised_against=plan.advised_against,
    )
    if intent == "procedure_indicated" and plan.determination is not None:
        verdict = plan.determination.determination.replace("_", " ")
        answer.bottom_line = (
            f"{plan.determination.title}: criteria {verdict} for the facts given. "
            + answer.bottom_line
        )
    return answer


def _coverage_answer(
    question: str,
    audience: Audience,
    facts: dict[str, Any],
    understood: list[str],
    reading: Reading,
) -> Answer:
    """Coverage questions: the payer notes of the procedures asked about, and their criteria;
    no clinical advice is implied by coverage."""
    cite = Citer()
    pack = compiled_pack().pack
    procedures = procedures_asked(reading)
    sections = []
    for procedure in procedures:
        spec = pack.procedures[procedure]
        notes = [SectionItem(text=n.text, citations=cite(n.citations)) for n in spec.notes]
        notes += [SectionItem(text=c.text, citations=cite([c.policy])) for c in spec.coverage]
        criteria = [
            SectionItem(text=pack.criteria[c].text, citations=cite(pack.criteria[c].citations))
            for c in spec.criteria
        ]
        sections.append(Section(heading=f"{spec.title}: coverage notes", items=notes))
        sections.append(Section(heading=f"{spec.title}: criteria payers review", items=criteria))
    line = (
        "Coverage depends on the payer's policy: check the plan and obtain prior authorization in "
        "writing. The notes below say what the encoded policies cover and the criteria they review."
    )
    if sections and sections[0].items:
        first = sections[0].items[0]
        line = f"{first.text} {first.citations} " + line
    return _empty_answer(
        question,
        audience,
        facts,
        title="Coverage"
        if not procedures
        else f"Coverage: {compiled_pack().pack.procedures[procedures[0]].title}",
        bottom_line=line,
        sections=sections,
        references=cite.references(),
        intent="coverage",
        understood=understood,
        related_questions=related_questions(question, exclude=question),
    )


def answer_facts(
    question: str,
    facts: dict[str, Any],
    audience: Audience,
    understood: list[str] | None = None,
    reading: Reading | None = None,
) -> Answer:
    """Answer a question about known facts (after reading, or merged over a conversation)."""
    understood = understood or []
    case = as_case(facts)  # refuse bad facts first; the one validation of this question
    reading = reading if reading is not None else read_question(question)
    intent = classify(question, facts, reading)
    if intent == "out_of_scope":
        return _empty_answer(
            question,
            audience,
            facts,
            title="Outside what guidepath covers",
            bottom_line=OUT_OF_SCOPE,
            intent=intent,
            understood=understood,
        )
    if intent == "faq":
        faq = best_faq(question)
        assert faq is not None
        return _faq_answer(question, faq, audience, facts, understood)
    if intent == "coverage":
        return _coverage_answer(question, audience, facts, understood, reading)
    if intent == "definition":
        topic = next((d.item for d, _ in search(question) if isinstance(d.item, Topic)), None)
        if topic is not None:
            return _topic_answer(question, topic, audience, facts, understood)
    return _case_answer(question, intent, audience, facts, understood, reading, case)


MAX_QUESTION_CHARS = 2000  # a long clinical vignette; longer text is not a question


def _check_question(question: str) -> None:
    """A question is non-empty UTF-8 text of at most :data:`MAX_QUESTION_CHARS` characters."""
    if not isinstance(question, str):
        raise BadInput([("question", "must be text")])
    check_text(question, "question")
    if not question.strip():
        raise BadInput([("question", "must not be empty")])
    if len(question) > MAX_QUESTION_CHARS:
        raise BadInput(
            [("question", f"is {len(question)} characters; at most {MAX_QUESTION_CHARS}")]
        )


def _check_earlier_facts(case: dict[str, Any]) -> None:
    """The facts of earlier turns must themselves be a valid case (``facts.<field>`` named)."""
    try:
        Case.model_validate(case)
    except ValidationError as error:
        raise from_validation_error(error, "facts.") from None


def ask(
    question: str, audience: Audience = "clinician", conversation: Conversation | None = None
) -> Answer:
    """Answer a free-text question; with a conversation, refine its case and remember the turn."""
    _check_question(question)
    if audience not in ("clinician", "patient"):
        raise BadInput([("audience", f"{audience!r} is not one of clinician, patient")])
    if conversation is not None:
        _check_earlier_facts(conversation.case)
    reading = read_question(question)
    facts = merge_case(conversation.case, reading.case) if conversation else reading.case
    answer = answer_facts(question, facts, audience, reading.understood, reading)
    if conversation is not None:
        conversation.case = facts
        conversation.history.append(question)
    return answer


def answer_json(question: str, audience: str) -> dict[str, Any]:
    """The Answer to a question as JSON, as the article store keeps it."""
    return ask(question, audience=audience).model_dump(mode="json")  # type: ignore[arg-type]
