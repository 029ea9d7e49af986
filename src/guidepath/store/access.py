"""Access records kept in the database, so they hold across restarts and workers: CDS client
token ids already used, signed-in sessions, and failed sign-ins for throttling."""

from __future__ import annotations

import secrets
import time

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from guidepath.store.models import LoginAttempt, LoginSession, UsedToken, User


def claim_token(session: Session, jti: str, expires_at: float) -> bool:
    """Record a token id as used until it expires; ``False`` when it was used before (replay)."""
    now = time.time()
    session.execute(delete(UsedToken).where(UsedToken.expires_at < now))
    session.add(UsedToken(jti=jti, expires_at=expires_at))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def open_login(session: Session, user: User, lifetime_s: float) -> str:
    """A new signed-in session for ``user``; the token goes into the signed cookie."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token=token, user_id=user.id, expires_at=time.time() + lifetime_s))
    session.commit()
    return token


def login_user(session: Session, token: str) -> User | None:
    """The user of a live session token, or ``None`` (unknown, signed out or expired)."""
    found = session.get(LoginSession, token)
    if found is None or found.expires_at < time.time():
        return None
    return session.get(User, found.user_id)


def close_login(session: Session, token: str) -> None:
    """Sign out: the token no longer opens anything, wherever the cookie was copied."""
    session.execute(delete(LoginSession).where(LoginSession.token == token))
    session.execute(delete(LoginSession).where(LoginSession.expires_at < time.time()))
    session.commit()


def failures(session: Session, *, account: str | None, client: str | None, since: float) -> int:
    """Failed sign-ins since ``since`` for an account name or a client address."""
    query = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since)
    if account is not None:
        query = query.where(LoginAttempt.account == account)
    if client is not None:
        query = query.where(LoginAttempt.client == client)
    return int(session.scalar(query) or 0)


def record_failure(session: Session, *, account: str, client: str) -> None:
    """Remember a failed sign-in (and forget those older than a day)."""
    now = time.time()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 86400))
    session.add(LoginAttempt(account=account[:80], client=client[:64], at=now))
    session.commit()


def clear_failures(session: Session, *, account: str) -> None:
    """A successful sign-in ends the account's count (the client's stays)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.account == account))
    session.commit()
