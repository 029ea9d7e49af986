"""Error responses: bad input is 422 naming the field, unknown names are 404, never a 500 for
input. Bodies: ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}], "errors": ["field:
message"]}``, the shape the OpenAPI document publishes for every 422."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from guidepath.engine.calculators import UnknownCalculator
from guidepath.engine.necessity import UnknownProcedure
from guidepath.errors import BadInput, field_path


def bad_input_response(error: BadInput) -> JSONResponse:
    """422 with one entry per problem."""
    detail = [
        {
            "loc": ["body", *field.split(".")] if field else ["body"],
            "msg": message,
            "type": "value_error",
        }
        for field, message in error.problems
    ]
    return JSONResponse(status_code=422, content={"detail": detail, "errors": error.lines()})


async def _bad_input(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, BadInput)
    return bad_input_response(error)


def validation_input(error: RequestValidationError) -> BadInput:
    """FastAPI's validation errors as guidepath's bad input, one ``field: problem`` each."""
    problems: list[tuple[str, str]] = []
    for item in error.errors():
        if item["type"] == "json_invalid":
            reason = str((item.get("ctx") or {}).get("error", item["msg"]))
            said = reason if reason.startswith("not valid JSON") else f"not valid JSON ({reason})"
            problems.append(("body", said))
            continue
        location = tuple(p for p in item["loc"] if p not in ("body", "query", "path"))
        problems.append((field_path(location), str(item["msg"])))
    return BadInput(problems)


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return bad_input_response(validation_input(error))


async def _not_found(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(error)})


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    handlers: dict[Any, Any] = {
        BadInput: _bad_input,
        RequestValidationError: _validation,
        UnknownProcedure: _not_found,
        UnknownCalculator: _not_found,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)


def publish_error_shape(schema: dict[str, Any]) -> None:
    """Make the OpenAPI document's 422 schema the one the service sends (``errors`` added)."""
    components = schema.get("components", {}).get("schemas", {})
    shape = components.get("HTTPValidationError")
    if shape is not None:
        shape.setdefault("properties", {})["errors"] = {
            "type": "array",
            "items": {"type": "string"},
            "title": "Errors",
            "description": "One 'field: message' line per problem.",
        }
