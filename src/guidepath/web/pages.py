"""Public pages: home with an ask box, articles, computed answers, case form, necessity and
calculators. Pages call the same public functions as the API and add no clinical logic."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from guidepath.answers.ask import MAX_QUESTION_CHARS, ask
from guidepath.answers.conversation import Conversation
from guidepath.answers.models import Answer
from guidepath.errors import BadInput, parse_json
from guidepath.store import workflow as wf
from guidepath.web.deps import DbSession
from guidepath.web.security import current_user
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
    request: Request, answer: Answer, article: Any, user: Any, switch: Any, matched: bool = False
) -> HTMLResponse:
    return page(
        request,
        "article.html",
        answer=answer,
        article=article,
        user=user,
        switch_url=switch,
        facts_json=json.dumps(answer.facts),
        matched=matched,
        fresh_url="/answer?" + urlencode({"q": answer.question, "fresh": "1"}),
    )


def stored_match(session: Any, question: str) -> tuple[str, str, str] | None:
    """(slug, question, audience) of the public article whose question this question is
    (approved articles first), if any: a reviewed answer is shown before a new one is computed."""
    from guidepath.language.retrieval import best_match

    articles = wf.public_questions(session)
    found = best_match(question, [q for _, q, _ in articles])
    return None if found is None else articles[found]


@router.get("/articles", response_class=HTMLResponse)
def articles(
    request: Request,
    session: DbSession,
    q: Annotated[str, Query(max_length=MAX_QUESTION_CHARS)] = "",
) -> HTMLResponse:
    """Public articles by topic; ``q`` searches their questions, titles and bottom lines."""
    from guidepath.language.retrieval import rank, topic_of

    found = wf.public_articles(session)
    if q.strip():
        texts = [
            f"{a.question} {a.answer.get('title', '')} {a.answer.get('bottom_line', '')}"
            for a in found
        ]
        found = [found[i] for i in rank(q, texts)]
    groups: dict[str, list[Any]] = {}
    for article in found:
        topic = topic_of(article.question)
        groups.setdefault(topic.title if topic else "Other questions", []).append(article)
    return page(
        request,
        "articles.html",
        user=current_user(request, session),
        q=q,
        groups=sorted(groups.items(), key=lambda g: (g[0] == "Other questions", g[0])),
        count=len(found),
    )


def status_line(article: Any) -> str:
    """The review status a printed or downloaded article carries under its title."""
    approval = article.approval
    if approval is not None:
        when = approval.created_at.strftime("%B %d, %Y")
        return f"Medically reviewed by {approval.reviewer.username} on {when}."
    return "Pending review: not yet approved by a medical reviewer. Use with caution."


@router.get("/articles/{slug}.pdf", response_model=None)
def article_pdf(request: Request, slug: str, session: DbSession) -> Response:
    """The stored article as a PDF (what the public may read; editors may download any)."""
    from guidepath.answers.pdf import PdfUnavailable, to_pdf
    from guidepath.web.errors import error_page

    user = current_user(request, session)
    stored = (
        wf.article_by_slug(session, slug=slug) if user else wf.public_article(session, slug=slug)
    )
    try:
        data = to_pdf(Answer.model_validate(stored.answer), status_line=status_line(stored))
    except PdfUnavailable as error:
        return error_page(request, 503, [str(error)])
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{stored.slug}.pdf"'},
    )


@router.get("/articles/{slug}", response_class=HTMLResponse)
def article(
    request: Request,
    slug: str,
    session: DbSession,
    audience: Audience | None = None,
    matched: bool = False,
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
        answer = Answer.model_validate(stored.answer)
        return _article_page(request, answer, stored, user, switch, matched)
    live = ask(stored.question, audience=audience)
    return _article_page(request, live, None, user, switch, matched)


@router.get("/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    session: DbSession,
    q: Annotated[str, Query(max_length=MAX_QUESTION_CHARS)] = "",
    audience: Audience = "clinician",
    facts: str = "",
    fresh: bool = False,
) -> Response:
    """A question answered now (not stored); ``facts`` from the previous answer makes it a
    follow-up on the same case. A new question that matches a stored public article goes to
    that article (reviewed content first) unless ``fresh`` asks for a computed answer."""
    if q.strip() and not facts and not fresh:
        stored = stored_match(session, q)
        if stored is not None:
            slug, _, stored_audience = stored
            query = {"matched": "1"} | (
                {"audience": audience} if audience != stored_audience else {}
            )
            return RedirectResponse(f"/articles/{slug}?{urlencode(query)}", 303)
    try:
        earlier = parse_json(facts, "facts") if facts else None
        conversation = Conversation(case=earlier) if isinstance(earlier, dict) else None
        result = ask(q, audience=audience, conversation=conversation)
    except (BadInput, ValidationError) as error:
        from guidepath.web.errors import error_page

        lines = error.lines() if isinstance(error, BadInput) else [f"facts: {error}"]
        return error_page(request, 422, lines)

    def switch(to: str) -> str:
        return "/answer?" + urlencode({"q": q, "audience": to, "facts": facts})

    return _article_page(request, result, None, current_user(request, session), switch)
