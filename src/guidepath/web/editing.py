"""Editors' pages: write a new article from a question, and edit an article's wording (title,
bottom line, section items) beside the answer guidepath computes now. Saving adds a revision
that goes back to review; reviewers see the diff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guidepath.answers.ask import MAX_QUESTION_CHARS
from guidepath.answers.editing import apply_edits, section_text
from guidepath.answers.models import Answer
from guidepath.errors import BadInput, check_text
from guidepath.store import workflow as wf
from guidepath.web.deps import DbSession
from guidepath.web.security import check_csrf, require_user
from guidepath.web.state import answer_json
from guidepath.web.templating import page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]


def _edit_page(
    request: Request,
    user: Any,
    article: Any,
    *,
    typed: tuple[str, str, list[str]] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The edit form: the stored wording, or what the editor typed when it must be corrected
    (nothing typed is lost to an error)."""
    stored = Answer.model_validate(article.answer)
    title, bottom_line, texts = typed or (
        stored.title,
        stored.bottom_line,
        [section_text(s) for s in stored.sections],
    )
    return page(
        request,
        "edit_article.html",
        status_code=status,
        user=user,
        article=article,
        headings=[s.heading for s in stored.sections],
        title_value=title,
        bottom_value=bottom_line,
        texts=texts,
        references=stored.references,
        computed=Answer.model_validate(answer_json(article.question, article.audience)),
        refusal=wf.edit_refusal(user, article),
        errors=errors or [],
    )


@router.get("/review/{article_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, article_id: int, session: DbSession) -> HTMLResponse:
    """The article's wording in fields, with the answer computed now beside it."""
    user = require_user(request, session)
    return _edit_page(request, user, wf.get_article(session, article_id=article_id))


@router.post("/review/{article_id}/edit", response_model=None)
async def edit_save(
    request: Request,
    article_id: int,
    session: DbSession,
    version: Annotated[int, Form()],
    title: Text,
    bottom_line: Text,
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Save the edit as a new revision (back to Submitted), or show the fields to correct."""
    check_csrf(request, csrf)
    user = require_user(request, session)
    article = wf.get_article(session, article_id=article_id)
    stored = Answer.model_validate(article.answer)
    form = await request.form()
    texts = [str(form.get(f"section_{n}", "")) for n in range(len(stored.sections))]
    typed = (title, bottom_line, texts)
    try:
        edited = apply_edits(stored, title=title, bottom_line=bottom_line, sections=texts)
    except BadInput as error:
        return _edit_page(request, user, article, typed=typed, errors=error.lines(), status=422)
    try:
        wf.revise_article(
            session,
            article_id=article_id,
            editor=user,
            answer=edited.model_dump(mode="json"),
            expected_version=version,
            note=note,
        )
    except wf.PermissionDenied as refusal:
        return _edit_page(request, user, article, typed=typed, errors=[str(refusal)], status=403)
    except wf.Conflict as refusal:
        return _edit_page(request, user, article, typed=typed, errors=[str(refusal)], status=409)
    except wf.WorkflowError as refusal:
        return _edit_page(request, user, article, typed=typed, errors=[str(refusal)], status=422)
    return RedirectResponse(
        f"/review/{article_id}?message=Saved+as+a+new+revision%3B+it+is+back+in+review.",
        status_code=303,
    )


@router.get("/review/new", response_class=HTMLResponse)
def new_form(request: Request, session: DbSession) -> HTMLResponse:
    """Write a new article from a question."""
    user = require_user(request, session)
    return page(request, "new_article.html", user=user, question="", audience="clinician")


@router.post("/review/new", response_model=None)
def new_save(
    request: Request,
    session: DbSession,
    question: Annotated[str, Form(max_length=MAX_QUESTION_CHARS)],
    audience: Annotated[str, Form()] = "clinician",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Answer the question and submit the article for review (revision 1)."""
    check_csrf(request, csrf)
    user = require_user(request, session)
    errors = []
    if user.role not in ("author", "admin"):
        errors.append("only an editor (or an admin) may write articles")
    if audience not in ("clinician", "patient"):
        errors.append(f"audience: {audience!r} is not one of clinician, patient")
    try:
        check_text(question, "question")
        if not question.strip():
            raise BadInput([("question", "must not be empty")])
    except BadInput as error:
        errors += error.lines()
    if errors:
        return page(
            request,
            "new_article.html",
            status_code=403 if user.role not in ("author", "admin") else 422,
            user=user,
            question=question,
            audience=audience,
            errors=errors,
        )
    article = wf.submit_article(
        session, author=user, question=question.strip(), answerer=answer_json, audience=audience
    )
    return RedirectResponse(f"/review/{article.id}?message=Submitted+for+review.", 303)
