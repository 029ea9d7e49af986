"""The editorial workflow: Submitted → Under review → Approved (or Changes requested → Submitted).

Rules: only a reviewer (or admin) starts a review or decides; nobody decides on their own article;
an edit (even to an approved article) adds a revision that must be reviewed again; every write
names the version it was based on, and a stale version is refused with :class:`Conflict`, never
merged. Every change is in the append-only audit log. All functions are keyword-only.
"""

from __future__ import annotations

import functools
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from guidepath.store.models import (
    DECISIONS,
    ROLES,
    Article,
    AuditEvent,
    Review,
    Revision,
    User,
    now,
)

HASHER = PasswordHasher()
DECIDED_STATUS = {
    "approve": "approved",
    "request_changes": "changes_requested",
    "reject": "rejected",
}


class WorkflowError(Exception):
    """Base of workflow refusals."""


class PermissionDenied(WorkflowError):
    """The user may not do this (HTTP 403)."""


class Conflict(WorkflowError):
    """The article changed since the caller read it, or the step is not allowed now (HTTP 409)."""


class NotFound(WorkflowError, LookupError):
    """No such article or user (HTTP 404)."""


def _audit(
    session: Session, *, actor: User | None, action: str, article: Article | None, **detail: Any
) -> None:
    session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            article_id=article.id if article else None,
            detail=detail,
        )
    )


def create_user(session: Session, *, username: str, password: str, role: str) -> User:
    """A new user with an Argon2id password hash."""
    if role not in ROLES:
        raise WorkflowError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise WorkflowError("password must have at least 8 characters")
    user = User(username=username, password_hash=HASHER.hash(password), role=role)
    session.add(user)
    session.flush()
    _audit(session, actor=None, action="user_created", article=None, username=username, role=role)
    session.commit()
    return user


class HashingBusy(RuntimeError):
    """Too many password checks at once; the caller should try again shortly (HTTP 503)."""


# Argon2id takes ~64 MiB and ~50 ms per check: at most two at once bounds memory and CPU however
# many sign-ins arrive together; the rest wait briefly, then are told to retry.
_HASHING = threading.BoundedSemaphore(2)


@functools.cache
def _decoy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return HASHER.hash(secrets.token_urlsafe(16))


def _verify(stored: str, password: str) -> bool:
    if not _HASHING.acquire(timeout=10):
        raise HashingBusy("too many sign-ins at once; try again in a few seconds")
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    finally:
        _HASHING.release()


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The user when the password matches, else ``None``. An unknown username costs the same
    hash check as a wrong password, so the answer time does not tell which usernames exist."""
    user = session.scalar(select(User).where(User.username == username[:80]))
    matched = _verify(user.password_hash if user else _decoy_hash(), password[:1024])
    return user if user is not None and matched else None


def slugify(text: str) -> str:
    """A URL slug from a question."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:80].strip("-") or "article"


