"""The necessity-check and calculator pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from guidepath.engine.calculators import CALCULATORS, calculate
from guidepath.engine.necessity import check_necessity
from guidepath.errors import BadInput
from guidepath.examples import CASE_EXAMPLE
from guidepath.vocabulary import PROCEDURES
from guidepath.web.deps import DbSession
from guidepath.web.pages import _json_body, _tool
from guidepath.web.security import check_csrf

router = APIRouter(include_in_schema=False)
NECESSITY = {
    "heading": "Medical necessity check",
    "action": "/necessity",
    "choices": sorted(PROCEDURES),
    "choice_label": "Procedure or drug",
    "body_label": "Case (JSON)",
    "button": "Check criteria",
    "intro": "Each criterion is met, not met, or not documented, with the evidence.",
}
CALC = {
    "heading": "Clinical calculators",
    "action": "/calculators",
    "choices": sorted(CALCULATORS),
    "choice_label": "Calculator",
    "body_label": "Inputs (JSON)",
    "button": "Calculate",
    "intro": "BASDAI, ASDAS-CRP/ESR, BASFI, the Laslett cluster and the ASAS classification.",
}
CALC_EXAMPLE = {
    "back_pain": 6,
    "morning_stiffness": 5,
    "patient_global": 6,
    "peripheral_pain": 2,
    "crp_mg_l": 12,
}


def _determination_html(procedure: str, data: dict[str, Any]) -> Markup:
    result = check_necessity(procedure, data)
    rows = "".join(
        f"<tr><td>{escape(c.status.replace('_', ' '))}</td><td>{escape(c.text)}</td>"
        f"<td>{escape(c.evidence)}</td></tr>"
        for c in result.criteria
    )
    notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    return Markup(
        f"<p data-testid='determination'><strong>{escape(result.title)}: "
        f"{escape(result.determination.replace('_', ' '))}</strong> · CPT "
        f"{escape(', '.join(result.codes.cpt) or '-')} · ICD-10-CM "
        f"{escape(', '.join(result.codes.icd10) or '-')}</p><table><thead><tr>"
        f"<th scope='col'>Status</th><th scope='col'>Criterion</th><th scope='col'>Evidence</th>"
        f"</tr></thead><tbody>{rows}</tbody></table><ul>{notes}</ul>"
    )


@router.get("/necessity", response_class=HTMLResponse)
def necessity_form(
    request: Request, session: DbSession, procedure: str = "start_tnfi"
) -> HTMLResponse:
    """Pick a procedure (``?procedure=`` preselects one, as CDS Hooks cards link), paste a case."""
    choice = procedure if procedure in NECESSITY["choices"] else "start_tnfi"
    return _tool(
        request, session, choice=choice, body=json.dumps(CASE_EXAMPLE, indent=2), **NECESSITY
    )


ChoiceForm = Annotated[str, Form()]


def _submit(
    request: Request,
    session: Any,
    spec: dict[str, Any],
    choice: str,
    body: str,
    csrf: str,
    compute: Callable[[str, dict[str, Any]], Markup],
) -> HTMLResponse:
    """Check the form, run ``compute`` on the chosen item and the JSON body, show the result or
    the fields to correct."""
    check_csrf(request, csrf)
    try:
        if choice not in spec["choices"]:
            raise BadInput([("choice", f"{choice!r} is not one of {', '.join(spec['choices'])}")])
        result = compute(choice, _json_body(body))
    except BadInput as error:
        return _tool(request, session, choice=choice, body=body, errors=error.lines(), **spec)
    return _tool(request, session, choice=choice, body=body, result=result, **spec)


@router.post("/necessity", response_class=HTMLResponse)
def necessity_submit(
    request: Request,
    session: DbSession,
    choice: ChoiceForm,
    body: ChoiceForm,
    csrf: ChoiceForm = "",
) -> HTMLResponse:
    """The determination, criterion by criterion."""
    return _submit(request, session, NECESSITY, choice, body, csrf, _determination_html)


@router.get("/calculators", response_class=HTMLResponse)
def calculators_form(request: Request, session: DbSession) -> HTMLResponse:
    """Pick a calculator, enter its inputs."""
    return _tool(
        request, session, choice="asdas_crp", body=json.dumps(CALC_EXAMPLE, indent=2), **CALC
    )


def _score_html(name: str, inputs: dict[str, Any]) -> Markup:
    score = calculate(name, inputs)
    category = f" ({score.category.replace('_', ' ')})" if score.category else ""
    return Markup(
        f"<p data-testid='score'><strong>{escape(score.name)}: {score.score:g}"
        f"{escape(category)}</strong></p><p>{escape(score.interpretation)}</p>"
    )


@router.post("/calculators", response_class=HTMLResponse)
def calculators_submit(
    request: Request,
    session: DbSession,
    choice: ChoiceForm,
    body: ChoiceForm,
    csrf: ChoiceForm = "",
) -> HTMLResponse:
    """The score with its category and interpretation."""
    return _submit(request, session, CALC, choice, body, csrf, _score_html)
