"""Login and the review dashboard: queues by status, revision diff, decisions with comments."""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from guidepath.answers.models import Answer
from guidepath.answers.render import to_markdown
from guidepath.config import get_settings
from guidepath.store import access
from guidepath.store import workflow as wf
from guidepath.store.models import STATUSES, Article
from guidepath.web.deps import DbSession
from guidepath.web.security import check_csrf, client_address, require_user, throttled
from guidepath.web.templating import page

router = APIRouter(include_in_schema=False)
QUEUE_ORDER = ("submitted", "under_review", "changes_requested", "approved", "rejected")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return page(request, "login.html")


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Sign in; a new session (and login token) is issued on success. Too many failures for the
    account or from the client: 429 until the window passes."""
    check_csrf(request, csrf)
    client = client_address(request)
    if throttled(session, username, client):
        return page(
            request,
            "login.html",
            status_code=429,
            error="Too many failed sign-ins. Wait a few minutes, then try again.",
        )
    try:
        user = wf.authenticate(session, username=username, password=password)
    except wf.HashingBusy as busy:
        return page(request, "login.html", status_code=503, error=str(busy))
    if user is None:
        access.record_failure(session, account=username, client=client)
        return page(request, "login.html", status_code=401, error="Wrong username or password.")
    access.clear_failures(session, account=username)
    token = access.open_login(session, user, get_settings().session_lifetime_s)
    request.session.clear()
    request.session["login"] = token
    return RedirectResponse("/review", status_code=303)


@router.post("/logout")
def logout(
    request: Request, session: DbSession, csrf: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """Sign out, here and wherever the session cookie was copied."""
    check_csrf(request, csrf)
    token = request.session.get("login")
    if token:
        access.close_login(session, str(token))
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/review", response_class=HTMLResponse)
def dashboard(request: Request, session: DbSession) -> HTMLResponse:
    """Queues by status."""
    user = require_user(request, session)
    articles = wf.list_articles(session)
    queues = [(s, [a for a in articles if a.status == s]) for s in QUEUE_ORDER if s in STATUSES]
    return page(request, "review_list.html", user=user, queues=queues)


def revision_diff(article: Article) -> Markup | None:
    """The change between the last two revisions, as escaped HTML with <ins>/<del>."""
    if len(article.revisions) < 2:
        return None
    before, after = (
        to_markdown(Answer.model_validate(r.answer)).splitlines() for r in article.revisions[-2:]
    )
    lines = []
    for line in difflib.ndiff(before, after):
        tag, text = line[:2], escape(line[2:])
        if tag == "+ ":
            lines.append(Markup("<ins>+ ") + text + Markup("</ins>"))
        elif tag == "- ":
            lines.append(Markup("<del>- ") + text + Markup("</del>"))
        elif tag == "  ":
            lines.append(Markup("  ") + text)
    return Markup("\n").join(lines)


def _review_page(
    request: Request,
    session: Any,
    user: Any,
    article_id: int,
    *,
    status: int = 200,
    message: str = "",
    error: str = "",
) -> HTMLResponse:
    article = wf.get_article(session, article_id=article_id)
    return page(
        request,
        "review_article.html",
        status_code=status,
        user=user,
        article=article,
        answer=Answer.model_validate(article.answer),
        refusal=wf.review_refusal(user, article),
        edit_refusal=wf.edit_refusal(user, article),
        diff=revision_diff(article),
        message=message,
        error=error,
    )


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, session: DbSession) -> HTMLResponse:
    """The append-only audit log, newest first (signed-in editors and reviewers)."""
    user = require_user(request, session)
    return page(request, "audit.html", user=user, events=wf.audit_log(session))


@router.get("/review/{article_id}", response_class=HTMLResponse)
def review_page(
    request: Request, article_id: int, session: DbSession, message: str = "", error: str = ""
) -> HTMLResponse:
    """One article with its diff and the decision form."""
    return _review_page(
        request, session, require_user(request, session), article_id, message=message, error=error
    )


@router.post("/review/{article_id}", response_class=HTMLResponse)
def review_action(
    request: Request,
    article_id: int,
    session: DbSession,
    action: Annotated[str, Form()],
    version: Annotated[int, Form()],
    comment: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Start a review or decide; refusals are shown with their reason (403 / 409 / 422)."""
    check_csrf(request, csrf)
    user = require_user(request, session)
    status, message, error = 200, "", ""
    try:
        if action == "start":
            wf.start_review(session, article_id=article_id, reviewer=user, expected_version=version)
            message = "Review started."
        else:
            wf.decide(
                session,
                article_id=article_id,
                reviewer=user,
                decision=action,
                comment=comment,
                expected_version=version,
            )
            message = f"Decision recorded: {action.replace('_', ' ')}."
    except wf.PermissionDenied as refusal:
        status, error = 403, str(refusal)
    except wf.Conflict as refusal:
        status, error = 409, str(refusal)
    except wf.WorkflowError as refusal:
        status, error = 422, str(refusal)
    session.expire_all()
    return _review_page(
        request, session, user, article_id, status=status, message=message, error=error
    )