def _unique_slug(session: Session, base: str) -> str:
    slug, n = base, 2
    while session.scalar(select(Article.id).where(Article.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


# The store keeps answers; it does not compute them. Callers hand it the function that does
# (``guidepath.answers.ask.answer_json``): question and audience in, the Answer as JSON out.
Answerer = Callable[[str, str], dict[str, Any]]


def submit_article(
    session: Session,
    *,
    author: User,
    question: str,
    answerer: Answerer,
    audience: str = "clinician",
) -> Article:
    """Answer a question (with ``answerer``) and submit it for review as revision 1."""
    answer = answerer(question, audience)
    article = Article(
        slug=_unique_slug(session, slugify(question)),
        question=question,
        audience=audience,
        answer=answer,
        facts=answer["facts"],
        pack_version=answer["pack_version"],
        status="submitted",
        needs_rereview=False,
        author_id=author.id,
    )
    session.add(article)
    session.flush()
    article.revisions.append(
        Revision(
            number=1,
            question=question,
            answer=answer,
            pack_version=article.pack_version,
            editor_id=author.id,
            note="submitted",
        )
    )
    _audit(session, actor=author, action="submitted", article=article, revision=1)
    session.commit()
    return article


def get_article(session: Session, *, article_id: int) -> Article:
    """An article by id."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"no article {article_id}")
    return article


def article_by_slug(session: Session, *, slug: str) -> Article:
    """An article by slug."""
    article = session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound(f"no article {slug!r}")
    return article


def list_articles(session: Session, *, status: str | None = None) -> Sequence[Article]:
    """Articles, newest first, optionally with one status."""
    query = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if status:
        query = query.where(Article.status == status)
    return session.scalars(query).all()


def audit_log(session: Session, *, limit: int = 500) -> list[tuple[AuditEvent, str]]:
    """The newest audit events with the actor's name ("system" for events with no actor)."""
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
    names = {user.id: user.username for user in session.scalars(select(User))}
    return [(e, names.get(e.actor_id, "system") if e.actor_id else "system") for e in events]


# What the public may read: approved articles, and those still in review (shown with a "pending
# review" warning). Rejected articles and those sent back for changes are never public.
PUBLIC_STATUSES = ("approved", "submitted", "under_review")


def public_articles(session: Session) -> list[Article]:
    """The public list: approved articles first, then those pending review; newest first."""
    found = session.scalars(
        select(Article)
        .where(Article.status.in_(PUBLIC_STATUSES))
        .order_by(Article.updated_at.desc(), Article.id.desc())
    ).all()
    return sorted(found, key=lambda a: a.status != "approved")


def public_questions(session: Session) -> list[tuple[str, str, str]]:
    """(slug, question, audience) of the public articles, approved first: what the ask box
    matches a question against, without loading the answers."""
    rows = session.execute(
        select(Article.slug, Article.question, Article.audience, Article.status)
        .where(Article.status.in_(PUBLIC_STATUSES))
        .order_by(Article.updated_at.desc(), Article.id.desc())
    ).all()
    ordered = sorted(rows, key=lambda r: r.status != "approved")
    return [(r.slug, r.question, r.audience) for r in ordered]


def public_article(session: Session, *, slug: str) -> Article:
    """A stored article the public may read; any other is :class:`NotFound` (404)."""
    article = article_by_slug(session, slug=slug)
    if article.status not in PUBLIC_STATUSES:
        raise NotFound(f"no article {slug!r}")
    return article


def _checked(session: Session, article_id: int, expected_version: int) -> Article:
    article = get_article(session, article_id=article_id)
    if article.version != expected_version:
        raise Conflict(
            f"article {article_id} is at version {article.version}, not "
            f"{expected_version}; reload and try again"
        )
    return article


def _commit(session: Session) -> None:
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict("someone else changed this article first; reload and try again") from None


def review_refusal(user: User, article: Article) -> str | None:
    """Why ``user`` may not review ``article``, or ``None`` when they may (the one rule the
    workflow enforces and the pages use to show or hide the decision buttons)."""
    if user.role not in ("reviewer", "admin"):
        return "only a reviewer may review articles"
    if user.id == article.author_id:
        return "nobody may review their own article"
    if article.revisions and article.revisions[-1].editor_id == user.id:
        return "nobody may review a revision they edited"
    return None


def _require_reviewer(user: User, article: Article) -> None:
    refusal = review_refusal(user, article)
    if refusal is not None:
        raise PermissionDenied(refusal)


def start_review(
    session: Session, *, article_id: int, reviewer: User, expected_version: int
) -> Article:
    """Submitted → Under review."""
    article = _checked(session, article_id, expected_version)
    _require_reviewer(reviewer, article)
    if article.status != "submitted":
        raise Conflict(f"a review starts from submitted, not {article.status}")
    article.status, article.updated_at = "under_review", now()
    _audit(session, actor=reviewer, action="review_started", article=article)
    _commit(session)
    return article


def decide(
    session: Session,
    *,
    article_id: int,
    reviewer: User,
    decision: str,
    comment: str,
    expected_version: int,
) -> Article:
    """Under review → Approved / Changes requested / Rejected, with the reviewer's comment."""
    if decision not in DECISIONS:
        raise WorkflowError(f"decision must be one of {', '.join(DECISIONS)}")
    article = _checked(session, article_id, expected_version)
    _require_reviewer(reviewer, article)
    if article.status != "under_review":
        raise Conflict(f"a decision needs an article under review, not {article.status}")
    if decision != "approve" and not comment.strip():
        raise WorkflowError("say what should change: a comment is required")
    revision = max(r.number for r in article.revisions)
    article.reviews.append(
        Review(
            revision_number=revision, reviewer_id=reviewer.id, decision=decision, comment=comment
        )
    )
    article.status, article.updated_at = DECIDED_STATUS[decision], now()
    article.needs_rereview = False
    _audit(
        session,
        actor=reviewer,
        action=f"decided_{decision}",
        article=article,
        revision=revision,
        comment=comment,
    )
    _commit(session)
    return article


def edit_refusal(user: User, article: Article) -> str | None:
    """Why ``user`` may not edit ``article`` now, or ``None`` when they may: editors (authors)
    and admins edit; an article under review waits for the decision."""
    if user.role not in ("author", "admin"):
        return "only an editor (or an admin) may edit articles"
    if article.status == "under_review":
        return "the article is under review; wait for the decision"
    return None


def _require_editor(user: User, article: Article) -> None:
    refusal = edit_refusal(user, article)
    if refusal is None:
        return
    if article.status == "under_review" and user.role in ("author", "admin"):
        raise Conflict(refusal)
    raise PermissionDenied(refusal)


def _add_revision(
    session: Session,
    article: Article,
    *,
    editor: User,
    question: str,
    answer: dict[str, Any],
    note: str,
) -> Article:
    """A new revision holding ``answer``; the article goes back to Submitted for review."""
    number = max(r.number for r in article.revisions) + 1
    article.revisions.append(
        Revision(
            number=number,
            question=question,
            answer=answer,
            pack_version=answer["pack_version"],
            editor_id=editor.id,
            note=note,
        )
    )
    article.question, article.answer, article.facts = question, answer, answer["facts"]
    article.pack_version, article.status = answer["pack_version"], "submitted"
    article.needs_rereview, article.updated_at = False, now()
    _audit(session, actor=editor, action="edited", article=article, revision=number, note=note)
    _commit(session)
    return article


def edit_article(
    session: Session,
    *,
    article_id: int,
    editor: User,
    question: str,
    expected_version: int,
    answerer: Answerer,
    note: str = "",
) -> Article:
    """A new revision with the question re-answered; it goes back to Submitted for review."""
    article = _checked(session, article_id, expected_version)
    _require_editor(editor, article)
    answer = answerer(question, article.audience)
    return _add_revision(
        session, article, editor=editor, question=question, answer=answer, note=note
    )


def revise_article(
    session: Session,
    *,
    article_id: int,
    editor: User,
    answer: dict[str, Any],
    expected_version: int,
    note: str = "",
) -> Article:
    """A new revision with the editor's wording (title, bottom line, section items) in
    ``answer``; it goes back to Submitted, and reviewers see the diff from the last revision.
    An edit that changes nothing is refused, so the review queue only holds real changes."""
    article = _checked(session, article_id, expected_version)
    _require_editor(editor, article)
    if answer == article.answer:
        raise WorkflowError("nothing changed: edit the title, bottom line or a section first")
    return _add_revision(
        session, article, editor=editor, question=article.question, answer=answer, note=note
    )


def flag_changed_answers(
    session: Session,
    *,
    answerer: Answerer,
    actor: User | None = None,
    current_pack: str | None = None,
) -> list[int]:
    """Approved articles whose answer would change with the current pack are flagged for
    re-review; returns their ids. With ``current_pack``, only articles answered with another
    pack version are recomputed (what start-up does after a pack update)."""
    flagged = []
    for article in list_articles(session, status="approved"):
        if current_pack is not None and article.pack_version == current_pack:
            continue
        fresh = answerer(article.question, article.audience)
        if _comparable(fresh) != _comparable(article.answer):
            article.needs_rereview, article.updated_at = True, now()
            _audit(
                session,
                actor=actor,
                action="flagged_for_rereview",
                article=article,
                stored_pack=article.pack_version,
                current_pack=fresh["pack_version"],
            )
            flagged.append(article.id)
    _commit(session)
    return flagged


def _comparable(answer: dict[str, Any]) -> Any:
    """The clinical content of an answer (what a reviewer approved), without volatile fields."""
    return (
        answer.get("bottom_line"),
        answer.get("sections"),
        answer.get("references"),
        [(r["action"], r["role"]) for r in answer.get("recommendations", [])],
    )


def audit_trail(session: Session, *, article_id: int | None = None) -> Sequence[AuditEvent]:
    """The audit log, oldest first (one article's, or all)."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if article_id is not None:
        query = query.where(AuditEvent.article_id == article_id)
    return session.scalars(query).all()
