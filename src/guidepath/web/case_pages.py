"""The case and necessity pages: a clinician enters the case in fields (or as JSON) and reads the
assessment, or the criterion-by-criterion determination with its citations and letter. The pages
call the same functions as the API and add no clinical logic."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from guidepath.errors import BadInput, parse_json
from guidepath.examples import CASE_EXAMPLE
from guidepath.vocabulary import PROCEDURES
from guidepath.web.case_form import (
    CaseForm,
    case_from_form,
    diagnosis_suggestions,
    form_for_case,
    form_from_values,
    is_list_field,
    labels_for_template,
)
from guidepath.web.deps import DbSession
from guidepath.web.forms import submitted
from guidepath.web.security import current_user
from guidepath.web.templating import page, templates

router = APIRouter(include_in_schema=False)

CASE_PAGE = {
    "heading": "Evaluate a case",
    "action": "/case",
    "button": "Evaluate",
    "intro": "The care pathway for this patient: next step, what to avoid, and what is missing.",
}
NECESSITY_PAGE = {
    "heading": "Medical necessity check",
    "action": "/necessity",
    "button": "Check criteria",
    "choice_label": "Procedure or drug",
    "intro": "Each criterion is met, not met, or not documented, with the evidence from the case, "
    "the codes, the sources and a letter for the prior-authorization request.",
}


def _procedure_choices() -> list[tuple[str, str]]:
    from guidepath.engine.compiled import compiled_pack

    procedures = compiled_pack().pack.procedures
    return sorted(
        ((p, procedures[p].title if p in procedures else p.replace("_", " ")) for p in PROCEDURES),
        key=lambda c: c[1],
    )


def _show(
    request: Request,
    session: Any,
    spec: dict[str, Any],
    form: CaseForm,
    *,
    body: str = "",
    source: str = "form",
    result: Markup | None = None,
    errors: list[str] | None = None,
    choice: str | None = None,
) -> HTMLResponse:
    return page(
        request,
        "case_tool.html",
        status_code=422 if errors else 200,
        user=current_user(request, session),
        form=form,
        L=labels_for_template(),
        icd10=diagnosis_suggestions(),
        body=body,
        source=source,
        result=result,
        errors=errors or [],
        choice=choice,
        choices=_procedure_choices() if "choice_label" in spec else None,
        **spec,
    )


def _read(values: dict[str, Any]) -> tuple[dict[str, Any], CaseForm]:
    """The case from the JSON box or the fields, with the form to show again."""
    if values.get("source") == "json":
        data = parse_json(str(values.get("body", "")), "body")
        if not isinstance(data, dict):
            raise BadInput([("body", "must be a JSON object")])
        return data, form_for_case(data)
    form = form_from_values(values)
    return case_from_form(values), form


def _with_row(form: CaseForm, add: str) -> CaseForm:
    if add == "imaging":
        form.imaging_rows += 1
        form.values["imaging_rows"] = str(form.imaging_rows)
    elif add == "treatment":
        form.treatment_rows += 1
        form.values["treatment_rows"] = str(form.treatment_rows)
    return form


async def _handle(
    request: Request, session: Any, spec: dict[str, Any], compute: Any, choice: str | None = None
) -> HTMLResponse:
    values = await submitted(request, is_list_field)
    if choice is not None:
        choice = str(values.get("choice", choice))
    body, source = str(values.get("body", "")), str(values.get("source", "form"))
    if values.get("add"):
        form = _with_row(form_from_values(values), str(values["add"]))
        return _show(request, session, spec, form, body=body, choice=choice)
    try:
        if choice is not None and choice not in PROCEDURES:
            raise BadInput(
                [("choice", f"{choice!r} is not a procedure guidepath has criteria for")]
            )
        case, form = _read(values)
        result = compute(choice, case) if choice is not None else compute(case)
    except BadInput as error:
        form = form_from_values(values)
        form.errors = error.by_field()
        return _show(
            request, session, spec, form, body=body, source=source, errors=error.lines(),
            choice=choice,
        )  # fmt: skip
    body = json.dumps(case, indent=2)
    return _show(
        request, session, spec, form, body=body, source=source, result=result, choice=choice
    )


def assessment_html(case: dict[str, Any]) -> Markup:
    """The assessment of a case as an article body (stage, sections, references)."""
    from guidepath.answers.compose import compose
    from guidepath.engine.pathway import evaluate

    assessment = evaluate(case)
    composed = compose(
        assessment, question="Structured case", audience="clinician", facts=case, related=[]
    )
    html = templates().get_template("article_body.html").render(answer=composed)
    return Markup(f"<h3 data-testid='stage'>{escape(assessment.stage_title)}</h3>") + Markup(html)


def determination_html(procedure: str, case: dict[str, Any]) -> Markup:
    """The determination with citations, codes, notes, sources and the letter."""
    from guidepath.answers.necessity_view import render_letter
    from guidepath.engine.necessity import check_necessity

    result = check_necessity(procedure, case)
    numbers = {ref.id: n for n, ref in enumerate(result.references, start=1)}
    html = (
        templates()
        .get_template("determination.html")
        .render(d=result, numbers=numbers, letter=render_letter(result))
    )
    return Markup(html)


@router.get("/case", response_class=HTMLResponse)
def case_form(request: Request, session: DbSession, example: bool = False) -> HTMLResponse:
    """The case form: empty (all unknown), or filled with an example."""
    form = form_for_case(CASE_EXAMPLE) if example else CaseForm()
    body = json.dumps(CASE_EXAMPLE, indent=2) if example else ""
    return _show(request, session, CASE_PAGE, form, body=body)


@router.post("/case", response_class=HTMLResponse)
async def case_submit(request: Request, session: DbSession) -> HTMLResponse:
    """The assessment of the entered case, or the fields to correct beside them."""
    return await _handle(request, session, CASE_PAGE, assessment_html)


@router.get("/necessity", response_class=HTMLResponse)
def necessity_form(
    request: Request, session: DbSession, procedure: str = "start_tnfi", example: bool = False
) -> HTMLResponse:
    """Pick a procedure (``?procedure=`` preselects one, as CDS Hooks cards link) and enter
    the case."""
    choice = procedure if procedure in PROCEDURES else "start_tnfi"
    form = form_for_case(CASE_EXAMPLE) if example else CaseForm()
    body = json.dumps(CASE_EXAMPLE, indent=2) if example else ""
    return _show(request, session, NECESSITY_PAGE, form, body=body, choice=choice)


@router.post("/necessity", response_class=HTMLResponse)
async def necessity_submit(request: Request, session: DbSession) -> HTMLResponse:
    """The determination, criterion by criterion, with its letter."""
    return await _handle(request, session, NECESSITY_PAGE, determination_html, choice="start_tnfi")
