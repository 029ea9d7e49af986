"""Errors on the site's pages are pages: a person who follows a dead link or sends a broken form
sees an HTML page saying what went wrong and where to go, never raw JSON. API paths (``/v1``,
``/cds-services``, ``/healthz``, ``/openapi.json``) keep their JSON error bodies."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from guidepath.api import errors as api_errors
from guidepath.errors import BadInput

API_PREFIXES = ("/v1", "/cds-services", "/healthz", "/openapi.json", "/static", "/docs", "/redoc")
HEADINGS = {
    400: "Bad request",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "Changed meanwhile",
    413: "Too large",
    422: "Please check what you entered",
    429: "Too many attempts",
}
ADVICE = {
    404: "The page or article does not exist, or it is not public: articles are public once "
    "approved, or while pending review.",
    422: "Go back, correct the fields named above, and send the form again.",
}


def is_page(request: Request) -> bool:
    """Whether the request is for a page (HTML errors) rather than the API (JSON errors)."""
    return not request.url.path.startswith(API_PREFIXES)


def error_page(request: Request, status: int, problems: list[str] | None = None) -> HTMLResponse:
    """The HTML error page for a status."""
    from guidepath.web.templating import page

    return page(
        request,
        "error.html",
        status_code=status,
        status=status,
        heading=HEADINGS.get(status, "Something went wrong"),
        problems=problems or [],
        advice=ADVICE.get(status, "Go back and try again."),
    )


def install(app: FastAPI) -> None:
    """HTML error pages for page paths; the API's JSON handlers everywhere else."""

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code < 400 or not is_page(request):
            return JSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
        return error_page(request, error.status_code)

    async def validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        problems = api_errors.validation_input(error)
        if not is_page(request):
            return api_errors.bad_input_response(problems)
        return error_page(request, 422, problems.lines())

    async def bad_input(request: Request, error: Exception) -> Response:
        assert isinstance(error, BadInput)
        if not is_page(request):
            return api_errors.bad_input_response(error)
        return error_page(request, 422, error.lines())

    async def not_found(request: Request, error: Exception) -> Response:
        if not is_page(request):
            return JSONResponse(status_code=404, content={"detail": str(error)})
        return error_page(request, 404)

    handlers: dict[Any, Any] = {
        HTTPException: http_error,
        RequestValidationError: validation,
        BadInput: bad_input,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
    from guidepath.store.workflow import NotFound

    app.add_exception_handler(NotFound, not_found)
