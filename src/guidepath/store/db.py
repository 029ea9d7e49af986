"""Database engine and schema migrations (Alembic, run programmatically at start-up).

SQLite (a file in the data directory) is the embedded default; ``GUIDEPATH_DATABASE_URL``
selects PostgreSQL, e.g. ``postgresql+psycopg://user:pass@localhost/guidepath``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from guidepath.config import get_settings


def database_url() -> str:
    """The configured URL, or a SQLite file in the data directory."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    path = Path(settings.data_dir).resolve() / "guidepath.db"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():  # owner-only from the start; SQLite's -wal/-shm files inherit it
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return f"sqlite:///{path}"


def make_engine(url: str | None = None) -> Engine:
    """An engine; SQLite gets foreign keys and a busy timeout for concurrent writers."""
    target = url or database_url()
    if target.startswith("sqlite"):
        engine = create_engine(target, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(target, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    location = resources.files("guidepath.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
