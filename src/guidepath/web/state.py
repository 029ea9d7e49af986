"""The store behind the pages: opened at start-up, migrated, and seeded when asked.

Seeding (``GUIDEPATH_SEED=1``, set by ``make run``) creates a demo author and reviewer and submits
the five seed questions and the ten FAQ questions, so a newcomer sees real articles at once. Seeded
articles stay *Submitted*: no machine approves clinical content on a reviewer's behalf.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from guidepath.config import get_settings
from guidepath.store import workflow as wf
from guidepath.store.db import make_engine, migrate, session_factory
from guidepath.store.models import Article, User

SEED_QUESTIONS = [
    "What is the recommended treatment for a patient with sacroiliitis (M46.1) who has not "
    "responded to conservative treatment, with pain lasting over 1 month and intensity above 4/10?",
    "What is the appropriate management for a patient with bilateral sacroiliac joint sclerosis "
    "presenting with chronic low-back or buttock pain?",
    "What Happens If SI Joint Injections Don't Work?",
    "Sacroiliac Joint Interventional Pain Management",
    "What is the treatment approach for patients with difficult to treat Spondyloarthropathy?",
]
DEMO_PASSWORD = "guidepath-demo"


class Store:
    """The engine and session factory of a running site."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = session_factory(engine)


def open_store(url: str | None = None) -> Store:
    """Open (and migrate) the configured database."""
    engine = make_engine(url)
    migrate(engine)
    return Store(engine)


def secret_key() -> str:
    """The session-signing key: configured, or generated once and kept in the data directory
    (so sessions survive a restart)."""
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def answer_json(question: str, audience: str) -> dict[str, Any]:
    """The answer the store keeps for an article (computed here, handed to the store)."""
    from guidepath.answers.ask import answer_json as compute

    return compute(question, audience)


def flag_after_pack_update(store: Store) -> list[int]:
    """At start-up: approved articles answered with an older pack whose answer now differs."""
    from guidepath.engine.compiled import compiled_pack

    with store.sessions() as session:
        return wf.flag_changed_answers(
            session, answerer=answer_json, current_pack=compiled_pack().pack.version
        )


def seed(store: Store) -> None:
    """Demo users and the seed articles, once."""
    from guidepath.knowledge.loader import load_pack

    password = os.environ.get("GUIDEPATH_SEED_PASSWORD", DEMO_PASSWORD)
    with store.sessions() as session:
        if session.scalar(select(User.id).limit(1)) is not None:
            return
        author = wf.create_user(session, username="editor", password=password, role="author")
        wf.create_user(session, username="reviewer", password=password, role="reviewer")
        wf.create_user(session, username="reviewer2", password=password, role="reviewer")
        questions = SEED_QUESTIONS + [faq.question for faq in load_pack().faq]
        for question in questions:
            if session.scalar(select(Article.id).where(Article.question == question)) is None:
                wf.submit_article(session, author=author, question=question, answerer=answer_json)
