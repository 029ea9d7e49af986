"""Articles, evidence and letters read as text, not as field keys (fields.yaml, fact labels)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from guidepath.answers.ask import ask
from guidepath.case import Case
from guidepath.engine.necessity import check_necessity, rounded
from guidepath.knowledge.catalogue import FactsFile, check_evidence_labels
from guidepath.knowledge.labels import FieldsFile, case_paths, check_labels, labels
from guidepath.knowledge.loader import load_pack, read_yaml
from guidepath.vocabulary import PROCEDURES

# A dotted case path or a snake_case code word followed by a colon, as raw keys were shown.
RAW_KEY = re.compile(r"\b[a-z0-9]+(?:[._][a-z0-9]+)+:")
QUESTIONS = [
    "What is the recommended treatment for sacroiliitis (M46.1) that has not responded to "
    "conservative treatment, pain over 1 month, intensity above 4/10?",
    "SI joint pain for 7 months, two blocks with 80% relief, injections gave 3 weeks of relief. "
    "Is fusion next?",
    "Ankylosing spondylitis on adalimumab for 16 weeks, ASDAS still 3.2. What next?",
    "What Happens If SI Joint Injections Don't Work?",
]


def _article_texts(question: str, audience: str) -> list[str]:
    answer = ask(question, audience=audience)  # type: ignore[arg-type]
    return [answer.title, answer.bottom_line] + [i.text for s in answer.sections for i in s.items]


@pytest.mark.parametrize("audience", ["clinician", "patient"])
@pytest.mark.parametrize("question", QUESTIONS)
def test_articles_show_no_raw_field_keys(question: str, audience: str) -> None:
    for text in _article_texts(question, audience):
        assert not RAW_KEY.search(text), text


def test_patient_article_drops_clinician_only_sections() -> None:
    answer = ask(QUESTIONS[0], audience="patient")
    headings = [s.heading for s in answer.sections]
    assert "What your care team will check" not in headings
    texts = " ".join(i.text for s in answer.sections for i in s.items)
    assert "b/tsDMARD" not in texts and "ASAS-EULAR threshold" not in texts


def test_missing_facts_are_named_by_their_labels() -> None:
    answer = ask(QUESTIONS[0])
    pitfalls = next(s for s in answer.sections if s.heading == "Pitfalls and caveats")
    assert any(i.text.startswith("CRP (mg/L) not documented") for i in pitfalls.items)


@pytest.mark.parametrize("procedure", sorted(PROCEDURES))
def test_necessity_evidence_uses_labels_and_rounding(procedure: str, shared: Path) -> None:
    for path in sorted((shared / "contract" / "examples").glob("*.case.json")):
        case = json.loads(path.read_text())
        for criterion in check_necessity(procedure, case).criteria:
            assert " = " not in criterion.evidence, criterion.evidence
            assert not re.search(r"\d\.\d{2,}", criterion.evidence), criterion.evidence


def test_rounding_says_about_when_it_rounds() -> None:
    assert rounded(0.920598) == "about 0.9"
    assert rounded(6.0) == "6"
    assert rounded(4.5) == "4.5"


def test_every_case_field_and_word_has_a_label() -> None:
    assert check_labels(labels()) == []
    assert "labs.crp_mg_l" in case_paths(Case)


def test_a_missing_or_unknown_label_fails_the_load_check() -> None:
    raw = read_yaml("sacroiliac", "fields.yaml")
    del raw["fields"]["labs.crp_mg_l"]
    raw["words"]["conditions"]["gout"] = "Gout"
    del raw["words"]["red_flags"]["fever"]
    problems = check_labels(FieldsFile.model_validate(raw))
    assert "fields.yaml: fields: no label for labs.crp_mg_l" in problems
    assert "fields.yaml: words.conditions.gout: not a contract word" in problems
    assert "fields.yaml: words.red_flags: no label for fever" in problems


def test_a_criterion_fact_without_a_label_fails_the_load_check() -> None:
    raw = read_yaml("sacroiliac", "facts.yaml")
    del raw["facts"]["nonoperative.months"]["label"]
    problems = check_evidence_labels(load_pack(), FactsFile.model_validate(raw))
    assert any(p.startswith("facts.yaml: nonoperative.months: no label") for p in problems)


def test_references_say_what_a_source_is_and_link_doi() -> None:
    from guidepath.answers.render import to_markdown

    answer = ask(QUESTIONS[0])
    by_id = {r.id: r for r in answer.references}
    assert by_id["asas-eular-2022"].shown_type == "Guideline"
    assert by_id["asas-eular-2022"].doi == "10.1136/ard-2022-223296"
    summaries = [r for r in answer.references if r.source.startswith("Dr.Oracle")]
    assert summaries and all(r.shown_type == "Secondary summary" for r in summaries)
    text = to_markdown(answer)
    assert "(https://doi.org/10.1136/ard-2022-223296)" in text
    assert "*Guideline*: Management of bilateral" not in text


def test_a_hint_with_an_unknown_source_or_threshold_fails_the_load_check() -> None:
    from guidepath.knowledge.labels import check_label_references

    raw = read_yaml("sacroiliac", "fields.yaml")
    raw["fields"]["labs.crp_mg_l"]["help"] = "raised above {crp_upper_limit} mg/L"
    raw["fields"]["labs.crp_mg_l"]["sources"] = ["nobody-2099"]
    problems = check_label_references(FieldsFile.model_validate(raw), load_pack())
    assert "fields.yaml: fields.labs.crp_mg_l.sources: unknown source 'nobody-2099'" in problems
    assert "fields.yaml: fields.labs.crp_mg_l.help: unknown threshold 'crp_upper_limit'" in problems
