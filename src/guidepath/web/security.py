"""Login sessions and CSRF for the pages.

Sessions are Starlette's signed cookies (itsdangerous), HttpOnly, SameSite=Lax, and Secure when
the site is served over HTTPS. Every form carries a per-session CSRF token that POST handlers check.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from guidepath.store.models import User


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str) -> None:
    """403 unless the form's token matches the session's."""
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(str(expected), submitted or ""):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")


def current_user(request: Request, session: Session) -> User | None:
    """The logged-in user, if any."""
    user_id = request.session.get("user_id")
    return session.get(User, user_id) if user_id else None


def require_user(request: Request, session: Session) -> User:
    """The logged-in user, or a redirect to the login page."""
    user = current_user(request, session)
    if user is None:
        raise HTTPException(status_code=303, headers={"Location": "/login"})
    return user
