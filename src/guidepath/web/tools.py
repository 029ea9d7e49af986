"""The calculator pages: pick a calculator and answer its items (wording, formula,
interpretation table and references from ``calculators.yaml``), and chart a series of dated
ASDAS or BASDAI values against the cut-offs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from guidepath.engine.calculators import CALCULATORS, Score, calculate
from guidepath.errors import BadInput
from guidepath.knowledge.calculator_specs import CalculatorSpec, calculator_specs
from guidepath.web.chart import Point, chart
from guidepath.web.deps import DbSession
from guidepath.web.forms import submitted
from guidepath.web.security import current_user
from guidepath.web.templating import page

router = APIRouter(include_in_schema=False)
SERIES_ROWS = 8
MEASURE_MAX = {"asdas": 20.0, "basdai": 10.0}


def _inputs(spec: CalculatorSpec, form: dict[str, Any]) -> dict[str, Any]:
    """The calculator's inputs from the form; an empty item stays absent (the calculator then
    says it is required, beside the item) and an unanswered HLA-B27 stays unknown."""
    inputs: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for item in spec.items:
        raw = form.get(item.name, "")
        if item.kind == "features":
            inputs["features"] = raw or []
            continue
        text = str(raw).strip()
        if item.kind in ("bool", "tri", "test"):
            state = {"true": True, "false": False}.get(text)
            if state is not None or item.kind == "bool":
                inputs[item.name] = state
            continue
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            problems.append((item.name, f"{text!r} is not a number"))
            continue
        inputs[item.name] = number
    listed = [i.name for i in spec.items if i.name.startswith("items.")]  # BASFI's ten answers
    if listed:
        inputs["items"] = [inputs.pop(name) for name in listed if name in inputs]
    if problems:
        raise BadInput(problems)
    return inputs


def _render(
    request: Request,
    session: Any,
    name: str,
    *,
    values: dict[str, Any] | None = None,
    score: Score | None = None,
    errors: list[str] | None = None,
    field_errors: dict[str, list[str]] | None = None,
    series: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    from guidepath.engine.compiled import compiled_pack

    specs = calculator_specs()
    spec = specs.calculators[name]
    references = compiled_pack().references
    return page(
        request,
        "calculators.html",
        status_code=status,
        user=current_user(request, session),
        names=[(n, specs.calculators[n].title) for n in CALCULATORS],
        calc=name,
        spec=spec,
        features=specs.features,
        chart_intro=specs.chart,
        references=[references[s] for s in spec.citations],
        values=values or {},
        score=score,
        errors=errors or [],
        field_errors=field_errors or {},
        series=series or {"measure": "asdas", "rows": [{} for _ in range(SERIES_ROWS)]},
    )


@router.get("/calculators", response_class=HTMLResponse)
def calculators_form(request: Request, session: DbSession, name: str = "basdai") -> HTMLResponse:
    """Pick a calculator (``?name=``): its items, formula, interpretation and references."""
    return _render(request, session, name if name in CALCULATORS else "basdai")


async def _form(request: Request) -> dict[str, Any]:
    return await submitted(request, lambda name: name == "features")


@router.post("/calculators", response_class=HTMLResponse)
async def calculators_submit(request: Request, session: DbSession) -> HTMLResponse:
    """The score with its category and interpretation, or each item to correct."""
    values = await _form(request)
    name = str(values.get("name", ""))
    if name not in CALCULATORS:
        return _render(
            request, session, "basdai", errors=[f"name: {name!r} is not a calculator"], status=422
        )
    spec = calculator_specs().calculators[name]
    try:
        score = calculate(name, _inputs(spec, values))
    except BadInput as error:
        return _render(
            request,
            session,
            name,
            values=values,
            errors=error.lines(),
            field_errors=error.by_field(),
            status=422,
        )
    return _render(request, session, name, values=values, score=score)


def _rows(values: dict[str, Any]) -> list[dict[str, str]]:
    """The series rows as entered (shown again with the chart or the errors)."""
    return [
        {p: str(values.get(f"series.{n}.{p}", "")).strip() for p in ("date", "value")}
        for n in range(SERIES_ROWS)
    ]


def _series(measure: str, rows: list[dict[str, str]]) -> list[Point]:
    """The dated values of the rows; each wrong cell is named (``series.2.date``)."""
    if measure not in MEASURE_MAX:
        raise BadInput([("measure", f"{measure!r} is not one of asdas, basdai")])
    points, problems = [], []
    for n, row in enumerate(rows):
        day, value = row["date"], row["value"]
        if not day and not value:
            continue
        try:
            parsed_day = dt.date.fromisoformat(day)
        except ValueError:
            problems.append((f"series.{n}.date", f"{day!r} is not a date (YYYY-MM-DD)"))
            continue
        try:
            number = float(value)
        except ValueError:
            problems.append((f"series.{n}.value", f"{value!r} is not a number"))
            continue
        if not 0 <= number <= MEASURE_MAX[measure]:
            problems.append((f"series.{n}.value", f"must be 0 to {MEASURE_MAX[measure]:g}"))
            continue
        points.append(Point(parsed_day, number))
    if not problems and len(points) < 2:
        problems.append(("series", "enter at least two dated values"))
    if problems:
        raise BadInput(problems)
    return points


@router.post("/calculators/track", response_class=HTMLResponse)
async def track(request: Request, session: DbSession) -> HTMLResponse:
    """A chart of dated ASDAS or BASDAI values against the cut-offs and improvement thresholds."""
    values = await _form(request)
    name = str(values.get("name", "asdas_crp"))
    name = name if name in CALCULATORS else "asdas_crp"
    measure, rows = str(values.get("measure", "asdas")), _rows(values)
    try:
        points = _series(measure, rows)
    except BadInput as error:
        series = {"measure": measure, "rows": rows, "errors": error.by_field()}
        return _render(request, session, name, errors=error.lines(), series=series, status=422)
    series = {"measure": measure, "rows": rows, "chart": chart(points, measure)}  # type: ignore[arg-type]
    return _render(request, session, name, series=series)
