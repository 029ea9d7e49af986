"""The store suite runs on SQLite and on the real PostgreSQL the test setup starts
(``GUIDEPATH_TEST_POSTGRES_URL``, printed by scripts/test-services.sh)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from guidepath.store.db import make_engine, migrate, session_factory
from guidepath.store.models import Base

POSTGRES = os.environ.get("GUIDEPATH_TEST_POSTGRES_URL")


def _reset(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        if not POSTGRES:
            pytest.skip("GUIDEPATH_TEST_POSTGRES_URL is not set (run scripts/test-services.sh)")
        url = POSTGRES
    else:
        url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    _reset(engine)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture()
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as opened:
        yield opened
