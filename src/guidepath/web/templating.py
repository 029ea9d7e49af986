"""Jinja2 templates of the pages (package data), with the user and CSRF token in every page."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from guidepath.web.security import csrf_token


@cache
def templates() -> Jinja2Templates:
    """The template set (autoescaped): the pages, and the article partials they share with the
    CLI's HTML and PDF (``guidepath/answers/templates``)."""
    return Jinja2Templates(
        directory=[
            str(resources.files("guidepath.web").joinpath("templates")),
            str(resources.files("guidepath.answers").joinpath("templates")),
        ]
    )


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; ``user`` may be passed in context, the CSRF token is always there."""
    context.setdefault("user", None)
    return templates().TemplateResponse(
        request, name, {"csrf": csrf_token(request), **context}, status_code=status_code
    )
