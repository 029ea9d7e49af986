"""Tables of the editorial store.

An Article is a question answered by guidepath, kept with every Revision; Reviews record each
decision; AuditEvent is append-only (updates and deletes are refused at the ORM level). Articles
carry a version counter: a write made from a stale version is refused, never merged silently.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

STATUSES = ("submitted", "under_review", "changes_requested", "approved", "rejected")
ROLES = ("author", "reviewer", "admin")
DECISIONS = ("approve", "request_changes", "reject")


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the store."""


class User(Base):
    """Someone who writes or reviews articles. ``password_hash`` is Argon2id."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Article(Base):
    """A published (or to-be-published) answer and its review status."""

    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    question: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(20))
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    pack_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30), default="submitted")
    needs_rereview: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    author: Mapped[User] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="article", order_by="Revision.number"
    )
    reviews: Mapped[list[Review]] = relationship(back_populates="article", order_by="Review.id")

    @property
    def approval(self) -> Review | None:
        """The decision that approved the article as it stands (``None`` unless approved)."""
        if self.status != "approved":
            return None
        return next((r for r in reversed(self.reviews) if r.decision == "approve"), None)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own attribute


class Revision(Base):
    """One saved state of an article; every change adds one, none is ever overwritten."""

    __tablename__ = "revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    number: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    pack_version: Mapped[str] = mapped_column(String(40))
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    article: Mapped[Article] = relationship(back_populates="revisions")


class Review(Base):
    """A reviewer's decision on a revision."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    revision_number: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    article: Mapped[Article] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()


class AuditEvent(Base):
    """Who did what, when. Append-only."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(60))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class UsedToken(Base):
    """A CDS client JWT ``jti`` already accepted, kept until the token expires (replay guard that
    survives a restart and is shared by every worker)."""

    __tablename__ = "used_tokens"
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class LoginSession(Base):
    """A signed-in browser session. The cookie carries only ``token``; signing out deletes the
    row, so a copied cookie stops working at once."""

    __tablename__ = "login_sessions"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class LoginAttempt(Base):
    """A failed sign-in, by account name and client address (for throttling)."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(80), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[float] = mapped_column(Float, index=True)


class AppendOnlyError(RuntimeError):
    """An attempt to change or remove an audit event."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_changes(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise AppendOnlyError("the audit log is append-only")
