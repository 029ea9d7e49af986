"""Login sessions and CSRF for the pages.

Sessions are Starlette's signed cookies (itsdangerous), HttpOnly, SameSite=Lax, and Secure when
the site is served over HTTPS. The cookie holds only a random login token whose row in the database
says who is signed in: signing out deletes the row, so the cookie (or a copy of it) is dead at once.
Every form carries a per-session CSRF token that POST handlers check.

Sign-in is throttled by account name and by client address (failed attempts in a window, kept in
the database), and an unknown username costs the same password check as a known one.
"""

from __future__ import annotations

import hmac
import secrets
import time

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from guidepath.config import get_settings
from guidepath.store import access
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
    """The logged-in user, if any (a live login token in the signed cookie)."""
    token = request.session.get("login")
    return access.login_user(session, str(token)) if token else None


def client_address(request: Request) -> str:
    """The caller's address as the server saw it (no forwarded headers are trusted)."""
    return request.client.host if request.client else "unknown"


def throttled(session: Session, username: str, client: str) -> bool:
    """Too many recent failed sign-ins for this account name or from this client."""
    settings = get_settings()
    since = time.time() - settings.login_window_s
    by_account = access.failures(session, account=username[:80], client=None, since=since)
    by_client = access.failures(session, account=None, client=client, since=since)
    return (
        by_account >= settings.login_max_failures_account
        or by_client >= settings.login_max_failures_client
    )


def require_user(request: Request, session: Session) -> User:
    """The logged-in user, or a redirect to the login page."""
    user = current_user(request, session)
    if user is None:
        raise HTTPException(status_code=303, headers={"Location": "/login"})
    return user
