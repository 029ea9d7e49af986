"""Request dependencies: a database session from the running site's store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session


def db_session(request: Request) -> Iterator[Session]:
    """A session for one request."""
    with request.app.state.store.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]
