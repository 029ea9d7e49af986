"""Public pages: home with an ask box, articles, computed answers, case form, necessity and
calculators. Pages call the same public functions as the API and add no clinical logic."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError

from guidepath.answers.ask import MAX_QUESTION_CHARS, ask
from guidepath.answers.conversation import Conversation
from guidepath.answers.models import Answer
from guidepath.errors import BadInput, parse_json
from guidepath.examples import CASE_EXAMPLE
from guidepath.store import workflow as wf
from guidepath.web.deps import DbSession
from guidepath.web.security import check_csrf, current_user
from guidepath.web.templating import page

router = APIRouter(include_in_schema=False)
Audience = Literal["clinician", "patient"]


FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="6" fill="#1f5f9e"/>'
    '<path d="M9 16h14M16 9v14" stroke="#fff" stroke-width="4" stroke-linecap="round"/></svg>'
)


@router.get("/favicon.svg")
@router.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon (an SVG; browsers asking for /favicon.ico get it too)."""
    return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession) -> HTMLResponse:
    """Ask box and the articles."""
    return page(
        request,
        "home.html",
        user=current_user(request, session),
        articles=wf.public_articles(session),
    )


def _article_page(
    request: Request, answer: Answer, article: Any, user: Any, switch: Any
) -> HTMLResponse:
    return page(
        request,
        "article.html",
        answer=answer,
        article=article,
        user=user,
        switch_url=switch,
        facts_json=json.dumps(answer.facts),
    )


@router.get("/articles/{slug}", response_class=HTMLResponse)
def article(
    request: Request, slug: str, session: DbSession, audience: Audience | None = None
) -> HTMLResponse:
    """A stored article the public may read (approved, or pending review with a warning);
    rejected articles and those sent back for changes are 404 except to a signed-in editor. The
    other audience's wording is computed live (and says so)."""
    user = current_user(request, session)
    if user is None:
        stored = wf.public_article(session, slug=slug)
    else:
        stored = wf.article_by_slug(session, slug=slug)

    def switch(to: str) -> str:
        return f"/articles/{slug}?audience={to}"

    if audience is None or audience == stored.audience:
        return _article_page(request, Answer.model_validate(stored.answer), stored, user, switch)
    return _article_page(request, ask(stored.question, audience=audience), None, user, switch)


@router.get("/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    session: DbSession,
    q: Annotated[str, Query(max_length=MAX_QUESTION_CHARS)] = "",
    audience: Audience = "clinician",
    facts: str = "",
) -> HTMLResponse:
    """A question answered now (not stored); ``facts`` from the previous answer makes it a
    follow-up on the same case."""
    try:
        earlier = parse_json(facts, "facts") if facts else None
        conversation = Conversation(case=earlier) if isinstance(earlier, dict) else None
        result = ask(q, audience=audience, conversation=conversation)
    except (BadInput, ValidationError) as error:
        lines = error.lines() if isinstance(error, BadInput) else [f"facts: {error}"]
        return page(
            request,
            "tool.html",
            status_code=422,
            heading="Ask",
            intro="",
            action="/answer",
            errors=lines,
            body=q,
            body_label="Question",
            button="Ask",
            user=current_user(request, session),
        )

    def switch(to: str) -> str:
        return "/answer?" + urlencode({"q": q, "audience": to, "facts": facts})

    return _article_page(request, result, None, current_user(request, session), switch)


def _json_body(text: str) -> dict[str, Any]:
    data = parse_json(text, "body")
    if not isinstance(data, dict):
        raise BadInput([("body", "must be a JSON object")])
    return data


def _tool(request: Request, session: Any, **context: Any) -> HTMLResponse:
    return page(
        request,
        "tool.html",
        user=current_user(request, session),
        status_code=422 if context.get("errors") else 200,
        **context,
    )


CASE_TOOL = {
    "heading": "Evaluate a case",
    "action": "/case",
    "body_label": "Case (JSON)",
    "button": "Evaluate",
    "intro": "Every field is optional; what is absent counts as "
    "unknown, never as no. Field names follow the public case format.",
}


@router.get("/case", response_class=HTMLResponse)
def case_form(request: Request, session: DbSession) -> HTMLResponse:
    """The structured case form."""
    return _tool(request, session, body=json.dumps(CASE_EXAMPLE, indent=2), **CASE_TOOL)


def _assessment_html(data: dict[str, Any]) -> Markup:
    from guidepath.answers.compose import compose
    from guidepath.engine.pathway import evaluate
    from guidepath.web.templating import templates

    assessment = evaluate(data)
    composed = compose(
        assessment, question="Structured case", audience="clinician", facts=data, related=[]
    )
    html = templates().get_template("answer_body.html").render(answer=composed)
    return Markup(f"<h3>{escape(assessment.stage_title)}</h3>") + Markup(html)


@router.post("/case", response_class=HTMLResponse)
def case_submit(
    request: Request,
    session: DbSession,
    body: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The Assessment of the submitted case, or the fields to correct."""
    check_csrf(request, csrf)
    try:
        result = _assessment_html(_json_body(body))
    except BadInput as error:
        return _tool(request, session, body=body, errors=error.lines(), **CASE_TOOL)
    return _tool(request, session, body=body, result=result, **CASE_TOOL)
