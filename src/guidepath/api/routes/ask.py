"""POST /v1/ask (JSON) and GET /v1/ask (JSON or an HTML page): a question → Answer."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from guidepath.answers.ask import MAX_QUESTION_CHARS, ask
from guidepath.answers.models import Answer
from guidepath.api.guard import JsonRoute
from guidepath.examples import SAMPLE_QUESTION

router = APIRouter(route_class=JsonRoute, prefix="/v1", tags=["ask"])


class AskRequest(BaseModel):
    """A question, who it is for, and optionally the facts of earlier turns to refine."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": SAMPLE_QUESTION, "audience": "clinician"}]},
    )

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    audience: Literal["clinician", "patient"] = "clinician"
    facts: dict[str, object] | None = None


@router.post("/ask", response_model=Answer, summary="Answer a clinical question")
def post_ask(request: AskRequest) -> Answer:
    """The Answer (contract section 5); ``facts`` from an earlier answer makes a follow-up."""
    from guidepath.answers.conversation import Conversation

    conversation = Conversation(case=dict(request.facts)) if request.facts else None
    return ask(request.question, audience=request.audience, conversation=conversation)


@router.get("/ask", summary="Answer a question as JSON or as an HTML page", response_model=None)
def get_ask(
    question: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS)] = SAMPLE_QUESTION,
    audience: Literal["clinician", "patient"] = "clinician",
    format: Literal["json", "html"] = "json",
) -> HTMLResponse | JSONResponse:
    """A link-friendly way to ask; ``format=html`` returns the article as a page."""
    answer = ask(question, audience=audience)
    if format == "html":
        from guidepath.answers.render import to_html

        return HTMLResponse(to_html(answer))
    return JSONResponse(answer.model_dump(mode="json"))
