"""Workflow rules, permissions, optimistic locking, audit and durability — SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from guidepath.answers.ask import answer_json
from guidepath.store import workflow as wf
from guidepath.store.db import session_factory
from guidepath.store.models import AppendOnlyError, Article, AuditEvent, User

QUESTION = "How many injections can I receive in a year?"


def people(session: Session) -> tuple[User, User, User]:
    author = wf.create_user(session, username="ann", password="author-pass-1", role="author")
    reviewer = wf.create_user(session, username="rex", password="reviewer-pass-1", role="reviewer")
    other = wf.create_user(session, username="ola", password="reviewer-pass-2", role="reviewer")
    return author, reviewer, other


def under_review(
    session: Session, author: User, reviewer: User, question: str = QUESTION
) -> Article:
    """An article taken through Submitted → Under review."""
    article = wf.submit_article(session, author=author, question=question, answerer=answer_json)
    return wf.start_review(
        session, article_id=article.id, reviewer=reviewer, expected_version=article.version
    )


def approved(session: Session, author: User, reviewer: User, question: str = QUESTION) -> Article:
    """An article taken through Submitted → Under review → Approved."""
    article = under_review(session, author, reviewer, question)
    return wf.decide(
        session,
        article_id=article.id,
        reviewer=reviewer,
        decision="approve",
        comment="",
        expected_version=article.version,
    )


def test_submitted_to_under_review_to_approved(session: Session) -> None:
    author, reviewer, _ = people(session)
    article = wf.submit_article(session, author=author, question=QUESTION, answerer=answer_json)
    assert article.status == "submitted" and article.answer["title"]
    article = wf.start_review(
        session, article_id=article.id, reviewer=reviewer, expected_version=article.version
    )
    article = wf.decide(
        session,
        article_id=article.id,
        reviewer=reviewer,
        decision="approve",
        comment="",
        expected_version=article.version,
    )
    assert article.status == "approved"
    assert [r.decision for r in article.reviews] == ["approve"]


def test_changes_requested_then_resubmitted(session: Session) -> None:
    author, reviewer, _ = people(session)
    article = under_review(session, author, reviewer)
    with pytest.raises(wf.WorkflowError, match="comment"):
        wf.decide(
            session,
            article_id=article.id,
            reviewer=reviewer,
            decision="request_changes",
            comment=" ",
            expected_version=article.version,
        )
    article = wf.decide(
        session,
        article_id=article.id,
        reviewer=reviewer,
        decision="request_changes",
        comment="Patient wording, please",
        expected_version=article.version,
    )
    assert article.status == "changes_requested"
    article = wf.edit_article(
        session,
        answerer=answer_json,
        article_id=article.id,
        editor=author,
        question=QUESTION + " (patient)",
        expected_version=article.version,
    )
    assert article.status == "submitted" and len(article.revisions) == 2


def test_only_reviewers_review_and_never_their_own(session: Session) -> None:
    author, reviewer, _ = people(session)
    article = wf.submit_article(session, author=author, question=QUESTION, answerer=answer_json)
    with pytest.raises(wf.PermissionDenied, match="only a reviewer"):
        wf.start_review(
            session, article_id=article.id, reviewer=author, expected_version=article.version
        )
    own = wf.submit_article(
        session, author=reviewer, question="What is the sacroiliac joint?", answerer=answer_json
    )
    with pytest.raises(wf.PermissionDenied, match="own article"):
        wf.start_review(session, article_id=own.id, reviewer=reviewer, expected_version=own.version)


def test_decisions_need_an_article_under_review(session: Session) -> None:
    author, reviewer, _ = people(session)
    article = wf.submit_article(session, author=author, question=QUESTION, answerer=answer_json)
    with pytest.raises(wf.Conflict, match="under review"):
        wf.decide(
            session,
            article_id=article.id,
            reviewer=reviewer,
            decision="approve",
            comment="",
            expected_version=article.version,
        )


def test_editing_an_approved_article_needs_review_again(session: Session) -> None:
    author, reviewer, _ = people(session)
    article = approved(session, author, reviewer)
    article = wf.edit_article(
        session,
        answerer=answer_json,
        article_id=article.id,
        editor=author,
        question="Are SI joint procedures safe?",
        expected_version=article.version,
        note="new question",
    )
    assert article.status == "submitted"
    assert [r.number for r in article.revisions] == [1, 2]
    assert article.revisions[0].question == QUESTION


def test_a_stale_version_is_refused(session: Session) -> None:
    author, reviewer, _ = people(session)
    article = wf.submit_article(session, author=author, question=QUESTION, answerer=answer_json)
    stale = article.version
    wf.start_review(session, article_id=article.id, reviewer=reviewer, expected_version=stale)
    with pytest.raises(wf.Conflict, match="version"):
        wf.decide(
            session,
            article_id=article.id,
            reviewer=reviewer,
            decision="approve",
            comment="",
            expected_version=stale,
        )


def test_two_concurrent_writers_one_wins(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions() as setup:
        author, reviewer, other = people(setup)
        article_id = wf.submit_article(
            setup, author=author, question=QUESTION, answerer=answer_json
        ).id
        version = setup.get(Article, article_id).version  # type: ignore[union-attr]
    results: list[str] = []
    barrier = threading.Barrier(2)

    def writer(user_id: int) -> None:
        with sessions() as mine:
            user = mine.get(User, user_id)
            assert user is not None
            mine.get(Article, article_id)
            barrier.wait()
            try:
                wf.start_review(
                    mine, article_id=article_id, reviewer=user, expected_version=version
                )
                results.append("ok")
            except wf.Conflict:
                results.append("conflict")

    threads = [threading.Thread(target=writer, args=(uid,)) for uid in (reviewer.id, other.id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "ok"]
    with sessions() as check:
        article = check.get(Article, article_id)
        assert article is not None and article.status == "under_review"
        assert article.version == version + 1


def test_audit_log_is_complete_and_append_only(session: Session) -> None:
    author, reviewer, _ = people(session)
    article = under_review(session, author, reviewer)
    wf.decide(
        session,
        article_id=article.id,
        reviewer=reviewer,
        decision="approve",
        comment="",
        expected_version=article.version,
    )
    actions = [e.action for e in wf.audit_trail(session, article_id=article.id)]
    assert actions == ["submitted", "review_started", "decided_approve"]
    event = session.scalars(select(AuditEvent)).first()
    assert event is not None
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()
    session.delete(session.scalars(select(AuditEvent)).first())
    with pytest.raises(AppendOnlyError):
        session.commit()


def test_nothing_is_lost_across_a_restart(engine: Engine, sessions: sessionmaker[Session]) -> None:
    with sessions() as first:
        author, _, _ = people(first)
        slug = wf.submit_article(first, author=author, question=QUESTION, answerer=answer_json).slug
    engine.dispose()
    with session_factory(engine)() as after:
        article = wf.article_by_slug(after, slug=slug)
        assert article.question == QUESTION and article.revisions[0].number == 1
        assert wf.authenticate(after, username="ann", password="author-pass-1") is not None


def test_passwords_are_hashed_and_checked(session: Session) -> None:
    author, _, _ = people(session)
    assert author.password_hash.startswith("$argon2id$")
    assert wf.authenticate(session, username="ann", password="wrong-password") is None
    assert wf.authenticate(session, username="nobody", password="whatever1") is None


def test_changed_answers_are_flagged_for_rereview(session: Session) -> None:
    author, reviewer, _ = people(session)
    article = approved(session, author, reviewer)
    assert wf.flag_changed_answers(session, answerer=answer_json) == []
    stale = dict(article.answer)
    stale["bottom_line"] = "an answer from an older pack"
    article.answer = stale
    session.commit()
    current = article.pack_version
    assert wf.flag_changed_answers(session, answerer=answer_json, current_pack=current) == []
    article.pack_version = "2020.1.0"
    session.commit()
    assert wf.flag_changed_answers(session, answerer=answer_json, current_pack=current) == [
        article.id
    ]
    assert wf.get_article(session, article_id=article.id).needs_rereview
    actions = [e.action for e in wf.audit_trail(session, article_id=article.id)]
    assert actions[-1] == "flagged_for_rereview"
